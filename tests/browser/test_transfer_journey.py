"""A caseworker asks to transfer a person's case to the northern site; a caseworker there accepts it
from the inbox, and the person is in the northern site's list (docs/transfer.md)."""

from __future__ import annotations

import pytest

from cases.models import Person, SiteRequest
from seeds.demo import ensure_demo_users
from tests.factories import PersonFactory, UserFactory, second_orientation_site


@pytest.fixture
def person(ref):
    ensure_demo_users()
    return PersonFactory(given_names="Yuleisy", family_names="Rojas Pérez")


def test_transfer_a_case_and_accept_it(browser, page, login, screenshot, person):
    north = second_orientation_site()
    UserFactory(username="cw-norte", role="caseworker", sites=["PAO-NO"])

    # 1. The person's site asks, with a reason.
    login("caseworker")
    page.goto(f"{page.base_url}/people/{person.pk}/")
    page.click('[data-testid="person-actions"] .dropdown-toggle')
    page.click('[data-testid="transfer-or-share"]')
    page.check("input[name='kind'][value='transfer']")
    page.select_option("select[name='to_site']", str(north.pk))
    page.click("#record-form button[type=submit]")
    # Without a reason the form comes back with the message; nothing is sent.
    page.wait_for_selector(".invalid-feedback", state="attached")
    assert not SiteRequest.objects.exists()
    page.fill("textarea[name='reason']", "Se mudó a Comas, cerca de la sede norte")
    page.click("#record-form button[type=submit]")
    page.wait_for_selector('[data-testid="person-name"]')
    assert "Transferencia solicitada" in page.inner_text(".alert-success")
    assert Person.objects.get(pk=person.pk).site.code == "PAO-LS"

    # 2. The receiving site decides from its inbox, linked from the navigation.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    other = context.new_page()
    other.goto(f"{page.base_url}/accounts/login/")
    other.fill("input[name=username]", "cw-norte")
    other.fill("input[name=password]", "orienta-test-pass")
    other.click("button[type=submit]:not([name=language])")
    other.wait_for_load_state("networkidle")
    other.get_by_role("link", name="Transferencias").click()
    other.wait_for_selector('[data-testid="site-request-to-decide"]')
    assert "Rojas Pérez" in other.inner_text('[data-testid="site-requests-to-decide"]')
    screenshot(other, "transfer-inbox")
    other.fill("input[name='note']", "La esperamos el lunes")
    other.click('[data-testid="site-request-accept"]')
    other.wait_for_selector(".alert-success")
    assert "Solicitud aceptada" in other.inner_text(".alert-success")
    assert other.locator('[data-testid="site-request-to-decide"]').count() == 0
    assert Person.objects.get(pk=person.pk).site == north

    # 3. The person is now the northern site's.
    other.goto(f"{page.base_url}/people/")
    other.locator('[data-testid="people-table"]').wait_for()
    assert "Rojas Pérez" in other.inner_text('[data-testid="people-table"]')
    context.close()
