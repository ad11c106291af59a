"""A caseworker finds a person registered twice in the duplicates review, compares the two
records side by side, keeps the newer phone and merges them; the other record leads to the one
kept."""

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


def test_find_a_pair_and_merge_it(page, login, screenshot, twice):
    first, second = twice
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
