"""Two records of one person joined into one (a merge), and a merge undone (an unmerge).

A merge keeps one record, the survivor, with the values chosen field by field where the two
differ; documents, consents, vulnerabilities and the household are combined. Every row that
belongs to the other record moves to the survivor: those of ``cases`` (``CASES_MOVABLE``: documents,
statuses, consents, intakes, notes, plan actions) and those
each app above declares in its ``person_records.py`` (``Movable``: direct services and with them
psychosocial sessions, referrals, group memberships, attendance, ARCO requests). The other record
stays as a tombstone (``merged_into``): its page and its ``ref`` lead to the survivor.

What the merge changed is stored in its ``PersonMerge`` (``undo``), so an admin can undo it within
``MERGE_UNDO_DAYS`` and find both records exactly as they were. See docs/merge.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from orientation import roles
from orientation.actions import access_log_record, save_audited
from orientation.dates import first_of_month
from orientation.models import AccessLog
from orientation.outbox import enqueue

from . import person_records
from .models import CaseStatus, DuplicateDismissal, Person, PersonMerge, survivor_value
from .person_records import Movable
from .selectors.duplicates import _review_base

# The fields chosen one by one where the two records differ, in the order the page shows them.
MERGE_FIELDS = [
    "given_names",
    "family_names",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "nationality",
    "population_type",
    "phone",
    "district",
    "arrived_on",
    "registered_on",
    "school",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
]
SURVIVOR, MERGED = "survivor", "merged"

# The rows of cases itself that belong to a person; the apps above declare theirs.
CASES_MOVABLE = (
    Movable("cases.identitydocument"),
    Movable("cases.regularizationstatus"),
    Movable("cases.consent"),
    Movable("cases.intake"),
    Movable("cases.casenote"),
    Movable("cases.casestatuschange"),
    # The case plan (docs/case-plan.md): its actions follow their person, and the intakes whose
    # needs they answer move with them.
    Movable("cases.planaction"),
)

FIGURES_TASK = "reports.tasks.monthly_figures_fill_task"


def merge_movables() -> list[Movable]:
    return [*CASES_MOVABLE, *person_records.movables()]


def merge_fields_differing(first: Person, second: Person) -> list[str]:
    """The chosen fields whose values differ between the two records."""
    fields = [Person._meta.get_field(name) for name in MERGE_FIELDS]
    return [f.name for f in fields if getattr(first, f.attname) != getattr(second, f.attname)]


def merge_undo_deadline(merge: PersonMerge):
    return merge.merged_at + timedelta(days=settings.MERGE_UNDO_DAYS)


def merge_undoable(merge: PersonMerge) -> bool:
    return merge.unmerged_at is None and timezone.now() <= merge_undo_deadline(merge)


class _ExactEncoder(DjangoJSONEncoder):
    """Times to the microsecond (Django's JSON keeps milliseconds): an unmerge restores exactly."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _serialize(obj) -> str:
    return json.dumps(serializers.serialize("python", [obj]), cls=_ExactEncoder)


def _deserialize(text: str):
    return next(iter(serializers.deserialize("python", json.loads(text), ignorenonexistent=True)))


def _pair(first_id: int, second_id: int) -> tuple[int, int]:
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)


@transaction.atomic
def duplicate_pair_dismiss(*, user, first: Person, second: Person) -> DuplicateDismissal:
    """ "Not the same person": the pair never comes back in the review. Saying it twice is saying
    it once."""
    roles.require(user, roles.CASE_WORKERS)
    first_id, second_id = _pair(first.pk, second.pk)
    dismissal = DuplicateDismissal.objects.filter(first_id=first_id, second_id=second_id).first()
    if dismissal is None:
        dismissal = DuplicateDismissal(first_id=first_id, second_id=second_id, dismissed_by=user)
        save_audited(dismissal, user=user, reason="not the same person")
    return dismissal


