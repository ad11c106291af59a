"""A person's case status: open (everyone starts open), closed with a reason, reopened.

Each change is a ``CaseStatusChange`` row (who, when, from, to, reason, note): the story of the case
on the person page, and in the change history with the person's own ``case_status``. Closing
first shows what is still open for the person (``selectors.case_open_items``: open referrals,
booked appointments, from the apps above through cases/person_records.py); the caseworker confirms
having seen it. Closed cases leave the working lists but stay searchable; the figures count
contacts, not cases, and do not change. Nothing reopens a case by itself: a check-in or a service
for a closed person shows a notice on the person page, and a caseworker reopens it. See
docs/case-status.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orientation import roles
from orientation.actions import save_audited
from orientation.selectors import site_ids_visible_to

from .models import CaseStatus, CaseStatusChange, Person
from .selectors.case_status import case_open_items


class OpenItemsChanged(ValidationError):
    """Something was opened for the person (or closed) since the closing page was shown."""


def _locked_for_change(*, user, person: Person) -> Person:
    """The person, locked (two changes of one case wait for each other), if this user may change
    the case: case staff of the person's site (an admin anywhere). Another site's person is not
    closed or reopened from a look after breaking the glass."""
    locked = Person.objects.select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise ValidationError(_("This person's record no longer exists."))
    if not roles.has_role(user, roles.ADMIN) and locked.site_id not in site_ids_visible_to(user):
        raise PermissionDenied
    if locked.merged_into_id is not None or locked.anonymized_at is not None:
        raise ValidationError(_("This record was merged or anonymized: its case cannot change."))
    return locked


def _status_change(*, user, person: Person, change: CaseStatusChange, reason: str) -> CaseStatusChange:
    save_audited(change, user=user)
    person.case_status = change.to_status
    save_audited(
        person, user=user, reason=reason, update_fields=["case_status", "updated_at"], validate=False
    )
    return change


@transaction.atomic
def case_close(
    *,
    user,
    person: Person,
    reason: str,
    reason_other: str = "",
    note: str = "",
    items_seen: Iterable[str] | None = None,
) -> CaseStatusChange:
    """Close the person's case with a reason (``CaseStatusChange.Reason``; "other" needs a short
    text). ``items_seen``: the keys of the open items the caseworker was shown; when something
    else is open now, nothing is closed (``OpenItemsChanged``) and the page shows the list again.
    None skips that check (a command, a test)."""
    roles.require(user, roles.CASE_WORKERS)
    person = _locked_for_change(user=user, person=person)
    if person.case_status == CaseStatus.CLOSED:
        raise ValidationError(_("The case is already closed."))
    if items_seen is not None:
        current = {item.key for item in case_open_items(user, person)}
        if not current <= set(items_seen):
            raise OpenItemsChanged(
                _(
                    "Something was opened for this person while you were closing the case: check the list again."
                )
            )
    change = CaseStatusChange(
        person=person,
        from_status=CaseStatus.OPEN,
        to_status=CaseStatus.CLOSED,
        reason=reason or "",
        reason_other=reason_other or "",
        note=(note or "").strip(),
        changed_by=user,
    )
    return _status_change(user=user, person=person, change=change, reason="case closed")


@transaction.atomic
def case_reopen(*, user, person: Person, note: str = "") -> CaseStatusChange:
    """Reopen a closed case (back to open), with an optional note."""
    roles.require(user, roles.CASE_WORKERS)
    person = _locked_for_change(user=user, person=person)
    if person.case_status != CaseStatus.CLOSED:
        raise ValidationError(_("The case is already open."))
    change = CaseStatusChange(
        person=person,
        from_status=CaseStatus.CLOSED,
        to_status=CaseStatus.OPEN,
        note=(note or "").strip(),
        changed_by=user,
    )
    return _status_change(user=user, person=person, change=change, reason="case reopened")
