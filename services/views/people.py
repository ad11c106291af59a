"""A person's services page and recording a direct service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Intake
from cases.selectors import person_get_for_user
from cases.selectors.plan import plan_action_initial, plan_actions_open_of
from orientation import roles
from orientation.forms import form_errors_add
from orientation.http import next_url_safe
from orientation.paginator import paginate
from orientation.params import query_id
from orientation.roles import role_required
from orientation.submission import submit_once

from .. import actions, selectors
from ..forms import (
    DirectServiceForm,
)
from ._common import person_page_url

# --- A person's services ----------------------------------------------------------------------------


@require_GET
@role_required(roles.CASE_READERS)
def person_services(request, person_pk):
    """A person's referrals, direct services and (for the psychosocial role) sessions."""
    person = person_get_for_user(request.user, person_pk)
    referrals = paginate(request, selectors.person_referrals(request.user, person), param="rpage")
    services = paginate(request, selectors.person_direct_services(request.user, person))
    sessions = None
    if roles.has_role(request.user, roles.PSYCHOSOCIAL_READERS):
        sessions = paginate(
            request, selectors.person_psychosocial_sessions(request.user, person), param="spage"
        )
    return render(
        request,
        "services/person_services.html",
        {
            "person": person,
            "referrals": referrals,
            "services": services,
            "sessions": sessions,
            "can_write": roles.has_role(request.user, roles.CASE_WORKERS),
            "today": timezone.localdate(),
        },
    )


# --- Direct services -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(roles.CASE_WORKERS)
def direct_service_create(request, person_pk):
    person = person_get_for_user(request.user, person_pk, write=True)
    intake = None
    intake_id = request.GET.get("intake") or request.POST.get("intake")
    if intake_id:
        intake = Intake.objects.filter(person=person, pk=query_id(intake_id) or 0).first()
        if intake is None:
            raise Http404
    need_areas = list(intake.needs.values_list("area", flat=True)) if intake else []
    programs = selectors.programs_for_person(request.user, person)
    initial = {"delivered_on": intake.date} if intake else {}
    initial.update(plan_action_initial(request))
    form = DirectServiceForm(
        request.POST or None,
        initial=initial,
        service_types=selectors.service_types_for_direct_service(request.user),
        programs=programs,
        need_areas=need_areas,
        program_last=selectors.program_last_chosen(request.user, kind="direct_service"),
        plan_actions=plan_actions_open_of(person),
    )
    default_next = person_page_url(person.pk)
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request,
                actions.direct_service_record,
                user=request.user,
                person=person,
                service_type=form.cleaned_data["service_type"],
                program=form.cleaned_data["program"],
                delivered_on=form.cleaned_data["delivered_on"],
                notes=form.cleaned_data["notes"],
                allowed_programs=programs,
                plan_action=form.cleaned_data.get("plan_action"),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            service = sent.obj
            sent.message(
                request,
                _("%(service)s recorded for %(date)s.")
                % {
                    "service": service.service_type.display_name,
                    "date": service.delivered_on.strftime("%d/%m/%Y"),
                },
            )
            return redirect(next_url_safe(request, default_next))
    return render(
        request,
        "services/direct_service_form.html",
        {
            "person": person,
            "form": form,
            "intake": intake,
            "need_areas": need_areas,
            "next": next_url_safe(request, ""),
            "cancel_url": next_url_safe(request, default_next),
        },
    )
