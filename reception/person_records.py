"""What ``reception`` shows about a person in ``cases`` (cases/person_records.py): appointments
missed, kept and booked on the person's timeline (the visits themselves stay in reception); the
booked appointments and a place in today's line, still open when a case is closed; and the
check-ins and appointments recorded after a case was closed; and the rows a merge moves to the
surviving record: visits, appointments and reminders."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases.person_records import (
    TIMELINE_LIMIT,
    CaseItem,
    Movable,
    PersonRecords,
    TimelineEntry,
    TimelinePart,
    register,
)

from .models import Appointment, Visit

# At most this many items of each kind in what closing a case shows, and in the notice of activity.
CASE_ITEMS_LIMIT = 20


def _appointment_item(appointment) -> CaseItem:
    return CaseItem(
        key=f"appointment:{appointment.pk}",
        kind=_("Appointment"),
        text=_("%(area)s at %(site)s, %(time)s")
        % {
            "area": appointment.get_area_display(),
            "site": appointment.site.name,
            "time": formats.time_format(appointment.time, "TIME_FORMAT"),
        },
        day=appointment.date,
    )


def _visit_item(visit) -> CaseItem:
    return CaseItem(
        key=f"visit:{visit.pk}",
        kind=_("Check-in at reception"),
        text=_("Ticket %(ticket)s at %(site)s (%(status)s)")
        % {
            "ticket": visit.ticket,
            "site": visit.site.name,
            "status": visit.get_status_display(),
        },
        day=visit.day,
    )


def _open_items(user, person) -> list[CaseItem]:
    today = timezone.localdate()
    appointments = (
        Appointment.objects.booked()
        .filter(person=person, date__gte=today)
        .select_related("site")
        .order_by("date", "time", "pk")[:CASE_ITEMS_LIMIT]
    )
    visits = (
        Visit.objects.filter(person=person, day=today, status__in=Visit.OPEN_STATUSES)
        .select_related("site")
        .order_by("pk")[:CASE_ITEMS_LIMIT]
    )
    return [_appointment_item(a) for a in appointments] + [_visit_item(v) for v in visits]


def _activity_since(user, person, since) -> list[CaseItem]:
    visits = (
        Visit.objects.filter(person=person, arrived_at__gt=since)
        .select_related("site")
        .order_by("arrived_at", "pk")[:CASE_ITEMS_LIMIT]
    )
    appointments = (
        Appointment.objects.filter(person=person, created_at__gt=since)
        .select_related("site")
        .order_by("created_at", "pk")[:CASE_ITEMS_LIMIT]
    )
    return [_visit_item(v) for v in visits] + [_appointment_item(a) for a in appointments]


def _timeline(user, person) -> TimelinePart:
    appointments = list(
        Appointment.objects.filter(
            person=person,
            status__in=[Appointment.Status.MISSED, Appointment.Status.KEPT, Appointment.Status.BOOKED],
        )
        .select_related("site", "staff")
        .order_by("-date", "-time", "-pk")[:TIMELINE_LIMIT]
    )
    return TimelinePart(
        entries=[
            TimelineEntry(
                "appointment", a.date, a, (a.created_at,), "reception/includes/_timeline_appointment.html"
            )
            for a in appointments
        ]
    )


register(
    PersonRecords(
        name="reception",
        timeline=_timeline,
        open_items=_open_items,
        activity_since=_activity_since,
        movable=(Movable("reception.visit"), Movable("reception.appointment"), Movable("reception.reminder")),
    )
)
