"""Several months in one pass (``monthly_figures_compute_span``, what imports, merges, late
entries and the backfill use) gives exactly what the months computed one by one give: on data
worked out by hand across a year boundary, and on random data with late writes, population types
that change between visits and a reporting year that starts in December. SQLite and PostgreSQL."""

import random
from datetime import date

import pytest

from orientation.dates import add_months
from orientation.models import Program
from reports.actions import monthly_figures_compute, monthly_figures_compute_span, monthly_figures_fill
from reports.models import MEASURES, MonthlyFigure, ReportRun
from tests.factories import program
from tests.reports.test_oracle import MONTHS, _expected, _mutate, _populate, _stored
from tests.reports.test_year_to_date import pao_people  # noqa: F401 (fixture)

SPAN = [
    date(2024, 9, 1),
    date(2024, 10, 1),
    date(2024, 11, 1),
    date(2024, 12, 1),
    date(2025, 1, 1),
    date(2025, 2, 1),
]


def _totals(code: str) -> dict:
    return {
        f.month: {m: getattr(f, m)["total"] for m in MEASURES}
        for f in MonthlyFigure.objects.filter(indicator__code=code).order_by("month")
    }


def test_a_span_across_a_year_boundary_worked_out_by_hand(pao_people):  # noqa: F811
    monthly_figures_compute_span(months=SPAN, program_code="PAO")
    row = lambda r, n, c, ny, cy: {  # noqa: E731
        "reached": r,
        "new": n,
        "cumulative": c,
        "new_in_year": ny,
        "cumulative_in_year": cy,
    }
    assert _totals("PAO-DOC") == {
        date(2024, 9, 1): row(1, 1, 1, 1, 1),  # Ana
        date(2024, 10, 1): row(0, 0, 1, 0, 1),
        date(2024, 11, 1): row(0, 0, 1, 0, 1),
        date(2024, 12, 1): row(1, 1, 2, 1, 2),  # Beto
        date(2025, 1, 1): row(2, 1, 3, 2, 2),  # Ana again (new in 2025 only), Carla
        date(2025, 2, 1): row(2, 1, 4, 1, 3),  # Carla again, Dina
    }
    jan = MonthlyFigure.objects.get(indicator__code="PAO-DOC", month=date(2025, 1, 1))
    # Ana's first event of 2025 was as destination, Carla's as transit.
    assert jan.new_in_year["by_population_type"] == {"destination": 1, "transit": 1}
    assert jan.cumulative["by_population_type"] == {"destination": 1, "transit": 2}
    feb = MonthlyFigure.objects.get(indicator__code="PAO-DOC", month=date(2025, 2, 1))
    assert feb.new["by_age_band"] == {"18-59": 1}  # Dina turns 18 on the day
    # One run per month, each done with its progress complete.
    runs = ReportRun.objects.filter(program__code="PAO", month__in=SPAN)
    assert runs.count() == len(SPAN)
    assert {(r.status, r.progress, r.total) for r in runs} == {
        (ReportRun.Status.DONE, r.total, r.total) for r in runs
    }

    span = {month: _stored_of("PAO", month) for month in SPAN}
    MonthlyFigure.objects.all().delete()
    for month in reversed(SPAN):
        monthly_figures_compute(month=month, program_code="PAO")
    assert {month: _stored_of("PAO", month) for month in SPAN} == span


def _stored_of(code: str, month: date) -> dict:
    return {
        f.indicator.code: {m: getattr(f, m) for m in MEASURES}
        for f in MonthlyFigure.objects.filter(month=month, indicator__program__code=code).select_related(
            "indicator"
        )
    }


@pytest.mark.parametrize("seed", [41, 42])
def test_a_span_equals_the_months_one_by_one_and_the_contract(ref, seed, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    Program.objects.filter(code="SALUD").update(reporting_year_start_month=12)
    folks = _populate(rng)
    months = [add_months(MONTHS[0], -1), *MONTHS, add_months(MONTHS[-1], 1)]
    monthly_figures_compute_span(months=months)
    for month in months:
        assert _stored(month) == _expected(month), month
    one_by_one = {}
    for month in months:
        monthly_figures_compute(month=month)
        one_by_one[month] = _stored(month)
    # Late writes (back-dated services, cancellations, completions, corrections), then a span:
    # the notes are applied first, and every month equals the contract again.
    _mutate(rng, folks)
    with django_capture_on_commit_callbacks(execute=True):
        monthly_figures_compute_span(months=months[2:5])
    for month in months:
        assert _stored(month) == _expected(month), month
    assert one_by_one != {month: _stored(month) for month in months}


def test_the_backfill_computes_the_missing_months_in_one_span(ref):
    _populate(random.Random(43), people=10, events=40)
    assert monthly_figures_fill(program_id=program("PAO").pk, months=MONTHS) == len(MONTHS)
    runs = ReportRun.objects.filter(program__code="PAO")
    assert runs.count() == len(MONTHS)
    # One pass: every run started at the same moment.
    assert len({r.started_at for r in runs}) == 1
    for month in MONTHS:
        assert _stored_of("PAO", month) == {c: v for c, v in _expected(month).items() if c.startswith("PAO")}
