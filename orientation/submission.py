"""Nothing twice: one shared guard for every create form.

A create form carries a one-time key (``{% include "includes/_submission_key.html" %}`` renders it;
the key survives a re-render after a validation error). The view wraps its call to the action in
``submit_once``: the key is inserted in the same transaction as the record, under a unique
constraint on (user, key). A repeat of the same post, at once or later, finds the key and gets the
first record back, so the view redirects to it instead of creating a second one.

On PostgreSQL a second post that arrives while the first is still saving waits on the unique index
until the first commits, then sees its key. A post without a key (an old page, a script) is saved
as before.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .models import SubmissionKey

FIELD_NAME = "submission_key"
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def submission_key_new() -> str:
    return secrets.token_urlsafe(24)


def submission_key_of(request) -> str:
    """The key posted with the form, or "" when there is none (or it is malformed)."""
    key = (request.POST.get(FIELD_NAME) or "").strip() if request.method == "POST" else ""
    return key if KEY_RE.match(key) else ""


def submission_key_for_form(request) -> str:
    """The key to render in a form: the posted one on a re-render after an error (so a correction
    and resend is still one submission), otherwise (a new form, or the blank form shown again after
    a save) a fresh one."""
    if getattr(request, "_submission_key_used", False):
        return submission_key_new()
    return submission_key_of(request) or submission_key_new()


@dataclass
class Submission:
    obj: Any
    repeated: bool

    def message(self, request, text: str) -> None:
        """The view's success message, or, for a repeat, say that nothing new was saved."""
        if self.repeated:
            messages.info(request, _("This form had already been sent: it was saved once, here it is."))
        else:
            messages.success(request, text)


def _target(row: SubmissionKey):
    if row.content_type_id is None or not row.object_id:
        return None
    model = ContentType.objects.get_for_id(row.content_type_id).model_class()
    return model._base_manager.filter(pk=row.object_id).first()


def _pk_of(result) -> models.Model | None:
    if isinstance(result, models.Model):
        return result
    if isinstance(result, tuple | list) and result and isinstance(result[0], models.Model):
        return result[0]
    return None


def submission_repeated(request) -> Submission | None:
    """The earlier result when this exact form was already sent (a check before the form's own
    checks, e.g. registration's duplicate search, which would otherwise find the first post)."""
    key = submission_key_of(request)
    if not key or not getattr(request.user, "is_authenticated", False):
        return None
    row = SubmissionKey.objects.filter(user=request.user, key=key).first()
    if row is None:
        return None
    obj = _target(row)
    return Submission(obj, True) if obj is not None else None


def submit_once(request, action: Callable[..., Any], /, **kwargs) -> Submission:
    """Call ``action(**kwargs)`` once per submission key.

    Returns the created record, or on a repeat the record the first post created. The action must
    return a model instance (or a tuple whose first item is one). Validation errors of the action
    propagate and roll the key back with everything else, so the corrected form can be resent.
    """
    key = submission_key_of(request)
    user = request.user
    if not key or not getattr(user, "is_authenticated", False):
        return Submission(action(**kwargs), False)
    request._submission_key_used = True
    with transaction.atomic():
        existing = SubmissionKey.objects.filter(user=user, key=key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    row = SubmissionKey.objects.create(user=user, key=key)
            except IntegrityError:
                # Another post with this key committed while we waited on the unique index.
                existing = SubmissionKey.objects.get(user=user, key=key)
        if existing is not None:
            return Submission(_target(existing), True)
        result = action(**kwargs)
        obj = _pk_of(result)
        if obj is not None and obj.pk is not None:
            row.content_type = ContentType.objects.get_for_model(type(obj))
            row.object_id = str(obj.pk)
            row.save(update_fields=["content_type", "object_id"])
        return Submission(result, False)
