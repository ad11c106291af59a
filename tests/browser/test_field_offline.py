"""The field screens without a connection, on a phone: a facilitator signs in once online, loses
the connection, reopens the app from the service worker's cache, takes attendance for a 30-child
session and a head count, closes and reopens the page, and the connection returns: every record is
on the server exactly once, through replays and a connection cut in the middle of a sync. A refused
save stays under "needs attention"; signing out leaves nothing behind; a case file is never cached."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.utils import timezone

from cases.models import Person
from field.models import FieldSubmission
from seeds.demo import ensure_demo_users
from services.sport.models import Attendance, HeadCount, SportGroup

from ..factories import PersonFactory, SportGroupFactory, SportSessionFactory, site
from ..sport.factories import ChildFactory, GroupParticipantFactory, years_ago

PHONE = {"width": 390, "height": 844}
KIDS = 30
NETWORK_ERRORS = ("ERR_INTERNET_DISCONNECTED", "ERR_FAILED", "Failed to fetch", "Failed to load resource")


@pytest.fixture
def field_world(ref):
    users = {u.username: u for u in ensure_demo_users()}
    group = SportGroupFactory(name="Sub-12 Villa María", site=site("SCH-01"), age_min=6, age_max=12)
    group.facilitators.add(users["facilitator"])
    kids = [
        GroupParticipantFactory(
            group=group,
            person=ChildFactory(given_names=f"Niño{i:02d}", birth_date=years_ago(7 + i % 5)),
            joined_on=date(2025, 3, 1),
        ).person
        for i in range(KIDS)
    ]
    today = timezone.localdate()
    clinic = SportSessionFactory(group=group, site=group.site, program=group.program, date=today)
    community = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=today, activity="community_activity"
    )
    return users, group, kids, clinic, community


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="es-PE", is_mobile=True, has_touch=True)
    context.set_default_timeout(20000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def sign_in(page, username):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "orienta-demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_load_state("networkidle")


def open_field(page):
    """Open the field screens online and wait for the worker to control them and the lists to be kept."""
    page.goto(f"{page.base_url}/field/")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    wait_ready(page)
    page.wait_for_selector("[data-testid=field-group]")
    page.evaluate(
        "async () => { while (!navigator.serviceWorker.controller) await new Promise(r => setTimeout(r, 50)); }"
    )


def wait_ready(page):
    """(Waits use selectors: the pages' CSP forbids the evaluated strings of ``wait_for_function``.)"""
    page.wait_for_selector("#field-app[data-ready=true]", state="attached")


def waiting(page) -> int:
    return int(page.get_attribute("[data-testid=field-waiting]", "data-count"))


def wait_waiting(page, count: int):
    page.wait_for_selector(
        f"[data-testid=field-waiting][data-count='{count}']", state="attached", timeout=30000
    )


def queue_payloads(page) -> list[dict]:
    return page.evaluate("OrientaField.db.queue.toArray().then(items => items.map(i => i.payload))")


def post_batch(page, payloads) -> list[dict]:
    return page.evaluate(
        """async (payloads) => {
            const token = await OrientaField.getMeta("csrf");
            const r = await fetch("/field/sync/", {method: "POST", credentials: "same-origin",
              headers: {"Content-Type": "application/json", "X-CSRFToken": token},
              body: JSON.stringify({submissions: payloads})});
            return (await r.json()).results;
        }""",
        payloads,
    )


def test_attendance_and_head_count_offline_reach_the_server_exactly_once(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS)
    users, group, kids, clinic, community = field_world
    page = phone
    sign_in(page, "facilitator")
    open_field(page)

    # The connection goes; the app reopens from the cache.
    page.context.set_offline(True)
    response = page.reload()
    assert response.from_service_worker
    wait_ready(page)
    assert page.get_attribute("[data-testid=field-connection]", "data-state") == "offline"

    # Thirty children: everyone present, then three corrected to absent.
    page.goto(f"{page.base_url}/field/#session/{clinic.pk}")
    page.wait_for_selector("[data-testid=field-row]")
    assert page.locator("[data-testid=field-row]").count() == KIDS
    page.click("[data-testid=field-all-present]")
    wait_waiting(page, KIDS)
    for kid in kids[:3]:
        page.click(f"[data-testid=field-row][data-person='{kid.pk}'] [data-testid=field-absent]")
    wait_waiting(page, KIDS + 3)
    assert "Presentes 27" in page.inner_text("[data-testid=field-tally]")

    # The anonymous head count of the community activity.
    page.goto(f"{page.base_url}/field/#session/{community.pk}")
    page.fill("[data-cell='F:5-11']", "7")
    page.fill("[data-cell='M:12-17']", "4")
    page.click("[data-testid=field-head-count] button[type=submit]")
    wait_waiting(page, KIDS + 4)

    # The page is closed and opened again, still offline: nothing is lost.
    context = page.context
    page.close()
    page = context.new_page()
    response = page.goto(f"{phone.base_url}/field/")
    assert response.from_service_worker
    wait_ready(page)
    assert waiting(page) == KIDS + 4
    assert not Attendance.objects.exists() and not HeadCount.objects.exists()
    sent = queue_payloads(page)

    # The connection drops in the middle of the first sync: the server saved, the answer is lost.
    def cut_after_server(route):
        route.fetch()
        route.abort("internetdisconnected")

    page.route("**/field/sync/", cut_after_server)
    context.set_offline(False)
    page.wait_for_selector("[data-testid=field-message][data-state=done]", state="attached", timeout=30000)
    # (Background Sync in the worker may have sent the queue meanwhile: either way, once.)
    assert Attendance.objects.filter(session=clinic).count() == KIDS
    page.unroute("**/field/sync/")

    # It comes back: the queue goes again, the server recognises every key.
    page.click("[data-testid=field-sync-now]")
    wait_waiting(page, 0)
    assert Attendance.objects.filter(session=clinic).count() == KIDS
    assert Attendance.objects.filter(session=clinic, present=True).count() == KIDS - 3
    assert sorted(HeadCount.objects.filter(session=community).values_list("sex", "age_band", "count")) == [
        ("F", "5-11", 7),
        ("M", "12-17", 4),
    ]
    assert FieldSubmission.objects.count() == KIDS + 4
    history = Attendance.history.count()

    # Replayed twice more: nothing changes.
    for _ in range(2):
        answers = post_batch(page, sent)
        assert {a["status"] for a in answers} == {"duplicate"}
    assert FieldSubmission.objects.count() == KIDS + 4
    assert Attendance.history.count() == history

    # The list as the server now has it.
    page.goto(f"{phone.base_url}/field/#session/{clinic.pk}")
    page.wait_for_selector("[data-testid=field-row][data-state=saved]")
    assert page.locator("[data-testid=field-row][data-state=saved]").count() == KIDS
    assert "Presentes 27" in page.inner_text("[data-testid=field-tally]")


def test_a_refused_save_stays_in_needs_attention_with_its_reason(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS)
    users, group, kids, clinic, community = field_world
    page = phone
    sign_in(page, "facilitator")
    open_field(page)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/field/#session/{clinic.pk}")
    page.click(f"[data-testid=field-row][data-person='{kids[0].pk}'] [data-testid=field-present]")
    wait_waiting(page, 1)
    SportGroup.objects.filter(pk=group.pk).update(active=False)  # closed while the phone was offline

    page.context.set_offline(False)
    page.wait_for_selector("[data-testid=attention-item]")
    wait_waiting(page, 0)
    reason = page.inner_text("[data-testid=attention-reason]")
    assert "Este grupo fue cerrado" in reason
    assert not Attendance.objects.exists()

    page.reload()
    page.wait_for_selector("[data-testid=attention-item]")
    assert page.locator("[data-testid=attention-item]").count() == 1
    page.click("[data-testid=attention-item] button")
    page.wait_for_selector("[data-testid=field-attention]", state="hidden")


STORAGE = """async () => ({
    databases: (await indexedDB.databases()).map(d => d.name),
    caches: await caches.keys(),
    workers: (await navigator.serviceWorker.getRegistrations()).map(r => r.scope),
})"""


def test_signing_out_leaves_nothing_and_a_case_file_is_never_cached(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS)
    users, group, kids, clinic, community = field_world
    person = PersonFactory(site=site("PAO-LS"), family_names="Confidencial Ruiz")
    SportGroupFactory(name="Comunitario Lima Sur", site=site("PAO-LS"))  # a group at the caseworker's site
    page = phone
    sign_in(page, "caseworker")
    open_field(page)
    kept = page.evaluate(STORAGE)
    assert "orienta-field" in kept["databases"] and kept["caches"] and kept["workers"]

    # A case file: answered by the server, never by the worker nor from a cache.
    response = page.goto(f"{page.base_url}/people/{person.pk}/")
    assert response.status == 200 and not response.from_service_worker
    cached = page.evaluate(
        "async () => { const urls = []; for (const n of await caches.keys()) {"
        " for (const r of await (await caches.open(n)).keys()) urls.push(r.url); } return urls; }"
    )
    assert cached and not [u for u in cached if "/people/" in u]
    page.context.set_offline(True)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(f"{page.base_url}/people/{person.pk}/")
    page.context.set_offline(False)

    # Sign out from the menu.
    page.goto(f"{page.base_url}/field/")
    wait_ready(page)
    page.click("button.navbar-toggler")
    page.wait_for_selector("#mainnav.collapse.show")  # the menu's opening has ended
    page.click("[data-testid=user-menu]")
    page.wait_for_selector("form[data-sign-out] button[type=submit]", state="visible")
    page.click("form[data-sign-out] button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    for _ in range(50):  # a deletion the worker's open connection delayed finishes in a moment
        left = page.evaluate(STORAGE)
        if "orienta-field" not in left["databases"] and not left["workers"]:
            break
        page.wait_for_timeout(100)
    assert "orienta-field" not in left["databases"]
    assert not [c for c in left["caches"] if c.startswith("orienta-field")]
    assert not left["workers"]
    assert "Confidencial" not in json.dumps(left)
    assert page.evaluate("localStorage.length") == 0


def test_kept_lists_expire_after_the_set_number_of_days(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS)
    page = phone
    sign_in(page, "facilitator")
    open_field(page)
    page.context.set_offline(True)
    page.evaluate("OrientaField.setMeta('fetchedAt', new Date(Date.now() - 8 * 86400000).toISOString())")
    page.reload()
    page.wait_for_selector("[data-testid=field-no-data]")
    assert "caducó" in page.inner_text("[data-testid=field-message]")
    assert page.evaluate("OrientaField.db.people.count()") == 0


def test_a_light_profile_made_offline_reaches_the_server_once(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS)
    users, group, kids, clinic, community = field_world
    page = phone
    sign_in(page, "facilitator")
    open_field(page)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/field/#session/{clinic.pk}")
    page.wait_for_selector("[data-testid=field-light-profile]")
    page.fill("#field-lp-given_names", "Yeferson")
    page.fill("#field-lp-family_names", "Quispe Rojas")
    page.select_option("#field-lp-sex", "M")
    page.fill("#field-lp-birth_date", "2016-05-04")
    page.select_option("#field-lp-nationality", "VE")
    page.select_option("#field-lp-population_type", "destination")
    page.fill("#field-lp-guardian_name", "María Rojas")
    page.fill("#field-lp-guardian_relationship", "madre")
    page.select_option("#field-lp-consent_method", "written")
    page.check("#field-lp-data_consent")
    page.click("[data-testid=field-light-profile-save]")
    wait_waiting(page, 1)
    assert "Yeferson Quispe Rojas" in page.inner_text("[data-testid=field-newcomers]")

    page.context.set_offline(False)
    wait_waiting(page, 0)
    page.wait_for_selector("[data-testid=field-message][data-state=done]", state="attached")
    person = Person.objects.get(family_names="Quispe Rojas")
    assert person.is_light_profile and person.guardian_name == "María Rojas"
    assert Attendance.objects.get(session=clinic, person=person).present
    page.wait_for_selector(f"[data-testid=field-row][data-person='{person.pk}'][data-state=saved]")


def test_an_outreach_registration_made_offline_reaches_the_server_once(browser, phone, field_world):
    browser.expect_errors(*NETWORK_ERRORS)
    SportGroupFactory(name="Comunitario Lima Sur", site=site("PAO-LS"))
    page = phone
    sign_in(page, "caseworker")
    open_field(page)
    page.context.set_offline(True)
    page.click("[data-testid=field-outreach-link]")
    page.wait_for_selector("[data-testid=field-outreach]")
    page.fill("#field-lp-given_names", "Wilmer José")
    page.fill("#field-lp-family_names", "Bracho Urdaneta")
    page.select_option("#field-lp-sex", "M")
    page.select_option("#field-lp-nationality", "VE")
    page.select_option("#field-lp-population_type", "transit")
    page.fill("#field-lp-phone", "987654321")
    page.select_option("#field-lp-consent_method", "verbal")
    page.check("#field-lp-data_consent")
    page.click("[data-testid=field-outreach-save]")
    wait_waiting(page, 1)
    assert "Wilmer José Bracho Urdaneta" in page.inner_text("[data-testid=field-outreach-waiting]")

    page.context.set_offline(False)
    wait_waiting(page, 0)
    person = Person.objects.get(family_names="Bracho Urdaneta")
    assert person.site.code == "PAO-LS" and person.consents.count() == 1
