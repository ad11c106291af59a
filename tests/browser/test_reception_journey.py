"""A morning at PAO-LS's door: the receptionist checks ten people in (two with priority, two
returning for an appointment, two registered on the spot), two caseworkers call and serve them from
two browsers, the waiting-room display shows each call within two seconds, without a name, and the
coordinator's dashboard and figures show exactly this morning."""

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
    booked = []
    for given, family, staff, hour in [
        ("Rosa", "Quintero León", "caseworker", 8),
        ("Marta", "Salcedo Urdaneta", "psychosocial", 9),
    ]:
        person = PersonFactory(given_names=given, family_names=family, site=pao)
        Appointment.objects.create(
            person=person,
            site=pao,
            area="documentation",
            staff=users[staff],
            date=timezone.localdate(),
            time=clock(hour),
        )
        booked.append(person)

    def walk_in(given, family):
        return PersonFactory(given_names=given, family_names=family, site=pao)

    return {
        "site": pao,
        # In the order they arrive.
        "people": [
            (walk_in("Luis", "Carrasco Peña"), {}),
            (pregnant, {}),
            (booked[0], {}),
            (walk_in("Jesús", "Villalobos Ruiz"), {"priority": True}),
            (walk_in("Carmen", "Briceño Lara"), {}),
            (booked[1], {}),
            (walk_in("Pedro", "Guaramato Silva"), {}),
            (walk_in("Elena", "Pacheco Ortiz"), {}),
        ],
        # Registered at the door: (given names, family names, language for messages).
        "new": [("Yorman", "Colmenares Díaz", "es"), ("Andreína", "Tovar Arismendi", "en")],
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
    page.click(f'[data-testid="check-in-{person.pk}"]')  # waits for the results
    give_ticket(page, returning=returning, priority=priority)


def give_ticket(page, *, returning=False, priority=False):
    page.check("input[name=area][value=documentation]")
    if returning:
        page.check("input[name=returning]")
    if priority:
        page.check("input[name=manual_priority]")
    page.click('[data-testid="give-ticket"]')
    return page.locator('[data-testid="ticket-number"]').inner_text().strip()  # waits for the ticket


def register_at_the_door(page, live_server, given, family, language):
    page.goto(f"{live_server.url}/reception/")
    page.click('[data-testid="quick-register"]')
    page.fill("input[name=given_names]", given)
    page.fill("input[name=family_names]", family)
    page.select_option("select[name=sex]", "M" if given == "Yorman" else "F")
    page.select_option("select[name=population_type]", "transit")
    page.select_option("select[name=message_language]", language)
    page.click('[data-testid="register-submit"]')
    page.wait_for_selector("input[name=area][value=documentation]")  # the check-in form
    return give_ticket(page)


def test_a_morning_at_the_door(browser, live_server, screenshot, morning):
    pao = morning["site"]
    desk_ctx, desk = open_as(browser, live_server, "receptionist")
    for person, extra in morning["people"]:
        check_in(desk, live_server, person, **extra)
    # Two people new to Orienta: the quick registration, then the ticket.
    for given, family, language in morning["new"]:
        register_at_the_door(desk, live_server, given, family, language)
    assert dict(
        Person.objects.filter(given_names__in=["Yorman", "Andreína"], site=pao).values_list(
            "given_names", "message_language"
        )
    ) == {"Yorman": "es", "Andreína": "en"}
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
    # Priority first (the pregnant woman, then the one marked at the door), the two appointments,
    # then the walk-ins in the order they arrived.
    assert [name for _ticket, name, _pk in expected] == [
        "Daniela",
        "Jesús",
        "Rosa",
        "Marta",
        "Luis",
        "Carmen",
        "Pedro",
        "Elena",
        "Yorman",
        "Andreína",
    ]

    callers = [open_as(browser, live_server, u) for u in ("caseworker", "psychosocial")]
    names = [p.given_names for p, _extra in morning["people"]] + [g for g, _f, _l in morning["new"]]
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

    # The display and the queues poll the server: closed before the coordinator looks (and before
    # the test database is emptied, which a poll in flight would find locked on SQLite).
    for context in [display_ctx, *[c for c, _p in callers]]:
        context.close()
    assert set(Visit.objects.filter(site=pao).values_list("status", flat=True)) == {Visit.Status.DONE}
    servers = set(Visit.objects.filter(site=pao).values_list("served_by__username", flat=True))
    assert servers == {"caseworker", "psychosocial"}
    assert set(Appointment.objects.values_list("person__given_names", "status")) == {
        ("Rosa", Appointment.Status.KEPT),
        ("Marta", Appointment.Status.KEPT),
    }

    # The coordinator's figures of the day: exactly this morning.
    today = timezone.localdate()
    coord_ctx, coord = open_as(browser, live_server, "coordinator")
    coord.goto(f"{live_server.url}/reports/?program=PAO&month={today:%Y-%m}")
    panel = coord.locator('[data-testid="reception-panel"]')
    shown = {
        key: panel.locator(f'[data-reception="{key}"]').inner_text().strip()
        for key in ("checked_in", "left", "kept", "missed")
    }
    assert shown == {"checked_in": "10", "left": "0", "kept": "2", "missed": "0"}
    waits = [
        float(panel.locator(f'[data-reception="{key}"]').inner_text().replace(",", "."))
        for key in ("wait_median", "wait_p90")
    ]
    assert 0 <= waits[0] <= waits[1] < 10  # minutes: this morning's waits took seconds
    assert panel.locator("canvas[data-chart-reception]").is_visible()
    screenshot(coord, "reception-dashboard-panel")
    with coord.expect_navigation():
        panel.locator('[data-testid="reception-panel-link"]').click()
    row = coord.locator(f'[data-row="{today.isoformat()}:PAO-LS:documentation"]')
    figures = {
        col: row.locator(f'[data-col="{col}"]').inner_text().strip()
        for col in ("checked_in", "left", "kept", "missed")
    }
    assert figures == {"checked_in": "10", "left": "0", "kept": "2", "missed": "0"}
    assert float(row.locator('[data-col="wait_p90"]').inner_text().replace(",", ".")) >= float(
        row.locator('[data-col="wait_median"]').inner_text().replace(",", ".")
    )
    screenshot(coord, "reception-figures")
    for context in [desk_ctx, coord_ctx]:
        context.close()
