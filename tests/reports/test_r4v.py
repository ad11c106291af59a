"""The R4V monthly file (docs/r4v.md) against a file worked out by hand, R4V's checks, and the
refusals. Runs on SQLite and on PostgreSQL."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from orientation.models import Program, Site
from reports.actions import monthly_figures_compute
from reports.models import IndicatorR4V, MonthlyFigure, ProgramR4V
from reports.r4v import COLUMNS, r4v_build, r4v_check, r4v_xlsx
from tests.factories import DirectServiceFactory, PersonFactory, ReferralFactory, program, service_type

MARCH = date(2025, 3, 1)

HEADER = (
    "Country Country|Country Admin1|Admin2 Admin2|Appealing organisation Name|Implementation Set up|"
    "Implementing partner Name|Month|Indicator Sector|Indicator Indicator|Activity Name|Activity Description|"
    "RMRP Activity|CVA|Value (in USD)|Delivery mechanism|Quantity of output|Total monthly beneficiaries|"
    "New beneficiaries of the month|Refugees and Migrants IN DESTINATION|Refugees and Migrants IN TRANSIT|"
    "Host Communities Beneficiaries|Refugees and Migrants PENDULARS|Colombian Returnees|Women under 18|"
    "Men under 18|Women above 18|Men above 18|Other under 18|Other above 18"
).split("|")


@pytest.fixture
def march(ref):
    """PAO in March 2025 at two places: PAO-LS (Lima, Lima) and a second point in Tumbes.

    - P1 (F, 35, VE): documentation at Lima on 10 January, at Tumbes on 5 March (transit).
    - P2 (M, 14, VE): documentation at Tumbes on 2 March and at Lima on 20 March (transit).
    - P3 (X, 65, PE, returnee): primary care at Lima on 15 March.
    - P4 (F, 9, CO, host): referred in primary care at Lima on 10 March, completed on 12 March.
    - P5 (F, 45, VE): documentation at Lima in December 2024, at Tumbes on 25 March (destination).
    - P6 (M, 30, VE): psychosocial at Lima on 1 February and 3 March.
    """
    tumbes = Site.objects.create(
        code="PAO-TU", name="Punto Tumbes", kind="orientation_point", district_id="240101"
    )
    Program.objects.get(code="PAO").sites.add(tumbes)
    lima = Site.objects.get(code="PAO-LS")
    doc, phc, psy = (
        service_type("doc-orientation"),
        service_type("phc-consultation"),
        service_type("mhpss-pfa"),
    )
    p1 = PersonFactory(sex="F", birth_date=date(1990, 1, 1), nationality="VE", population_type="transit")
    p2 = PersonFactory(sex="M", birth_date=date(2010, 5, 5), nationality="VE", population_type="transit")
    p3 = PersonFactory(sex="X", birth_date=date(1960, 2, 2), nationality="PE", population_type="returnee")
    p4 = PersonFactory(sex="F", birth_date=date(2015, 7, 7), nationality="CO", population_type="host")
    p5 = PersonFactory(sex="F", birth_date=date(1980, 1, 1), nationality="VE", population_type="destination")
    p6 = PersonFactory(sex="M", birth_date=date(1995, 3, 1), nationality="VE", population_type="destination")
    for person, where, kind, day, pt in [
        (p1, lima, doc, date(2025, 1, 10), "destination"),
        (p1, tumbes, doc, date(2025, 3, 5), "transit"),
        (p2, tumbes, doc, date(2025, 3, 2), "transit"),
        (p2, lima, doc, date(2025, 3, 20), "transit"),
        (p3, lima, phc, date(2025, 3, 15), "returnee"),
        (p5, lima, doc, date(2024, 12, 1), "destination"),
        (p5, tumbes, doc, date(2025, 3, 25), "destination"),
        (p6, lima, psy, date(2025, 2, 1), "destination"),
        (p6, lima, psy, date(2025, 3, 3), "destination"),
    ]:
        DirectServiceFactory(
            person=person,
            site=where,
            program=program("PAO"),
            service_type=kind,
            delivered_on=day,
            population_type=pt,
        )
    ReferralFactory(
        person=p4,
        site=lima,
        program=program("PAO"),
        service_type=phc,
        referred_on=date(2025, 3, 10),
        status="completed",
        completed_on=date(2025, 3, 12),
        population_type="host",
    )


def _row(indicator, admin1, admin2, *, quantity, total, new, **counts):
    mapping = IndicatorR4V.objects.get(indicator__code=indicator)
    row = dict.fromkeys(COLUMNS)
    row.update(
        {
            "Country Country": "Peru",
            "Country Admin1": admin1,
            "Admin2 Admin2": admin2,
            "Appealing organisation Name": "Orienta demo organisation",
            "Implementation Set up": "Direct",
            "Month": "2025-03",
            "Indicator Sector": mapping.sector,
            "Indicator Indicator": mapping.rmrp_indicator,
            "Activity Name": mapping.activity_name,
            "RMRP Activity": "Yes",
            "CVA": "No",
            "Quantity of output": quantity,
            "Total monthly beneficiaries": total,
            "New beneficiaries of the month": new,
        }
    )
    zeros = [
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
    row.update(dict.fromkeys(zeros, 0))
    names = {
        "destination": "Refugees and Migrants IN DESTINATION",
        "transit": "Refugees and Migrants IN TRANSIT",
        "host": "Host Communities Beneficiaries",
        "women_u18": "Women under 18",
        "men_u18": "Men under 18",
        "women_18": "Women above 18",
        "other_18": "Other above 18",
    }
    row.update({names[k]: v for k, v in counts.items()})
    return [row[c] for c in COLUMNS]


def expected_rows():
    """Worked out by hand from the fixture's docstring."""
    return [
        # Any service. Lima: P3, P4, P6 reached (P2's first March visit was in Tumbes); new in
        # 2025: P3 (returnee, counted as host) and P4. Tumbes: P1 and P2; only P2 is new in 2025
        # (P1 came to Lima in January) and P5, whose first visit of 2025 is on 25 March although
        # she came in 2024: new in the year, not new ever. Quantity: events in the month there.
        _row("PAO-ANY", "Lima", "Lima", quantity=4, total=3, new=2, host=2, women_u18=1, other_18=1),
        _row(
            "PAO-ANY",
            "Tumbes",
            "Tumbes",
            quantity=3,
            total=3,
            new=2,
            transit=1,
            destination=1,
            men_u18=1,
            women_18=1,
        ),
        # Documentation: nobody's first March visit was in Lima, so Lima has no row (R4V refuses
        # Direct Assistance rows without beneficiaries).
        _row(
            "PAO-DOC",
            "Tumbes",
            "Tumbes",
            quantity=3,
            total=3,
            new=2,
            transit=1,
            destination=1,
            men_u18=1,
            women_18=1,
        ),
        _row("PAO-PHC", "Lima", "Lima", quantity=2, total=2, new=2, host=2, women_u18=1, other_18=1),
        # Psychosocial: P6 is not new in 2025's March (first came in February).
        _row("PAO-MHPSS", "Lima", "Lima", quantity=1, total=1, new=0),
        _row("PAO-REF", "Lima", "Lima", quantity=1, total=1, new=1, host=1, women_u18=1),
    ]