def _lock_pair(first_id: int, second_id: int) -> dict[int, Person]:
    """Both people locked, the lower id first: two merges of the same pair (or of pairs sharing a
    person) wait for each other instead of deadlocking."""
    ids = sorted({first_id, second_id})
    return {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


# Django's select_for_update has no FOR KEY SHARE: the two locking reads of people_lock_for_events.
_HOLD_BY_REF = "SELECT id, merged_into_id FROM cases_person WHERE ref = ANY(%s) ORDER BY id FOR KEY SHARE"
_HOLD_BY_ID = "SELECT id, merged_into_id FROM cases_person WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE"


def people_lock_for_events(refs: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The people an import names by ``ref``, held until its transaction ends, each as the record
    its events go to: ``ref`` → (the survivor's id, the survivor's population type).

    A merge locks both records ``FOR UPDATE`` (``_lock_pair``); this takes ``FOR KEY SHARE`` on
    the records named and on those they were merged into, which waits for a merge in progress and
    makes a merge wait for the import. So an import and a merge of one of its people never
    interleave: either the merge committed first and the events go to the survivor, or the import
    commits first and the merge moves its events with the rest. ``FOR KEY SHARE`` does not block a
    person's ordinary edits or another import (the lock an event's foreign key takes anyway).
    SQLite has one writer at a time: there nothing needs holding."""
    refs = sorted(set(refs))
    if connection.vendor == "postgresql" and refs:
        with connection.cursor() as cursor:
            for _attempt in range(10):
                # A locking read that waited returns the row as the merge left it.
                cursor.execute(_HOLD_BY_REF, [refs])
                survivors = sorted({merged_into for _pk, merged_into in cursor.fetchall() if merged_into})
                if not survivors:
                    break
                cursor.execute(_HOLD_BY_ID, [survivors])
                if not any(merged_into for _pk, merged_into in cursor.fetchall()):
                    break  # no survivor was merged in turn meanwhile: the chain is held
    return {
        ref: (pk, population_type)
        for ref, pk, population_type in Person.objects.filter(ref__in=refs).values_list(
            "ref", survivor_value("pk"), survivor_value("population_type")
        )
    }


def _program_ids(person_id: int) -> set[int]:
    """The programs of every event the person has (the figures to recompute)."""
    found: set[int] = set()
    for movable in merge_movables():
        if movable.program:
            model = apps.get_model(movable.label)
            found |= set(
                model.objects.filter(person_id=person_id)
                .order_by()
                .values_list(f"{movable.program}_id", flat=True)
                .distinct()
            )
    return found


def _figures_recompute(program_ids: set[int]) -> None:
    """Queue the recomputation of the figures of each program: the events moved are noted by the
    database (docs/counting.md "Late writes"), and the computation recomputes every month they
    change, listing on the dashboard what moved."""
    month = first_of_month(timezone.localdate()).isoformat()
    for program_id in sorted(program_ids):
        enqueue(FIGURES_TASK, program_id=program_id, months=[month], recompute=True, trigger="late")


def _move_rows(movable: Movable, *, from_id: int, to_id: int, user, reason: str, undo: dict) -> None:
    model = apps.get_model(movable.label)
    rows = list(model.objects.filter(person_id=from_id).order_by("pk"))
    if not rows:
        return
    if movable.unique_with:
        taken = set(model.objects.filter(person_id=to_id).values_list(*movable.unique_with))
        attnames = [model._meta.get_field(name).attname for name in movable.unique_with]
        keep = []
        for row in rows:
            if tuple(getattr(row, a) for a in attnames) in taken:
                # The survivor already has this one (both in the same group or session).
                undo["removed"].append(_serialize(row))
                row._history_user = user
                row._change_reason = reason
                row.delete()
            else:
                keep.append(row)
        rows = keep
    for row in rows:
        row.person_id = to_id
    if rows:
        bulk_update_with_history(rows, model, ["person"], default_user=user, default_change_reason=reason)
        undo["moved"].setdefault(movable.label, []).extend(row.pk for row in rows)


@transaction.atomic
def person_merge(
    *, user, survivor_id: int, merged_id: int, keep: dict[str, str] | None = None, request=None
) -> PersonMerge:
    """Join the record ``merged_id`` into ``survivor_id``. ``keep``: for each of ``MERGE_FIELDS``
    that differ, whose value to keep (``SURVIVOR``, the default, or ``MERGED``).

    Both records must be at the user's sites (a case worker's own; any for an admin) and neither
    merged already: the second of two merges of one pair finds it done and is refused."""
    roles.require(user, roles.CASE_WORKERS)
    if survivor_id == merged_id:
        raise ValidationError(_("A record cannot be merged with itself."))
    locked = _lock_pair(survivor_id, merged_id)
    if len(locked) != 2:
        raise ValidationError(_("One of the two records no longer exists."))
    if _review_base(user).filter(pk__in=locked).count() != 2:
        # archived, anonymized or merged meanwhile, or not the user's to merge
        if any(p.merged_into_id for p in locked.values()):
            raise ValidationError(_("These records were already merged."))
        raise PermissionDenied
    survivor, merged = locked[survivor_id], locked[merged_id]
    keep = keep or {}
    reason = f"merge of {merged.pk} into {survivor.pk}"
    undo: dict = {
        "survivor": _serialize(survivor),
        "merged": _serialize(merged),
        "moved": {},
        "removed": [],
        "tombstones": [],
    }
    for name in merge_fields_differing(survivor, merged):
        if keep.get(name) == MERGED:
            attname = Person._meta.get_field(name).attname
            setattr(survivor, attname, getattr(merged, attname))
    # Combined, not chosen.
    if survivor.household_id is None and merged.household_id is not None:
        survivor.household_id, survivor.relationship = merged.household_id, merged.relationship
    if survivor.is_light_profile and not merged.is_light_profile:
        survivor.is_light_profile = False
    # The case stays open if either record's is (both records' status changes move with the rest).
    if merged.case_status == CaseStatus.OPEN:
        survivor.case_status = CaseStatus.OPEN
    for movable in merge_movables():
        _move_rows(movable, from_id=merged.pk, to_id=survivor.pk, user=user, reason=reason, undo=undo)
    added = set(merged.vulnerabilities.values_list("pk", flat=True)) - set(
        survivor.vulnerabilities.values_list("pk", flat=True)
    )
    # Older tombstones of the merged record now lead to the survivor.
    for tombstone in Person.objects.filter(merged_into=merged):
        undo["tombstones"].append(tombstone.pk)
        tombstone.merged_into = survivor
        save_audited(tombstone, user=user, reason=reason, validate=False)
    try:
        save_audited(survivor, user=user, reason=reason)
    except ValidationError as error:
        raise ValidationError(
            _("The values chosen do not fit together: %(errors)s")
            % {"errors": " ".join(str(m) for messages in error.message_dict.values() for m in messages)}
        ) from error
    if added:
        survivor.vulnerabilities.add(*added)
    merged.merged_into = survivor
    merged.archived_at = timezone.now()
    merged.archive_reason = f"Merged into {survivor.ref or survivor.pk}"[:300]
    save_audited(merged, user=user, reason=reason, validate=False)
    merge = PersonMerge(survivor=survivor, merged=merged, merged_by=user, undo=undo)
    save_audited(merge, user=user, reason=reason)
    for person in (survivor, merged):
        access_log_record(user=user, action=AccessLog.Action.MERGE, obj=person, request=request)
    _figures_recompute(_program_ids(survivor.pk))
    return merge


def _restore(text: str, *, user, reason: str):
    """A row as it was serialized, saved back with its own id (its many-to-many values too)."""
    restored = _deserialize(text)
    obj = restored.object
    save_audited(obj, user=user, reason=reason, validate=False)
    for name, values in (restored.m2m_data or {}).items():
        getattr(obj, name).set(values)
    return obj


@transaction.atomic
def person_unmerge(*, user, merge_id: int, request=None) -> PersonMerge:
    """Undo a merge (an admin, within ``MERGE_UNDO_DAYS``): both records as they were before it,
    the rows it moved back on the merged record, the rows it removed back."""
    roles.require(user, roles.ADMIN)
    merge = PersonMerge.objects.select_for_update().filter(pk=merge_id).first()
    if merge is None:
        raise ValidationError(_("This merge does not exist."))
    if merge.unmerged_at is not None:
        raise ValidationError(_("This merge was already undone."))
    if not merge_undoable(merge):
        raise ValidationError(
            _("A merge can be undone only within %(days)s days.") % {"days": settings.MERGE_UNDO_DAYS}
        )
    if not merge.undo:
        raise ValidationError(_("This merge can no longer be undone: the person's data was anonymized."))
    locked = _lock_pair(merge.survivor_id, merge.merged_id)
    survivor = locked[merge.survivor_id]
    if survivor.merged_into_id is not None:
        raise ValidationError(_("The surviving record was merged again since: undo that merge first."))
    undo = merge.undo
    reason = f"unmerge of {merge.merged_id} from {merge.survivor_id}"
    for label, pks in undo["moved"].items():
        model = apps.get_model(label)
        rows = list(model.objects.filter(pk__in=pks, person_id=merge.survivor_id))
        for row in rows:
            row.person_id = merge.merged_id
        if rows:
            bulk_update_with_history(rows, model, ["person"], default_user=user, default_change_reason=reason)
    _restore(undo["survivor"], user=user, reason=reason)
    _restore(undo["merged"], user=user, reason=reason)
    for text in undo["removed"]:
        try:
            with transaction.atomic():
                _restore(text, user=user, reason=reason)
        except IntegrityError:
            # its group or session was deleted since: nothing to put it back in
            continue
    for tombstone in Person.objects.filter(pk__in=undo["tombstones"]):
        tombstone.merged_into_id = merge.merged_id
        save_audited(tombstone, user=user, reason=reason, validate=False)
    merge.unmerged_at = timezone.now()
    merge.unmerged_by = user
    save_audited(merge, user=user, reason=reason)
    for person_id in (merge.survivor_id, merge.merged_id):
        access_log_record(
            user=user,
            action=AccessLog.Action.UNMERGE,
            object_type="cases.person",
            object_id=person_id,
            request=request,
        )
    _figures_recompute(_program_ids(merge.survivor_id) | _program_ids(merge.merged_id))
    return merge
