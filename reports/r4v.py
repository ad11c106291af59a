"""The R4V monthly file (docs/r4v.md): one sheet in the 29 columns of R4V's 5W template, one row
per program, department (Admin1), province (Admin2) and indicator, ready to upload to R4V's
platform as it is.

- "Total monthly beneficiaries" is the month's ``reached``; "New beneficiaries of the month" is
  ``new_in_year`` within the calendar year (RMRP's plan year, which R4V adds up month by month,
  even for a program whose own reporting year starts in another month); the population and
  sex-and-age columns describe the new beneficiaries only. Each person is placed at the site of
  their reference event (docs/counting.md), so the rows of an indicator add up to its month.
- "Quantity of output" is the number of qualifying events in the month.
- Nothing is masked: the file goes to the platform, not to the public.

Built from ``reports.counting.by_site`` (the counting contract's own SQL, split by site); it
refuses with a list of problems rather than guess a value (a missing mapping, a site without a
district, people without a birth date), and checks its own rows with R4V's quality checks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cases.models import Person
from orientation.dates import first_of_month
from orientation.models import Program, Site
from orientation.spreadsheet import spreadsheet_row

from . import counting
from .models import Indicator, IndicatorR4V, ProgramR4V

COLUMNS = [
    "Country Country",
    "Country Admin1",
    "Admin2 Admin2",
    "Appealing organisation Name",
    "Implementation Set up",
    "Implementing partner Name",
    "Month",
    "Indicator Sector",
    "Indicator Indicator",
    "Activity Name",
    "Activity Description",
    "RMRP Activity",
    "CVA",
    "Value (in USD)",
    "Delivery mechanism",
    "Quantity of output",
    "Total monthly beneficiaries",
    "New beneficiaries of the month",
    "Refugees and Migrants IN DESTINATION",
    "Refugees and Migrants IN TRANSIT",
    "Host Communities Beneficiaries",
    "Refugees and Migrants PENDULARS",
    "Colombian Returnees",
    "Women under 18",
    "Men under 18",
    "Women above 18",
    "Men above 18",
    "Other under 18",
    "Other above 18",
]
POPULATION_COLUMNS = COLUMNS[18:23]
SEX_AGE_COLUMNS = COLUMNS[23:29]
# Orienta's population types → R4V's columns (returnees: the program's setting decides).
POPULATION = {
    "destination": "Refugees and Migrants IN DESTINATION",
    "transit": "Refugees and Migrants IN TRANSIT",
    "host": "Host Communities Beneficiaries",
    "pendular": "Refugees and Migrants PENDULARS",
}
# The RMRP plan year is the calendar year, whatever a program's own reporting year.
PLAN_YEAR_START = 1
MINOR_BANDS = {"0-4", "5-11", "12-17"}
ADULT_BANDS = {"18-59", "60+"}


@dataclass
class R4VFile:
    month: date
    rows: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # People new in the month without a birth date: (person id, ref, site code).
    unknown_age: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sex_age(by_sex_age: dict[str, int], *, unknown_as_adult: bool) -> dict[str, int]:
    out = dict.fromkeys(SEX_AGE_COLUMNS, 0)
    for key, count in by_sex_age.items():
        sex, _sep, band = key.partition(":")
        adult = band in ADULT_BANDS or (band not in MINOR_BANDS and unknown_as_adult)
        who = {"F": "Women", "M": "Men"}.get(sex, "Other")
        out[f"{who} {'above' if adult else 'under'} 18"] += count
    return out


def _population(by_population_type: dict[str, int], returnees_as: str) -> dict[str, int]:
    out = dict.fromkeys(POPULATION_COLUMNS, 0)
    for pt, count in by_population_type.items():
        out[POPULATION[returnees_as if pt == "returnee" else pt]] += count
    return out


def _mapping_problems(programs: list[Program], indicators: list[Indicator]) -> list[str]:
    problems = []
    program_maps = {m.program_id: m for m in ProgramR4V.objects.filter(program__in=programs)}
    indicator_maps = {m.indicator_id: m for m in IndicatorR4V.objects.filter(indicator__in=indicators)}
    for program in programs:
        mapping = program_maps.get(program.pk)
        if mapping is None:
            problems.append(
                _("Program %(code)s has no R4V mapping: fill it in the admin.") % {"code": program.code}
            )
        elif not mapping.appealing_organisation.strip():
            problems.append(
                _("Program %(code)s: the appealing organisation is missing.") % {"code": program.code}
            )
    for indicator in indicators:
        mapping = indicator_maps.get(indicator.pk)
        if mapping is None:
            problems.append(
                _("Indicator %(code)s has no R4V mapping: fill it in the admin.") % {"code": indicator.code}
            )
            continue
        for name in ("sector", "rmrp_indicator", "activity_name"):
            if not getattr(mapping, name).strip():
                problems.append(
                    _("Indicator %(code)s: the R4V field “%(field)s” is missing.")
                    % {"code": indicator.code, "field": IndicatorR4V._meta.get_field(name).verbose_name}
                )
    return problems


def r4v_build(*, month: date, program_code: str | None = None) -> R4VFile:
    """The month's R4V rows, or the problems that stop them."""
    month = first_of_month(month)
    result = R4VFile(month=month)
    programs = list(Program.objects.order_by("code"))
    if program_code:
        programs = [p for p in programs if p.code == program_code]
    indicators = list(
        Indicator.objects.filter(program__in=programs, active=True)
        .select_related("program")
        .order_by("program__code", "sort_order", "code")
    )
    result.problems = _mapping_problems(programs, indicators)
    if result.problems:
        return result
    program_maps = {m.program_id: m for m in ProgramR4V.objects.filter(program__in=programs)}
    indicator_maps = {m.indicator_id: m for m in IndicatorR4V.objects.filter(indicator__in=indicators)}
    sites = {s.pk: s for s in Site.objects.select_related("district")}
    unknown_people: set[int] = set()
    for indicator in indicators:
        pmap, imap = program_maps[indicator.program_id], indicator_maps[indicator.pk]
        direct = imap.indicator_type == IndicatorR4V.IndicatorType.DIRECT_ASSISTANCE
        split = counting.by_site(indicator, month, year_start_month=PLAN_YEAR_START)
        if direct and pmap.unknown_age == ProgramR4V.UnknownAge.REFUSE:
            unknown_people.update(
                counting.new_in_year_without_birth_date(indicator, month, year_start_month=PLAN_YEAR_START)
            )
        places: dict[tuple[str, str], dict] = {}
        for site_id, figures in split.items():
            site = sites[site_id]
            if site.district is None:
                result.problems.append(
                    _("Site %(code)s has no district: R4V needs its department and province.")
                    % {"code": site.code}
                )
                continue
            key = (site.district.department, site.district.province)
            place = places.setdefault(key, {"events": 0, "reached": 0, "new": [], "pt": {}, "sa": {}})
            place["events"] += figures["events"]
            place["reached"] += figures["reached"]["total"]
            place["new"].append(figures["new_in_year"])
        for (admin1, admin2), place in sorted(places.items()):
            new_total = sum(m["total"] for m in place["new"])
            if direct and place["reached"] == 0:
                continue  # R4V refuses Direct Assistance rows without beneficiaries
            if not direct and place["events"] == 0:
                continue
            row = dict.fromkeys(COLUMNS, None)
            row.update(
                {
                    "Country Country": pmap.country,
                    "Country Admin1": admin1,
                    "Admin2 Admin2": admin2,
                    "Appealing organisation Name": pmap.appealing_organisation,
                    "Implementation Set up": pmap.implementation_setup,
                    "Implementing partner Name": pmap.implementing_partner or None,
                    "Month": f"{month:%Y-%m}",
                    "Indicator Sector": imap.sector,
                    "Indicator Indicator": imap.rmrp_indicator,
                    "Activity Name": imap.activity_name,
                    "Activity Description": imap.activity_description or None,
                    "RMRP Activity": "Yes" if imap.rmrp_activity else "No",
                    "CVA": "No",
                    "Quantity of output": place["events"],
                    "Total monthly beneficiaries": place["reached"],
                }
            )
            if direct:
                row["New beneficiaries of the month"] = new_total
                population: dict[str, int] = dict.fromkeys(POPULATION_COLUMNS, 0)
                sex_age: dict[str, int] = dict.fromkeys(SEX_AGE_COLUMNS, 0)
                for measure in place["new"]:
                    for column, n in _population(measure["by_population_type"], pmap.returnees_as).items():
                        population[column] += n
                    for column, n in _sex_age(
                        measure["by_sex_age"],
                        unknown_as_adult=pmap.unknown_age == ProgramR4V.UnknownAge.ADULT,
                    ).items():
                        sex_age[column] += n
                row.update(population)
                row.update(sex_age)
            row["_program"] = indicator.program.code
            row["_indicator"] = indicator.code
            result.rows.append(row)
    if unknown_people:
        for pk, ref, site in (
            Person.objects.filter(pk__in=unknown_people)
            .order_by("site__code", "pk")
            .values_list("pk", "ref", "site__code")
        ):
            result.unknown_age.append((pk, ref or f"OR-{pk}", site))
        result.problems.append(
            _(
                "%(n)s people counted as new this month have no birth date, so they cannot be placed in "
                "R4V's age columns. Complete their birth date (an estimate is enough) or choose a rule "
                "for people without a birth date in the program's R4V mapping."
            )
            % {"n": len(result.unknown_age)}
        )
    if not result.problems:
        result.problems = r4v_check(result.rows)
    result.notes = _notes(programs, program_maps)
    return result


