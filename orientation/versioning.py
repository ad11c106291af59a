"""Nothing overwritten: one shared guard for every edit form.

An edit form carries the version of the record as it was when the form was opened (a fingerprint
of its stored values, many-to-many included; ``VersionedFormMixin`` adds the hidden field and
``{% include "includes/_record_version.html" %}`` renders it with the conflict, if any). The action
locks the row (``select_for_update``) and compares: if someone else saved a change in between,
nothing is saved and ``EditConflict`` is raised. The form is shown again with the other person's
values beside yours and the new version, so saving again is a decision, never a silent overwrite.
"""

from __future__ import annotations

import datetime
import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD_NAME = "record_version"


def _versioned_fields(model):
    concrete = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    ]
    return concrete, list(model._meta.many_to_many)


def record_version(obj) -> str:
    """A short fingerprint of the record's stored values (timestamps of the save left out)."""
    concrete, m2m = _versioned_fields(type(obj))
    parts = [f"{f.attname}={f.value_to_string(obj)}" for f in concrete]
    for f in m2m:
        ids = sorted(getattr(obj, f.name).values_list("pk", flat=True)) if obj.pk else []
        parts.append(f"{f.name}={ids}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class EditConflict(ValidationError):
    """Someone else saved the record after this form was opened."""

    def __init__(self, *, current, version: str):
        super().__init__(
            _(
                "Someone else saved changes to this record after you opened it. Nothing of yours "
                "was saved yet: compare below."
            ),
            code="edit_conflict",
        )
        self.current = current
        self.version = version
        last = None
        history = getattr(current, "history", None)
        if history is not None:
            last = history.order_by("-history_date", "-history_id").select_related("history_user").first()
        self.changed_by = getattr(last, "history_user", None)
        self.changed_at = getattr(last, "history_date", None)


def version_check(obj, version: str | None):
    """In the saving transaction: lock the record's row and refuse if it changed since ``version``.

    Returns the locked row as stored. A post without a version (an old page) is not checked.
    """
    current = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
    if version:
        now = record_version(current)
        if now != version:
            raise EditConflict(current=current, version=now)
    return current


def _display(field: forms.Field | None, value) -> str:
    if hasattr(value, "all") and callable(value.all):
        value = list(value.all())
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    choices = getattr(field, "choices", None)
    if choices and not isinstance(value, models.Model):
        labels = {str(k): v for k, v in choices if not isinstance(v, list | tuple)}
        return str(labels.get(str(value), value))
    return str(value)


class VersionedFormMixin:
    """For an edit form: a hidden version field, and the conflict shown when the save is refused.

    ModelForms take the version from their instance; a plain form gets ``record=...``.
    """

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        record = record if record is not None else getattr(self, "instance", None)
        self.fields[FIELD_NAME] = forms.CharField(
            widget=forms.HiddenInput, required=False, label=gettext_lazy("Version")
        )
        if record is not None and record.pk:
            self.fields[FIELD_NAME].initial = record_version(record)
        self.conflict = None

    @property
    def version(self) -> str:
        return (getattr(self, "cleaned_data", None) or {}).get(FIELD_NAME) or ""

    def add_error(self, field, error):
        if isinstance(error, EditConflict):
            self._conflict_show(error)
            field = None
        super().add_error(field, error)

    def _conflict_show(self, error: EditConflict) -> None:
        rows = []
        current = error.current
        for name, field in self.fields.items():
            if name == FIELD_NAME or not hasattr(current, name):
                continue
            if name not in {f.name for f in current._meta.get_fields()}:
                continue  # a form field that is not a model field (e.g. a reason for the change)
            theirs = _display(field, getattr(current, name))
            yours = _display(field, self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None)
            if theirs != yours:
                rows.append({"label": field.label or name, "theirs": theirs, "yours": yours})
        self.conflict = {"rows": rows, "by": error.changed_by, "at": error.changed_at}
        # The next save starts from what is stored now: saving again keeps the values in the form.
        data = self.data.copy()
        data[self.add_prefix(FIELD_NAME)] = error.version
        self.data = data
