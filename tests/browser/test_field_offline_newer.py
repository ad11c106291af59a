"""The newer-version rule on a phone: a head count and a participant's profile edited offline
while someone changed them on the server. The phone's edit is kept in the history, the newer
version is what the phone then shows, with a notice in Spanish."""

from __future__ import annotations

from field.models import FieldSubmission
from orientation.actions import save_audited
from services.sport import actions as sport_actions
from services.sport.models import HeadCount

from . import test_field_offline as offline
from .test_field_offline import NETWORK_ERRORS, open_field, sign_in, wait_waiting

# The field screens' fixtures: a facilitator's group of 30 children, a phone.
field_world = offline.field_world
phone = offline.phone


def test_a_head_count_changed_on_the_server_meanwhile_shows_the_newer_one(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS)
    users, group, kids, clinic, community = field_world
    page = phone
    sign_in(page, "facilitator")
    open_field(page)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/field/#session/{community.pk}")
    page.fill("[data-cell='F:5-11']", "7")
    page.click("[data-testid=field-head-count] button[type=submit]")
    wait_waiting(page, 1)
    # A second count replaces the first one waiting: one head count per session in the queue.
    page.fill("[data-cell='F:5-11']", "8")
    page.click("[data-testid=field-head-count] button[type=submit]")
    # The queue held one count before this save too: wait for the replacement itself.
    for _ in range(100):
        payloads = offline.queue_payloads(page)
        if len(payloads) == 1 and payloads[0]["counts"]["F:5-11"] == 8:
            break
        page.wait_for_timeout(100)
    assert [p["counts"]["F:5-11"] for p in payloads] == [8]
    wait_waiting(page, 1)

    # Meanwhile the count is saved on-line (the sport pages).
    sport_actions.head_count_set(
        user=users["admin"], session=community, counts={("F", "5-11"): 12, ("M", "12-17"): 3}
    )
    page.context.set_offline(False)
    wait_waiting(page, 0)
    page.wait_for_selector("[data-testid=field-message]:has-text('El conteo cambió en el servidor')")
    notice = page.inner_text("[data-testid=field-message]")
    assert "El conteo cambió en el servidor" in notice and "15" in notice and "8" in notice
    assert sorted(HeadCount.objects.filter(session=community).values_list("sex", "age_band", "count")) == [
        ("F", "5-11", 12),
        ("M", "12-17", 3),
    ]
    [receipt] = FieldSubmission.objects.filter(kind="head_count")
    assert receipt.overtaken["counts"] == {"F:5-11": 8}
    # The form now shows the newer count.
    page.wait_for_selector("[data-cell='M:12-17'][value='3']", state="attached")
    assert page.input_value("[data-cell='F:5-11']") == "12"


def test_a_profile_corrected_offline_and_changed_on_the_server_shows_the_newer_one(
    browser, phone, field_world
):
    browser.expect_errors(*NETWORK_ERRORS)
    users, group, kids, clinic, community = field_world
    page = phone
    kid = kids[0]
    sign_in(page, "facilitator")
    open_field(page)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/field/#session/{clinic.pk}")
    row = page.locator(f"[data-testid=field-row][data-person='{kid.pk}']")
    row.locator("summary").click()
    row.locator("[data-testid=field-correction] input").first.fill("Niño Corregido")
    row.locator("[data-testid=field-correction-save]").click()
    wait_waiting(page, 1)

    kid.given_names = "Niño Completado"  # a caseworker completes the profile on-line meanwhile
    save_audited(kid, user=users["caseworker"], reason="on-line")
    page.context.set_offline(False)
    wait_waiting(page, 0)
    page.wait_for_selector("[data-testid=field-message]:has-text('se muestra la versión más reciente')")
    page.wait_for_selector(
        f"[data-testid=field-row][data-person='{kid.pk}'] [data-testid=field-name]:has-text('Niño Completado')"
    )
    kid.refresh_from_db()
    assert kid.given_names == "Niño Completado"
    assert "Niño Corregido" in set(kid.history.values_list("given_names", flat=True))
