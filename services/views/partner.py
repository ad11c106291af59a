"""The partner's feedback page: no account, a one-time expiring link."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from orientation.forms import form_errors_add
from orientation.network import client_ip

from .. import actions, selectors
from ..forms import (
    PartnerFeedbackForm,
)

# --- Partner feedback (no account) ------------------------------------------------------------------

BAD_TOKEN_LIMIT = 30
BAD_TOKEN_WINDOW = 15 * 60


def _client_key(request) -> str:
    return f"services:partner-bad:{client_ip(request) or ''}"


def _bad_token_counted(key: str) -> None:
    if not cache.add(key, 1, BAD_TOKEN_WINDOW):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, BAD_TOKEN_WINDOW)


def _partner_error(request, reason: str) -> HttpResponse:
    status = {"missing": 404, "throttled": 429}.get(reason, 410)
    response = render(request, "services/partner_link_invalid.html", {"reason": reason}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _minimal_name(person) -> str:
    """First given name and the initial of the family name: 'Ana R.'."""
    given = (person.given_names or "").split()
    family = (person.family_names or "").strip()
    return " ".join(filter(None, [given[0] if given else "", f"{family[0]}." if family else ""]))


@login_not_required
@require_http_methods(["GET", "POST"])
def partner_feedback(request, token):
    """The partner's page: who was referred (minimum data) and a one-time answer."""
    # Wrong tokens are throttled per client address; a valid link is never refused by the
    # throttle (behind a shared address, one client guessing must not block every partner).
    link = selectors.partner_link_by_token(token)
    key = _client_key(request)
    if link is None and (cache.get(key) or 0) >= BAD_TOKEN_LIMIT:
        return _partner_error(request, "throttled")
    try:
        actions.partner_link_check(link)
    except actions.PartnerLinkError as exc:
        if exc.reason == "missing":
            _bad_token_counted(key)
        return _partner_error(request, exc.reason)
    referral = link.referral
    form = PartnerFeedbackForm(request.POST or None, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            actions.partner_feedback_record(
                link_id=link.pk,
                to_status=form.cleaned_data["to_status"],
                completed_on=form.cleaned_data["completed_on"],
                comment=form.cleaned_data["comment"],
            )
        except actions.PartnerLinkError as exc:
            return _partner_error(request, exc.reason)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            return redirect("services:partner_feedback_done")
    response = render(
        request,
        "services/partner_feedback.html",
        {
            "referral": referral,
            "display_name": _minimal_name(referral.person),
            "link": link,
            "form": form,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_GET
def partner_feedback_done(request):
    return render(request, "services/partner_feedback_done.html")
