"""What ``reception`` shows about a person in ``cases`` (cases/person_records.py): appointments
missed, kept and booked on the person's timeline (the visits themselves stay in reception); and
the rows a merge moves to the surviving record: visits, appointments and reminders."""

from __future__ import annotations

from cases.person_records import TIMELINE_LIMIT, Movable, PersonRecords, TimelineEntry, TimelinePart, register

from .models import Appointment


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
        movable=(Movable("reception.visit"), Movable("reception.appointment"), Movable("reception.reminder")),
    )
)
