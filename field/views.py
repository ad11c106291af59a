"""The offline field screens: the app shell, its data, its queue's endpoint, its service worker
and its manifest. The shell renders nothing personal: the device fills it from what ``field_data``
gave it (kept in IndexedDB), so it can be cached and opened without a connection."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST
from django_countries import countries

from cases.choices import AgeBand, PopulationType, Sex
from cases.models import Consent
from orientation import roles
from orientation.roles import role_required
from services.sport.forms import COMMON_NATIONALITIES
from services.sport.models import Activity

from . import actions, selectors
from .strings import ui_strings


@require_GET
def field_app(request):
    """The shell, for every signed-in user: someone whose role was removed while their device held
    saves still reaches the "needs attention" list there (the data endpoint refuses them, and the
    device then deletes the lists it kept)."""
    context = {
        "may_record": roles.has_role(request.user, roles.SPORT_WRITERS),
        "strings": ui_strings(),
        "activities": [{"value": v, "label": str(label)} for v, label in Activity.choices],
        "head_count_cells": {
            "sexes": [{"value": v, "label": str(label)} for v, label in Sex.choices],
            "bands": [{"value": v, "label": str(label)} for v, label in AgeBand.choices],
        },
        "profile_choices": _profile_choices(),
        "offline_days": selectors.field_offline_days(),
    }
    return render(request, "field/app.html", context)


def _profile_choices() -> dict[str, list[dict[str, str]]]:
    """The choices of the offline light-profile form, in the request's language."""

    def pairs(choices):
        return [{"value": str(v), "label": str(label)} for v, label in choices]

    first = [(code, countries.name(code)) for code in COMMON_NATIONALITIES]
    rest = [(code, name) for code, name in countries if code not in COMMON_NATIONALITIES]
    return {
        "sex": pairs(Sex.choices),
        "population_type": pairs(PopulationType.choices),
        "consent_method": pairs(Consent.Method.choices),
        "nationality": pairs([*first, *rest]),
    }


@require_GET
@role_required(roles.SPORT_WRITERS)
@gzip_page  # a phone on a slow connection downloads the lists compressed (about a tenth)
def field_data(request):
    """What this user's device may keep for the coming days, and the CSRF token its queue sends."""
    data = selectors.field_data_for(request.user, today=timezone.localdate())
    data["csrf_token"] = get_token(request)
    data["generated_at"] = timezone.now().isoformat()
    return JsonResponse(data)


@login_not_required
@require_POST
@gzip_page
def field_sync(request):
    """A batch of queued submissions: ``{"submissions": [...]}``; one answer for each.

    Signed out (or the session expired): 401 for the whole batch, and the device keeps its queue
    untouched for after the next sign-in. Signed in but no longer allowed (the role removed, the
    group given to someone else, the site removed): each submission is refused with its reason, and
    the device keeps them under "needs attention"."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Your session has ended: sign in again.")}, status=401)
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": _("The request is not valid JSON.")}, status=400)
    submissions = body.get("submissions") if isinstance(body, dict) else None
    if not isinstance(submissions, list):
        return JsonResponse({"error": _("The request carries no list of submissions.")}, status=400)
    if len(submissions) > actions.MAX_BATCH:
        return JsonResponse(
            {"error": _("Send at most %(count)s submissions at a time.") % {"count": actions.MAX_BATCH}},
            status=400,
        )
    results = actions.field_submissions_apply(user=request.user, submissions=submissions)
    return JsonResponse({"results": results})


@require_GET
@role_required(roles.SPORT_WRITERS)
def field_service_worker(request):
    """The service worker, served from the field screens' root so that its scope is ``/field/``."""
    scope = request.path.rsplit("/", 1)[0] + "/"
    response = render(request, "field/sw.js", {"scope": scope}, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = scope
    return response


@login_not_required
@require_GET
def field_manifest(request):
    """The web app manifest in Spanish or English: the shell names its language in the address
    (``?lang=en``), as browsers fetch manifests without cookies."""
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        language = request.LANGUAGE_CODE
    with translation.override(language):
        return _manifest(request, language)


def _manifest(request, language: str) -> HttpResponse:
    root = request.path.rsplit("/", 1)[0] + "/"
    manifest = {
        "name": _("Orienta field screens"),
        "short_name": _("Orienta field"),
        "description": _("Attendance and head counts at the pitch, with or without a connection."),
        "lang": language,
        "start_url": root,
        "scope": root,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5d6b",
        "icons": [
            {"src": static("img/field-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/field-icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/field-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(
        json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )
