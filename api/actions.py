"""Writes of API tokens: create (the secret is returned once, only its hash is kept) and revoke."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from .models import TOKEN_PREFIX, ApiToken, token_hash

LAST_USED_EVERY_SECONDS = 60


@transaction.atomic
def api_token_create(*, user, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the secret, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 32 bytes: 256 random bits
    token = ApiToken(
        user=user,
        name=name.strip(),
        token_hash=token_hash(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, user, pk) -> ApiToken:
    """Revoke one of the user's own tokens (another user's is not found)."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=pk).first()
    if token is None:
        raise Http404
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Note the last use, at most once a minute (a write per request would cost every call)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= LAST_USED_EVERY_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
