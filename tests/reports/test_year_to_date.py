"""``new_in_year`` and ``cumulative_in_year`` (docs/counting.md) on small data worked out by hand:
across a year boundary, for a person first reached in an earlier year, for a program whose
reporting year starts in another month, and for a program that starts inside its reporting year.
Runs on SQLite and on PostgreSQL."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from orientation.models import Program
from reports.actions import first_events_rebuild, monthly_figures_compute
from reports.models import MonthlyFigure
from tests.factories import DirectServiceFactory, PersonFactory, ReferralFactory, program, service_type


def _figure(code: str, month: date) -> MonthlyFigure:
    return MonthlyFigure.objects.get(indicator__code=code, month=month)


@pytest.fixture
def pao_people(ref):
    """PAO-DOC (program started 2024-08-01, calendar reporting year):

    - Ana: documentation on 2024-09-10 (transit) and 2025-01-05 (destination).
    - Beto: only on 2024-12-20.
    - Carla: 2025-01-20 (transit) and 2025-02-03 (destination).
    - Dina: 2025-02-14, the day she turns 18 (born 2007-02-14), host community.
    """
    doc = service_type("doc-orientation")
    ana = PersonFactory(given_names="Ana", sex="F", birth_date=date(1990, 1, 1), nationality="VE")
    beto = PersonFactory(given_names="Beto", sex="M", birth_date=date(1985, 6, 1), nationality="CO")
    carla = PersonFactory(given_names="Carla", sex="F", birth_date=date(2010, 3, 3), nationality="VE")
    dina = PersonFactory(given_names="Dina", sex="F", birth_date=date(2007, 2, 14), nationality="PE")
    for person, day, pt in [
        (ana, date(2024, 9, 10), "transit"),
        (ana, date(2025, 1, 5), "destination"),
        (beto, date(2024, 12, 20), "destination"),
        (carla, date(2025, 1, 20), "transit"),
        (carla, date(2025, 2, 3), "destination"),
        (dina, date(2025, 2, 14), "host"),
    ]:
        DirectServiceFactory(
            person=person, program=program("PAO"), service_type=doc, delivered_on=day, population_type=pt
        )
    return {"ana": ana, "beto": beto, "carla": carla, "dina": dina}


@pytest.mark.parametrize("rebuilt", [False, True], ids=["from-history", "first-events-kept"])
def test_january_after_a_year_boundary(pao_people, rebuilt):
    if rebuilt:
        first_events_rebuild(program_code="PAO")
    monthly_figures_compute(month=date(2025, 1, 1), program_code="PAO")
    jan = _figure("PAO-DOC", date(2025, 1, 1))
    # Ana (first reached in 2024) is new in 2025 on 5 January, as destination; Carla is new both ways.
    assert jan.new["total"] == 1
    assert jan.new["by_population_type"] == {"transit": 1}
    assert jan.cumulative["total"] == 3  # Ana, Beto, Carla
    assert jan.new_in_year == {
        "total": 2,
        "by_sex": {"F": 2},
        "by_age_band": {"12-17": 1, "18-59": 1},
        "by_sex_age": {"F:12-17": 1, "F:18-59": 1},
        "by_population_type": {"destination": 1, "transit": 1},
        "by_nationality": {"VE": 2},
    }
    # January opens the year: year to date is January itself.
    assert jan.cumulative_in_year == jan.new_in_year == jan.reached


@pytest.mark.parametrize("rebuilt", [False, True], ids=["from-history", "first-events-kept"])
def test_february_counts_the_year_so_far(pao_people, rebuilt):
    if rebuilt:
        first_events_rebuild(program_code="PAO")
    monthly_figures_compute(month=date(2025, 2, 1), program_code="PAO")
    feb = _figure("PAO-DOC", date(2025, 2, 1))
    assert feb.reached["total"] == 2  # Carla, Dina
    assert feb.new["total"] == 1  # Dina
    assert feb.cumulative["total"] == 4  # and Ana, Beto since 2024
    assert feb.new_in_year == {
        "total": 1,
        "by_sex": {"F": 1},
        "by_age_band": {"18-59": 1},  # 18 on the day of her first contact
        "by_sex_age": {"F:18-59": 1},
        "by_population_type": {"host": 1},
        "by_nationality": {"PE": 1},
    }
    # Ana, Carla, Dina: each by their first contact of 2025 (Beto came only in 2024).
    assert feb.cumulative_in_year == {
        "total": 3,
        "by_sex": {"F": 3},
        "by_age_band": {"12-17": 1, "18-59": 2},
        "by_sex_age": {"F:12-17": 1, "F:18-59": 2},
        "by_population_type": {"destination": 1, "transit": 1, "host": 1},
        "by_nationality": {"VE": 2, "PE": 1},
    }


def test_the_year_of_a_program_that_started_inside_it(pao_people):
    """PAO started on 2024-08-01: its 2024 reporting year runs from then, so in December the
    year to date is everything since the start."""
    monthly_figures_compute(month=date(2024, 12, 1), program_code="PAO")
    dec = _figure("PAO-DOC", date(2024, 12, 1))
    assert dec.cumulative_in_year["total"] == dec.cumulative["total"] == 2  # Ana, Beto
    assert dec.new_in_year["total"] == dec.new["total"] == 1  # Beto
    assert dec.cumulative_in_year["by_population_type"] == {"destination": 1, "transit": 1}


def test_a_reporting_year_that_starts_in_april(ref):
    """SALUD's reporting year starts in April: March 2025 belongs to the year begun 2024-04-01,
    April 2025 opens a new one."""
    Program.objects.filter(code="SALUD").update(reporting_year_start_month=4)
    phc = service_type("phc-consultation")
    eva = PersonFactory(given_names="Eva", sex="X", birth_date=None, nationality="VE")
    fede = PersonFactory(given_names="Fede", sex="M", birth_date=date(1950, 4, 2), nationality="PE")
    for person, day, pt in [
        (eva, date(2024, 5, 6), "transit"),
        (eva, date(2025, 4, 2), "destination"),
        (fede, date(2025, 3, 15), "returnee"),
    ]:
        DirectServiceFactory(
            person=person, program=program("SALUD"), service_type=phc, delivered_on=day, population_type=pt
        )
    # A completed referral counts on its completion date: Fede again in April, not new in the year.
    ReferralFactory(
        person=fede,
        program=program("SALUD"),
        service_type=phc,
        referred_on=date(2025, 3, 20),
        status="completed",
        completed_on=date(2025, 4, 10),
        population_type="returnee",
    )
    for month in (date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)):
        monthly_figures_compute(month=month, program_code="SALUD")
    march, april, may = (
        _figure("SALUD-PHC", m) for m in (date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1))
    )

    assert march.new_in_year["total"] == 1  # Fede; Eva's year began with her May 2024 visit
    assert march.cumulative_in_year["total"] == 2
    assert march.cumulative_in_year["by_population_type"] == {"transit": 1, "returnee": 1}

    # April opens the year: both are new in it, each by their April contact.
    assert april.new_in_year == april.cumulative_in_year == april.reached
    assert april.new_in_year["total"] == 2
    assert april.new_in_year["by_population_type"] == {"destination": 1, "returnee": 1}
    assert april.new_in_year["by_age_band"] == {"60+": 1, "unknown": 1}  # Fede turned 75 on 2 April
    assert april.new["total"] == 0  # neither is new ever

    assert may.reached["total"] == 0
    assert may.new_in_year["total"] == 0
    assert may.cumulative_in_year["total"] == 2


def test_the_report_json_carries_both_measures(pao_people):
    out = StringIO()
    call_command("monthly_report", month="2025-02", program="PAO", format="json", stdout=out)
    report = json.loads(out.getvalue())
    doc = next(item for item in report["indicators"] if item["code"] == "PAO-DOC")
    assert list(doc)[-5:] == ["reached", "new", "cumulative", "new_in_year", "cumulative_in_year"]
    assert doc["new_in_year"]["total"] == 1
    assert doc["cumulative_in_year"]["total"] == 3
    for measure in ("new_in_year", "cumulative_in_year"):
        for breakdown in ("by_sex", "by_age_band", "by_sex_age", "by_population_type", "by_nationality"):
            assert sum(doc[measure][breakdown].values()) == doc[measure]["total"]

    table = StringIO()
    call_command("monthly_report", month="2025-02", program="PAO", format="table", stdout=table)
    assert "new in year" in table.getvalue()
