"""Writes for the core app."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import AccessLog, Notification, UserProfile
from .network import client_ip


def save_audited(obj, *, user, reason: str | None = None, update_fields=None, validate: bool = True):
    """Save a record the way every action does: its history row names ``user`` (anonymous or
    none: no one) and, when given, ``reason`` (at most 100 characters); the record is validated
    (``full_clean``) first, unless ``validate`` is False (anonymizing and archiving old rows that
    newer rules would reject). Call it inside the action's transaction. Returns the record."""
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    if reason is not None:
        obj._change_reason = reason[:100] or None
    if validate:
        obj.full_clean()
    obj.save(update_fields=update_fields)
    return obj


def access_log_record(
    *, user, action: str, obj=None, object_type: str = "", object_id="", reason: str = "", request=None
) -> AccessLog:
    """Record that a user opened, exported or overrode something sensitive.

    Only the record's type and id are stored, never its content.
    """
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        reason=reason,
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
    )


def notification_send(*, user, message: str, url: str = "", key: str = "") -> Notification:
    """Send an in-app notification; with a key, at most one per user and key (idempotent)."""
    if key:
        notification, _created = Notification.objects.get_or_create(
            user=user, key=key, defaults={"message": message, "url": url}
        )
        return notification
    return Notification.objects.create(user=user, message=message, url=url)


@transaction.atomic
def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def user_language_set(*, user, language: str) -> UserProfile:
    """Save the language a staff member chose with the ES/EN switch: it wins over the browser's."""
    profile, _created = UserProfile.objects.update_or_create(user=user, defaults={"language": language})
    return profile
