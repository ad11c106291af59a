"""Writes for imports and exports: the life of an uploaded file (ImportBatch) and the export log.

uploaded (being checked) → ready | invalid;  ready → queued → running → done | invalid | failed;
uploaded, ready, invalid or failed → abandoned. The file stays in MEDIA_ROOT only until it is
rejected, imported or abandoned (a rejected file is deleted at once: only its error list is kept);
``import_batches_cleanup`` removes what is left behind.
"""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from orientation import roles
from orientation.actions import access_log_record
from orientation.models import AccessLog
from orientation.outbox import enqueue

from ..models import Person
from .engine import BatchProgress, figures_refresh, file_check, file_import
from .errors import ErrorSink
from .models import ImportBatch
from .reading import file_format
from .registry import IMPORTERS

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1000
STALE_AFTER = timedelta(hours=getattr(settings, "IMPORT_UPLOAD_TTL_HOURS", 24))
# A run still "running" after the task time limit died with its worker (where no heartbeat is
# written: SQLite, runs started before the heartbeat existed).
RUN_DEAD_AFTER = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1800) + 300)
# The worker running an import writes ImportBatch.heartbeat_at every HEARTBEAT_EVERY; a run whose
# heartbeat is older than HEARTBEAT_DEAD_AFTER died with its worker and is marked failed.
HEARTBEAT_EVERY = getattr(settings, "IMPORT_HEARTBEAT_SECONDS", 10)
HEARTBEAT_DEAD_AFTER = timedelta(seconds=getattr(settings, "IMPORT_DEAD_AFTER_SECONDS", 60))
WORKER_LOST = "worker_lost"  # summary["failure"]: the page says the server running it stopped
UPLOAD_DIR = "imports"

Status = ImportBatch.Status
LIVE = [Status.UPLOADED, Status.INVALID, Status.READY, Status.QUEUED, Status.RUNNING, Status.FAILED]


def _open(batch: ImportBatch):
    @contextmanager
    def opener():
        with default_storage.open(batch.file.name, "rb") as fileobj:
            yield fileobj

    return opener


def _errors_summary(errors: ErrorSink) -> tuple[list[dict], int]:
    return [e.as_dict() for e in errors.errors], errors.count


@transaction.atomic
def import_batch_create(*, user, kind: str, upload) -> ImportBatch:
    """Keep an uploaded file and queue its check."""
    roles.require(user, roles.IMPORTERS)
    fmt = file_format(upload.name)
    if kind not in IMPORTERS or fmt is None:
        raise ValidationError(_("Choose a kind and a .csv or .xlsx file."))
    batch = ImportBatch(kind=kind, original_name=upload.name[-200:], uploaded_by=user, status=Status.UPLOADED)
    # The stored name says nothing about the content; the original name is kept apart.
    batch.file.save(f"{uuid.uuid4().hex}.{fmt}", upload, save=False)
    batch.full_clean()
    batch.save()
    _enqueue("cases.imports.tasks.import_batch_check_task", batch_id=batch.pk)
    return batch


def import_batch_check(*, batch_id: int) -> ImportBatch | None:
    """Read an uploaded file and list every error; idempotent (only an ``uploaded`` batch is read)."""
    batch = ImportBatch.objects.select_related("uploaded_by").filter(pk=batch_id).first()
    if batch is None or batch.status != Status.UPLOADED:
        return batch
    if batch.uploaded_by is None or not batch.file or not default_storage.exists(batch.file.name):
        batch.status, batch.errors = Status.INVALID, [{"row": None, "column": "", "code": "file_unreadable"}]
        _file_delete(batch)
        batch.save(update_fields=["status", "errors", "file", "summary"])
        return batch
    errors = ErrorSink(keep=MAX_STORED_ERRORS)
    result = file_check(
        open_file=_open(batch),
        name=batch.file.name,
        kind=batch.kind,
        errors=errors,
        user=batch.uploaded_by,
        on_progress=BatchProgress(batch.pk),
    )
    stored, count = _errors_summary(errors)
    # The preview page shows these rows: the file is not parsed again on each view.
    preview = {"preview": {"header": result.header, "rows": result.preview}} if not count else {}
    # Only if nobody abandoned it meanwhile.
    checked = ImportBatch.objects.filter(pk=batch.pk, status=Status.UPLOADED).update(
        status=Status.INVALID if count else Status.READY,
        total_rows=result.rows,
        processed_rows=0,
        errors=stored,
        summary={
            "error_count": count,
            "format": result.format,
            "delimiter": result.delimiter,
            "columns": result.columns,
            **result.plan,
        }
        | preview,
    )
    batch.refresh_from_db()
    if checked and count:  # rejected: the file goes at once, the error list stays
        _file_delete(batch)
        batch.save(update_fields=["file", "summary"])
    return batch


