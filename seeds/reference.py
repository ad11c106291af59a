"""Reference data with the codes fixed by docs/counting.md. Loading it is idempotent."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from orientation.dates import add_months, first_of_month

DATA = Path(__file__).parent / "data"

SITES = [
    # code, name, kind, district
    ("PAO-LS", "Punto de Atención y Orientación – Lima Sur", "orientation_point", "150133"),
    ("SCH-01", "I.E. N.º 7057 Villa María del Triunfo", "school", "150143"),
    ("SCH-02", "I.E. N.º 6069 Villa El Salvador", "school", "150142"),
]

PROGRAMS = [
    # code, name, donor, start, sites
    ("PAO", "Punto de Atención y Orientación", "Donante PAO", date(2024, 8, 1), ["PAO-LS"]),
    (
        "BALON",
        "Balón: fútbol para la integración",
        "Donante deporte",
        date(2019, 1, 1),
        ["SCH-01", "SCH-02", "PAO-LS"],
    ),
    ("SALUD", "Salud primaria y mental", "Donante salud", date(2024, 3, 1), ["PAO-LS"]),
]

SERVICE_TYPES = [
    ("doc-orientation", "Orientación sobre documentación", "documentation"),
    ("doc-cpp", "Acompañamiento al trámite del CPP", "documentation"),
    ("doc-refugee", "Orientación para solicitud de refugio", "documentation"),
    ("phc-consultation", "Consulta de atención primaria", "primary_care"),
    ("phc-sis", "Afiliación al SIS", "primary_care"),
    ("phc-prenatal", "Control prenatal", "primary_care"),
    ("phc-vaccination", "Vacunación", "primary_care"),
    ("mhpss-pfa", "Primeros auxilios psicológicos", "psychosocial"),
    ("mhpss-individual", "Sesión psicosocial individual", "psychosocial"),
    ("mhpss-group", "Sesión psicosocial grupal", "psychosocial"),
    ("prot-legal", "Orientación legal y de protección", "protection"),
]

INDICATORS = [
    # program, code, name, event kind, areas, activities
    (
        "PAO",
        "PAO-ANY",
        "Personas que recibieron al menos un servicio",
        "service_received",
        ["documentation", "primary_care", "psychosocial"],
        [],
    ),
    ("PAO", "PAO-DOC", "Personas con asistencia en documentación", "service_received", ["documentation"], []),
    ("PAO", "PAO-PHC", "Personas con atención primaria de salud", "service_received", ["primary_care"], []),
    ("PAO", "PAO-MHPSS", "Personas con apoyo psicosocial", "service_received", ["psychosocial"], []),
    ("PAO", "PAO-REF", "Personas derivadas a una institución aliada", "referral_made", [], []),
    ("BALON", "BALON-YOUTH", "Niñas, niños y adolescentes en actividades deportivas", "attendance", [], []),
    (
        "BALON",
        "BALON-LEAD",
        "Participantes en talleres de liderazgo",
        "attendance",
        [],
        ["leadership_workshop"],
    ),
    (
        "BALON",
        "BALON-COMM",
        "Participantes en actividades comunitarias",
        "attendance",
        [],
        ["community_activity"],
    ),
    (
        "SALUD",
        "SALUD-PHC",
        "Personas con atención primaria (salud)",
        "service_received",
        ["primary_care"],
        [],
    ),
    (
        "SALUD",
        "SALUD-MHPSS",
        "Personas con apoyo psicosocial (salud)",
        "service_received",
        ["psychosocial"],
        [],
    ),
]

# Example R4V mappings (docs/r4v.md): what each program and indicator is in the regional plan.
# Created once; an admin's later edits are kept.
R4V_PROGRAMS = [
    # program, appealing organisation, implementation set-up, implementing partner
    ("PAO", "Orienta demo organisation", "Direct", ""),
    ("BALON", "Orienta demo organisation", "Direct", ""),
    ("SALUD", "Orienta demo organisation", "Direct", ""),
]
R4V_INDICATORS = [
    # indicator, sector, RMRP indicator, type, activity name
    (
        "PAO-ANY",
        "Multisector",
        "# of refugees and migrants receiving orientation and assistance services",
        "Direct Assistance",
        "Orientation and assistance point",
    ),
    (
        "PAO-DOC",
        "Integration",
        "# of refugees and migrants supported to access documentation and regularization",
        "Direct Assistance",
        "Documentation and regularization assistance",
    ),
    (
        "PAO-PHC",
        "Health",
        "# of primary health care consultations provided to refugees and migrants",
        "Direct Assistance",
        "Primary health care",
    ),
    (
        "PAO-MHPSS",
        "Health",
        "# of refugees and migrants receiving mental health and psychosocial support",
        "Direct Assistance",
        "Mental health and psychosocial support",
    ),
    (
        "PAO-REF",
        "Protection",
        "# of refugees and migrants referred to specialized services",
        "Direct Assistance",
        "Referrals to partner institutions",
    ),
    (
        "BALON-YOUTH",
        "Integration",
        "# of refugee, migrant and host community children in social cohesion activities",
        "Direct Assistance",
        "Youth soccer for integration",
    ),
    (
        "BALON-LEAD",
        "Integration",
        "# of refugee, migrant and host community youth in leadership activities",
        "Direct Assistance",
        "Youth leadership workshops",
    ),
    (
        "BALON-COMM",
        "Integration",
        "# of people participating in social cohesion and community activities",
        "Direct Assistance",
        "Community activities",
    ),
    (
        "SALUD-PHC",
        "Health",
        "# of primary health care consultations provided to refugees and migrants",
        "Direct Assistance",
        "Primary health care",
    ),
    (
        "SALUD-MHPSS",
        "Health",
        "# of refugees and migrants receiving mental health and psychosocial support",
        "Direct Assistance",
        "Mental health and psychosocial support",
    ),
]
# Example DHIS2 mapping (docs/dhis2.md) for the health program: made-up identifiers in DHIS2's
# UID format, to be replaced by those of your DHIS2 instance. No server is configured. Created
# once; an admin's later edits are kept.
DHIS2_PROGRAMS = [
    # program, data set, attribute option combo
    ("SALUD", "OrDsSalud01", ""),
]
DHIS2_DATA_ELEMENTS = [
    # indicator, measure, data element, disaggregation
    ("SALUD-PHC", "reached", "OrDeSalPhcR", "by_sex_age"),
    ("SALUD-PHC", "new_in_year", "OrDeSalPhcN", "by_sex_age"),
    ("SALUD-MHPSS", "reached", "OrDeSalPsyR", "by_sex_age"),
    ("SALUD-MHPSS", "new_in_year", "OrDeSalPsyN", "by_sex_age"),
]
DHIS2_ORG_UNITS = [("PAO-LS", "OrOuPaoLsur"), ("SCH-01", "OrOuSch01vm"), ("SCH-02", "OrOuSch02vs")]
# Sex × age band: "OrCoc" + sex + band ("unkno" for an unknown age); totals: DHIS2's default.
_BAND_UID = {
    "0-4": "00t04",
    "5-11": "05t11",
    "12-17": "12t17",
    "18-59": "18t59",
    "60+": "60plu",
    "unknown": "unkno",
}
DHIS2_COCS = [("total", "", "HllvX50cXC0")] + [
    ("by_sex_age", f"{sex}:{band}", f"OrCoc{sex}{uid}")
    for sex in ("F", "M", "X")
    for band, uid in _BAND_UID.items()
]
# The catalog's names in English (shown when the pages are in English), by code.
NAMES_EN = {
    "doc-orientation": "Guidance on documentation",
    "doc-cpp": "Support with the CPP application",
    "doc-refugee": "Guidance on applying for refugee status",
    "phc-consultation": "Primary care consultation",
    "phc-sis": "Enrolment in SIS health insurance",
    "phc-prenatal": "Prenatal check-up",
    "phc-vaccination": "Vaccination",
    "mhpss-pfa": "Psychological first aid",
    "mhpss-individual": "Individual psychosocial session",
    "mhpss-group": "Group psychosocial session",
    "prot-legal": "Legal and protection guidance",
    "PAO-ANY": "People who received at least one service",
    "PAO-DOC": "People assisted with documentation",
    "PAO-PHC": "People who received primary health care",
    "PAO-MHPSS": "People who received psychosocial support",
    "PAO-REF": "People referred to a partner institution",
    "BALON-YOUTH": "Children and adolescents in sport activities",
    "BALON-LEAD": "Participants in leadership workshops",
    "BALON-COMM": "Participants in community activities",
    "SALUD-PHC": "People who received primary care (health)",
    "SALUD-MHPSS": "People who received psychosocial support (health)",
    "pregnant": "Pregnant",
    "lactating": "Breastfeeding",
    "child_under_5": "Child under 5",
    "unaccompanied_child": "Unaccompanied child or adolescent",
    "separated_child": "Separated child or adolescent",
    "disability": "Person with a disability",
    "chronic_illness": "Chronic illness",
    "older_person": "Older person",
    "gbv_risk": "Risk of gender-based violence",
    "trafficking_risk": "Risk of human trafficking",
    "single_caregiver": "Single caregiver",
    "no_shelter": "No shelter",
}

# Example targets: (indicator, monthly target, whole-program target)
TARGETS = [
    ("PAO-ANY", 300, 6000),
    ("PAO-DOC", 120, 1500),
    ("PAO-PHC", 100, 1200),
    ("PAO-MHPSS", 60, 700),
    ("PAO-REF", 80, 900),
    ("BALON-YOUTH", 150, 2500),
    ("BALON-LEAD", 40, 400),
    ("BALON-COMM", 80, 900),
    ("SALUD-PHC", 90, 1000),
    ("SALUD-MHPSS", 50, 500),
]

VULNERABILITIES = [
    ("pregnant", "Gestante"),
    ("lactating", "Lactante"),
    ("child_under_5", "Niña o niño menor de 5 años"),
    ("unaccompanied_child", "Niña, niño o adolescente no acompañado"),
    ("separated_child", "Niña, niño o adolescente separado"),
    ("disability", "Persona con discapacidad"),
    ("chronic_illness", "Enfermedad crónica"),
    ("older_person", "Persona adulta mayor"),
    ("gbv_risk", "Riesgo de violencia basada en género"),
    ("trafficking_risk", "Riesgo de trata de personas"),
    ("single_caregiver", "Cuidador/a único/a"),
    ("no_shelter", "Sin alojamiento"),
]

PARTNERS = [
    (
        "cs-jose-galvez",
        "Centro de Salud José Gálvez",
        "health_facility",
        ["primary_care", "psychosocial"],
        "150143",
    ),
    ("csmc-vmt", "Centro de Salud Mental Comunitario VMT", "health_facility", ["psychosocial"], "150143"),
    ("migraciones-lima", "Migraciones – Lima", "migraciones", ["documentation"], "150101"),
    (
        "cepr",
        "Comisión Especial para los Refugiados (CEPR)",
        "refugee_commission",
        ["documentation", "protection"],
        "150101",
    ),
    (
        "ong-encuentros",
        "Encuentros – Servicio Jesuita",
        "ngo",
        ["protection", "other", "psychosocial"],
        "150101",
    ),
    (
        "muni-sjm",
        "Municipalidad de San Juan de Miraflores",
        "municipality",
        ["other", "protection"],
        "150133",
    ),
]


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    from cases.models import Vulnerability
    from orientation.models import District, Program, Site
    from reports.models import Indicator, IndicatorR4V, ProgramR4V, Target
    from services.models import Partner, ServiceType

    counts: dict[str, int] = {}
    with open(DATA / "districts.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        District.objects.update_or_create(
            ubigeo=row["ubigeo"],
            defaults={"name": row["name"], "province": row["province"], "department": row["department"]},
        )
    counts["districts"] = len(rows)

    for code, name, kind, ubigeo in SITES:
        Site.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "district_id": ubigeo})
    counts["sites"] = len(SITES)

    for code, name, donor, start, sites in PROGRAMS:
        program, _ = Program.objects.update_or_create(
            code=code, defaults={"name": name, "donor": donor, "start_date": start}
        )
        program.sites.add(*Site.objects.filter(code__in=sites))
    counts["programs"] = len(PROGRAMS)

    for code, name, area in SERVICE_TYPES:
        ServiceType.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": NAMES_EN.get(code, ""), "area": area}
        )
    counts["service_types"] = len(SERVICE_TYPES)

    for order, (program, code, name, kind, areas, activities) in enumerate(INDICATORS):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "program": Program.objects.get(code=program),
                "name": name,
                "name_en": NAMES_EN.get(code, ""),
                "event_kind": kind,
                "areas": areas,
                "activities": activities,
                "sort_order": order,
            },
        )
    counts["indicators"] = len(INDICATORS)

    # Example targets: the whole program, and each month from two years back to a year ahead.
    today = timezone.localdate()
    first = date(today.year - 2, today.month, 1)
    months = [add_months(first, i) for i in range(37)]
    counts["targets"] = 0
    for code, monthly, total in TARGETS:
        indicator = Indicator.objects.get(code=code)
        Target.objects.get_or_create(indicator=indicator, month=None, defaults={"value": total})
        existing = set(Target.objects.filter(indicator=indicator).values_list("month", flat=True))
        Target.objects.bulk_create(
            [
                Target(indicator=indicator, month=m, value=monthly)
                for m in months
                if m not in existing and m >= first_of_month(indicator.program.start_date)
            ]
        )
        counts["targets"] += Target.objects.filter(indicator=indicator).count()

    for code, organisation, setup, partner in R4V_PROGRAMS:
        ProgramR4V.objects.get_or_create(
            program=Program.objects.get(code=code),
            defaults={
                "appealing_organisation": organisation,
                "implementation_setup": setup,
                "implementing_partner": partner,
            },
        )
    for code, sector, rmrp_indicator, kind, activity in R4V_INDICATORS:
        IndicatorR4V.objects.get_or_create(
            indicator=Indicator.objects.get(code=code),
            defaults={
                "sector": sector,
                "rmrp_indicator": rmrp_indicator,
                "indicator_type": kind,
                "activity_name": activity,
            },
        )
    counts["r4v_mappings"] = len(R4V_PROGRAMS) + len(R4V_INDICATORS)
    counts["dhis2_mappings"] = _dhis2_mappings_load()

    for code, name in VULNERABILITIES:
        Vulnerability.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": NAMES_EN.get(code, "")}
        )
    counts["vulnerabilities"] = len(VULNERABILITIES)

    for code, name, kind, areas, ubigeo in PARTNERS:
        Partner.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "areas": areas, "district_id": ubigeo}
        )
    counts["partners"] = len(PARTNERS)
    return counts


def _dhis2_mappings_load() -> int:
    """The example DHIS2 mapping; rows that exist already (an admin's edits) are kept."""
    from orientation.models import Program, Site
    from reports.dhis2.models import (
        CategoryOptionComboMapping,
        DataElementMapping,
        OrgUnitMapping,
        ProgramMapping,
    )
    from reports.models import Indicator

    for code, data_set, aoc in DHIS2_PROGRAMS:
        ProgramMapping.objects.get_or_create(
            program=Program.objects.get(code=code),
            defaults={"data_set": data_set, "attribute_option_combo": aoc},
        )
    for code, measure, data_element, breakdown in DHIS2_DATA_ELEMENTS:
        DataElementMapping.objects.get_or_create(
            indicator=Indicator.objects.get(code=code),
            measure=measure,
            defaults={"data_element": data_element, "breakdown": breakdown},
        )
    for code, org_unit in DHIS2_ORG_UNITS:
        OrgUnitMapping.objects.get_or_create(
            site=Site.objects.get(code=code), defaults={"org_unit": org_unit}
        )
    for breakdown, key, coc in DHIS2_COCS:
        CategoryOptionComboMapping.objects.get_or_create(
            breakdown=breakdown, key=key, defaults={"category_option_combo": coc}
        )
    return len(DHIS2_PROGRAMS) + len(DHIS2_DATA_ELEMENTS) + len(DHIS2_ORG_UNITS) + len(DHIS2_COCS)
