"""Events recorded late (an import of last year's paper forms, a service typed in a week after)
must be in the next computation's figures, whatever months were computed before."""

from datetime import date

import pytest

from reports.actions import first_events_rebuild, monthly_figures_compute
from reports.models import Indicator, MonthlyFigure
from tests.factories import DirectServiceFactory, PersonFactory


def _cumulative(code: str, month: date) -> int:
    return MonthlyFigure.objects.get(indicator=Indicator.objects.get(code=code), month=month).cumulative[
        "total"
    ]


@pytest.mark.parametrize("rebuilt", [False, True], ids=["fresh", "after-nightly-rebuild"])
def test_an_event_recorded_late_in_an_earlier_month_counts_in_the_next_computation(ref, rebuilt):
    march = date(2025, 3, 1)
    DirectServiceFactory(person=PersonFactory(), delivered_on=date(2025, 3, 5))
    if rebuilt:
        first_events_rebuild(program_code="PAO")
    monthly_figures_compute(month=march, program_code="PAO")
    assert _cumulative("PAO-DOC", march) == 1

    # A service of February, for someone not seen since, is typed in after March was computed.
    DirectServiceFactory(person=PersonFactory(), delivered_on=date(2025, 2, 10))
    monthly_figures_compute(month=march, program_code="PAO")
    assert _cumulative("PAO-DOC", march) == 2


@pytest.mark.parametrize("rebuilt", [False, True], ids=["fresh", "after-nightly-rebuild"])
def test_a_late_event_before_the_first_one_moves_the_first_event(ref, rebuilt):
    march, january = date(2025, 3, 1), date(2025, 1, 1)
    person = PersonFactory()
    DirectServiceFactory(person=person, delivered_on=date(2025, 3, 5))
    if rebuilt:
        first_events_rebuild(program_code="PAO")
    monthly_figures_compute(month=march, program_code="PAO")
    DirectServiceFactory(person=person, delivered_on=date(2025, 1, 20))
    monthly_figures_compute(month=march, program_code="PAO")
    figure = MonthlyFigure.objects.get(indicator__code="PAO-DOC", month=march)
    assert figure.new.get("total", 0) == 0
    assert figure.cumulative["total"] == 1
    monthly_figures_compute(month=january, program_code="PAO")
    assert MonthlyFigure.objects.get(indicator__code="PAO-DOC", month=january).new["total"] == 1
