"""Reads of a person's case status (cases/case_status.py): its story, what is still open before
closing it, and what was recorded after it was closed."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from .. import person_records
from ..models import CaseStatus, CaseStatusChange, Intake, Person
from ..person_records import CaseItem

# At most this many of each kind in the notice of activity after closing.
CASE_ITEMS_LIMIT = 20


def case_status_changes(person: Person) -> list[CaseStatusChange]:
    """The person's case status changes, newest first (one query)."""
    return list(person.case_status_changes.select_related("changed_by").order_by("-changed_at", "-pk"))


def case_last_closing(changes: list[CaseStatusChange]) -> CaseStatusChange | None:
    """The row that closed the case, if its last change closed it (``changes`` newest first)."""
    if changes and changes[0].to_status == CaseStatus.CLOSED:
        return changes[0]
    return None


def case_open_items(user, person: Person) -> list[CaseItem]:
    """What is still open for the person in every app (open referrals, booked appointments, a
    place in today's line), shown before a case is closed."""
    return person_records.open_items(user, person)


def case_activity_since(user, person: Person, since: datetime) -> list[CaseItem]:
    """What was recorded for the person after ``since`` (the case's closing): intakes here, and
    check-ins, services, referrals and appointments in the apps above."""
    intakes = [
        CaseItem(
            key=f"intake:{i.pk}",
            kind=_("Intake"),
            text=i.site.name,
            day=i.date,
        )
        for i in Intake.objects.filter(person=person, created_at__gt=since)
        .select_related("site")
        .order_by("created_at", "pk")[:CASE_ITEMS_LIMIT]
    ]
    return intakes + person_records.activity_since(user, person, since)
