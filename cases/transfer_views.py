"""Transfers and shares between sites (docs/transfer.md): the request from the person's page, the
inbox of requests to decide and of requests sent, and the decisions. Thin views: reads through
cases/selectors/transfer.py, writes through cases/transfer.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orientation import roles
from orientation.forms import form_errors_add
from orientation.paginator import paginate
from orientation.roles import role_required

from . import transfer as transfer_actions
from .forms import SiteRequestDecisionForm, SiteRequestForm
from .models import SiteRequest
from .selectors import transfer as transfer_selectors

INBOX_PAGE_SIZE = 20


@role_required(roles.SITE_REQUESTERS)
def site_request_create(request, pk):
    """Ask to move the person's case to another site, or to share it with one until a date."""
    person = transfer_selectors.person_for_site_request(request.user, pk)
    form = SiteRequestForm(request.POST or None, sites=transfer_selectors.site_request_destinations(person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            site_request = transfer_actions.site_request_make(
                user=request.user,
                person=person,
                kind=data["kind"],
                to_site=data["to_site"],
                reason=data["reason"],
                share_until=data.get("share_until"),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            if site_request.kind == SiteRequest.Kind.TRANSFER:
                message = _("Transfer requested: %(site)s will accept or decline it.")
            else:
                message = _("Share requested: %(site)s will accept or decline it.")
            messages.success(request, message % {"site": site_request.to_site.name})
            return redirect("cases:person_detail", person.pk)
    return render(
        request,
        "cases/person_record_form.html",
        {"person": person, "form": form, "title": _("Transfer or share the case"), "action": request.path},
    )


@role_required(roles.SITE_REQUEST_DECIDERS)
def site_requests(request):
    """Requests to the user's sites awaiting a decision, and the requests their sites sent."""
    return render(
        request,
        "cases/site_requests.html",
        {
            "to_decide": paginate(
                request, transfer_selectors.site_requests_to_decide(request.user), size=INBOX_PAGE_SIZE
            ),
            "sent": paginate(
                request,
                transfer_selectors.site_requests_sent(request.user),
                size=INBOX_PAGE_SIZE,
                param="sent",
            ),
            "can_close": roles.has_role(request.user, roles.SITE_REQUESTERS),
            "decision_form": SiteRequestDecisionForm(),
        },
    )


def _decide(request, pk, action, success: str):
    site_request = transfer_selectors.site_request_to_decide_get(request.user, pk)
    form = SiteRequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("note", [])) or _("Check the note."))
        return redirect("cases:site_requests")
    try:
        action(user=request.user, site_request=site_request, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("cases:site_requests")


@require_POST
@role_required(roles.SITE_REQUEST_DECIDERS)
def site_request_accept(request, pk):
    return _decide(request, pk, transfer_actions.site_request_accept, _("Request accepted."))


@require_POST
@role_required(roles.SITE_REQUEST_DECIDERS)
def site_request_decline(request, pk):
    return _decide(request, pk, transfer_actions.site_request_decline, _("Request declined."))


@require_POST
@role_required(roles.SITE_REQUESTERS)
def site_request_close(request, pk):
    """The requesting site cancels a request awaiting a decision, or ends a share early."""
    site_request = transfer_selectors.site_request_sent_get(request.user, pk)
    try:
        site_request = transfer_actions.site_request_close(user=request.user, site_request=site_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if site_request.status == SiteRequest.Status.ENDED:
            messages.success(request, _("Share ended: the other site no longer works on this case."))
        else:
            messages.success(request, _("Request cancelled."))
    return redirect("cases:site_requests")