@transaction.atomic
def import_batch_confirm(*, batch: ImportBatch, user) -> ImportBatch:
    """Queue the import of a checked file (or retry one that failed)."""
    roles.require(user, roles.IMPORTERS)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (Status.READY, Status.FAILED):
        raise ValidationError(_("This file cannot be imported now."))
    batch.status = Status.QUEUED
    batch.processed_rows = 0
    batch.save(update_fields=["status", "processed_rows"])
    _enqueue("cases.imports.tasks.import_batch_run_task", batch_id=batch.pk)
    return batch


def import_batch_run(*, batch_id: int) -> ImportBatch | None:
    """Import a confirmed file whole or not at all. Only a ``queued`` batch is run, so a task
    delivered twice runs once."""
    beats = connection.vendor == "postgresql"
    claimed = ImportBatch.objects.filter(pk=batch_id, status=Status.QUEUED).update(
        status=Status.RUNNING, processed_rows=0, heartbeat_at=timezone.now() if beats else None
    )
    batch = ImportBatch.objects.select_related("uploaded_by").filter(pk=batch_id).first()
    if not claimed or batch is None:
        return batch
    batch.summary = dict(batch.summary, started_at=timezone.now().isoformat())
    batch.save(update_fields=["summary"])
    if batch.uploaded_by is None or not batch.file:  # the uploader's account is gone: nobody to scope it to
        batch.status, batch.finished_at = Status.FAILED, timezone.now()
        batch.save(update_fields=["status", "finished_at"])
        return batch
    errors = ErrorSink(keep=MAX_STORED_ERRORS)
    progress = BatchProgress(batch.pk)
    heartbeat = _Heartbeat(batch.pk) if beats else None
    try:
        result = file_import(
            open_file=_open(batch),
            name=batch.file.name,
            kind=batch.kind,
            errors=errors,
            user=batch.uploaded_by,
            reason=f"import #{batch.pk}",
            on_progress=progress,
        )
    except Exception:  # a bug or a lost database: nothing was written (one transaction); say so
        logger.exception("import #%s failed", batch.pk)
        batch.status, batch.finished_at = Status.FAILED, timezone.now()
        batch.save(update_fields=["status", "finished_at"])
        return batch
    finally:
        progress.close()
        if heartbeat is not None:
            heartbeat.stop()
    # Done or rejected, the file goes: so do the rows kept for its preview.
    summary = {k: v for k, v in batch.summary.items() if k != "preview"} | {"error_count": errors.count}
    if result.ok:
        summary["counts"] = result.stats
        batch.status, batch.errors, batch.processed_rows = Status.DONE, [], result.check.rows
        _file_delete(batch)
        figures_refresh(result)
    else:  # rejected (the data changed since the check): the file goes at once
        batch.status, batch.errors = Status.INVALID, _errors_summary(errors)[0]
        _file_delete(batch)
    batch.summary, batch.finished_at, batch.total_rows = summary, timezone.now(), result.check.rows
    batch.save()
    return batch


@transaction.atomic
def import_batch_abandon(*, batch: ImportBatch, user) -> ImportBatch:
    """Give up an upload: its file is deleted at once."""
    roles.require(user, roles.IMPORTERS)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status in (Status.QUEUED, Status.RUNNING, Status.DONE, Status.ABANDONED):
        raise ValidationError(_("This file can no longer be abandoned."))
    batch.status, batch.finished_at = Status.ABANDONED, timezone.now()
    _file_delete(batch)
    batch.save()
    return batch