def r4v_check(rows: list[dict]) -> list[str]:
    """R4V's own quality checks on the rows: the breakdowns of the new sum to "new", new never
    exceeds total, the counts each indicator type requires, and the cash (CVA) fields."""
    problems = []
    for number, row in enumerate(rows, start=2):
        where = _("Row %(row)s (%(indicator)s)") % {"row": number, "indicator": row.get("_indicator", "")}
        total, new = row["Total monthly beneficiaries"], row["New beneficiaries of the month"]
        direct = new is not None
        if direct:
            if not total or total <= 0:
                problems.append(_("%(where)s: Direct Assistance needs a total above 0.") % {"where": where})
            if new > (total or 0):
                problems.append(_("%(where)s: new beneficiaries exceed the total.") % {"where": where})
            for label, columns in (
                (_("population types"), POPULATION_COLUMNS),
                (_("sex and age"), SEX_AGE_COLUMNS),
            ):
                if sum(row[c] or 0 for c in columns) != new:
                    problems.append(
                        _("%(where)s: the %(group)s do not add up to the new beneficiaries.")
                        % {"where": where, "group": label}
                    )
        elif any(row[c] is not None for c in POPULATION_COLUMNS + SEX_AGE_COLUMNS):
            problems.append(_("%(where)s: only Direct Assistance has breakdowns.") % {"where": where})
        if row["CVA"] == "No" and (
            row["Value (in USD)"] is not None or row["Delivery mechanism"] is not None
        ):
            problems.append(
                _("%(where)s: without cash (CVA No), value and delivery mechanism stay empty.")
                % {"where": where}
            )
    return problems


