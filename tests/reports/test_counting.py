"""Every measure and breakdown on the hand-made data set (tests/reports/dataset.py), with the
right answers worked out by hand. Runs on SQLite and on PostgreSQL."""

from datetime import date

import pytest

from reports.actions import first_events_rebuild, monthly_figures_compute
from reports.models import MonthlyFigure
from reports.selectors import monthly_report
from services.models import Referral
from tests.factories import DirectServiceFactory, service_type

from . import dataset

MARCH = date(2025, 3, 1)
ZERO = {
    "total": 0,
    "by_sex": {},
    "by_age_band": {},
    "by_sex_age": {},
    "by_population_type": {},
    "by_nationality": {},
}

# March 2025, worked out by hand from the data set's docstring.
EXPECTED_MARCH = {
    # Documentation: P1 (her birthday: 18), P9 and P10 in March; only P9 is new (P1 came in
    # December at 17 as transit, P10 in January as transit). P11 comes in April.
    "PAO-DOC": {
        "reached": {
            "total": 3,
            "by_sex": {"F": 2, "M": 1},
            "by_age_band": {"18-59": 3},
            "by_sex_age": {"F:18-59": 2, "M:18-59": 1},
            "by_population_type": {"destination": 3},
            "by_nationality": {"VE": 3},
        },
        "new": {
            "total": 1,
            "by_sex": {"F": 1},
            "by_age_band": {"18-59": 1},
            "by_sex_age": {"F:18-59": 1},
            "by_population_type": {"destination": 1},
            "by_nationality": {"VE": 1},
        },
        "cumulative": {
            "total": 3,
            "by_sex": {"F": 2, "M": 1},
            "by_age_band": {"12-17": 1, "18-59": 2},
            "by_sex_age": {"F:12-17": 1, "F:18-59": 1, "M:18-59": 1},
            "by_population_type": {"transit": 2, "destination": 1},
            "by_nationality": {"VE": 3},
        },
    },
    # Primary care: P2 on 1 March (5 years old, born 29 Feb), P4 (referral completed in March,
    # made in February), P8 (PAO; his SALUD services do not count here). P2 came on 28 Feb at 4.
    "PAO-PHC": {
        "reached": {
            "total": 3,
            "by_sex": {"M": 3},
            "by_age_band": {"5-11": 1, "12-17": 1, "60+": 1},
            "by_sex_age": {"M:5-11": 1, "M:12-17": 1, "M:60+": 1},
            "by_population_type": {"destination": 1, "host": 2},
            "by_nationality": {"VE": 1, "PE": 2},
        },
        "new": {
            "total": 2,
            "by_sex": {"M": 2},
            "by_age_band": {"12-17": 1, "60+": 1},
            "by_sex_age": {"M:12-17": 1, "M:60+": 1},
            "by_population_type": {"host": 2},
            "by_nationality": {"PE": 2},
        },
        "cumulative": {
            "total": 3,
            "by_sex": {"M": 3},
            "by_age_band": {"0-4": 1, "12-17": 1, "60+": 1},
            "by_sex_age": {"M:0-4": 1, "M:12-17": 1, "M:60+": 1},
            "by_population_type": {"destination": 1, "host": 2},
            "by_nationality": {"VE": 1, "PE": 2},
        },
    },
    # Psychosocial: P3 (no birth date) and P9 (pendular), both new.
    "PAO-MHPSS": {
        measure: {
            "total": 2,
            "by_sex": {"F": 2},
            "by_age_band": {"unknown": 1, "18-59": 1},
            "by_sex_age": {"F:unknown": 1, "F:18-59": 1},
            "by_population_type": {"transit": 1, "pendular": 1},
            "by_nationality": {"CO": 1, "VE": 1},
        }
        for measure in ("reached", "new", "cumulative")
    },
    # Any of documentation, primary care, psychosocial: not P6 (protection) nor P5 (no service
    # received). P9's two services on the same day: the one recorded first (pendular) counts.
    "PAO-ANY": {
        "reached": {
            "total": 7,
            "by_sex": {"F": 3, "M": 4},
            "by_age_band": {"5-11": 1, "12-17": 1, "18-59": 3, "60+": 1, "unknown": 1},
            "by_sex_age": {
                "F:18-59": 2,
                "F:unknown": 1,
                "M:5-11": 1,
                "M:12-17": 1,
                "M:18-59": 1,
                "M:60+": 1,
            },
            "by_population_type": {"destination": 3, "transit": 1, "pendular": 1, "host": 2},
            "by_nationality": {"VE": 4, "CO": 1, "PE": 2},
        },
        "new": {
            "total": 4,
            "by_sex": {"F": 2, "M": 2},
            "by_age_band": {"12-17": 1, "18-59": 1, "60+": 1, "unknown": 1},
            "by_sex_age": {"F:18-59": 1, "F:unknown": 1, "M:12-17": 1, "M:60+": 1},
            "by_population_type": {"transit": 1, "pendular": 1, "host": 2},
            "by_nationality": {"VE": 1, "CO": 1, "PE": 2},
        },
        "cumulative": {
            "total": 7,
            "by_sex": {"F": 3, "M": 4},
            "by_age_band": {"0-4": 1, "12-17": 2, "18-59": 2, "60+": 1, "unknown": 1},
            "by_sex_age": {
                "F:12-17": 1,
                "F:18-59": 1,
                "F:unknown": 1,
                "M:0-4": 1,
                "M:12-17": 1,
                "M:18-59": 1,
                "M:60+": 1,
            },
            "by_population_type": {"destination": 1, "transit": 3, "pendular": 1, "host": 2},
            "by_nationality": {"VE": 4, "CO": 1, "PE": 2},
        },
    },
    # Referrals made, any area but cancelled: P5 (declined on 10 March counts first; her
    # cancelled one never) and P6 (protection) in March; P4's referral was made in February.
    "PAO-REF": {
        "reached": {
            "total": 2,
            "by_sex": {"F": 1, "M": 1},
            "by_age_band": {"18-59": 2},
            "by_sex_age": {"F:18-59": 1, "M:18-59": 1},
            "by_population_type": {"destination": 2},
            "by_nationality": {"VE": 2},
        },
        "new": {
            "total": 2,
            "by_sex": {"F": 1, "M": 1},
            "by_age_band": {"18-59": 2},
            "by_sex_age": {"F:18-59": 1, "M:18-59": 1},
            "by_population_type": {"destination": 2},
            "by_nationality": {"VE": 2},
        },
        "cumulative": {
            "total": 3,
            "by_sex": {"F": 1, "M": 2},
            "by_age_band": {"18-59": 2, "60+": 1},
            "by_sex_age": {"F:18-59": 1, "M:18-59": 1, "M:60+": 1},
            "by_population_type": {"destination": 2, "host": 1},
            "by_nationality": {"VE": 2, "PE": 1},
        },
    },
    # Sport, any activity: P7 (two sessions on 8 March, the soccer clinic recorded first: transit)
    # and P8 on 31 March (15 that day).
    "BALON-YOUTH": {
        measure: {
            "total": 2,
            "by_sex": {"F": 1, "M": 1},
            "by_age_band": {"5-11": 1, "12-17": 1},
            "by_sex_age": {"F:5-11": 1, "M:12-17": 1},
            "by_population_type": {"transit": 1, "host": 1},
            "by_nationality": {"VE": 1, "PE": 1},
        }
        for measure in ("reached", "new", "cumulative")
    },
    "BALON-LEAD": {
        measure: {
            "total": 1,
            "by_sex": {"F": 1},
            "by_age_band": {"5-11": 1},
            "by_sex_age": {"F:5-11": 1},
            "by_population_type": {"destination": 1},
            "by_nationality": {"VE": 1},
        }
        for measure in ("reached", "new", "cumulative")
    },
    # P7 was absent from the only community activity.
    "BALON-COMM": {"reached": ZERO, "new": ZERO, "cumulative": ZERO},
    # P8 on 2 March (still 14), first came on 15 January.
    "SALUD-PHC": {
        "reached": {
            "total": 1,
            "by_sex": {"M": 1},
            "by_age_band": {"12-17": 1},
            "by_sex_age": {"M:12-17": 1},
            "by_population_type": {"host": 1},
            "by_nationality": {"PE": 1},
        },
        "new": ZERO,
        "cumulative": {
            "total": 1,
            "by_sex": {"M": 1},
            "by_age_band": {"12-17": 1},
            "by_sex_age": {"M:12-17": 1},
            "by_population_type": {"host": 1},
            "by_nationality": {"PE": 1},
        },
    },
    "SALUD-MHPSS": {"reached": ZERO, "new": ZERO, "cumulative": ZERO},
}


