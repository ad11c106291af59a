"""Case plans (docs/case-plan.md): making a plan from an intake, adding, changing and closing
actions, handing a person's open actions or a whole caseload to someone else. Thin views: reads
through cases/selectors/plan.py, writes through cases/plan.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from orientation import roles
from orientation.forms import form_errors_add
from orientation.params import query_id
from orientation.roles import role_required
from orientation.submission import submission_repeated, submit_once

from . import plan as plan_actions
from .forms import CaseloadReassignForm, PlanActionCloseForm, PlanActionForm, PlanReassignForm, plan_formset
from .forms.plan import plan_default_due
from .selectors import person_get_for_user
from .selectors import plan as plan_selectors


def _plan_url(person_id: int) -> str:
    return reverse("cases:person_detail", args=[person_id]) + "#plan"


@role_required(roles.CASE_WORKERS)
def plan_make(request, pk, intake_pk):
    """One action per need of the intake, prefilled; the caseworker adjusts who and by when, and
    saves them all at once."""
    person = person_get_for_user(request.user, pk, write=True)
    intake = plan_selectors.intake_get_for_plan(request.user, person, intake_pk)
    if request.method == "POST" and (earlier := submission_repeated(request)):
        earlier.message(request, "")
        return redirect(_plan_url(person.pk))
    needs = plan_selectors.intake_needs_without_plan(intake)
    staff = plan_selectors.plan_staff_for_site(person.site_id)
    if not needs:
        messages.info(request, _("Every need of this intake already has an action in the plan."))
        return redirect(_plan_url(person.pk))
    formset = plan_formset(
        request.POST if request.method == "POST" else None, needs=needs, staff=staff, user=request.user
    )
    if request.method == "POST" and formset.is_valid():
        rows = [
            plan_actions.PlanRow(
                need=form.cleaned_data["need"],
                description=form.cleaned_data["description"],
                responsible=form.cleaned_data["responsible"],
                due_on=form.cleaned_data["due_on"],
            )
            for form in formset.forms
        ]
        try:
            sent = submit_once(
                request, plan_actions.plan_make_from_intake, user=request.user, intake=intake, rows=rows
            )
        except ValidationError as error:
            row = getattr(error, "row", None)
            if row is not None and row < len(formset.forms):
                form_errors_add(formset.forms[row], error)
            else:
                formset._non_form_errors = formset.error_class(error.messages)
        else:
            count = len(sent.obj[1]) if not sent.repeated else 0
            sent.message(
                request,
                ngettext("The plan is made: %(n)d action.", "The plan is made: %(n)d actions.", count)
                % {"n": count},
            )
            return redirect(_plan_url(person.pk))
    return render(
        request,
        "cases/plan_make.html",
        {"person": person, "intake": intake, "formset": formset},
    )


@role_required(roles.CASE_WORKERS)
def plan_action_add(request, pk):
    person = person_get_for_user(request.user, pk, write=True)
    needs = plan_selectors.person_needs(person)
    staff = plan_selectors.plan_staff_for_site(person.site_id)
    initial = {"due_on": plan_default_due()}
    if staff.filter(pk=request.user.pk).exists():
        initial["responsible"] = request.user.pk
    need_id = query_id(request.GET.get("need"))
    if need_id:
        initial["need"] = need_id
    form = PlanActionForm(request.POST or None, initial=initial, needs=needs, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = submit_once(
                request,
                plan_actions.plan_action_add,
                user=request.user,
                person=person,
                need=data.get("need"),
                area=data.get("area") or "",
                description=data["description"],
                responsible=data["responsible"],
                due_on=data["due_on"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            sent.message(request, _("Action added to the plan."))
            return redirect(_plan_url(person.pk))
    return render(
        request,
        "cases/person_record_form.html",
        {"person": person, "form": form, "title": _("Add an action to the plan"), "action": request.path},
    )


@role_required(roles.CASE_WORKERS)
def plan_action_edit(request, pk):
    action = plan_selectors.plan_action_get_for_user(request.user, pk, write=True)
    person = action.person
    if not action.is_open:
        messages.info(request, _("This action is closed: it cannot be changed."))
        return redirect(_plan_url(person.pk))
    staff = plan_selectors.plan_staff_for_site(action.site_id, include_id=action.responsible_id)
    form = PlanActionForm(
        request.POST or None,
        initial={
            "description": action.description,
            "responsible": action.responsible_id,
            "due_on": action.due_on,
            "status": action.status,
        },
        needs=plan_selectors.person_needs(person),
        staff=staff,
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan_actions.plan_action_update(
                user=request.user,
                action=action,
                description=data["description"],
                responsible=data["responsible"],
                due_on=data["due_on"],
                status=data["status"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Action changed."))
            return redirect(_plan_url(person.pk))
    return render(
        request,
        "cases/person_record_form.html",
        {"person": person, "form": form, "title": _("Change an action of the plan"), "action": request.path},
    )


@require_POST
@role_required(roles.CASE_WORKERS)
def plan_action_close(request, pk):
    """Mark an action done, or not possible (with why), from the person's page."""
    action = plan_selectors.plan_action_get_for_user(request.user, pk, write=True)
    form = PlanActionCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the action is done or not possible."))
        return redirect(_plan_url(action.person_id))
    try:
        plan_actions.plan_action_close(
            user=request.user,
            action=action,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Action closed."))
    return redirect(_plan_url(action.person_id))


@role_required(roles.CASE_WORKERS)
def plan_reassign(request, pk):
    """Hand every open action of the person's plan to another staff member of the site."""
    person = person_get_for_user(request.user, pk, write=True)
    staff = plan_selectors.plan_staff_for_site(person.site_id)
    form = PlanReassignForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            count = plan_actions.plan_actions_reassign(
                user=request.user, person=person, to_user=form.cleaned_data["to_user"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Open actions handed over: %(n)d.") % {"n": count})
            return redirect(_plan_url(person.pk))
    return render(
        request,
        "cases/person_record_form.html",
        {
            "person": person,
            "form": form,
            "title": _("Hand the open actions to someone else"),
            "action": request.path,
        },
    )


@role_required(roles.CASELOAD_REASSIGNERS)
def caseload_reassign(request):
    """A coordinator or an admin hands every open action of one staff member at a site to another
    (someone leaving the centre). The page lists who holds open actions at the site."""
    sites = list(plan_selectors.caseload_sites_for(request.user))
    site = None
    site_id = query_id(request.POST.get("site") or request.GET.get("site"))
    if site_id is not None:
        site = next((s for s in sites if s.pk == site_id), None)
        if site is None:
            raise Http404
    elif len(sites) == 1:
        site = sites[0]
    form = None
    caseloads = []
    if site is not None:
        caseloads = plan_selectors.caseloads_at(site)
        form = CaseloadReassignForm(
            request.POST if request.method == "POST" else None,
            holders=plan_selectors.caseload_holders_at(site),
            staff=plan_selectors.plan_staff_for_site(site.pk),
        )
        if request.method == "POST" and form.is_valid():
            try:
                count = plan_actions.plan_caseload_reassign(
                    user=request.user,
                    site=site,
                    from_user=form.cleaned_data["from_user"],
                    to_user=form.cleaned_data["to_user"],
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("Open actions handed over: %(n)d.") % {"n": count})
                return redirect(reverse("cases:caseload_reassign") + f"?site={site.pk}")
    return render(
        request,
        "cases/caseload_reassign.html",
        {"sites": sites, "site": site, "form": form, "caseloads": caseloads},
    )
