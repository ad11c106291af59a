"""Two-factor pages: turn TOTP on, verify after the password, turn it off."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orientation.http import next_url_safe

from . import actions, selectors
from .forms import TokenForm
from .middleware import DEVICE_FLAG


@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Show the QR code of a pending device and confirm it with a first code."""
    confirmed = selectors.totp_device_confirmed_for(request.user)
    if confirmed is not None:
        return render(
            request,
            "mfa/status.html",
            {
                "device": confirmed,
                "required": selectors.otp_required_for(request.user),
                "form": TokenForm(),
            },
        )
    device = actions.totp_device_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            device.refresh_from_db()
            django_otp.login(request, device)
            request.session.pop(DEVICE_FLAG, None)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(next_url_safe(request, "/"))
        form.add_error("token", _("That code is not valid. Check the time on your phone and try again."))
    return render(
        request,
        "mfa/setup.html",
        {
            "form": form,
            "qr_data_uri": actions.totp_qr_data_uri(device),
            "secret": actions.totp_secret_base32(device),
            "required": selectors.otp_required_for(request.user),
            "next": next_url_safe(request, "/"),
        },
    )


@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The second step after the password, for users with a confirmed device."""
    device = selectors.totp_device_confirmed_for(request.user)
    if device is None or request.user.is_verified():
        return redirect(next_url_safe(request, "/"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.totp_device_verify(device=device, token=form.cleaned_data["token"]):
            django_otp.login(request, device)
            return redirect(next_url_safe(request, "/"))
        form.add_error("token", _("That code is not valid. Try the next one shown in the app."))
    return render(request, "mfa/verify.html", {"form": form, "next": next_url_safe(request, "/")})


@require_POST
def mfa_disable(request):
    """Turn two-factor off with a current code; not allowed for roles that must use it."""
    if selectors.otp_required_for(request.user):
        raise PermissionDenied
    device = selectors.totp_device_confirmed_for(request.user)
    if device is None:
        return redirect("mfa:mfa_setup")
    form = TokenForm(request.POST)
    if form.is_valid() and actions.totp_device_verify(device=device, token=form.cleaned_data["token"]):
        actions.totp_devices_remove(user=request.user)
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        request.session.pop(DEVICE_FLAG, None)
        messages.success(request, _("Two-factor authentication is off."))
    else:
        messages.error(request, _("That code is not valid; two-factor authentication is still on."))
    return redirect("mfa:mfa_setup")
