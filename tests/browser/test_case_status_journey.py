"""A caseworker closes a case with a reason, after seeing what is still open for the person; the
person leaves the people list, is still found by a search, and the case is reopened."""

from __future__ import annotations

import pytest

from cases.models import CaseStatusChange, Person
from seeds.demo import ensure_demo_users
from tests.factories import DirectServiceFactory, PersonFactory, ReferralFactory


@pytest.fixture
def person(ref):
    ensure_demo_users()
    person = PersonFactory(given_names="Yuleisy", family_names="Rojas Pérez")
    PersonFactory(given_names="Carmen", family_names="Quispe Mamani")  # stays on the list
    DirectServiceFactory(person=person)
    ReferralFactory(person=person, status="pending")
    return person


def _wait_for_results(page):
    page.wait_for_function(
        "() => !document.querySelector('#person-results').classList.contains('htmx-request')"
    )


def test_close_a_case_find_it_and_reopen_it(page, login, screenshot, person):
    login("caseworker")
    person_url = f"{page.base_url}/people/{person.pk}/"
    page.goto(person_url)
    page.wait_for_selector('[data-testid="person-name"]')
    assert page.inner_text('[data-testid="case-status-badge"]').strip() == "Caso abierto"

    # 1. Close: the page first lists what is still open (the pending referral).
    page.click('[data-testid="person-actions"] .dropdown-toggle')
    page.click('[data-testid="close-case"]')
    page.wait_for_selector('[data-testid="open-items"]')
    assert page.locator('[data-testid="open-item"]').count() == 1
    screenshot(page, "case-close")
    page.check("input[name='reason'][value='other']")
    page.click('[data-testid="close-case-submit"]')
    # "Other" needs a few words, and the open referral a confirmation.
    page.wait_for_selector(".invalid-feedback", state="attached")
    assert Person.objects.get(pk=person.pk).case_status == "open"
    page.fill("input[name='reason_other']", "Viajó a Chile con su familia")
    page.check("input[name='confirm']")
    page.click('[data-testid="close-case-submit"]')
    page.wait_for_selector('[data-testid="case-closed-banner"]')
    assert page.url == person_url
    assert "Viajó a Chile con su familia" in page.inner_text('[data-testid="case-closed-banner"]')
    assert Person.objects.get(pk=person.pk).case_status == "closed"

    # 2. The people list leaves her out; a search finds her, with the badge.
    page.goto(f"{page.base_url}/people/")
    table = page.locator('[data-testid="people-table"]')
    table.wait_for()
    assert "Quispe Mamani" in table.inner_text() and "Rojas Pérez" not in table.inner_text()
    page.fill("#id_q", "yuleisi rojas")
    page.press("#id_q", "Enter")
    page.wait_for_selector('[data-testid="result-count"]')
    _wait_for_results(page)
    assert "Rojas Pérez, Yuleisy" in table.inner_text()
    assert page.locator('[data-testid="case-closed-badge"]').count() == 1
    screenshot(page, "case-closed-search")
    table.get_by_text("Rojas Pérez, Yuleisy").click()
    page.wait_for_selector('[data-testid="person-name"]')

    # 3. Reopen, with a note.
    page.click('[data-testid="reopen-case"]')
    page.fill("textarea[name='note']", "Regresó a Lima")
    page.click('[data-testid="reopen-case-submit"]')
    page.wait_for_selector('[data-testid="person-name"]')
    assert page.url == person_url
    assert page.inner_text('[data-testid="case-status-badge"]').strip() == "Caso abierto"
    assert page.locator('[data-testid="case-closed-banner"]').count() == 0
    assert Person.objects.get(pk=person.pk).case_status == "open"
    assert list(
        CaseStatusChange.objects.filter(person=person).order_by("changed_at").values_list("to_status", "note")
    ) == [("closed", ""), ("open", "Regresó a Lima")]
