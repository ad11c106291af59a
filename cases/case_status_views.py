"""Closing and reopening a person's case (cases/case_status.py): thin views. Case staff of the
person's sites (and admins) close and reopen; coordinators read the status on the person page;
receptionists and facilitators never reach these pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orientation import roles
from orientation.forms import form_errors_add
from orientation.roles import role_required

from . import case_status, selectors
from .forms import CaseCloseForm, CaseReopenForm


@role_required(roles.CASE_WORKERS)
def case_close(request, pk):
    """What is still open for the person, then the reason: closing needs both."""
    person = selectors.person_get_for_user(request.user, pk, write=True)
    if person.merged_into_id is not None or person.case_is_closed:
        if person.case_is_closed:
            messages.info(request, _("The case is already closed."))
        return redirect("cases:person_detail", pk=person.merged_into_id or person.pk)
    open_items = selectors.case_open_items(request.user, person)
    form = CaseCloseForm(request.POST or None, open_items=open_items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case_status.case_close(
                user=request.user,
                person=person,
                reason=data["reason"],
                reason_other=data.get("reason_other", ""),
                note=data.get("note", ""),
                items_seen=form.seen_keys(),
            )
        except case_status.OpenItemsChanged as error:
            # The list shown is the one of now: confirm again, having seen it.
            posted = request.POST.copy()
            posted["items_seen"] = ",".join(item.key for item in open_items)
            posted.pop("confirm", None)
            form = CaseCloseForm(posted, open_items=open_items)
            form.is_valid()
            form_errors_add(form, error)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The case is closed. It stays searchable and can be reopened."))
            return redirect("cases:person_detail", pk=person.pk)
    return render(
        request, "cases/case_close.html", {"person": person, "form": form, "open_items": open_items}
    )


@role_required(roles.CASE_WORKERS)
def case_reopen(request, pk):
    """Back to open, with an optional note."""
    person = selectors.person_get_for_user(request.user, pk, write=True)
    if person.merged_into_id is not None or not person.case_is_closed:
        if person.merged_into_id is None:
            messages.info(request, _("The case is already open."))
        return redirect("cases:person_detail", pk=person.merged_into_id or person.pk)
    form = CaseReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_status.case_reopen(user=request.user, person=person, note=form.cleaned_data.get("note", ""))
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The case is open again."))
            return redirect("cases:person_detail", pk=person.pk)
    changes = selectors.case_status_changes(person)
    closing = selectors.case_last_closing(changes)
    return render(
        request,
        "cases/case_reopen.html",
        {
            "person": person,
            "form": form,
            "closing": closing,
            "activity": (
                selectors.case_activity_since(request.user, person, closing.changed_at) if closing else []
            ),
        },
    )
