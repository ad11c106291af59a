"""Appointments: booked with a staff member of the site, shown on day and week agendas, moved and
cancelled; arriving for one puts the person ahead of walk-ins; a daily job marks missed ones, which
show on the person's timeline."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reception import actions
from reception.models import Appointment, Visit
from reception.selectors import reception_line
from tests.factories import PersonFactory, site

from .conftest import check_in, key_in

TOMORROW = timezone.localdate() + timedelta(days=1)


def book(user, person, staff, *, day=TOMORROW, at=time(10, 0), area="documentation"):
    return actions.appointment_book(
        user=user, person=person, site=person.site, area=area, staff=staff, day=day, time=at
    )


def test_booking_needs_a_staff_member_of_the_site_a_free_slot_and_a_future_time(
    ref, receptionist, caseworker, caseworker_north, make_user
):
    person = PersonFactory()
    appointment = book(receptionist, person, caseworker)
    assert (appointment.status, appointment.booked_by) == (Appointment.Status.BOOKED, receptionist)
    assert appointment.history.get().history_user == receptionist
    with pytest.raises(ValidationError, match="already has an appointment"):
        book(receptionist, PersonFactory(), caseworker)
    with pytest.raises(ValidationError) as error:
        book(receptionist, person, caseworker_north, at=time(11, 0))
    assert "staff" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        book(receptionist, person, caseworker, day=timezone.localdate() - timedelta(days=1))
    assert "date" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        book(make_user("facilitator"), person, caseworker, at=time(12, 0))
    assert Appointment.objects.count() == 1


def test_the_booking_page_books_once_and_leads_to_the_agenda(ref, client, receptionist, caseworker):
    person = PersonFactory()
    client.force_login(receptionist)
    url = reverse("reception:appointment_book", args=[person.pk])
    body = {
        "submission_key": key_in(client.get(url)),
        "site": person.site_id,
        "area": "psychosocial",
        "staff": caseworker.pk,
        "day": TOMORROW.strftime("%d/%m/%Y"),
        "time": "09:30",
    }
    first = client.post(url, body)
    second = client.post(url, body)
    appointment = Appointment.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert (appointment.area, appointment.time, appointment.date) == ("psychosocial", time(9, 30), TOMORROW)
    bad = client.post(url, {**body, "submission_key": "", "day": "31/02/2025"})
    assert bad.status_code == 200 and Appointment.objects.count() == 1


def test_arriving_for_an_appointment_puts_the_person_ahead_of_walk_ins(ref, client, receptionist, caseworker):
    now = timezone.localtime()
    walk_in = check_in(receptionist, PersonFactory(given_names="Early"), now=now - timedelta(minutes=30))
    person = PersonFactory(given_names="Booked")
    appointment = Appointment.objects.create(
        person=person,
        site=person.site,
        area="psychosocial",
        staff=caseworker,
        date=now.date(),
        time=time(8, 0),
    )
    client.force_login(receptionist)
    url = reverse("reception:check_in", args=[person.pk])
    page = client.get(url).content.decode()
    radios = re.findall(r'<input[^>]*name="appointment"[^>]*>', page)
    offered = [r for r in radios if f'value="{appointment.pk}"' in r]
    assert len(offered) == 1 and " checked" in offered[0]
    client.post(url, {"site": person.site_id, "appointment": appointment.pk})
    visit = Visit.objects.get(person=person)
    appointment.refresh_from_db()
    assert (visit.area, visit.rank, visit.returning, visit.appointment) == (
        "psychosocial",
        Visit.Rank.APPOINTMENT,
        True,
        appointment,
    )
    assert appointment.status == Appointment.Status.KEPT
    walk_in.area = "psychosocial"
    walk_in.save()
    line = list(reception_line(site("PAO-LS"), day=now.date(), area="psychosocial"))
    assert line == [visit, walk_in]


def test_an_appointment_of_another_day_or_person_is_not_checked_in(ref, receptionist, caseworker):
    person = PersonFactory()
    tomorrow = book(receptionist, person, caseworker)
    with pytest.raises(ValidationError):
        check_in(receptionist, person, appointment=tomorrow)
    other = Appointment.objects.create(
        person=PersonFactory(),
        site=person.site,
        area="other",
        staff=caseworker,
        date=timezone.localdate(),
        time=time(9),
    )
    with pytest.raises(ValidationError):
        check_in(receptionist, person, appointment=other)
    assert not Visit.objects.exists()


def test_reschedule_keeps_the_old_one_and_books_the_new_one(
    ref, client, receptionist, caseworker, psychosocial
):
    appointment = book(receptionist, PersonFactory(), caseworker)
    client.force_login(receptionist)
    response = client.post(
        reverse("reception:appointment_reschedule", args=[appointment.pk]),
        {
            "staff": psychosocial.pk,
            "day": (TOMORROW + timedelta(days=1)).strftime("%d/%m/%Y"),
            "time": "15:00",
        },
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    new = appointment.rescheduled_to
    assert appointment.status == Appointment.Status.RESCHEDULED
    assert (new.status, new.staff, new.time, new.area) == (
        Appointment.Status.BOOKED,
        psychosocial,
        time(15),
        "documentation",
    )
    # The slot it left is free again.
    assert book(receptionist, PersonFactory(), caseworker).status == Appointment.Status.BOOKED
    with pytest.raises(ValidationError):
        actions.appointment_reschedule(
            user=receptionist, appointment=appointment, staff=caseworker, day=TOMORROW, time=time(16)
        )


def test_cancel(ref, client, receptionist, caseworker):
    appointment = book(receptionist, PersonFactory(), caseworker)
    client.force_login(receptionist)
    client.post(reverse("reception:appointment_cancel", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    response = client.post(reverse("reception:appointment_cancel", args=[appointment.pk]), follow=True)
    assert "Only a booked appointment can be cancelled." in response.content.decode()


def test_the_daily_job_marks_missed_appointments_once(ref, receptionist, caseworker):
    today = timezone.localdate()
    person = PersonFactory()
    make = lambda day, status="booked", at=time(9): Appointment.objects.create(  # noqa: E731
        person=person,
        site=person.site,
        area="documentation",
        staff=caseworker,
        date=day,
        time=at,
        status=status,
    )
    missed = make(today - timedelta(days=1))
    older = make(today - timedelta(days=8), at=time(10))
    kept = make(today - timedelta(days=1), status="kept", at=time(11))
    cancelled = make(today - timedelta(days=2), status="cancelled")
    todays = make(today, at=time(12))
    from reception.tasks import appointments_mark_missed_task

    assert appointments_mark_missed_task.apply(kwargs={"today": today.isoformat()}).get() == {"missed": 2}
    assert appointments_mark_missed_task.apply(kwargs={"today": today.isoformat()}).get() == {"missed": 0}
    statuses = {a.pk: a.status for a in Appointment.objects.all()}
    assert statuses == {
        missed.pk: "missed",
        older.pk: "missed",
        kept.pk: "kept",
        cancelled.pk: "cancelled",
        todays.pk: "booked",
    }
    assert missed.history.latest().history_change_reason == "missed"


def test_the_daily_job_skips_while_another_run_holds_the_lock(ref):
    from django.core.cache import cache

    from reception.tasks import MISSED_LOCK, appointments_mark_missed_task

    cache.add(MISSED_LOCK, "1", 60)
    try:
        assert appointments_mark_missed_task.apply().get() == {"skipped": 1}
    finally:
        cache.delete(MISSED_LOCK)


def test_a_missed_appointment_is_on_the_persons_timeline(ref, client, receptionist, caseworker):
    person = PersonFactory()
    Appointment.objects.create(
        person=person,
        site=person.site,
        area="documentation",
        staff=caseworker,
        date=timezone.localdate() - timedelta(days=3),
        time=time(9, 15),
    )
    actions.appointments_mark_missed()
    client.force_login(caseworker)
    html = client.get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    assert 'data-testid="timeline-appointment"' in html and "Missed appointment" in html and "09:15" in html


def test_the_agenda_by_day_week_and_staff_member(ref, client, receptionist, caseworker, psychosocial):
    monday = TOMORROW - timedelta(days=TOMORROW.weekday()) + timedelta(days=7)
    book(receptionist, PersonFactory(given_names="Lunes"), caseworker, day=monday)
    book(receptionist, PersonFactory(given_names="Miercoles"), psychosocial, day=monday + timedelta(days=2))
    client.force_login(receptionist)
    url = reverse("reception:agenda")
    day = client.get(url, {"day": monday.isoformat()}).content.decode()
    assert "Lunes" in day and "Miercoles" not in day
    week = client.get(url, {"day": monday.isoformat(), "view": "week"}).content.decode()
    assert "Lunes" in week and "Miercoles" in week
    mine = client.get(
        url, {"day": monday.isoformat(), "view": "week", "staff": psychosocial.pk}
    ).content.decode()
    assert "Lunes" not in mine and "Miercoles" in mine
    empty = client.get(url, {"day": "not-a-day", "view": "week", "staff": "x"})
    assert empty.status_code == 200


@pytest.mark.parametrize("rows", [1, 6])
def test_the_agenda_queries_do_not_grow_with_rows(
    ref, client, receptionist, caseworker, psychosocial, page_queries, rows
):
    for i in range(rows):
        book(receptionist, PersonFactory(), caseworker if i % 2 else psychosocial, at=time(8 + i, 0))
    client.force_login(receptionist)
    response = page_queries(client, reverse("reception:agenda") + f"?day={TOMORROW.isoformat()}", 10)
    assert response.content.decode().count("/reschedule/") == rows
