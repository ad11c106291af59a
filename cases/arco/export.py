"""The subject access export: everything Orienta holds about a person, found by walking the model
graph (``policy.person_linked_models``), as JSON and as a readable page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from orientation import roles

from .policy import POLICY, person_linked_models

EXPORT_VERSION = 1

# Labels for fields declared without a verbose name (Django then shows the bare field name).
FIELD_LABELS = {
    "at": _l("when"),
    "author": _l("author"),
    "by": _l("by"),
    "comment": _l("comment"),
    "created_at": _l("created at"),
    "created_by": _l("created by"),
    "expires_at": _l("expires at"),
    "from_status": _l("from status"),
    "group": _l("group"),
    "handled_by": _l("handled by"),
    "intake": _l("intake"),
    "joined_on": _l("joined on"),
    "left_on": _l("left on"),
    "recorded_at": _l("recorded at"),
    "recorded_by": _l("recorded by"),
    "referral": _l("referral"),
    "session": _l("session"),
    "site": _l("site"),
    "to_status": _l("to status"),
    "updated_at": _l("updated at"),
    "used_at": _l("used at"),
    "via_partner_link": _l("through the partner's link"),
    "vulnerability": _l("vulnerability"),
}


def field_label(field) -> str:
    if str(field.verbose_name) == field.name.replace("_", " ") and field.name in FIELD_LABELS:
        return str(FIELD_LABELS[field.name])
    return str(field.verbose_name)


def _value(obj, field: models.Field):
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else str(related)
    value = getattr(obj, field.attname)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is not None and not isinstance(value, str | int | float | bool):
        return str(value)
    return value


def _display(obj, field: models.Field):
    """A value as a person reads it: choice labels, Yes/No, local dates."""
    value = getattr(obj, field.name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _row(obj, fields, blanked=frozenset()) -> dict:
    return {f.name: (None if f.name in blanked else _value(obj, f)) for f in fields}


def _shared_ids(policy, rows) -> set:
    """Rows that hold other people's data too (group sessions): their shared fields are blanked."""
    if policy is None or policy.shared is None:
        return set()
    return set(rows.filter(policy.shared).values_list("pk", flat=True))


def _exported_fields(model):
    policy = POLICY.get(model._meta.label_lower)
    skipped = policy.not_exported if policy else frozenset()
    return [f for f in model._meta.concrete_fields if f.name not in skipped]


def person_export(*, person, user) -> dict:
    """A JSON-ready dict of the person's data. Psychosocial rows go only to psychosocial readers;
    otherwise they are counted under ``withheld``. Fields of rows shared with other people (a
    group session's note) are never exported; they are counted under ``redacted``."""
    may_read_confidential = roles.has_role(user, roles.PSYCHOSOCIAL_READERS)
    records: dict[str, list] = {}
    withheld: dict[str, int] = {}
    redacted: dict[str, int] = {}
    for linked in person_linked_models():
        model = linked.model
        policy = POLICY.get(linked.label)
        rows = linked.rows_of(person)
        if policy is not None and policy.confidential is not None and not may_read_confidential:
            hidden = rows.filter(policy.confidential).count()
            if hidden:
                withheld[linked.label] = hidden
            rows = rows.exclude(policy.confidential)
        fields = _exported_fields(model)
        related = [f.name for f in fields if f.is_relation]
        if related:
            rows = rows.select_related(*related)
        shared = _shared_ids(policy, rows)
        if shared:
            redacted[linked.label] = len(shared)
        records[linked.label] = [
            _row(obj, fields, policy.shared_fields if obj.pk in shared else frozenset()) for obj in rows
        ]
    person_rows = records.pop("cases.person")
    person_rows[0]["vulnerabilities"] = [str(v) for v in person.vulnerabilities.all()]
    return {
        "version": EXPORT_VERSION,
        "generated_at": timezone.localtime().isoformat(),
        "generated_by_role": roles.primary_role(user),
        "person": person_rows[0],
        "records": records,
        "withheld": withheld,
        "redacted": redacted,
    }


def person_export_sections(*, person, user) -> tuple[list[dict], list[str], dict]:
    """The same data for the printable page: sections with verbose names and readable values, and
    the titles of the kinds of record the person has none of."""
    from django.apps import apps

    data = person_export(person=person, user=user)
    linked = {lm.label: lm for lm in person_linked_models()}
    sections, empty = [], []
    for label, rows in [("cases.person", [data["person"]]), *data["records"].items()]:
        model = apps.get_model(label)
        if model._meta.auto_created:  # many-to-many rows: shown on their owner (vulnerabilities)
            continue
        title = str(model._meta.verbose_name_plural)
        if not rows:
            empty.append(title)
            continue
        fields = [
            f
            for f in _exported_fields(model)
            if f.name != "id" and not (f.is_relation and f.related_model is type(person))
        ]
        if "id" in rows[0]:
            objects = model._default_manager.filter(pk__in=[r["id"] for r in rows]).order_by("pk")
        else:  # a composite primary key (derived figures): every row of the person
            objects = linked[label].rows_of(person)
        objects = objects.select_related(*[f.name for f in fields if f.is_relation])
        policy = POLICY.get(label)
        shared = _shared_ids(policy, objects)
        blanked = policy.shared_fields if policy is not None else frozenset()
        sections.append(
            {
                "label": label,
                "title": title,
                "rows": [
                    [
                        (field_label(f), "" if obj.pk in shared and f.name in blanked else _display(obj, f))
                        for f in fields
                    ]
                    for obj in objects
                ],
                "vulnerabilities": data["person"].get("vulnerabilities") if label == "cases.person" else None,
            }
        )
    return sections, empty, data
