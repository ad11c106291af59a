"""A caseworker records a service, refers the person, prints the slip; the partner answers through
the slip's link without an account; the referral is then counted as completed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from seeds.demo import ensure_demo_users
from services.models import DirectService, Partner, Referral
from tests.factories import ConsentFactory, IdentityDocumentFactory, PersonFactory, program, service_type


@pytest.fixture
def demo_users(ref):
    return {u.username: u for u in ensure_demo_users()}


def _sign_in(page, username):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "orienta-demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_load_state("networkidle")


def test_referral_journey(page, login, screenshot, demo_users, browser, live_server):
    person = PersonFactory(given_names="Yusmary", family_names="Rojas Pérez", population_type="transit")
    ConsentFactory(person=person)
    IdentityDocumentFactory(person=person, doc_type="cedula_ve", number="20555123")
    partner = Partner.objects.get(code="cs-jose-galvez")
    today = f"{timezone.localdate():%d/%m/%Y}"

    login("caseworker")

    # 1. A direct service, in a few taps.
    page.goto(page.base_url + reverse("services:direct_service_create", args=[person.pk]))
    # Only the programs that count the chosen service's area: never the youth sport program, and
    # not SALUD (health) for a documentation service.
    programs = page.locator("select[name=program]")
    assert programs.locator(f"option[value='{program('BALON').pk}']").count() == 0
    page.click(f"label[for=st-{service_type('doc-cpp').pk}]")
    salud = programs.locator(f"option[value='{program('SALUD').pk}']")
    assert salud.evaluate("o => o.hidden")
    page.click(f"label[for=st-{service_type('phc-consultation').pk}]")
    assert not salud.evaluate("o => o.hidden")
    page.select_option("select[name=program]", str(program("SALUD").pk))
    screenshot(page, "services-direct-service-form")
    page.click("[data-testid=direct-service-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-success").is_visible()  # back on the person's page, with a message
    page.goto(page.base_url + reverse("services:person_services", args=[person.pk]))
    services_table = page.locator("[data-testid=person-services]")
    assert services_table.get_by_text("Consulta de atención primaria").is_visible()
    assert DirectService.objects.filter(person=person, program__code="SALUD").count() == 1

    # 2. A referral to a health facility; the partner list follows the service's area.
    page.click(f"a[href='{reverse('services:referral_create', args=[person.pk])}']")
    page.select_option("select[name=service_type]", str(service_type("phc-prenatal").pk))
    migraciones = Partner.objects.get(code="migraciones-lima")
    assert page.locator(f"select[name=partner] option[value='{migraciones.pk}']").is_hidden()
    page.select_option("select[name=partner]", str(partner.pk))
    page.select_option("select[name=program]", str(program("PAO").pk))
    page.fill("textarea[name=reason]", "Gestante de 20 semanas sin control.")
    screenshot(page, "services-referral-form")
    page.click("[data-testid=referral-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    referral = Referral.objects.get(person=person)
    assert page.locator("[data-testid=referral-code]").inner_text() == referral.code
    transition = page.locator("[data-testid=transition-form]")
    assert transition.locator("#div_id_completed_on").is_hidden()
    transition.locator("input[value=completed] + label").click()
    assert transition.locator("#div_id_completed_on").is_visible()
    screenshot(page, "services-referral-detail-pending")
    page.goto(page.base_url + reverse("services:followups"))
    assert referral.code in page.locator("[data-testid=referral-table]").inner_text()
    screenshot(page, "services-followups")
    page.goto(page.base_url + reverse("services:referral_detail", args=[referral.pk]))

    # 3. The printable slip, with the partner's one-time link.
    page.click("[data-testid=slip-button]")
    page.wait_for_load_state("networkidle")
    slip = page.locator("[data-testid=referral-slip]")
    assert slip.is_visible()
    assert page.locator("[data-testid=slip-code]").inner_text() == referral.code
    assert "Centro de Salud José Gálvez" in slip.inner_text()
    assert "20555123" not in slip.inner_text() and "5123" in slip.inner_text()
    assert page.locator("[data-print]").is_visible()
    first_link = page.locator("[data-testid=partner-link]").inner_text().strip()
    # Opened again from a bookmark or the address bar: a page that explains, not a blank 405.
    response = page.goto(page.base_url + reverse("services:referral_slip", args=[referral.pk]))
    assert response.status == 200
    assert page.locator("[data-testid=slip-reprint]").is_visible()
    assert "405" not in page.content()
    screenshot(page, "services-referral-slip-reopened")
    page.click("[data-testid=slip-print-again]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=referral-slip]").is_visible()
    link = page.locator("[data-testid=partner-link]").inner_text().strip()
    assert link != first_link
    assert re.match(r"^http://.+/services/partner/[\w-]{40,}/$", link)
    screenshot(page, "services-referral-slip")
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden() and page.locator("[data-print]").is_hidden()
    screenshot(page, "services-referral-slip-print")
    page.emulate_media(media="screen")

    # 4. The partner answers, with no account, in its own browser.
    partner_context = browser.new_context(viewport={"width": 414, "height": 896}, locale="es-PE")
    partner_page = partner_context.new_page()
    partner_page.goto(link)
    assert partner_page.locator("[data-testid=partner-person]").inner_text() == "Yusmary R."
    assert "Rojas" not in partner_page.content()
    # Each language named in itself, so a partner who reads only one finds it.
    switch = partner_page.locator("button[name=language]")
    assert switch.all_inner_texts() == ["Español", "English"]
    partner_page.click("input[name=to_status][value=completed] + label")
    partner_page.fill("input[name=completed_on]", today)
    partner_page.fill("textarea[name=comment]", "Control prenatal realizado.")
    screenshot(partner_page, "services-partner-feedback")
    partner_page.click("[data-testid=partner-form] button[type=submit]")
    partner_page.wait_for_load_state("networkidle")
    assert partner_page.locator("[data-testid=partner-done]").is_visible()
    screenshot(partner_page, "services-partner-feedback-done")
    browser.expect_errors("status of 410 (Gone)")  # the used link answers 410
    partner_page.goto(link)  # single use
    assert partner_page.locator("[data-testid=partner-link-used]").is_visible()
    partner_context.close()

    # 5. Back at the orientation point: completed, with the partner's answer in the history.
    page.goto(page.base_url + reverse("services:referral_detail", args=[referral.pk]))
    assert page.locator("h1 [data-testid=referral-status]").inner_text() in ("Completed", "Completada")
    assert "Control prenatal realizado." in page.locator("[data-testid=referral-timeline]").inner_text()
    assert page.locator("[data-testid=partner-answer]").is_visible()  # said on the referral
    screenshot(page, "services-referral-detail-completed")
    page.goto(page.base_url + reverse("notification_list"))  # and the caseworker was told
    assert referral.code in page.locator("main").inner_text()
    page.goto(page.base_url + reverse("services:person_services", args=[person.pk]))
    row = page.locator("[data-testid=person-referrals] tbody tr").first
    assert referral.code in row.inner_text()
    assert row.locator("[data-testid=referral-status]").inner_text() in ("Completed", "Completada")
    screenshot(page, "services-person-services")

    # 6. The coordinator sees it counted as completed for that partner.
    coordinator_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    coordinator = coordinator_context.new_page()
    coordinator.base_url = live_server.url
    _sign_in(coordinator, "coordinator")
    coordinator.goto(live_server.url + reverse("services:referral_stats"))
    row = coordinator.locator("[data-testid=stats-partner] tbody tr", has_text="Centro de Salud José Gálvez")
    cells = row.locator("td")
    assert cells.nth(1).inner_text() == "1" and cells.nth(2).inner_text() == "1"
    assert coordinator.locator("[data-testid=stats-completed]").inner_text() == "1"
    screenshot(coordinator, "services-referral-stats")
    coordinator_context.close()

    assert not [e for e in page.console_errors if "Content Security Policy" in e]
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.completed_on == timezone.localdate()


def test_followups_and_psychosocial_session(page, login, screenshot, demo_users):
    """The psychosocial specialist's follow-up list and a group session whose note is logged on opening."""
    person = PersonFactory(given_names="Andreína", family_names="Salas Mendoza")
    other = PersonFactory(given_names="Génesis", family_names="Bermúdez Ortega")
    login("psychosocial")
    page.goto(page.base_url + reverse("services:psychosocial_session_create", args=[person.pk]))
    page.click("input[name=kind][value=group] + label")
    # The service follows the kind of session.
    assert page.locator("select[name=service_type]").input_value() == str(service_type("mhpss-group").pk)
    page.select_option("select[name=program]", str(program("SALUD").pk))
    page.fill("input[name=q]", "genesis")
    page.locator(f"#participant-results input[value='{other.pk}']").check()
    page.fill("input[name=q]", "zzz")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"#participant-chosen input[value='{other.pk}']").is_checked()
    page.fill("textarea[name=confidential_note]", "Grupo de apoyo: duelo migratorio.")
    screenshot(page, "services-psychosocial-session-form")
    page.click("[data-testid=session-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=session-participants] li").count() == 2
    assert "duelo migratorio" not in page.content()
    page.click("[data-testid=open-note]")
    page.wait_for_selector("[data-testid=note-text]")
    assert "duelo migratorio" in page.locator("[data-testid=note-text]").inner_text()
    screenshot(page, "services-psychosocial-session-note")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]

    page.goto(page.base_url + reverse("services:followups"))
    screenshot(page, "services-followups-empty")
