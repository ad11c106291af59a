"""Pages of the ARCO register: list, register, follow up, access export, anonymization."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orientation import roles
from orientation.actions import access_log_record
from orientation.forms import form_errors_add
from orientation.models import AccessLog
from orientation.paginator import paginate
from orientation.submission import submit_once

from . import actions, selectors
from .export import person_export, person_export_sections
from .forms import AnonymizeConfirmForm, ArcoRequestFilter, ArcoRequestForm, ArcoRequestUpdateForm
from .models import ArcoRequest

ANONYMIZING_KINDS = {ArcoRequest.Kind.CANCELLATION, ArcoRequest.Kind.OPPOSITION}


@roles.role_required(roles.ARCO_READERS)
def arco_request_list(request):
    requests = ArcoRequestFilter(
        request.GET or None, queryset=selectors.arco_requests_visible_to(request.user)
    )
    page = paginate(request, requests.qs.order_by("due_on", "pk"))
    return render(
        request,
        "arco/arco_request_list.html",
        {"page_obj": page, "filter_form": requests.form, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def arco_request_create(request, person_pk):
    person = selectors.arco_person_get_for_user(request.user, person_pk)
    form = ArcoRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = submit_once(
            request,
            actions.arco_request_create,
            person=person,
            user=request.user,
            kind=form.cleaned_data["kind"],
            received_on=form.cleaned_data["received_on"],
        )
        request_obj = sent.obj
        sent.message(
            request,
            _("Request registered. It must be answered by %(date)s.")
            % {"date": request_obj.due_on.strftime("%d/%m/%Y")},
        )
        return redirect("arco:arco_request_detail", pk=request_obj.pk)
    return render(request, "arco/arco_request_form.html", {"form": form, "person": person})


def arco_request_detail(request, pk):
    request_obj = selectors.arco_request_get_for_user(request.user, pk, capability=roles.ARCO_READERS)
    form = ArcoRequestUpdateForm(
        initial={"status": request_obj.status, "resolution": request_obj.resolution}, record=request_obj
    )
    return render(request, "arco/arco_request_detail.html", _detail_context(request, request_obj, form))


def _detail_context(request, request_obj, form) -> dict:
    user = request.user
    return {
        "arco": request_obj,
        "person": request_obj.person,
        "form": form,
        "today": timezone.localdate(),
        "can_update": roles.has_role(user, roles.ARCO_HANDLERS),
        "can_export": request_obj.kind == ArcoRequest.Kind.ACCESS
        and roles.has_role(user, roles.ARCO_EXPORTERS),
        "can_anonymize": request_obj.kind in ANONYMIZING_KINDS
        and request_obj.person.anonymized_at is None
        and roles.has_role(user, roles.ARCO_ANONYMIZERS),
    }


@require_POST
def arco_request_update(request, pk):
    request_obj = selectors.arco_request_get_for_user(request.user, pk)
    form = ArcoRequestUpdateForm(request.POST, record=request_obj)
    if form.is_valid():
        try:
            actions.arco_request_update(
                request_obj=request_obj,
                user=request.user,
                status=form.cleaned_data["status"],
                resolution=form.cleaned_data["resolution"],
                version=form.version,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
            request_obj = selectors.arco_request_get_for_user(request.user, pk)
        else:
            messages.success(request, _("Request updated."))
            return redirect("arco:arco_request_detail", pk=request_obj.pk)
    return render(
        request,
        "arco/arco_request_detail.html",
        _detail_context(request, request_obj, form),
        status=200,
    )


def _access_request_for_export(request, pk) -> ArcoRequest:
    request_obj = selectors.arco_request_get_for_user(request.user, pk, capability=roles.ARCO_EXPORTERS)
    if request_obj.kind != ArcoRequest.Kind.ACCESS:
        raise Http404
    return request_obj


def arco_request_export_json(request, pk):
    """Everything held about the person, as a JSON download (the right of access)."""
    request_obj = _access_request_for_export(request, pk)
    data = person_export(person=request_obj.person, user=request.user)
    data["arco_request"] = request_obj.pk
    access_log_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        obj=request_obj.person,
        reason=f"ARCO access #{request_obj.pk}",
        request=request,
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="orienta-arco-{request_obj.pk}.json"'
    return response


def arco_request_export_print(request, pk):
    """The same export as a readable page to print and hand over."""
    request_obj = _access_request_for_export(request, pk)
    sections, empty, data = person_export_sections(person=request_obj.person, user=request.user)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.PRINT,
        obj=request_obj.person,
        reason=f"ARCO access #{request_obj.pk}",
        request=request,
    )
    return render(
        request,
        "arco/arco_export_print.html",
        {
            "arco": request_obj,
            "sections": sections,
            "empty": empty,
            "data": data,
            "generated_at": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def arco_request_anonymize(request, pk):
    """Honour a cancellation or opposition: confirm, then anonymize the person."""
    request_obj = selectors.arco_request_get_for_user(request.user, pk, capability=roles.ARCO_ANONYMIZERS)
    if request_obj.kind not in ANONYMIZING_KINDS:
        raise Http404
    if request_obj.person.anonymized_at is not None:
        messages.info(request, _("This person was already anonymized."))
        return redirect("arco:arco_request_detail", pk=request_obj.pk)
    form = AnonymizeConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.arco_request_anonymize(request_obj=request_obj, user=request.user, request=request)
        messages.success(request, _("The person's personal data were erased and the request closed."))
        return redirect("arco:arco_request_detail", pk=request_obj.pk)
    return render(request, "arco/arco_anonymize_confirm.html", {"arco": request_obj, "form": form})
