"""The month as a DHIS2 data value set, against values worked out by hand (tests/dhis2/conftest.py),
the CSV of DHIS2's import app, and the refusals. Runs on SQLite and on PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError

from orientation.models import Program
from reports import counting
from reports.actions import monthly_figures_compute
from reports.dhis2.datavalues import CSV_HEADER, data_value_set_build
from reports.dhis2.models import (
    CategoryOptionComboMapping,
    DataElementMapping,
    DHIS2Server,
    OrgUnitMapping,
    ProgramMapping,
)
from reports.models import MEASURES, Indicator, MonthlyFigure

from .conftest import MARCH, payload_problems

LIMA, SCHOOL, AOC = "OrOuPaoLsur", "OrOuSch01vm", "AocDonor001"


def v(de, ou, coc, value):
    return {
        "dataElement": de,
        "period": "202503",
        "orgUnit": ou,
        "categoryOptionCombo": coc,
        "attributeOptionCombo": AOC,
        "value": str(value),
    }


def expected_values():
    """By hand. SALUD-PHC in March: reached A at Lima (her first March visit), B and D at the
    school (B's first March visit was there). New ever: B and D (A came in November 2024, C in
    January) at the school. Cumulative since the start, at the place of the first-ever visit: A and
    C at Lima, B and D at the school. Cumulative in 2025, at the place of the first visit of 2025:
    A (10 March) and C (January) at Lima, B and D at the school. E comes in April: not counted.
    SALUD-MHPSS: F at Lima. Every mapped value is sent, zeros included."""
    total = "HllvX50cXC0"
    return [
        v("PhcReached1", LIMA, "CocFemale01", 1),
        v("PhcReached1", LIMA, "CocMale0001", 0),
        v("PhcReached1", LIMA, "CocOther001", 0),
        v("PhcNewEver1", LIMA, total, 0),
        v("PhcCumulat1", LIMA, total, 2),
        v("PhcCumYear1", LIMA, total, 2),
        v("PhcReached1", SCHOOL, "CocFemale01", 0),
        v("PhcReached1", SCHOOL, "CocMale0001", 1),
        v("PhcReached1", SCHOOL, "CocOther001", 1),
        v("PhcNewEver1", SCHOOL, total, 2),
        v("PhcCumulat1", SCHOOL, total, 2),
        v("PhcCumYear1", SCHOOL, total, 2),
        v("PsyReached1", LIMA, total, 1),
    ]


def test_the_json_equals_the_hand_worked_one(march):
    built = data_value_set_build(month=MARCH, program_code="SALUD")
    assert built.ok, built.problems
    body = built.as_json()
    assert list(body) == ["dataSet", "period", "dataValues"]
    assert body["dataSet"] == "DsSalud0001"
    assert body["period"] == "202503"
    assert body["dataValues"] == expected_values()
    assert payload_problems(body) == []


def test_the_csv_has_dhis2s_header_and_the_same_values(march):
    lines = data_value_set_build(month=MARCH, program_code="SALUD").as_csv().splitlines()
    assert lines[0] == (
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup"
    )
    assert lines[0].split(",") == CSV_HEADER
    assert lines[1:] == [
        f"{x['dataElement']},202503,{x['orgUnit']},{x['categoryOptionCombo']},{AOC},{x['value']},,,,false"
        for x in expected_values()
    ]


def test_without_an_attribute_option_combo_the_field_is_left_out(march):
    ProgramMapping.objects.filter(program__code="SALUD").update(attribute_option_combo="", data_set="")
    built = data_value_set_build(month=MARCH, program_code="SALUD")
    assert "dataSet" not in built.as_json()
    assert all("attributeOptionCombo" not in value for value in built.values)
    assert built.as_csv().splitlines()[1] == "PhcReached1,202503,OrOuPaoLsur,CocFemale01,,1,,,,false"


def test_each_measure_split_by_site_adds_up_to_the_months_snapshot(march):
    """The five measures, by site, against the stored figures (totals and every breakdown)."""
    monthly_figures_compute(month=MARCH, program_code="SALUD")
    for code in ("SALUD-PHC", "SALUD-MHPSS"):
        indicator = Indicator.objects.get(code=code)
        figure = MonthlyFigure.objects.get(indicator=indicator, month=MARCH)
        split = counting.by_site(indicator, MARCH, measures=tuple(MEASURES))
        for measure in MEASURES:
            stored = getattr(figure, measure)
            assert sum(site[measure]["total"] for site in split.values()) == stored["total"], (code, measure)
            for breakdown in counting.BREAKDOWNS:
                summed: dict[str, int] = {}
                for site in split.values():
                    for key, n in site[measure][breakdown].items():
                        summed[key] = summed.get(key, 0) + n
                assert summed == stored[breakdown], (code, measure, breakdown)


def test_the_r4v_split_is_unchanged_by_default(march):
    split = counting.by_site(Indicator.objects.get(code="SALUD-PHC"), MARCH)
    assert all(set(site) == {"events", "reached", "new_in_year"} for site in split.values())


def test_the_year_is_the_programs_own(march):
    """SALUD reporting from April: A's year began in November 2024, so A is not new in the year in
    March; cumulative in the year still holds A and C at Lima."""
    Program.objects.filter(code="SALUD").update(reporting_year_start_month=4)
    DataElementMapping.objects.create(
        indicator=Indicator.objects.get(code="SALUD-PHC"), measure="new_in_year", data_element="PhcNewYear1"
    )
    values = data_value_set_build(month=MARCH, program_code="SALUD").values
    new_in_year = {x["orgUnit"]: x["value"] for x in values if x["dataElement"] == "PhcNewYear1"}
    assert new_in_year == {LIMA: "0", SCHOOL: "2"}
    in_year = {x["orgUnit"]: x["value"] for x in values if x["dataElement"] == "PhcCumYear1"}
    assert in_year == {LIMA: "2", SCHOOL: "2"}


def test_nothing_is_masked(march):
    """Counts from 1 to 4 go as they are (the R4V file's rule): DHIS2 is not the public."""
    assert {"1", "2"} <= {x["value"] for x in data_value_set_build(month=MARCH, program_code="SALUD").values}


# --- Refusals: a list of what to fill in, never a guess ------------------------------------------


def _problems(**kwargs) -> list[str]:
    built = data_value_set_build(month=MARCH, program_code="SALUD", **kwargs)
    assert not built.ok and built.values == [] and built.lines == []
    return built.problems


def test_a_program_without_a_mapping_is_refused(march):
    ProgramMapping.objects.filter(program__code="SALUD").delete()
    [problem] = _problems()
    assert "SALUD" in problem and "DHIS2 mapping" in problem


def test_every_program_means_every_mapped_one(march):
    built = data_value_set_build(month=MARCH)
    assert built.ok and built.values == expected_values()
    ProgramMapping.objects.all().delete()
    built = data_value_set_build(month=MARCH)
    assert built.problems == [
        "No program has a DHIS2 mapping: add one in the admin (DHIS2 → DHIS2 mappings of programs)."
    ]


def test_an_indicator_without_a_data_element_is_listed(march):
    DataElementMapping.objects.filter(indicator__code="SALUD-MHPSS").delete()
    [problem] = _problems()
    assert "SALUD-MHPSS" in problem and "data element" in problem


def test_a_value_with_people_and_no_category_option_combo_is_listed(march):
    CategoryOptionComboMapping.objects.filter(breakdown="by_sex", key="X").delete()
    [problem] = _problems()
    assert "“X”" in problem and "1 people" in problem and "SALUD-PHC" in problem


def test_a_value_without_people_needs_no_category_option_combo(march):
    CategoryOptionComboMapping.objects.create(
        breakdown="by_sex_age", key="F:0-4", category_option_combo="CocFem00041"
    )
    DataElementMapping.objects.filter(indicator__code="SALUD-MHPSS").update(breakdown="by_sex_age")
    built = data_value_set_build(month=MARCH, program_code="SALUD")
    # F (M, 30) has no combo of his own: refused; the mapped F:0-4 alone would have been a zero.
    assert any("“M:18-59”" in p for p in built.problems)


def test_the_totals_combo_is_required_when_a_total_is_mapped(march):
    CategoryOptionComboMapping.objects.filter(breakdown="total").delete()
    [problem] = _problems()
    assert "HllvX50cXC0" in problem


def test_a_site_with_people_and_no_organisation_unit_is_listed(march):
    OrgUnitMapping.objects.filter(site__code="SCH-01").delete()
    [problem] = _problems()
    assert problem.startswith("Site SCH-01 has people counted in SALUD-PHC")


def test_a_site_without_people_needs_no_organisation_unit(march):
    """SALUD's own site list includes PAO-NO (no DHIS2 unit, nobody counted): nothing to fill in."""
    from tests.factories import second_orientation_site

    second_orientation_site()
    assert data_value_set_build(month=MARCH, program_code="SALUD").values == expected_values()


def test_two_measures_on_the_same_data_element_are_refused(march):
    DataElementMapping.objects.filter(measure="cumulative").update(data_element="PhcNewEver1")
    problems = _problems()
    assert any("Two mappings send values to data element PhcNewEver1" in p for p in problems)


# --- The mapping's own checks ----------------------------------------------------------------------


@pytest.mark.parametrize("uid", ["abc", "1bcdefghijk", "abcdefghij!", "abcdefghijkl", "abcde fghij"])
def test_uids_are_checked_with_a_clear_message(ref, uid):
    mapping = OrgUnitMapping(site_id=Program.objects.get(code="PAO").sites.first().pk, org_unit=uid)
    with pytest.raises(ValidationError) as refused:
        mapping.full_clean()
    message = refused.value.message_dict["org_unit"][0]
    assert "11 letters or digits and begins with a letter" in message


@pytest.mark.parametrize(
    ("breakdown", "key", "ok"),
    [
        ("by_sex", "F", True),
        ("by_sex", "W", False),
        ("by_sex_age", "M:60+", True),
        ("by_sex_age", "M:65+", False),
        ("by_age_band", "unknown", True),
        ("by_population_type", "returnee", True),
        ("by_population_type", "refugee", False),
        ("by_nationality", "ve", True),
        ("by_nationality", "VEN", False),
        ("total", "", True),
        ("total", "F", False),
    ],
)
def test_category_option_combo_values_are_those_of_the_report(ref, breakdown, key, ok):
    CategoryOptionComboMapping.objects.all().delete()
    mapping = CategoryOptionComboMapping(breakdown=breakdown, key=key, category_option_combo="CocAnyone01")
    if ok:
        mapping.full_clean()
        assert mapping.key == (key.upper() if breakdown == "by_nationality" else key)
    else:
        with pytest.raises(ValidationError):
            mapping.full_clean()


@pytest.mark.parametrize(
    ("url", "env", "ok"),
    [
        ("https://dhis2.example.org", "DHIS2_TOKEN", True),
        ("http://127.0.0.1:8080", "DHIS2_TOKEN", True),
        ("http://dhis2.example.org", "DHIS2_TOKEN", False),
        ("https://user:pw@dhis2.example.org", "DHIS2_TOKEN", False),
        ("https://dhis2.example.org", "SECRET_KEY", False),
        ("https://dhis2.example.org", "DATABASE_URL", False),
        ("https://dhis2.example.org", "dhis2_token", False),
        ("https://[dhis2", "DHIS2_TOKEN", False),
        ("ftp://dhis2.example.org", "DHIS2_TOKEN", False),
    ],
)
def test_the_server_needs_https_and_a_dhis2_variable(db, url, env, ok):
    server = DHIS2Server(base_url=url, secret_env=env)
    if ok:
        server.full_clean()
    else:
        with pytest.raises(ValidationError):
            server.full_clean()
