"""Check and import a whole file in bounded memory.

``file_check`` reads the file once, row by row, and collects every error; rows are checked against
the database a chunk at a time. ``file_import`` does the same check and then, only when there is
no error, reads the file a second time and writes it a chunk at a time with bulk statements, all
inside ONE transaction: a file is imported whole or not at all. Neither pass keeps more than a
chunk of rows; what is kept for the whole file is one small key per row (to find duplicates).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

from orientation.dates import months_between
from orientation.outbox import enqueue

from .errors import ErrorSink
from .kinds import IMPORTERS, Importer, Stats
from .lookups import Lookups
from .reading import FileReadError, table_open

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
MAX_ROWS = 250_000
# The first rows, as read by the check, kept for the preview page (which never reads the file).
PREVIEW_ROWS = 10

OpenFile = Callable[[], AbstractContextManager[IO[bytes]]]
Progress = Callable[[int], None]


@dataclass
class CheckResult:
    format: str = ""
    delimiter: str = ""
    columns: list[str] = field(default_factory=list)
    rows: int = 0
    # What the file will create besides its rows (the attendance import: ``groups_to_create``).
    plan: dict = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    preview: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class ImportResult:
    ok: bool
    check: CheckResult
    stats: dict = field(default_factory=dict)
    # Program id → the earliest event date written: its figures are recomputed from that month.
    earliest_event: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(counts.get("created") or counts.get("updated") for counts in self.stats.values())


class _Abort(Exception):
    """Leave the transaction without writing anything."""


def _header(header: list[str], importer: Importer, errors: ErrorSink) -> list[tuple[str, int]]:
    positions, seen = [], set()
    for index, name in enumerate(header):
        if not name:
            continue  # a column without a name (spreadsheets often carry empty ones)
        if name in seen:
            errors.add(1, name, "duplicate_column", value=name)
        elif name not in importer.columns:
            errors.add(1, name, "unknown_column", value=name, allowed=", ".join(importer.columns))
        else:
            positions.append((name, index))
            seen.add(name)
    for name in importer.columns:
        if name in importer.required_columns and name not in seen:
            errors.add(1, name, "missing_column", value=name)
    importer.present = seen
    return positions


def _read(
    *,
    open_file: OpenFile,
    name: str,
    importer: Importer,
    errors: ErrorSink,
    on_chunk: Callable[[list[tuple[int, dict]]], None],
    on_progress: Progress | None = None,
) -> CheckResult:
    result = CheckResult()
    try:
        with open_file() as fileobj, table_open(fileobj, name) as table:
            result.format, result.delimiter = table.format, table.delimiter
            result.header = list(table.header)
            positions = _header(table.header, importer, errors)
            result.columns = [column for column, _index in positions]
            if errors:
                return result  # with a wrong header, the rows cannot be read as meant
            width = len(table.header)
            chunk: list[tuple[int, dict]] = []
            for number, cells in table.rows:
                result.rows += 1
                if len(result.preview) < PREVIEW_ROWS:
                    result.preview.append((number, cells))
                if result.rows > MAX_ROWS:
                    errors.add(None, "", "too_many_rows", max=MAX_ROWS)
                    result.rows -= 1
                    break
                if len(cells) > width and any(cells[width:]):
                    errors.add(number, "", "extra_values")
                else:
                    values = {column: cells[i] if i < len(cells) else "" for column, i in positions}
                    clean = importer.parse(number, values)
                    if clean is not None:
                        chunk.append((number, clean))
                if result.rows % CHUNK_SIZE == 0:
                    on_chunk(chunk)
                    chunk = []
                    if on_progress is not None:
                        on_progress(result.rows)
            if chunk:
                on_chunk(chunk)
            if on_progress is not None:
                on_progress(result.rows)
    except FileReadError as exc:
        errors.add(exc.row, "", exc.code, **exc.params)
    if result.rows == 0 and not errors:
        errors.add(None, "", "no_rows")
    result.plan = importer.plan()
    return result


def _importer(kind: str, *, lookups: Lookups, errors: ErrorSink, user, today: date, reason: str) -> Importer:
    return IMPORTERS[kind](lookups=lookups, errors=errors, user=user, today=today, reason=reason)


def file_check(
    *,
    open_file: OpenFile,
    name: str,
    kind: str,
    errors: ErrorSink,
    user=None,
    today: date | None = None,
    on_progress: Progress | None = None,
) -> CheckResult:
    """Read the whole file and collect every reason to reject it; writes nothing."""
    importer = _importer(
        kind,
        lookups=Lookups.load(user),
        errors=errors,
        user=user,
        today=today or timezone.localdate(),
        reason="",
    )
    return _read(
        open_file=open_file,
        name=name,
        importer=importer,
        errors=errors,
        on_chunk=importer.check_chunk,
        on_progress=on_progress,
    )


def file_import(
    *,
    open_file: OpenFile,
    name: str,
    kind: str,
    errors: ErrorSink,
    user=None,
    today: date | None = None,
    reason: str = "import",
    on_progress: Progress | None = None,
) -> ImportResult:
    """Check the file and, when it has no error, write it whole, in one transaction.

    ``on_progress`` is told how many rows have been written so far.
    """
    today = today or timezone.localdate()
    stats = Stats()
    check = CheckResult()
    try:
        with transaction.atomic():
            lookups = Lookups.load(user)
            checker = _importer(kind, lookups=lookups, errors=errors, user=user, today=today, reason=reason)
            check = _read(
                open_file=open_file, name=name, importer=checker, errors=errors, on_chunk=checker.check_chunk
            )
            if errors:
                raise _Abort
            del checker  # its duplicate keys are not needed any more
            writer = _importer(kind, lookups=lookups, errors=errors, user=user, today=today, reason=reason)

            def write(chunk: list[tuple[int, dict]]) -> None:
                if errors:  # the file changed between the two readings
                    raise _Abort
                writer.write_chunk(chunk, stats)

            _read(
                open_file=open_file,
                name=name,
                importer=writer,
                errors=errors,
                on_chunk=write,
                on_progress=on_progress,
            )
            if errors:
                raise _Abort
    except _Abort:
        return ImportResult(ok=False, check=check)
    except IntegrityError:
        logger.warning("import of %s rolled back: the data changed meanwhile", kind)
        errors.add(None, "", "changed_meanwhile")
        return ImportResult(ok=False, check=check)
    return ImportResult(
        ok=True, check=check, stats=stats.as_dict(), earliest_event=dict(lookups.earliest_event)
    )


FIGURES_TASK = "reports.tasks.monthly_figures_fill_task"


def figures_refresh(result: ImportResult, *, today: date | None = None) -> int:
    """After an import that changed events, queue the recomputation of each program's figures from
    the month of its earliest imported event to this month (through the outbox; the reports app
    computes each month under its lock). Returns how many programs were queued."""
    if not result.ok or not result.changed:
        return 0
    today = today or timezone.localdate()
    for program_id, earliest in sorted(result.earliest_event.items()):
        months = [month.isoformat() for month in months_between(earliest, today)]
        with transaction.atomic():
            enqueue(FIGURES_TASK, program_id=program_id, months=months, recompute=True)
    return len(result.earliest_event)


class BatchProgress:
    """Records ``ImportBatch.processed_rows`` where the page can see it during the import.

    The import runs in one long transaction, so a count written through its own connection would
    only show at the end. On PostgreSQL the count goes through a second, autocommit connection
    (the import never touches the batch row inside its transaction, so they cannot block each
    other). SQLite allows a single writer: there the count shows when the import ends.
    """

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self._side = None

    def __call__(self, processed: int) -> None:
        from .models import ImportBatch

        connection = connections[DEFAULT_DB_ALIAS]
        if not connection.in_atomic_block:
            ImportBatch.objects.filter(pk=self.batch_id).update(processed_rows=processed)
            return
        if connection.vendor != "postgresql":
            return
        try:
            if self._side is None:
                self._side = type(connection)(dict(connection.settings_dict), alias="import_progress")
            table = connection.ops.quote_name(ImportBatch._meta.db_table)  # a constant, not input
            sql = f"UPDATE {table} SET processed_rows = %s WHERE id = %s"  # noqa: S608  # nosec B608
            with self._side.cursor() as cursor:
                cursor.execute(sql, [processed, self.batch_id])
        except Exception as exc:  # progress is a courtesy: never fail an import over it
            logger.warning("import progress not recorded: %s", exc.__class__.__name__)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
