"""Coordinator pages: the monthly dashboard, recomputing a month with live progress, exports."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orientation.actions import access_log_record
from orientation.dates import add_months, first_of_month, months_between
from orientation.models import AccessLog
from orientation.roles import REPORT_READERS, role_required

from . import exports
from .actions import monthly_figures_fill_request, months_not_computed, report_run_request
from .forms import ExportForm, MonthField, ProgramMonthForm
from .models import ReportRun
from .r4v import r4v_build, r4v_xlsx
from .selectors import (
    dashboard_for,
    default_month,
    late_recomputations,
    monthly_report,
    report_programs_for,
    report_run_get_for,
    report_run_latest,
    report_run_progress,
)


def _month_choices(program, selected: date) -> list[date]:
    """Months from this one back to the program's start (at most ten years), with ``selected``."""
    current = first_of_month(timezone.localdate())
    months = months_between(max(program.start_date, add_months(current, -120)), current)[::-1]
    if selected not in months:
        months.append(selected)
        months.sort(reverse=True)
    return months


def _dashboard_url(program, month: date) -> str:
    return f"{reverse('reports:dashboard')}?{urlencode({'program': program.code, 'month': f'{month:%Y-%m}'})}"


@require_GET
@role_required(REPORT_READERS)
def dashboard(request):
    programs = list(report_programs_for(request.user))
    if not programs:
        return render(request, "reports/dashboard.html", {"programs": []})
    code = request.GET.get("program")
    if code and code not in {p.code for p in programs}:
        raise Http404
    form = ProgramMonthForm(
        {
            "program": code or programs[0].code,
            "month": request.GET.get("month") or f"{default_month():%Y-%m}",
        },
        programs=programs,
    )
    if form.is_valid():
        program, month = form.cleaned_data["program"], form.cleaned_data["month"]
    else:
        program = form.programs.get(code) or programs[0]
        month = default_month()
    dashboard = dashboard_for(program=program, month=month)
    # Months never computed are not zeros: they are queued for computation on the first view.
    missing = dashboard.months_not_computed(start=program.start_date, today=timezone.localdate())
    if missing and monthly_figures_fill_request(program=program, months=missing):
        dashboard = dashboard_for(program=program, month=month)  # computed already without a broker
        missing = dashboard.months_not_computed(start=program.start_date, today=timezone.localdate())
    run = report_run_latest(month=month, program=program)
    reception = _reception_month(request.user, month)
    names = {row.indicator.code: row.indicator.display_name for row in dashboard.rows}
    context = {
        "late_recomputations": late_recomputations(program=program, names=names),
        "programs": programs,
        "program": program,
        "month": month,
        "form": form,
        "dashboard": dashboard,
        "months_missing": ", ".join(f"{m:%Y-%m}" for m in missing),
        "months_missing_count": len(missing),
        "run": run,
        "run_progress": report_run_progress(run) if run else None,
        # The month picker lists months by name in the page's language (a browser's month input
        # would follow the device's language): from the program's start to this month.
        "month_choices": _month_choices(program, month),
        "previous_url": _dashboard_url(program, add_months(month, -1)),
        "next_url": _dashboard_url(program, add_months(month, 1)),
        "export_form": ExportForm(initial={"program": program.code, "month": month}, programs=programs),
        "chart_data": {
            **dashboard.chart_data,
            "text": {"reached": _("Reached"), "new": _("New"), "target": _("Monthly target")},
        },
        "reception": reception,
        "reception_chart": {
            "labels": [f"{d['day']:%d}" for d in reception.days],
            "checked_in": [d["checked_in"] for d in reception.days],
            "left": [d["left"] for d in reception.days],
            "text": {"checked_in": _("Checked in"), "left": _("Left without service")},
        },
        "reception_url": _reception_figures_url(reception.start, reception.end),
    }
    return render(request, "reports/dashboard.html", context)


def _month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def _reception_month(user, month: date):
    """Reception at the reader's sites in the dashboard's month (one query, reception/figures.py)."""
    from reception.figures import reception_month_summary_for

    month = first_of_month(month)
    return reception_month_summary_for(user, start=month, end=_month_end(month))


def _reception_figures_url(start: date, end: date) -> str:
    return f"{reverse('reception:figures')}?{urlencode({'start': start.isoformat(), 'end': end.isoformat()})}"


@require_POST
@role_required(REPORT_READERS)
def recompute(request):
    """Queue the computation of a program's month; the page then follows the run."""
    programs = list(report_programs_for(request.user))
    form = ProgramMonthForm(request.POST, programs=programs)
    if not form.is_valid():
        messages.error(request, _("Choose one of your programs and a month as YYYY-MM."))
        return redirect("reports:dashboard")
    program, month = form.cleaned_data["program"], form.cleaned_data["month"]
    run = report_run_request(user=request.user, month=month, program=program)
    if request.htmx:
        run.refresh_from_db()
        if not run.is_active:  # computed already (tasks run in the request without a broker)
            response = HttpResponse(status=200)
            response["HX-Redirect"] = _dashboard_url(program, month)
            return response
        return _run_status_response(request, run)
    messages.success(
        request,
        _("Recomputing %(month)s for %(program)s. The figures appear here when it finishes.")
        % {"month": f"{month:%Y-%m}", "program": program.code},
    )
    return redirect(_dashboard_url(program, month))


def _run_status_response(request, run: ReportRun):
    done, total = report_run_progress(run)
    return render(
        request,
        "reports/includes/_run_status.html",
        {"run": run, "run_progress": (done, total), "poll": run.is_active and not run.is_stalled},
    )


