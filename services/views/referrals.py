"""Referrals: creating, the detail page, status changes, follow-ups and the printable slip."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.selectors import person_get_for_user
from cases.selectors.plan import plan_action_initial, plan_actions_open_of
from orientation import roles
from orientation.forms import form_errors_add
from orientation.roles import role_required
from orientation.submission import submit_once

from .. import actions, selectors
from ..forms import (
    ReferralFollowUpForm,
    ReferralForm,
    ReferralResponsibleForm,
    ReferralTransitionForm,
)
from ..models import Referral
from ._common import person_page_url

# --- Referrals ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(roles.CASE_WORKERS)
def referral_create(request, person_pk):
    person = person_get_for_user(request.user, person_pk, write=True)
    consent = selectors.referral_consent_active(person)
    can_override = consent is None and roles.has_role(request.user, roles.CONSENT_OVERRIDERS)
    programs = selectors.programs_for_person(request.user, person)
    staff = selectors.staff_for_site(person.site_id, include=request.user)
    form = ReferralForm(
        request.POST or None,
        initial={
            **({"responsible": request.user.pk} if roles.has_role(request.user, roles.CASE_STAFF) else {}),
            **plan_action_initial(request),
        },
        service_types=selectors.service_types_active(),
        partners=selectors.partners_active(),
        programs=programs,
        staff=staff,
        can_override=can_override,
        program_last=selectors.program_last_chosen(request.user, kind="referral"),
        plan_actions=plan_actions_open_of(person),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = submit_once(
                request,
                actions.referral_create,
                user=request.user,
                person=person,
                partner=data["partner"],
                service_type=data["service_type"],
                program=data["program"],
                referred_on=data["referred_on"],
                follow_up_due=data["follow_up_due"],
                responsible=data["responsible"],
                reason=data["reason"],
                consent_override_reason=data.get("consent_override_reason", ""),
                allowed_programs=programs,
                request=request,
                plan_action=data.get("plan_action"),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            referral = sent.obj
            sent.message(
                request,
                _(
                    "Referral %(code)s created. Print the slip for the person to take to the partner institution."
                )
                % {"code": referral.code},
            )
            return redirect("services:referral_detail", pk=referral.pk)
    return render(
        request,
        "services/referral_form.html",
        {
            "person": person,
            "form": form,
            "consent": consent,
            "can_override": can_override,
            "cancel_url": person_page_url(person.pk),
        },
    )


def _referral_detail_context(request, referral: Referral, **forms) -> dict:
    can_write = roles.has_role(request.user, roles.CASE_WORKERS)
    timeline = selectors.referral_timeline(referral)
    partner_answers = [e for kind, e in timeline if kind == "transition" and e.via_partner_link]
    context = {
        "referral": referral,
        "person": referral.person,
        "timeline": timeline,
        "partner_answer": partner_answers[-1] if partner_answers else None,
        "links": referral.partner_links.order_by("-created_at")[:5],
        "can_write": can_write and referral.is_open,
        "can_reassign": can_write,
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    if can_write and referral.is_open:
        context["transition_form"] = forms.get("transition_form") or ReferralTransitionForm(referral=referral)
        context["follow_up_form"] = forms.get("follow_up_form") or ReferralFollowUpForm()
    if can_write:
        staff = selectors.staff_for_site(referral.site_id)
        context["responsible_form"] = forms.get("responsible_form") or ReferralResponsibleForm(
            staff=staff, initial={"responsible": referral.responsible_id}, referral=referral
        )
    return context


@require_GET
@role_required(roles.CASE_READERS)
def referral_detail(request, pk):
    referral = selectors.referral_get_for_user(request.user, pk)
    return render(request, "services/referral_detail.html", _referral_detail_context(request, referral))


@require_POST
@role_required(roles.CASE_WORKERS)
def referral_transition(request, pk):
    referral = selectors.referral_get_for_user(request.user, pk, write=True)
    form = ReferralTransitionForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            referral = actions.referral_transition(
                referral=referral,
                user=request.user,
                to_status=form.cleaned_data["to_status"],
                completed_on=form.cleaned_data["completed_on"],
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
                version=form.version,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
            referral.refresh_from_db()
        else:
            messages.success(
                request, _("The referral is now “%(status)s”.") % {"status": referral.get_status_display()}
            )
            return redirect("services:referral_detail", pk=referral.pk)
    elif "to_status" in form.errors and request.POST.get("to_status") in Referral.Status.values:
        # A status the workflow does not allow from here: say so plainly.
        form.errors["to_status"] = form.error_class(
            [
                _("A referral that is “%(from)s” cannot become “%(to)s”.")
                % {
                    "from": referral.get_status_display(),
                    "to": Referral.Status(request.POST["to_status"]).label,
                }
            ]
        )
    problems = [str(e) for errors in form.errors.values() for e in errors]
    messages.error(request, " ".join([_("The status was not changed."), *problems]))
    return render(
        request,
        "services/referral_detail.html",
        _referral_detail_context(request, referral, transition_form=form),
        status=400,
    )


@require_POST
@role_required(roles.CASE_WORKERS)
def referral_follow_up(request, pk):
    referral = selectors.referral_get_for_user(request.user, pk, write=True)
    form = ReferralFollowUpForm(request.POST)
    if form.is_valid():
        try:
            sent = submit_once(
                request,
                actions.referral_follow_up_log,
                referral=referral,
                user=request.user,
                note=form.cleaned_data["note"],
                next_due=form.cleaned_data["next_due"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            sent.message(request, _("Follow-up recorded."))
            return redirect("services:referral_detail", pk=referral.pk)
    messages.error(request, _("The follow-up was not recorded. Check the form below."))
    return render(
        request,
        "services/referral_detail.html",
        _referral_detail_context(request, referral, follow_up_form=form),
        status=400,
    )


@require_POST
@role_required(roles.CASE_WORKERS)
def referral_responsible(request, pk):
    referral = selectors.referral_get_for_user(request.user, pk, write=True)
    form = ReferralResponsibleForm(
        request.POST, staff=selectors.staff_for_site(referral.site_id), referral=referral
    )
    if form.is_valid():
        try:
            actions.referral_responsible_set(
                referral=referral,
                user=request.user,
                responsible=form.cleaned_data["responsible"],
                version=form.version,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
            referral.refresh_from_db()
            problems = [str(e) for errors in form.errors.values() for e in errors]
            messages.error(request, " ".join([_("The follow-up was not handed over."), *problems]))
        else:
            messages.success(request, _("The follow-up has a new responsible."))
            return redirect("services:referral_detail", pk=referral.pk)
    else:
        messages.error(request, _("Choose a caseworker of the site."))
    return render(
        request,
        "services/referral_detail.html",
        _referral_detail_context(request, referral, responsible_form=form),
        status=400,
    )


def _qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@require_http_methods(["GET", "POST"])
@role_required(roles.CASE_WORKERS)
def referral_slip(request, pk):
    """The slip the person takes to the partner, with a fresh one-time link for the partner.

    A POST because it makes that link (the previous unused one stops working) and logs the printing.
    The slip's address opened directly (a bookmark, a reload) explains that and offers to print again.
    """
    referral = selectors.referral_get_for_user(request.user, pk, write=True)
    if request.method == "GET":
        return render(request, "services/referral_slip_reprint.html", {"referral": referral})
    try:
        token = actions.referral_slip_print(referral=referral, user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("services:referral_detail", pk=referral.pk)
    link_url = request.build_absolute_uri(reverse("services:partner_feedback", args=[token]))
    document = referral.person.documents.order_by("created_at").first()
    return render(
        request,
        "services/referral_slip.html",
        {
            "referral": referral,
            "person": referral.person,
            "document": document,
            "document_tail": document.number[-4:] if document else "",
            "link_url": link_url,
            "qr_svg": mark_safe(_qr_svg(link_url)),  # noqa: S308  # nosec B308 B703 (SVG generated by qrcode from our own URL)
            "link_expires": timezone.localdate() + timedelta(days=settings.PARTNER_LINK_DAYS),
        },
    )
