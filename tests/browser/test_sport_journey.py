"""A facilitator at the pitch, on a phone: opens today's session, takes attendance for ten
participants (one found by search, one registered on the spot) and sees the group's rate."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.models import Person
from seeds.demo import ensure_demo_users
from services.sport.models import Attendance, SportSession

from ..factories import SportGroupFactory, site
from ..sport.factories import ChildFactory, GroupParticipantFactory, years_ago

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo_group(ref):
    users = {u.username: u for u in ensure_demo_users()}
    group = SportGroupFactory(name="Sub-12 Villa María", site=site("SCH-01"), age_min=6, age_max=12)
    group.facilitators.add(users["facilitator"])
    names = ["Ana", "Luis", "Rosa", "Jesús", "Daniela", "Carlos", "Lucía", "Miguel"]
    members = [
        GroupParticipantFactory(
            group=group,
            person=ChildFactory(given_names=name, birth_date=years_ago(8 + i % 4)),
            joined_on=date(2025, 3, 1),
        ).person
        for i, name in enumerate(names)
    ]
    newcomer = ChildFactory(given_names="Yorman", family_names="Colmenares Díaz", birth_date=years_ago(10))
    return group, members, newcomer


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="es-PE", is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url
    page.console_errors = errors
    yield page
    context.close()


def screenshot_dir():
    from .conftest import ARTIFACTS

    return ARTIFACTS


def sign_in(page, username):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "orienta-demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_load_state("networkidle")


def row(page, person):
    return page.locator(f"#p{person.pk}")


def test_facilitator_takes_attendance_on_a_phone(phone, screenshot, demo_group):
    page = phone
    group, members, newcomer = demo_group
    sign_in(page, "facilitator")

    # The menu, then the group.
    page.click("button.navbar-toggler")
    page.locator('#mainnav a[href="/services/sport/"]').click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "sport-phone-01-groups")
    page.get_by_role("link", name=group.name).click()

    # Open today's session.
    page.click('[data-testid="new-session"]')
    assert page.input_value("input[name=date]") == f"{timezone.localdate():%d/%m/%Y}"
    page.fill("input[name=topic]", "Pases cortos y trabajo en equipo")
    screenshot(page, "sport-phone-02-new-session")
    page.click('[data-testid="open-session"]')
    page.wait_for_load_state("networkidle")
    session = SportSession.objects.get(group=group)
    assert page.url.endswith(f"/services/sport/sessions/{session.pk}/")
    assert page.locator('[data-testid="attendance-row"]').count() == 8

    # "All present" in one tap, then one tap to correct the child who did not come; a second tap on
    # the same answer changes nothing.
    page.click('[data-testid="all-present"]')
    for person in members:
        page.wait_for_selector(f"#p{person.pk}.list-group-item-success")
    assert page.locator('[data-testid="tally-present"]').inner_text().split()[0] == "8"
    row(page, members[7]).locator('[data-testid="mark-absent"]').click()
    page.wait_for_selector(f"#p{members[7].pk}.bg-body-secondary")
    row(page, members[0]).locator('[data-testid="mark-present"]').click()
    page.wait_for_selector(f"#p{members[0].pk}.list-group-item-success")
    assert page.locator('[data-testid="tally-present"]').inner_text().split()[0] == "7"
    screenshot(page, "sport-phone-03-attendance")

    # Someone already registered at the school: found by name, added and marked present.
    page.fill("#sport-search", "yorman colme")
    page.wait_for_selector('[data-testid="search-results"]')
    page.click('[data-testid="add-person"]')
    page.wait_for_selector(f"#p{newcomer.pk}.list-group-item-success")
    assert page.input_value("#sport-search") == ""

    # A new participant registered on the spot with the guardian's consent.
    page.click('[data-testid="open-new-participant"]')
    form = page.locator("#light-profile-form")
    form.locator("input[name=given_names]").fill("Valentina")
    form.locator("input[name=family_names]").fill("Rojas Pérez")
    form.locator("input[name=sex][value=F] + label").click()
    form.locator("input[name=birth_date]").fill(f"{years_ago(9):%d/%m/%Y}")
    form.locator("select[name=nationality]").select_option("VE")
    form.locator("select[name=population_type]").select_option("destination")
    form.locator("input[name=guardian_name]").fill("Yusmary Pérez")
    form.locator("input[name=guardian_relationship]").fill("Madre")
    form.locator("input[name=guardian_phone]").fill("987654321")
    screenshot(page, "sport-phone-04-new-participant-form")
    page.locator("#add").screenshot(
        path=str(screenshot_dir() / "sport-phone-04b-new-participant-form-only.png")
    )
    # Without the guardian's consent a minor is refused, and nothing is saved.
    form.locator('[data-testid="register-participant"]').click()
    page.wait_for_selector("#light-profile-form .invalid-feedback, #light-profile-form .is-invalid")
    assert not Person.objects.filter(given_names="Valentina").exists()
    form = page.locator("#light-profile-form")
    form.locator("input[name=data_consent]").check()
    form.locator("input[name=image_consent]").check()
    form.locator('[data-testid="register-participant"]').click()
    page.wait_for_selector("#new-participant-box .alert-success")
    valentina = Person.objects.get(given_names="Valentina")
    page.wait_for_selector(f"#p{valentina.pk}.list-group-item-success")
    assert page.locator('[data-testid="tally-present"]').inner_text().split()[0] == "9"
    screenshot(page, "sport-phone-05-attendance-done")

    # What was stored: ten people recorded, nine present, one row each.
    rows = Attendance.objects.filter(session=session)
    assert rows.count() == 10 and rows.filter(present=True).count() == 9
    assert valentina.is_light_profile and valentina.consents.count() == 2

    # The list survives a reload.
    page.reload()
    assert page.locator(".attendance-row.list-group-item-success").count() == 9

    # Back to the group: nine of ten expected came.
    page.click('[data-testid="back-to-group"]')
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="attendance-rate"]').inner_text().strip() == "90 %"
    screenshot(page, "sport-phone-06-group")

    # Valentina's light profile: guardian and consents, nothing of a case file.
    page.get_by_role("link", name="Valentina Rojas Pérez").first.click()
    page.wait_for_load_state("networkidle")
    assert "Yusmary Pérez" in page.locator("body").inner_text()
    screenshot(page, "sport-phone-07-light-profile")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_group_page_on_a_desktop(page, login, screenshot, demo_group):
    group, members, _newcomer = demo_group
    today = timezone.localdate()
    for weeks in range(6, 0, -1):
        session = SportSession.objects.create(
            program=group.program,
            site=group.site,
            group=group,
            date=today - timedelta(days=7 * weeks),
            activity="soccer_clinic",
        )
        for i, person in enumerate(members):
            Attendance.objects.create(
                session=session,
                person=person,
                present=(i + weeks) % 5 != 0 and not (i == 7 and weeks < 5),
                population_type=person.population_type,
            )
    login("facilitator")
    page.goto(f"{page.base_url}/services/sport/groups/{group.pk}/")
    assert page.locator('[data-testid="stopped-coming"]').is_visible()
    screenshot(page, "sport-desktop-group")
    page.goto(f"{page.base_url}/services/sport/")
    screenshot(page, "sport-desktop-groups")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_a_lost_tap_says_so_and_an_ended_session_leads_to_sign_in(phone, demo_group, browser):
    page = phone
    # The cut network, as htmx and the browser report it.
    browser.expect_errors("htmx:sendError", "htmx:afterRequest", "net::ERR_FAILED")
    group, members, _newcomer = demo_group
    session = SportSession.objects.create(
        program=group.program,
        site=group.site,
        group=group,
        date=timezone.localdate(),
        activity="soccer_clinic",
    )
    sign_in(page, "facilitator")
    page.goto(f"{page.base_url}/services/sport/sessions/{session.pk}/")

    # No network: the row says it was not saved; the next tap, with network, saves it.
    page.route("**/mark/**", lambda route: route.abort())
    row(page, members[0]).locator('[data-testid="mark-present"]').click()
    page.wait_for_selector(f"#p{members[0].pk} .attendance-failed")
    assert not Attendance.objects.exists()
    page.unroute("**/mark/**")
    row(page, members[0]).locator('[data-testid="mark-present"]').click()
    page.wait_for_selector(f"#p{members[0].pk}.list-group-item-success")
    assert page.locator(f"#p{members[0].pk} .attendance-failed").count() == 0
    assert Attendance.objects.get().present

    # The session ended: a tap goes to the sign-in page, which comes back to this list.
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()
    row(page, members[1]).locator('[data-testid="mark-present"]').click()
    page.wait_for_url("**/accounts/login/**")
    assert f"next=%2Fservices%2Fsport%2Fsessions%2F{session.pk}%2F" in page.url
    assert Attendance.objects.count() == 1