class _Heartbeat:
    """Writes the batch's ``heartbeat_at`` every HEARTBEAT_EVERY seconds from a thread with its own
    autocommit connection (the import holds one long transaction). It stops when the import ends,
    and with the process when the worker is killed: then the heartbeat ages and the run is failed."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"import-{batch_id}-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from django.db import connection as own  # this thread's connection

        try:
            while not self._stop.wait(HEARTBEAT_EVERY):
                try:
                    ImportBatch.objects.filter(pk=self.batch_id, status=Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception as exc:  # the database is away for a moment: beat again later
                    logger.warning(
                        "import #%s heartbeat not written: %s", self.batch_id, exc.__class__.__name__
                    )
                    own.close()
        finally:
            own.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(HEARTBEAT_EVERY + 5)


def import_batches_fail_dead(*, now=None, batch_id: int | None = None) -> int:
    """Mark failed the runs whose worker died (no heartbeat for HEARTBEAT_DEAD_AFTER; without a
    heartbeat, still running past the task time limit). Nothing of theirs was written: the import
    is one transaction, rolled back with the worker's connection. Returns how many were failed."""
    now = now or timezone.now()
    running = ImportBatch.objects.filter(status=Status.RUNNING)
    if batch_id is not None:
        running = running.filter(pk=batch_id)
    failed = 0
    for batch in running.filter(
        Q(heartbeat_at__lt=now - HEARTBEAT_DEAD_AFTER) | Q(heartbeat_at__isnull=True)
    ):
        if batch.heartbeat_at is None:
            started = parse_datetime(batch.summary.get("started_at") or "") or batch.created_at
            if started >= now - RUN_DEAD_AFTER:
                continue
        summary = dict(batch.summary, failure=WORKER_LOST)
        failed += ImportBatch.objects.filter(
            pk=batch.pk, status=Status.RUNNING, heartbeat_at=batch.heartbeat_at
        ).update(status=Status.FAILED, finished_at=now, summary=summary)
        logger.warning(
            "import #%s failed: its worker stopped (last heartbeat %s)", batch.pk, batch.heartbeat_at
        )
    return failed


def import_batches_cleanup(*, now=None) -> int:
    """Abandon uploads left waiting for a day, fail runs whose worker died, and delete files that
    no live upload refers to. Returns how many files were deleted."""
    now = now or timezone.now()
    deleted = 0
    import_batches_fail_dead(now=now)
    stale = ImportBatch.objects.filter(
        status__in=[Status.UPLOADED, Status.INVALID, Status.READY, Status.FAILED],
        created_at__lt=now - STALE_AFTER,
    )
    for batch in stale:
        if batch.file:
            deleted += 1
        _file_delete(batch)
        batch.status, batch.finished_at = Status.ABANDONED, now
        batch.save(update_fields=["status", "finished_at", "file", "summary"])
    # Files whose batch never committed, or whose batch is finished.
    live = set(ImportBatch.objects.filter(status__in=LIVE).exclude(file="").values_list("file", flat=True))
    for name in _stored_files(UPLOAD_DIR):
        if name in live:
            continue
        try:
            if default_storage.get_modified_time(name) < now - STALE_AFTER:
                default_storage.delete(name)
                deleted += 1
        except OSError:
            continue
    return deleted


@transaction.atomic
def people_export_prepare(*, user, people: QuerySet[Person], reason: str, request=None) -> AccessLog:
    """Before people are exported: give a reference to those who have none and log who exports,
    when, from where and why (never a name or a number)."""
    roles.require(user, roles.PERSONAL_EXPORTERS)
    people_refs_assign(people=people)
    return access_log_record(
        user=user, action=AccessLog.Action.EXPORT, object_type="cases.person", reason=reason, request=request
    )


def people_refs_assign(*, people: QuerySet[Person]) -> int:
    """Give a stable ``ref`` (``OR-<id>``) to people who have none (registered on a tablet), so an
    exported file can come back: a round trip then updates them instead of creating them again."""
    assigned, last = 0, 0
    while True:
        missing = list(
            people.filter(ref__isnull=True, pk__gt=last).order_by("pk").values_list("pk", flat=True)[:1000]
        )
        if not missing:
            return assigned
        last = missing[-1]
        taken = set(
            Person.objects.filter(ref__in=[f"OR-{pk}" for pk in missing]).values_list("ref", flat=True)
        )
        free = [pk for pk in missing if f"OR-{pk}" not in taken]
        assigned += Person.objects.filter(pk__in=free, ref__isnull=True).update(
            ref=Concat(Value("OR-"), Cast("pk", output_field=CharField()), output_field=CharField())
        )
        for pk in missing:
            if f"OR-{pk}" in taken:  # an imported file already used that reference for someone else
                ref = f"OR-{pk}-{uuid.uuid4().hex[:6]}"
                assigned += Person.objects.filter(pk=pk, ref__isnull=True).update(ref=ref)


def _file_delete(batch: ImportBatch) -> None:
    """Delete the stored file and the rows kept for its preview (the caller saves the batch)."""
    if isinstance(batch.summary, dict) and batch.summary.get("preview"):
        batch.summary = {k: v for k, v in batch.summary.items() if k != "preview"}
    if batch.file:
        try:
            default_storage.delete(batch.file.name)
        except OSError:
            logger.warning("could not delete the file of import #%s", batch.pk)
        batch.file = ""


def _stored_files(directory: str):
    try:
        dirs, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for sub in dirs:
        yield from _stored_files(f"{directory}/{sub}")


def _enqueue(task_name: str, **kwargs) -> None:
    enqueue(task_name, **kwargs)
