"""Coordinator pages for DHIS2: a program's month as a data value set (JSON, CSV), the push button,
and the pushes with DHIS2's import summaries. Scoped like the R4V page: coordinators for their
programs, admins for all."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orientation.actions import access_log_record
from orientation.models import AccessLog
from orientation.paginator import paginate
from orientation.roles import REPORT_READERS, role_required
from reports.forms import ProgramMonthForm
from reports.selectors import default_month, report_programs_for

from .actions import dhis2_push_request
from .datavalues import data_value_set_build
from .models import DHIS2Push
from .selectors import dhis2_push_get_for, dhis2_pushes_of, dhis2_server_active

PUSHES_PER_PAGE = 10
CONFLICTS_INLINE = 5


def _page_url(program, month) -> str:
    return f"{reverse('dhis2:page')}?{urlencode({'program': program.code, 'month': f'{month:%Y-%m}'})}"


def _dashboard_url(program, month) -> str:
    return f"{reverse('reports:dashboard')}?{urlencode({'program': program.code, 'month': f'{month:%Y-%m}'})}"


def _log(request, *, month, what: str, program) -> None:
    access_log_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        object_type="reports.dhis2",
        object_id=f"{month:%Y-%m}",
        reason=f"{what}; {program.code}",
        request=request,
    )


@require_GET
@role_required(REPORT_READERS)
def page(request):
    """A program's month as DHIS2 data values: what stops it, or the downloads and the push."""
    programs = list(report_programs_for(request.user))
    if not programs:
        raise Http404
    form = ProgramMonthForm(
        {
            "program": request.GET.get("program") or programs[0].code,
            "month": request.GET.get("month") or f"{default_month():%Y-%m}",
        },
        programs=programs,
    )
    if not form.is_valid():
        messages.error(request, _("Choose one of your programs and a month as YYYY-MM."))
        return redirect("reports:dashboard")
    program, month = form.cleaned_data["program"], form.cleaned_data["month"]
    built = data_value_set_build(month=month, program_code=program.code)
    download = request.GET.get("download")
    if built.ok and download in ("json", "csv"):
        _log(request, month=month, what=download, program=program)
        name = f"dhis2-{program.code}-{month:%Y-%m}.{download}"
        if download == "json":
            response = HttpResponse(
                json.dumps(built.as_json(), ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
        else:
            response = HttpResponse(built.as_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    pushes = paginate(request, dhis2_pushes_of(program=program), size=PUSHES_PER_PAGE)
    query = {"program": program.code, "month": f"{month:%Y-%m}"}
    return render(
        request,
        "dhis2/page.html",
        {
            "form": form,
            "programs": programs,
            "program": program,
            "month": month,
            "built": built,
            "server": dhis2_server_active(),
            "page_obj": pushes,
            "conflicts_inline": CONFLICTS_INLINE,
            "json_url": f"{reverse('dhis2:page')}?{urlencode({**query, 'download': 'json'})}",
            "csv_url": f"{reverse('dhis2:page')}?{urlencode({**query, 'download': 'csv'})}",
            "dashboard_url": _dashboard_url(program, month),
        },
    )


@require_POST
@role_required(REPORT_READERS)
def push(request):
    """Queue a push of a program's month to the configured DHIS2 server."""
    programs = list(report_programs_for(request.user))
    form = ProgramMonthForm(request.POST, programs=programs)
    if not form.is_valid():
        messages.error(request, _("Choose one of your programs and a month as YYYY-MM."))
        return redirect("reports:dashboard")
    program, month = form.cleaned_data["program"], form.cleaned_data["month"]
    back = _page_url(program, month)
    if dhis2_server_active() is None:
        messages.error(request, _("No DHIS2 server is configured: an administrator adds it in the admin."))
        return redirect(back)
    built = data_value_set_build(month=month, program_code=program.code)
    if not built.ok:
        messages.error(request, _("The data values cannot be made yet: the page lists what to fill in."))
        return redirect(back)
    pushed, created = dhis2_push_request(month=month, program=program, user=request.user)
    _log(request, month=month, what="push", program=program)
    pushed.refresh_from_db()
    if not created:
        messages.info(request, _("A push of this month is already waiting to be sent."))
    elif pushed.status == DHIS2Push.Status.SENT:
        messages.success(
            request,
            _(
                "Sent to DHIS2: import status %(status)s, %(imported)s imported, %(updated)s updated, %(ignored)s ignored."
            )
            % {
                "status": pushed.import_status or "?",
                "imported": pushed.imported,
                "updated": pushed.updated,
                "ignored": pushed.ignored,
            },
        )
    elif pushed.status == DHIS2Push.Status.FAILED:
        messages.error(request, _("The push failed: %(error)s") % {"error": pushed.error})
    else:
        messages.success(
            request, _("The push is queued: its result appears in the list below when DHIS2 answers.")
        )
    return redirect(back)


@require_GET
@role_required(REPORT_READERS)
def push_detail(request, pk: int):
    """One push: DHIS2's import summary with every conflict."""
    pushed = dhis2_push_get_for(request.user, pk)
    return render(
        request,
        "dhis2/push_detail.html",
        {
            "push": pushed,
            "response_json": json.dumps(pushed.response, ensure_ascii=False, indent=2)
            if pushed.response is not None
            else "",
            "page_url": _page_url(pushed.program, pushed.month),
        },
    )
