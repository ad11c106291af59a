"""The "API tokens" section of the user's account: list, create (the secret is shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orientation.mfa.selectors import totp_device_confirmed_for

from . import actions, selectors
from .forms import ApiTokenForm


def api_tokens(request):
    tokens = list(selectors.api_tokens_of(request.user))
    alive = sum(1 for t in tokens if t.is_alive)
    device = totp_device_confirmed_for(request.user)
    form = ApiTokenForm(request.POST if request.method == "POST" else None, alive_count=alive, device=device)
    created_secret = None
    if request.method == "POST" and form.is_valid():
        token, created_secret = actions.api_token_create(
            user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        messages.success(
            request,
            _("Token “%(name)s” created. Copy it now: it will not be shown again.") % {"name": token.name},
        )
        tokens = list(selectors.api_tokens_of(request.user))
        form = ApiTokenForm(alive_count=alive + 1, device=device)
    response = render(
        request,
        "api/tokens.html",
        {"tokens": tokens, "form": form, "created_secret": created_secret},
        status=400 if request.method == "POST" and form.is_bound and not form.is_valid() else 200,
    )
    return response


@require_POST
def api_token_revoke(request, pk):
    token = actions.api_token_revoke(user=request.user, pk=pk)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
