"""The field screens when a permission changes while a phone holds saves: a facilitator whose role
is removed, or whose group is given to someone else, finds each save under "needs attention" with
the server's reason in Spanish (and the role removed, the lists deleted from the phone); a phone
whose session ended keeps its queue untouched and sends it after signing in again."""

from __future__ import annotations

from playwright.sync_api import expect

from field.models import FieldSubmission
from services.sport.models import Attendance

from . import test_field_offline as offline
from .test_field_offline import NETWORK_ERRORS, open_field, sign_in, wait_ready, wait_waiting, waiting

# The field screens' fixtures: a facilitator's group of 30 children, a phone.
field_world = offline.field_world
phone = offline.phone


def mark_offline(page, session, kids):
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/field/#session/{session.pk}")
    page.wait_for_selector("[data-testid=field-row]")
    for kid in kids:
        page.click(f"[data-testid=field-row][data-person='{kid.pk}'] [data-testid=field-present]")
    wait_waiting(page, len(kids))


def test_a_role_removed_while_offline_puts_each_save_under_needs_attention(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS, "403")
    users, group, kids, clinic, community = field_world
    page = phone
    sign_in(page, "facilitator")
    open_field(page)
    mark_offline(page, clinic, kids[:2])
    users["facilitator"].groups.clear()  # the role is removed while the phone is offline

    page.context.set_offline(False)
    wait_waiting(page, 0)
    page.wait_for_selector("[data-testid=attention-item] >> nth=1")
    reasons = page.locator("[data-testid=attention-reason]").all_inner_texts()
    assert (
        reasons
        == [
            "Su rol ya no permite registrar asistencia, conteos ni participantes. Este registro no se "
            "guardó: consulte a un administrador si es un error."
        ]
        * 2
    )
    page.wait_for_selector("[data-testid=field-message][data-state=done]", state="attached")
    assert "ya no le permite guardar estas listas" in page.inner_text("[data-testid=field-message]")
    assert page.evaluate("OrientaField.db.people.count()") == 0  # the lists left the phone
    assert not Attendance.objects.exists() and not FieldSubmission.objects.exists()

    # The shell still opens: the refusals stay until discarded.
    page.reload()
    wait_ready(page)
    assert page.is_visible("[data-testid=field-not-allowed]")
    assert page.locator("[data-testid=attention-item]").count() == 2
    page.click("[data-testid=attention-item] button >> nth=0")
    page.wait_for_selector("[data-testid=attention-item] >> nth=1", state="detached")
    assert page.locator("[data-testid=attention-item]").count() == 1
    assert page.evaluate("OrientaField.db.queue.count()") == 1


def test_a_group_given_to_someone_else_refuses_each_save_with_its_reason(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS)
    users, group, kids, clinic, community = field_world
    page = phone
    sign_in(page, "facilitator")
    open_field(page)
    mark_offline(page, clinic, kids[:3])
    group.facilitators.remove(users["facilitator"])

    page.context.set_offline(False)
    wait_waiting(page, 0)
    page.wait_for_selector("[data-testid=attention-item] >> nth=2")
    reasons = set(page.locator("[data-testid=attention-reason]").all_inner_texts())
    assert len(reasons) == 1 and next(iter(reasons)).startswith("Ya no toma asistencia en este grupo")
    assert not Attendance.objects.exists()


def test_a_session_that_ended_leaves_the_queue_waiting_untouched(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS, "401", "403")
    users, group, kids, clinic, community = field_world
    page = phone
    sign_in(page, "facilitator")
    open_field(page)
    mark_offline(page, clinic, kids[:4])
    page.context.clear_cookies()  # the session ended (expired, or signed out elsewhere)

    page.context.set_offline(False)
    page.click("[data-testid=field-sync-now]")
    page.wait_for_selector("[data-testid=field-message][data-state=done]", state="attached")
    # the message follows the sync's end: wait for it rather than read it at once
    expect(page.locator("[data-testid=field-message]")).to_contain_text("vuelva a iniciar sesión")
    assert waiting(page) == 4
    assert page.locator("[data-testid=attention-item]").count() == 0
    assert not Attendance.objects.exists()

    # Signed in again, the same queue goes, once.
    sign_in(page, "facilitator")
    page.goto(f"{page.base_url}/field/")
    wait_ready(page)
    wait_waiting(page, 0)
    assert Attendance.objects.filter(session=clinic, present=True).count() == 4
    assert FieldSubmission.objects.count() == 4
