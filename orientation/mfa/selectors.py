"""Reads about a user's two-factor devices."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from orientation import roles


def totp_device_confirmed_for(user) -> TOTPDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def user_has_confirmed_device(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_required_for(user) -> bool:
    """Whether the user's role must use two-factor authentication (production: admin, coordinator)."""
    return roles.has_role(user, set(settings.OTP_REQUIRED_ROLES))