def _written(tmp_path, *args) -> list[list]:
    out = tmp_path / "r4v.xlsx"
    call_command("export_r4v", "--month", "2025-03", *args, "--output", str(out), stdout=io.StringIO())
    book = load_workbook(out)
    assert book.sheetnames == ["R4V", "Notes"]
    return [list(row) for row in book["R4V"].iter_rows(values_only=True)]


def test_the_file_equals_the_hand_worked_one_cell_by_cell(march, tmp_path):
    rows = _written(tmp_path, "--program", "PAO")
    assert rows[0] == HEADER  # R4V compares the column names exactly
    assert len(rows) - 1 == len(expected_rows())
    for number, (got, want) in enumerate(zip(rows[1:], expected_rows(), strict=True), start=2):
        assert got == want, f"row {number}"


def test_rows_add_up_to_the_months_figures(march):
    r4v = r4v_build(month=MARCH, program_code="PAO")
    monthly_figures_compute(month=MARCH, program_code="PAO")
    for code in ("PAO-ANY", "PAO-PHC", "PAO-REF"):
        figure = MonthlyFigure.objects.get(indicator__code=code, month=MARCH)
        rows = [r for r in r4v.rows if r["_indicator"] == code]
        assert sum(r["Total monthly beneficiaries"] for r in rows) == figure.reached["total"]
        assert sum(r["New beneficiaries of the month"] for r in rows) == figure.new_in_year["total"]


def test_returnees_follow_the_programs_setting(march):
    ProgramR4V.objects.filter(program__code="PAO").update(returnees_as="destination")
    row = next(r for r in r4v_build(month=MARCH, program_code="PAO").rows if r["_indicator"] == "PAO-PHC")
    assert row["Refugees and Migrants IN DESTINATION"] == 1
    assert row["Host Communities Beneficiaries"] == 1
    notes = dict(r4v_build(month=MARCH, program_code="PAO").notes)
    assert "IN DESTINATION" in notes["PAO: Peruvian returnees"]


def test_people_without_a_birth_date_stop_the_file_until_a_rule_is_chosen(march, tmp_path):
    from cases.models import Person

    p3 = Person.objects.get(sex="X")
    Person.objects.filter(pk=p3.pk).update(birth_date=None)
    r4v = r4v_build(month=MARCH, program_code="PAO")
    assert not r4v.ok
    assert [pk for pk, _ref, _site in r4v.unknown_age] == [p3.pk]
    with pytest.raises(CommandError) as refused:
        _written(tmp_path, "--program", "PAO")
    assert refused.value.returncode == 2
    assert not (tmp_path / "r4v.xlsx").exists()

    ProgramR4V.objects.filter(program__code="PAO").update(unknown_age="adult")
    r4v = r4v_build(month=MARCH, program_code="PAO")
    assert r4v.ok
    phc = next(r for r in r4v.rows if r["_indicator"] == "PAO-PHC")
    assert phc["Other above 18"] == 1


