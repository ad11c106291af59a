"""Writes for data-subject (ARCO) requests, anonymization and retention."""

from __future__ import annotations

import logging
from datetime import date

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from cases.models import Person
from orientation import roles
from orientation.actions import access_log_record, save_audited
from orientation.append_only import history_scrub_allowed
from orientation.models import AccessLog
from orientation.versioning import version_check

from .dates import arco_due_on
from .models import ArcoRequest
from .policy import ANON_TEXT, POLICY, LinkedModel, person_linked_models
from .selectors import people_due_for_retention

logger = logging.getLogger(__name__)

CLOSED_STATUSES = {ArcoRequest.Status.DONE, ArcoRequest.Status.REJECTED}


@transaction.atomic
def arco_request_create(*, person: Person, user, kind: str, received_on: date) -> ArcoRequest:
    roles.require(user, roles.ARCO_HANDLERS)
    request_obj = ArcoRequest(
        person=person,
        kind=kind,
        received_on=received_on,
        due_on=arco_due_on(received_on),
        status=ArcoRequest.Status.RECEIVED,
        handled_by=user,
    )
    return save_audited(request_obj, user=user)


@transaction.atomic
def arco_request_update(
    *, request_obj: ArcoRequest, user, status: str, resolution: str, version: str | None = None
) -> ArcoRequest:
    """Move a request on; whoever changes it becomes its handler. Closing stamps the date. A change
    saved by someone else since ``version`` is refused (``EditConflict``)."""
    roles.require(user, roles.ARCO_HANDLERS)
    request_obj = version_check(request_obj, version)
    request_obj.status = status
    request_obj.resolution = resolution
    request_obj.handled_by = user
    if status in CLOSED_STATUSES:
        request_obj.closed_on = request_obj.closed_on or timezone.localdate()
    else:
        request_obj.closed_on = None
    return save_audited(request_obj, user=user)


# --- Anonymization ---------------------------------------------------------------------------


def _blank_value(field: models.Field):
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return "" if field.blank else ANON_TEXT
    raise ValueError(f"no blank value for {field.model._meta.label}.{field.name}")


def _erased_values(model, names) -> dict:
    """Column values that replace the erased fields of a model (many-to-many fields excluded)."""
    policy = POLICY[model._meta.label_lower]
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        if field.many_to_many:
            continue
        if name in policy.replacements:
            values[field.attname] = policy.replacements[name]
        else:
            values[field.attname] = _blank_value(field)
    return values


def _history_model_of(model):
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute).model if attribute else None


def _m2m_history_models_of(through):
    from simple_history.models import HistoricalChanges

    return [
        m
        for m in apps.get_models()
        if issubclass(m, HistoricalChanges) and getattr(m, "instance_type", None) is through
    ]


def _save_erased(obj, values: dict, user, reason: str) -> None:
    for attname, value in values.items():
        setattr(obj, attname, value)
    # Not validated: anonymization must succeed even for old rows that newer rules reject.
    save_audited(obj, user=user, reason=reason, update_fields=list(values), validate=False)


def _scrub_history(model, ids: list, values: dict) -> int:
    history = _history_model_of(model)
    if history is None or not ids or not values:
        return 0
    columns = {f.attname for f in history._meta.concrete_fields}
    present = {k: v for k, v in values.items() if k in columns}
    return history.objects.filter(id__in=ids).update(**present) if present else 0


@transaction.atomic
def person_anonymize(*, person: Person, user, reason: str, request=None) -> Person:
    """Erase a person's personal data everywhere, history included, keeping what counts need.

    See ``cases.arco.policy`` for what is erased and kept. Idempotent. ``reason`` goes to the access
    log and must not hold personal data (e.g. "ARCO cancellation #12", "retention").
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymized_at is not None:
        return person
    linked: list[LinkedModel] = person_linked_models()
    ids = {lm.label: list(lm.rows_of(person).values_list("pk", flat=True)) for lm in linked}
    household = person.household
    household_shared = (
        household is not None
        and household.members.exclude(pk=person.pk).filter(anonymized_at__isnull=True).exists()
    )
    scrubs: list[tuple] = []  # (model, ids, column values) for the history tables

    for lm in linked:
        model, policy = lm.model, POLICY[lm.label]
        if model is Person or model._meta.auto_created:
            continue
        if lm.label == "cases.household" and household_shared:
            continue
        values = _erased_values(model, policy.erase)
        if not values and not policy.delete_rows:
            continue  # kept whole (e.g. derived figures): nothing to erase, live or in history
        rows = list(model._default_manager.filter(pk__in=ids[lm.label]))
        for obj in rows:
            if policy.delete_rows:
                obj._history_user = user
                obj._change_reason = reason[:100]
                obj.delete()
            elif values:
                _save_erased(obj, values, user, reason)
        scrubs.append((model, ids[lm.label], values))

    person_values = _erased_values(Person, POLICY["cases.person"].erase)
    for attname, value in person_values.items():
        setattr(person, attname, value)
    person.anonymized_at = timezone.now()
    save_audited(person, user=user, reason=reason, validate=False)
    for name in POLICY["cases.person"].erase:
        field = Person._meta.get_field(name)
        if field.many_to_many:
            getattr(person, name).clear()
    scrubs.append((Person, [person.pk], person_values))

    with history_scrub_allowed():
        for model, row_ids, values in scrubs:
            _scrub_history(model, row_ids, values)
        for field in Person._meta.many_to_many:
            if field.name in POLICY["cases.person"].erase:
                for history in _m2m_history_models_of(field.remote_field.through):
                    history.objects.filter(**{field.m2m_field_name(): person.pk}).delete()

    access_log_record(
        user=user, action=AccessLog.Action.ANONYMIZE, obj=person, reason=reason, request=request
    )
    # Records merged into this one are the same person (docs/merge.md): erased with it.
    for tombstone in Person.objects.filter(merged_into=person, anonymized_at__isnull=True):
        person_anonymize(person=tombstone, user=user, reason=reason, request=request)
    return person


@transaction.atomic
def arco_request_anonymize(*, request_obj: ArcoRequest, user, request=None) -> ArcoRequest:
    """Honour a cancellation or opposition request: anonymize the person and close the request."""
    roles.require(user, roles.ARCO_ANONYMIZERS)
    reason = f"ARCO {request_obj.kind} #{request_obj.pk}"
    person_anonymize(person=request_obj.person, user=user, reason=reason, request=request)
    request_obj = ArcoRequest.objects.select_for_update().get(pk=request_obj.pk)
    request_obj.status = ArcoRequest.Status.DONE
    request_obj.handled_by = user
    request_obj.closed_on = request_obj.closed_on or timezone.localdate()
    request_obj.resolution = "Anonimizado."
    return save_audited(request_obj, user=user)


# --- Retention -------------------------------------------------------------------------------

RETENTION_LOCK = "orienta:retention-anonymize"


def retention_anonymize(*, today: date | None = None, limit: int = 1000) -> int:
    """Anonymize up to ``limit`` people with no contact for RETENTION_YEARS; one transaction each.

    A cache lock keeps two runs from overlapping; a rerun picks up where the last one stopped.
    """
    if not cache.add(RETENTION_LOCK, "1", timeout=3600):
        logger.info("retention run skipped: another run holds the lock")
        return 0
    try:
        done = 0
        for person_id in list(people_due_for_retention(today).values_list("pk", flat=True)[:limit]):
            person = Person.objects.get(pk=person_id)
            person_anonymize(person=person, user=None, reason="retention: no contact")
            done += 1
        return done
    finally:
        cache.delete(RETENTION_LOCK)
