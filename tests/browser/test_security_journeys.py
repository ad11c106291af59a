"""Security journeys in a real browser: turning on two-factor authentication and signing in with
it, and a coordinator answering ARCO requests (access copy, anonymization)."""

from datetime import date

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.arco.models import ArcoRequest
from seeds.demo import ensure_demo_users
from tests.factories import DirectServiceFactory, IdentityDocumentFactory, PersonFactory


def code_for(device, offset_steps=0):
    value = totp(
        device.bin_key, step=device.step, t0=device.t0 - offset_steps * device.step, digits=device.digits
    )
    return f"{value:0{device.digits}d}"


@pytest.fixture
def demo_users(ref):
    return ensure_demo_users()


def test_turn_on_two_factor_then_sign_in_with_a_code(page, login, screenshot, demo_users):
    login("caseworker")
    page.click('[data-testid="user-menu"]')
    page.click('[data-testid="mfa-link"]')
    page.wait_for_load_state("networkidle")
    qr = page.locator('[data-testid="mfa-qr"]')
    assert qr.is_visible() and qr.evaluate("img => img.naturalWidth") > 0
    screenshot(page, "mfa-setup")
    device = TOTPDevice.objects.get(user__username="caseworker", confirmed=False)
    page.fill("input[name=token]", code_for(device))
    page.click("button[type=submit]:has-text('Activar'), button[type=submit]:has-text('Turn on')")
    page.wait_for_load_state("networkidle")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed

    page.click('[data-testid="user-menu"]')
    page.click("button:has-text('Cerrar sesión'), button:has-text('Sign out')")
    page.wait_for_load_state("networkidle")
    login("caseworker")
    assert page.locator('[data-testid="mfa-verify"]').is_visible()
    screenshot(page, "mfa-verify")
    page.fill("input[name=token]", code_for(device, 1))
    page.click("[data-testid=mfa-verify] button[type=submit]:not(.btn-link)")
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="home-caseworker"]').is_visible()
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_coordinator_answers_access_and_cancellation_requests(page, login, screenshot, demo_users):
    person = PersonFactory(given_names="Yusmary", family_names="Colmenares Ibáñez")
    IdentityDocumentFactory(person=person, number="V27123456")
    DirectServiceFactory(person=person)  # a PAO record: how the coordinator reaches the person
    access = ArcoRequest.objects.create(
        person=person, kind="access", received_on=date(2025, 3, 3), due_on=date(2025, 3, 31)
    )
    cancellation = ArcoRequest.objects.create(
        person=person, kind="cancellation", received_on=date(2025, 3, 4), due_on=date(2025, 4, 1)
    )
    login("coordinator")
    page.goto(f"{page.base_url}/people/arco/")
    assert page.locator('[data-testid="arco-table"]').is_visible()
    screenshot(page, "arco-list")
    page.goto(f"{page.base_url}/people/arco/{access.pk}/")
    screenshot(page, "arco-detail")
    page.goto(f"{page.base_url}/people/arco/{access.pk}/export/")
    assert page.locator("text=V27123456").first.is_visible()
    screenshot(page, "arco-export")
    page.goto(f"{page.base_url}/people/arco/{cancellation.pk}/anonymize/")
    screenshot(page, "arco-anonymize")
    page.check("input[name=confirm]")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button.btn-danger")
    page.wait_for_load_state("networkidle")
    person.refresh_from_db()
    assert person.given_names == "Anonimizado"
    screenshot(page, "arco-anonymized")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