def test_a_missing_mapping_is_listed_not_guessed(march, tmp_path):
    IndicatorR4V.objects.filter(indicator__code="PAO-DOC").delete()
    IndicatorR4V.objects.filter(indicator__code="PAO-PHC").update(sector="")
    r4v = r4v_build(month=MARCH, program_code="PAO")
    assert not r4v.ok and r4v.rows == []
    assert any("PAO-DOC" in p for p in r4v.problems)
    assert any("PAO-PHC" in p for p in r4v.problems)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "export_r4v",
            "--month",
            "2025-03",
            "--program",
            "PAO",
            "--output",
            str(tmp_path / "x.xlsx"),
            stderr=err,
        )
    assert "PAO-DOC" in err.getvalue()


def test_non_direct_indicators_leave_new_and_breakdowns_empty(march):
    IndicatorR4V.objects.filter(indicator__code="PAO-REF").update(indicator_type="Mechanism/Advocacy")
    row = next(r for r in r4v_build(month=MARCH, program_code="PAO").rows if r["_indicator"] == "PAO-REF")
    assert row["New beneficiaries of the month"] is None
    assert row["Women under 18"] is None
    assert row["Quantity of output"] == 1


def test_r4vs_checks_catch_what_r4v_would_refuse(march):
    good = r4v_build(month=MARCH, program_code="PAO").rows
    assert r4v_check(good) == []
    bad = [dict(r) for r in good[:3]]
    bad[0]["Women under 18"] += 1  # sex and age no longer add up to new
    bad[1]["New beneficiaries of the month"] = bad[1]["Total monthly beneficiaries"] + 1
    bad[2]["Value (in USD)"] = 10  # cash value without CVA
    problems = r4v_check(bad)
    # Row 2: sex and age; row 3: new above total, and both sums; row 4: cash fields.
    assert len(problems) == 5
    assert any("Row 2" in p for p in problems)
    assert any("Row 4" in p for p in problems)


def test_the_workbook_keeps_text_as_text(march):
    IndicatorR4V.objects.filter(indicator__code="PAO-ANY").update(activity_name="=HYPERLINK(1)")
    book = load_workbook(io.BytesIO(r4v_xlsx(r4v_build(month=MARCH, program_code="PAO"))))
    cell = book["R4V"].cell(row=2, column=COLUMNS.index("Activity Name") + 1)
    assert cell.data_type == "s"
    assert not str(cell.value).startswith("=")


def test_the_demo_month_is_valid_out_of_the_box(ref, tmp_path):
    from reports.selectors import default_month

    call_command("load_demo_data", people=40, verbosity=0)
    month = default_month()
    out = tmp_path / "demo.xlsx"
    call_command("export_r4v", "--month", f"{month:%Y-%m}", "--output", str(out), stdout=io.StringIO())
    rows = list(load_workbook(out)["R4V"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) > 1


def test_the_page_shows_the_checks_then_downloads_and_logs(march, coordinator, client_for):
    from orientation.models import AccessLog

    client = client_for(coordinator)
    page = client.get("/reports/r4v/", {"program": "PAO", "month": "2025-03"})
    assert page.status_code == 200
    assert 'data-testid="r4v-ok"' in page.content.decode()
    assert not AccessLog.objects.filter(object_type="reports.r4v").exists()
    download = client.get("/reports/r4v/", {"program": "PAO", "month": "2025-03", "download": "1"})
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(download.content))["R4V"].iter_rows(values_only=True))
    assert [list(r) for r in rows[1:]] == expected_rows()
    assert AccessLog.objects.filter(object_type="reports.r4v", user=coordinator).count() == 1


def test_the_page_lists_what_to_fill_in_instead_of_a_file(march, coordinator, client_for):
    IndicatorR4V.objects.filter(indicator__code="PAO-DOC").delete()
    client = client_for(coordinator)
    page = client.get("/reports/r4v/", {"program": "PAO", "month": "2025-03", "download": "1"})
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "PAO-DOC" in page.content.decode()


def test_new_is_new_in_the_calendar_year_whatever_the_programs_year(march):
    """PAO reporting from February: its own new_in_year of March differs, R4V's "new" does not."""
    Program.objects.filter(code="PAO").update(reporting_year_start_month=2)
    rows = r4v_build(month=MARCH, program_code="PAO").rows
    tumbes_doc = next(r for r in rows if r["_indicator"] == "PAO-DOC")
    assert tumbes_doc["New beneficiaries of the month"] == 2
    monthly_figures_compute(month=MARCH, program_code="PAO")
    # From February: P6's psychosocial year began on 1 February; in the calendar year, too.
    # P5 (December 2024, then March) is new in both; P1 came in January: new in PAO's year
    # begun in February only.
    assert MonthlyFigure.objects.get(indicator__code="PAO-DOC", month=MARCH).new_in_year["total"] == 3
