"""What ``services.sport`` shows about a person in ``cases`` (cases/person_records.py): sport
attendance on the person's timeline, and the groups and sessions of a coordinator's programs."""

from __future__ import annotations

from cases.person_records import TIMELINE_LIMIT, Movable, PersonRecords, TimelineEntry, TimelinePart, register

from .models import Attendance, GroupParticipant


def _of_programs(program_ids) -> list:
    return [
        GroupParticipant.objects.filter(group__program_id__in=program_ids),
        Attendance.objects.filter(session__program_id__in=program_ids),
    ]


def _timeline(user, person) -> TimelinePart:
    attendance = list(
        Attendance.objects.filter(person=person)
        .select_related("session__program", "session__site", "session__group")
        .order_by("-session__date", "-id")[:TIMELINE_LIMIT]
    )
    return TimelinePart(
        entries=[
            TimelineEntry(
                "attendance", a.session.date, a, (a.recorded_at,), "sport/includes/_timeline_attendance.html"
            )
            for a in attendance
        ]
    )


register(
    PersonRecords(
        name="sport",
        of_programs=_of_programs,
        timeline=_timeline,
        movable=(
            Movable("sport.groupparticipant", unique_with=("group",), program="group__program"),
            Movable("sport.attendance", unique_with=("session",), program="session__program"),
        ),
    )
)
