"""A caseworker finds a person registered twice in the duplicates review, compares the two
records side by side, keeps the newer phone and merges them; the other record leads to the one
kept. A coordinator of the program that served both records in March 2025, signed in on another
browser, sees that month's figures count the person once after the merge (the merge queues the
recomputation; Celery runs eagerly in the tests)."""

from datetime import date

import pytest

from cases.models import Person, PersonMerge
from seeds.demo import ensure_demo_users
from tests.factories import DirectServiceFactory, PersonFactory


@pytest.fixture
def twice(ref):
    ensure_demo_users()
    first = PersonFactory(
        given_names="Yuleisy",
        family_names="Rojas Pérez",
        birth_date=date(1991, 2, 3),
        phone="987654321",
        ref="OR-71",
    )
    second = PersonFactory(
        given_names="Yulesy",
        family_names="Rojas Perez",
        birth_date=date(1991, 2, 3),
        phone="912345678",
        ref="OR-72",
    )
    DirectServiceFactory(person=first)
    DirectServiceFactory(person=second)
    return first, second


MEASURES = ("reached", "new", "cumulative")
INDICATORS = ("PAO-ANY", "PAO-DOC", "PAO-PHC")


def _signed_in(browser, base_url: str, username: str):
    """A second browser (its own cookies) signed in as ``username``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "orienta-demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_load_state("networkidle")
    return context, page


def _march_figures(page) -> dict[str, dict[str, str]]:
    """PAO's figures of March 2025 as the coordinator's dashboard shows them."""
    page.goto(f"{page.base_url}/reports/?program=PAO&month=2025-03")
    page.locator('[data-testid="indicator-table"]').wait_for()
    return {
        code: {
            measure: page.locator(f'tr[data-indicator="{code}"] td[data-measure="{measure}"]').inner_text()
            for measure in MEASURES
        }
        for code in INDICATORS
    }


def test_find_a_pair_and_merge_it(page, login, screenshot, twice, browser):
    first, second = twice
    # The coordinator's March: two people served (a documentation service each), none in health.
    coordinator_context, coordinator = _signed_in(browser, page.base_url, "coordinator")
    coordinator.base_url = page.base_url
    before = _march_figures(coordinator)
    assert before == {
        "PAO-ANY": {"reached": "2", "new": "2", "cumulative": "2"},
        "PAO-DOC": {"reached": "2", "new": "2", "cumulative": "2"},
        "PAO-PHC": {"reached": "0", "new": "0", "cumulative": "0"},
    }
    assert coordinator.locator('[data-testid="late-recomputations"]').count() == 0

    login("caseworker")
    page.goto(f"{page.base_url}/people/")
    page.click('[data-testid="duplicate-review-link"]')
    page.wait_for_selector('[data-testid="duplicate-pairs"]')
    assert page.locator('[data-testid="duplicate-pair"]').count() == 1
    screenshot(page, "merge-review")

    page.click('[data-testid="compare-pair"]')
    form = page.locator('[data-testid="merge-form"]')
    form.wait_for()
    page.check("input[name='keep_phone'][value='second']")
    screenshot(page, "merge-side-by-side")
    page.click('[data-testid="merge-submit"]')

    page.wait_for_selector('[data-testid="person-name"]')
    assert page.url.endswith(f"/people/{first.pk}/")
    assert Person.objects.get(pk=second.pk).merged_into_id == first.pk
    assert Person.objects.get(pk=first.pk).phone == "912345678"
    assert first.direct_services.count() == 2
    assert PersonMerge.objects.count() == 1

    # The other record's old address leads to the one kept; the review has nothing left.
    page.goto(f"{page.base_url}/people/{second.pk}/")
    page.wait_for_selector('[data-testid="person-name"]')
    assert page.url.endswith(f"/people/{first.pk}/")
    page.goto(f"{page.base_url}/people/duplicates/")
    page.wait_for_selector(".empty-state")

    # The coordinator opens March again: one person reached, and the dashboard says that figures
    # already computed moved
    after = _march_figures(coordinator)
    assert after == {
        "PAO-ANY": {"reached": "1", "new": "1", "cumulative": "1"},
        "PAO-DOC": {"reached": "1", "new": "1", "cumulative": "1"},
        "PAO-PHC": {"reached": "0", "new": "0", "cumulative": "0"},
    }
    # (the latest months recomputed, each with its cumulative count from March on: 2 → 1)
    assert "2 → 1" in coordinator.locator('[data-testid="late-recomputations"]').inner_text()
    screenshot(coordinator, "merge-figures-after")
    coordinator_context.close()