def _notes(programs, program_maps) -> list[tuple[str, str]]:
    notes = [
        ("Generated", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (
            "Total monthly beneficiaries",
            "People with at least one qualifying event in the month, at the place of their first one.",
        ),
        (
            "New beneficiaries of the month",
            "People whose first qualifying event of the calendar (plan) year is in the month; "
            "population and sex-and-age columns describe them only.",
        ),
        ("Quantity of output", "Qualifying events (services, referrals or attendances) in the month."),
    ]
    for program in programs:
        mapping = program_maps.get(program.pk)
        if mapping is None:
            continue
        notes.append(
            (
                f"{program.code}: Peruvian returnees",
                f"Counted in '{POPULATION[mapping.returnees_as]}' (R4V's template has no column for them).",
            )
        )
        if mapping.unknown_age == ProgramR4V.UnknownAge.ADULT:
            notes.append((f"{program.code}: no birth date", "Counted as 18 or older."))
    return notes


def r4v_xlsx(r4v: R4VFile) -> bytes:
    """The file: the 29 columns on the first sheet, then a sheet of notes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "R4V"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in r4v.rows:
        sheet.append(spreadsheet_row([row[c] for c in COLUMNS], xlsx=True))
    notes = book.create_sheet(title="Notes")
    for line in r4v.notes:
        notes.append(spreadsheet_row(list(line), xlsx=True))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
