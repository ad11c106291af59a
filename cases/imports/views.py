"""Upload, check, confirm and follow an import; export people. Coordinators and admins only."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from orientation import roles
from orientation.forms import form_errors_add
from orientation.paginator import paginate
from orientation.spreadsheet import spreadsheet_row

from .actions import (
    import_batch_abandon,
    import_batch_confirm,
    import_batch_create,
    import_batches_fail_dead,
    people_export_prepare,
)
from .errors import RowError
from .export import people_csv_stream, people_export_rows, people_xlsx_file
from .forms import ImportUploadForm, PeopleExportForm
from .kinds import IMPORTERS
from .labels import counts_display
from .models import ImportBatch
from .registry import kind_choices
from .selectors import (
    import_batch_get_for_user,
    import_batch_preview,
    import_batches_for_user,
    people_for_export,
)

IN_PROGRESS = (ImportBatch.Status.UPLOADED, ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)


def _kinds_help() -> list[dict]:
    return [
        {
            "code": code,
            "label": label,
            "columns": [(c, c in IMPORTERS[code].required_columns) for c in IMPORTERS[code].columns],
        }
        for code, label in kind_choices()
    ]


def _batch_alive_or_failed(user, pk: int) -> ImportBatch:
    """The batch; a run whose worker died (its heartbeat stopped) is failed first, so the page
    never says the work goes on when nobody does it (also without beat)."""
    batch = import_batch_get_for_user(user, pk)
    if batch.status == ImportBatch.Status.RUNNING and import_batches_fail_dead(batch_id=batch.pk):
        batch.refresh_from_db()
    return batch


@roles.role_required(roles.IMPORTERS)
def import_upload(request):
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_batch_create(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("File received. It is checked row by row before anything is saved."))
            return redirect("imports:import_detail", pk=batch.pk)
    page = paginate(request, import_batches_for_user(request.user), size=20)
    context = {
        "form": form,
        "page_obj": page,
        "kinds": _kinds_help(),
        "can_export": roles.has_role(request.user, roles.PERSONAL_EXPORTERS),
    }
    return render(request, "imports/upload.html", context)


@roles.role_required(roles.IMPORTERS)
def import_detail(request, pk: int):
    batch = _batch_alive_or_failed(request.user, pk)
    errors = [RowError.from_dict(e) for e in batch.errors]
    preview = None
    if batch.status in (ImportBatch.Status.READY, ImportBatch.Status.INVALID, ImportBatch.Status.FAILED):
        preview = import_batch_preview(batch)
    if preview is not None:
        bad_cells = {(e.row, e.column): e.message for e in errors}
        bad_rows = {e.row for e in errors}
        preview["table"] = [
            {
                "number": number,
                "bad": number in bad_rows,
                "cells": [
                    (value, bad_cells.get((number, column), ""))
                    for column, value in zip(preview["columns"], cells, strict=False)
                ],
            }
            for number, cells in preview["rows"]
        ]
    context = {
        "batch": batch,
        "errors": errors,
        "error_count": batch.summary.get("error_count", len(errors)),
        "preview": preview,
        "groups_to_create": (
            batch.summary.get("groups_to_create", []) if batch.status == ImportBatch.Status.READY else []
        ),
        "counts": counts_display(batch.summary.get("counts", {})),
        "in_progress": batch.status in IN_PROGRESS,
        "upload_form": ImportUploadForm(initial={"kind": batch.kind}),
    }
    return render(request, "imports/detail.html", context)


@roles.role_required(roles.IMPORTERS)
def import_progress(request, pk: int):
    """The progress box, polled by htmx; when the work is over the page reloads to show the result."""
    batch = _batch_alive_or_failed(request.user, pk)
    if batch.status not in IN_PROGRESS:
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect("imports:import_detail", pk=batch.pk)
    return render(request, "imports/includes/_progress.html", {"batch": batch})


@require_POST
@roles.role_required(roles.IMPORTERS)
def import_confirm(request, pk: int):
    batch = import_batch_get_for_user(request.user, pk)
    try:
        batch = import_batch_confirm(batch=batch, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("imports:import_detail", pk=batch.pk)
    batch.refresh_from_db()
    if batch.status == ImportBatch.Status.DONE:
        messages.success(request, _("The file was imported."))
    elif batch.status == ImportBatch.Status.INVALID:
        messages.error(request, _("Nothing was imported: the data changed since the file was checked."))
    elif batch.status in IN_PROGRESS:
        messages.info(request, _("The import has started. You can leave this page: it goes on without you."))
    return redirect("imports:import_detail", pk=batch.pk)


@require_POST
@roles.role_required(roles.IMPORTERS)
def import_abandon(request, pk: int):
    batch = import_batch_get_for_user(request.user, pk)
    try:
        import_batch_abandon(batch=batch, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("imports:import_detail", pk=batch.pk)
    messages.success(request, _("Upload abandoned: the file was deleted and nothing was imported."))
    return redirect("imports:import_upload")


@roles.role_required(roles.IMPORTERS)
def import_template(request, kind: str):
    """An empty file with the header row of a kind, to fill in."""
    if kind not in IMPORTERS:
        raise Http404
    buffer = io.StringIO()
    csv.writer(buffer).writerow(spreadsheet_row(IMPORTERS[kind].columns))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orienta-{kind}.csv"'
    return response


@roles.role_required(roles.PERSONAL_EXPORTERS)
def people_export(request):
    form = PeopleExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        site = form.cleaned_data["site"]
        people = people_for_export(request.user, site_ids=[site.pk] if site else None)
        people_export_prepare(
            user=request.user, people=people, reason=form.cleaned_data["reason"], request=request
        )
        stamp = timezone.localdate().isoformat()
        rows = people_export_rows(people)
        if form.cleaned_data["format"] == "xlsx":
            return FileResponse(
                people_xlsx_file(rows),
                as_attachment=True,
                filename=f"orienta-people-{stamp}.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response = StreamingHttpResponse(people_csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="orienta-people-{stamp}.csv"'
        return response
    return render(request, "imports/export.html", {"form": form})