@require_GET
@role_required(REPORT_READERS)
def run_status(request, pk: int):
    """The progress of a run (polled by htmx until it finishes; then the page reloads)."""
    run = report_run_get_for(request.user, pk)
    if not request.htmx:
        if run.program is None:
            return redirect("reports:dashboard")
        return redirect(_dashboard_url(run.program, run.month))
    if request.GET.get("poll") and not run.is_active and run.program is not None:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = _dashboard_url(run.program, run.month)
        return response
    return _run_status_response(request, run)


@require_GET
@role_required(REPORT_READERS)
def export(request):
    """Aggregate figures of a month as XLSX (one sheet per program) or CSV; logged."""
    programs = list(report_programs_for(request.user))
    form = ExportForm(request.GET, programs=programs)
    if not form.is_valid():
        messages.error(request, _("The export needs one of your programs, a month as YYYY-MM and a format."))
        return redirect("reports:dashboard")
    chosen, month = form.cleaned_data["program"], form.cleaned_data["month"]
    fmt, mask = form.cleaned_data["format"], form.cleaned_data["mask"]
    # A month never computed is never exported as an empty sheet (it would read as zero people):
    # it is computed first, in the background; the export waits until it is.
    missing = [p for p in chosen if months_not_computed(program=p, months=[month])]
    for p in missing:
        monthly_figures_fill_request(program=p, months=[month])
    missing = [p for p in missing if months_not_computed(program=p, months=[month])]
    if missing:
        messages.warning(
            request,
            _(
                "The figures of %(month)s are not computed yet for %(programs)s, so they cannot be "
                "exported. They are being computed now: export again in a few minutes, or use "
                "“Compute this month” on the dashboard."
            )
            % {"month": f"{month:%Y-%m}", "programs": ", ".join(p.code for p in missing)},
        )
        return redirect(_dashboard_url(missing[0], month))
    reports = [(p.code, monthly_report(month=month, program_code=p.code)) for p in chosen]
    if not any(report["indicators"] for _code, report in reports):
        messages.warning(
            request,
            _("There are no figures for %(month)s yet: compute them first.") % {"month": f"{month:%Y-%m}"},
        )
        return redirect(
            _dashboard_url(chosen[0], month) if len(chosen) == 1 else reverse("reports:dashboard")
        )
    codes = [p.code for p in chosen]
    access_log_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        object_type="reports.monthly_figures",
        object_id=f"{month:%Y-%m}",
        reason=f"{fmt}; {', '.join(codes)}; {'masked' if mask else 'unmasked'}",
        request=request,
    )
    name = f"orienta-5w-{month:%Y-%m}{'-' + codes[0] if len(codes) == 1 else ''}{'-masked' if mask else ''}"
    if fmt == "csv":
        merged = {"month": f"{month:%Y-%m}", "indicators": [i for _c, r in reports for i in r["indicators"]]}
        response = HttpResponse(exports.to_csv(merged, mask=mask), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from reception.figures import reception_figure_site_ids, reception_figures

    reception = reception_figures(
        site_ids=reception_figure_site_ids(request.user), start=month, end=_month_end(month)
    )
    response = HttpResponse(
        exports.to_xlsx(reports, mask=mask, reception=reception.rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_GET
@role_required(REPORT_READERS)
def reception_export(request):
    """Reception's figures of a month per day, site and service area, as CSV (the reader's sites;
    aggregate figures, no person); logged like the other exports."""
    from reception.figures import reception_figure_site_ids, reception_figures

    try:
        month = MonthField().clean(request.GET.get("month") or "") or first_of_month(default_month())
    except ValidationError:
        month = first_of_month(default_month())
    mask = request.GET.get("mask") in ("on", "1", "true")
    figures = reception_figures(
        site_ids=reception_figure_site_ids(request.user), start=month, end=_month_end(month)
    )
    access_log_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        object_type="reception.figures",
        object_id=f"{month:%Y-%m}",
        reason=f"csv; {'masked' if mask else 'unmasked'}",
        request=request,
    )
    response = HttpResponse(
        exports.reception_to_csv(figures.rows, mask=mask), content_type="text/csv; charset=utf-8"
    )
    name = f"orienta-reception-{month:%Y-%m}{'-masked' if mask else ''}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_GET
@role_required(REPORT_READERS)
def r4v(request):
    """A program's month as R4V's monthly file: R4V's checks first, then the download (logged)."""
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
    built = r4v_build(month=month, program_code=program.code)
    if built.ok and request.GET.get("download"):
        access_log_record(
            user=request.user,
            action=AccessLog.Action.EXPORT,
            object_type="reports.r4v",
            object_id=f"{month:%Y-%m}",
            reason=program.code,
            request=request,
        )
        response = HttpResponse(
            r4v_xlsx(built), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="r4v-{program.code}-{month:%Y-%m}.xlsx"'
        return response
    return render(
        request,
        "reports/r4v.html",
        {
            "form": form,
            "program": program,
            "month": month,
            "r4v": built,
            "rows": [
                {
                    "place": f"{row['Country Admin1']} / {row['Admin2 Admin2']}",
                    "indicator": row["_indicator"],
                    "quantity": row["Quantity of output"],
                    "total": row["Total monthly beneficiaries"],
                    "new": row["New beneficiaries of the month"],
                }
                for row in built.rows
            ],
            "download_url": f"{reverse('reports:r4v')}?"
            + urlencode({"program": program.code, "month": f"{month:%Y-%m}", "download": 1}),
            "dashboard_url": _dashboard_url(program, month),
        },
    )
