"""Force the second factor: after the password, a user with a confirmed device must type a code;
a user whose role is in ``OTP_REQUIRED_ROLES`` must first set a device up. Covers every URL,
the Django admin included."""

from __future__ import annotations

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode

from . import selectors

ALWAYS_ALLOWED = {"login", "logout", "set_language", "health"}
# Whether the signed-in user has a confirmed device, remembered for the session so that ordinary
# pages do not pay a query for it. Cleared at sign-in and whenever a device is added or removed.
DEVICE_FLAG = "orienta_mfa_device"


class OTPRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in ALWAYS_ALLOWED:
            return None
        has_device = request.session.get(DEVICE_FLAG)
        if has_device is None:
            has_device = selectors.user_has_confirmed_device(user)
            request.session[DEVICE_FLAG] = has_device
        if has_device:
            target = "mfa:mfa_verify"
        elif selectors.otp_required_for(user):
            target = "mfa:mfa_setup"
        else:
            return None
        if name == target:
            return None
        query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return HttpResponseRedirect(f"{resolve_url(target)}?{query}")
