"""Psychosocial sessions and their confidential notes (the psychosocial role only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import normalize_text
from cases.selectors import people_visible_to, person_get_for_user
from orientation import roles
from orientation.forms import form_errors_add
from orientation.roles import role_required
from orientation.submission import submit_once

from .. import actions, selectors
from ..forms import (
    PsychosocialSessionForm,
)
from ._common import person_page_url

# --- Psychosocial sessions -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(roles.PSYCHOSOCIAL_READERS)
def psychosocial_session_create(request, person_pk):
    person = person_get_for_user(request.user, person_pk, write=True)
    programs = selectors.programs_for_person(request.user, person)

    def load(pk):
        try:
            return person_get_for_user(request.user, pk, write=True)
        except (Http404, PermissionDenied):
            return None

    form = PsychosocialSessionForm(
        request.POST or None,
        service_types=selectors.service_types_psychosocial(),
        programs=programs,
        person_loader=load,
        program_last=selectors.program_last_chosen(request.user, kind="psychosocial"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = submit_once(
                request,
                actions.psychosocial_session_record,
                user=request.user,
                participants=[person, *form.participant_people],
                kind=data["kind"],
                service_type=data["service_type"],
                program=data["program"],
                date=data["date"],
                duration_minutes=data["duration_minutes"],
                confidential_note=data["confidential_note"],
                allowed_programs=programs,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            session = sent.obj
            count = session.direct_services.count()
            sent.message(
                request,
                _("Session recorded: %(count)d participant(s) counted.") % {"count": count},
            )
            return redirect("services:psychosocial_session_detail", pk=session.pk)
    return render(
        request,
        "services/psychosocial_session_form.html",
        {
            "person": person,
            "form": form,
            "participants": form.participant_people,
            "cancel_url": person_page_url(person.pk),
        },
    )


@require_GET
@role_required(roles.PSYCHOSOCIAL_READERS)
def psychosocial_participant_search(request, person_pk):
    """htmx: people of the user's sites matching a name, to add to a group session."""
    person = person_get_for_user(request.user, person_pk, write=True)
    q = normalize_text(request.GET.get("q", ""))
    people = []
    if len(q) >= 2:
        people = list(
            people_visible_to(request.user)
            .filter(search_name__contains=q, archived_at__isnull=True)
            .exclude(pk=person.pk)
            .select_related("site")
            .order_by("family_names", "given_names")[:10]
        )
    return render(request, "services/includes/_participant_results.html", {"people": people, "q": q})


@require_GET
@role_required(roles.PSYCHOSOCIAL_READERS)
def psychosocial_session_detail(request, pk):
    session = selectors.psychosocial_session_get_for_user(request.user, pk)
    return render(
        request,
        "services/psychosocial_session_detail.html",
        {"session": session, "participants": selectors.session_participants(session)},
    )


@require_GET
@role_required(roles.PSYCHOSOCIAL_READERS)
def psychosocial_note(request, pk):
    """The confidential note. Every opening is written to the access log."""
    session = selectors.psychosocial_session_get_for_user(request.user, pk)
    note = actions.psychosocial_note_open(session=session, user=request.user, request=request)
    template = (
        "services/includes/_psychosocial_note.html" if request.htmx else "services/psychosocial_note.html"
    )
    return render(request, template, {"session": session, "note": note})