def _measures(report: dict) -> dict:
    return {
        row["code"]: {m: row[m] for m in ("reached", "new", "cumulative")} for row in report["indicators"]
    }


@pytest.fixture(params=["from history", "incremental"])
def data(request, ref):
    """The data set, counted straight from the history, or through first events built first."""
    people = dataset.build()
    if request.param == "incremental":
        first_events_rebuild()
    return people


def test_march_every_indicator_measure_and_breakdown(data):
    figures = monthly_figures_compute(month=MARCH)
    assert len(figures) == 10
    report = monthly_report(month=MARCH)
    assert report["month"] == "2025-03"
    assert _measures(report) == EXPECTED_MARCH


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_the_months_around_in_any_order(data, order):
    """February (P2 on his last day at 4, P4's referral made), March, April (P11 on 1 April)."""
    months = [date(2025, 2, 1), MARCH, date(2025, 4, 1)]
    for month in months if order == "forward" else reversed(months):
        monthly_figures_compute(month=month, program_code="PAO")
    february = _measures(monthly_report(month=date(2025, 2, 1), program_code="PAO"))
    assert february["PAO-PHC"] == {
        m: {
            "total": 1,
            "by_sex": {"M": 1},
            "by_age_band": {"0-4": 1},
            "by_sex_age": {"M:0-4": 1},
            "by_population_type": {"destination": 1},
            "by_nationality": {"VE": 1},
        }
        for m in ("reached", "new", "cumulative")
    }
    assert february["PAO-REF"] == {
        m: {
            "total": 1,
            "by_sex": {"M": 1},
            "by_age_band": {"60+": 1},
            "by_sex_age": {"M:60+": 1},
            "by_population_type": {"host": 1},
            "by_nationality": {"PE": 1},
        }
        for m in ("reached", "new", "cumulative")
    }
    assert february["PAO-DOC"] == {
        "reached": ZERO,
        "new": ZERO,
        "cumulative": {
            "total": 2,
            "by_sex": {"F": 1, "M": 1},
            "by_age_band": {"12-17": 1, "18-59": 1},
            "by_sex_age": {"F:12-17": 1, "M:18-59": 1},
            "by_population_type": {"transit": 2},
            "by_nationality": {"VE": 2},
        },
    }
    march = _measures(monthly_report(month=MARCH, program_code="PAO"))
    assert march == {code: EXPECTED_MARCH[code] for code in march}
    assert set(march) == {"PAO-ANY", "PAO-DOC", "PAO-PHC", "PAO-MHPSS", "PAO-REF"}
    april = _measures(monthly_report(month=date(2025, 4, 1), program_code="PAO"))
    one_karla = {
        "total": 1,
        "by_sex": {"F": 1},
        "by_age_band": {"18-59": 1},
        "by_sex_age": {"F:18-59": 1},
        "by_population_type": {"destination": 1},
        "by_nationality": {"VE": 1},
    }
    assert april["PAO-DOC"]["reached"] == one_karla
    assert april["PAO-DOC"]["new"] == one_karla
    assert april["PAO-DOC"]["cumulative"] == {
        "total": 4,
        "by_sex": {"F": 3, "M": 1},
        "by_age_band": {"12-17": 1, "18-59": 3},
        "by_sex_age": {"F:12-17": 1, "F:18-59": 2, "M:18-59": 1},
        "by_population_type": {"transit": 2, "destination": 2},
        "by_nationality": {"VE": 4},
    }


def test_every_breakdown_sums_to_its_total(data):
    for figure in monthly_figures_compute(month=MARCH):
        for measure in (figure.reached, figure.new, figure.cumulative):
            for breakdown in ("by_sex", "by_age_band", "by_sex_age", "by_population_type", "by_nationality"):
                assert sum(measure[breakdown].values()) == measure["total"], (figure, breakdown)


def test_one_program_only_touches_its_indicators(data):
    figures = monthly_figures_compute(month=MARCH, program_code="BALON")
    assert [f.indicator.code for f in figures] == ["BALON-YOUTH", "BALON-LEAD", "BALON-COMM"]
    assert MonthlyFigure.objects.count() == 3
    assert [row["code"] for row in monthly_report(month=MARCH, program_code="BALON")["indicators"]] == [
        "BALON-YOUTH",
        "BALON-LEAD",
        "BALON-COMM",
    ]


def test_events_that_change_after_a_month_was_computed(data):
    """The stored first events follow: a new first event back-dated, a referral cancelled."""
    monthly_figures_compute(month=MARCH, program_code="PAO")
    # P3 gets a psychosocial session in February: no longer new in March, still cumulative.
    DirectServiceFactory(
        person=data[3],
        service_type=service_type("mhpss-group"),
        delivered_on=date(2025, 2, 3),
        population_type="host",
    )
    # P6's only referral is cancelled: P6 leaves PAO-REF altogether.
    Referral.objects.filter(person=data[6]).update(status="cancelled")
    monthly_figures_compute(month=date(2025, 2, 1), program_code="PAO")
    monthly_figures_compute(month=MARCH, program_code="PAO")
    march = _measures(monthly_report(month=MARCH, program_code="PAO"))
    assert march["PAO-MHPSS"]["new"] == {
        "total": 1,
        "by_sex": {"F": 1},
        "by_age_band": {"18-59": 1},
        "by_sex_age": {"F:18-59": 1},
        "by_population_type": {"pendular": 1},
        "by_nationality": {"VE": 1},
    }
    assert march["PAO-MHPSS"]["cumulative"] == {
        "total": 2,
        "by_sex": {"F": 2},
        "by_age_band": {"unknown": 1, "18-59": 1},
        "by_sex_age": {"F:unknown": 1, "F:18-59": 1},
        "by_population_type": {"host": 1, "pendular": 1},
        "by_nationality": {"CO": 1, "VE": 1},
    }
    only_p5 = {
        "total": 1,
        "by_sex": {"F": 1},
        "by_age_band": {"18-59": 1},
        "by_sex_age": {"F:18-59": 1},
        "by_population_type": {"destination": 1},
        "by_nationality": {"VE": 1},
    }
    assert march["PAO-REF"]["reached"] == only_p5
    assert march["PAO-REF"]["new"] == only_p5
    assert march["PAO-REF"]["cumulative"]["total"] == 2  # P4 (February) and P5


def test_a_corrected_person_shows_in_cumulative_at_the_next_computation(data):
    """P10 (first came in January) turns out to be a woman born in 2009: his January first
    event now counts her as F, 15 years old; she is not reached in February."""
    monthly_figures_compute(month=date(2025, 2, 1), program_code="PAO")
    person = data[10]
    person.sex, person.birth_date = "F", date(2009, 6, 1)
    person.save()
    monthly_figures_compute(month=date(2025, 2, 1), program_code="PAO")
    february = _measures(monthly_report(month=date(2025, 2, 1), program_code="PAO"))
    assert february["PAO-DOC"]["cumulative"] == {
        "total": 2,
        "by_sex": {"F": 2},
        "by_age_band": {"12-17": 2},
        "by_sex_age": {"F:12-17": 2},
        "by_population_type": {"transit": 2},
        "by_nationality": {"VE": 2},
    }
