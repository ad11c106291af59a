"""A morning at PAO-LS's door: the receptionist checks people in (two with priority, one returning
for an appointment, one registered on the spot), two caseworkers call and serve them from two
browsers, and the waiting-room display shows each call within two seconds, without a name."""

from __future__ import annotations

import time
from datetime import time as clock

import pytest
from django.utils import timezone

from cases.models import Person, Vulnerability
from reception.models import Appointment, Visit
from seeds.demo import ensure_demo_users
from tests.factories import PersonFactory, site

DISPLAY_WITHIN_MS = 2000


@pytest.fixture
def morning(ref):
    users = {u.username: u for u in ensure_demo_users()}
    pao = site("PAO-LS")
    pregnant = PersonFactory(given_names="Daniela", family_names="Mendoza Rojas", site=pao)
    pregnant.vulnerabilities.add(Vulnerability.objects.get(code="pregnant"))
    rosa = PersonFactory(given_names="Rosa", family_names="Quintero León", site=pao)
    Appointment.objects.create(
        person=rosa,
        site=pao,
        area="documentation",
        staff=users["caseworker"],
        date=timezone.localdate(),
        time=clock(8),
    )
    return {
        "site": pao,
        "people": [
            (PersonFactory(given_names="Luis", family_names="Carrasco Peña", site=pao), {}),
            (pregnant, {}),
            (rosa, {}),
            (
                PersonFactory(given_names="Jesús", family_names="Villalobos Ruiz", site=pao),
                {"priority": True},
            ),
        ],
    }


def open_as(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "orienta-demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_load_state("networkidle")
    return context, page


def check_in(page, live_server, person, *, returning=False, priority=False):
    page.goto(f"{live_server.url}/reception/")
    page.fill('[data-testid="desk-search"]', f"{person.given_names} {person.family_names}")
    page.press('[data-testid="desk-search"]', "Enter")
    page.wait_for_load_state("networkidle")
    page.click(f'[data-testid="check-in-{person.pk}"]')
    give_ticket(page, returning=returning, priority=priority)


def give_ticket(page, *, returning=False, priority=False):
    page.check("input[name=area][value=documentation]")
    if returning:
        page.check("input[name=returning]")
    if priority:
        page.check("input[name=manual_priority]")
    page.click('[data-testid="give-ticket"]')
    page.wait_for_load_state("networkidle")
    return page.locator('[data-testid="ticket-number"]').inner_text().strip()


def test_a_morning_at_the_door(browser, live_server, screenshot, morning):
    pao = morning["site"]
    desk_ctx, desk = open_as(browser, live_server, "receptionist")
    for person, extra in morning["people"]:
        check_in(desk, live_server, person, **extra)
    # Someone new: the quick registration, then the ticket.
    desk.goto(f"{live_server.url}/reception/")
    desk.click('[data-testid="quick-register"]')
    desk.fill("input[name=given_names]", "Yorman")
    desk.fill("input[name=family_names]", "Colmenares Díaz")
    desk.select_option("select[name=sex]", "M")
    desk.select_option("select[name=population_type]", "transit")
    desk.click('[data-testid="register-submit"]')
    desk.wait_for_load_state("networkidle")
    give_ticket(desk)
    assert Person.objects.filter(given_names="Yorman", site=pao).exists()
    desk.goto(f"{live_server.url}/reception/?site={pao.pk}")
    screenshot(desk, "reception-desk")

    display_ctx, display = open_as(browser, live_server, "receptionist")
    display.goto(f"{live_server.url}/reception/display/{pao.pk}/")
    display.wait_for_load_state("networkidle")

    expected = list(
        Visit.objects.filter(site=pao)
        .in_line_order()
        .values_list("ticket", "person__given_names", "person_id")
    )
    # Priority first (the pregnant woman, then the one marked at the door), the appointment, walk-ins.
    assert [name for _ticket, name, _pk in expected] == ["Daniela", "Jesús", "Rosa", "Luis", "Yorman"]

    callers = [open_as(browser, live_server, u) for u in ("caseworker", "psychosocial")]
    names = [p.given_names for p, _extra in morning["people"]] + ["Yorman"]
    for turn, (ticket, _name, person_pk) in enumerate(expected):
        _ctx, caller = callers[turn % 2]
        caller.goto(f"{live_server.url}/reception/queue/?site={pao.pk}&area=documentation")
        caller.fill("#queue-desk", str(turn % 2 + 1))  # each caseworker at their desk
        with caller.expect_navigation():
            caller.click('[data-testid="call-next"]')
        called_at = time.monotonic()
        row = display.locator(f'[data-testid="display-calls"] tr[data-ticket="{ticket}"]')
        row.wait_for(timeout=DISPLAY_WITHIN_MS)
        assert time.monotonic() - called_at < DISPLAY_WITHIN_MS / 1000
        assert row.inner_text().split() == [ticket, str(turn % 2 + 1)]
        text = display.locator("main").inner_text()
        assert not [n for n in names if n in text], "a name on the waiting-room display"
        if turn == 0:
            screenshot(display, "reception-display")
            screenshot(caller, "reception-queue")
        with caller.expect_navigation():
            caller.click(f'[data-testid="start-{ticket}"]')
        assert caller.url.endswith(f"/people/{person_pk}/intakes/new/")
        caller.goto(f"{live_server.url}/reception/queue/?site={pao.pk}&area=documentation")
        with caller.expect_navigation():
            caller.click(f'[data-testid="done-{ticket}"]')

    assert set(Visit.objects.filter(site=pao).values_list("status", flat=True)) == {Visit.Status.DONE}
    servers = set(Visit.objects.filter(site=pao).values_list("served_by__username", flat=True))
    assert servers == {"caseworker", "psychosocial"}
    assert Appointment.objects.get(person__given_names="Rosa").status == Appointment.Status.KEPT

    # The coordinator's figures of the day: exactly this morning.
    coord_ctx, coord = open_as(browser, live_server, "coordinator")
    coord.goto(f"{live_server.url}/reception/figures/?site={pao.pk}")
    row = coord.locator(f'[data-row="{timezone.localdate().isoformat()}:PAO-LS:documentation"]')
    figures = {
        col: row.locator(f'[data-col="{col}"]').inner_text().strip()
        for col in ("checked_in", "left", "kept", "missed")
    }
    assert figures == {"checked_in": "5", "left": "0", "kept": "1", "missed": "0"}
    assert float(row.locator('[data-col="wait_p90"]').inner_text().replace(",", ".")) >= float(
        row.locator('[data-col="wait_median"]').inner_text().replace(",", ".")
    )
    screenshot(coord, "reception-figures")
    for context in [desk_ctx, display_ctx, coord_ctx, *[c for c, _p in callers]]:
        context.close()
