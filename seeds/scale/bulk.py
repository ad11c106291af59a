"""Writing generated rows: COPY files for PostgreSQL (loaded with secondary indexes and
constraints dropped, then re-created and so re-checked), batched INSERTs for SQLite; and the reset."""

from __future__ import annotations

import json
import os
import time

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

# --- Writing rows ------------------------------------------------------------------------------


class TableWriter:
    """Rows for one model's table: the generated columns, then every other column's default."""

    def __init__(self, model, fields: list[str], directory: str | None):
        self.model = model
        self.table = model._meta.db_table
        concrete = [f for f in model._meta.concrete_fields]
        by_attname = {f.attname: f for f in concrete}
        missing = [name for name in fields if name not in by_attname]
        if missing:
            raise ValueError(f"{model.__name__} has no column {missing}")
        now = timezone.now()
        tail_fields = [f for f in concrete if f.attname not in fields]
        tail = []
        for f in tail_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or not f.null:
                value = f.get_default()
            else:
                value = None
            if isinstance(value, (dict, list)):
                value = json.dumps(value)
            elif value is not None and not isinstance(value, (bool, int, str)):
                value = f.get_db_prep_save(value, connection)
                value = value.isoformat() if hasattr(value, "isoformat") else value
            tail.append(value)
        self.columns = [by_attname[name].column for name in fields] + [f.column for f in tail_fields]
        self.tail = tuple(tail)
        self.count = 0
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            self.path = os.path.join(directory, f"{self.table}.copy")
            self.fh = open(self.path, "w", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
            self.tail_text = "".join("\t" + _copy_text(v) for v in self.tail) + "\n"
        else:
            self.rows: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.count += 1
        if self.postgres:
            self.fh.write("\t".join([_copy_text(v) for v in row]) + self.tail_text)
        else:
            self.rows.append(row + self.tail)
            if len(self.rows) >= 5000:
                self.flush()

    def flush(self) -> None:
        if self.postgres or not self.rows:
            return
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})', self.rows)  # noqa: S608 (names from the models)  # nosec B608
        self.rows = []

    def close(self) -> None:
        if self.postgres:
            self.fh.close()
        else:
            self.flush()


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


# --- PostgreSQL bulk load ----------------------------------------------------------------------


def _secondary_objects(cursor, table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Constraints (not the primary key) and plain indexes of a table, with their definitions."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'c', 'x') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = list(cursor.fetchall())
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [table],
    )
    return constraints, list(cursor.fetchall())


def postgres_load(writers: list[TableWriter], say) -> None:
    """COPY each file in with the tables' secondary indexes and constraints dropped, then re-create
    them (which checks every row), move the sequences past the new ids, analyse."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # No per-person bookkeeping of these writes (reports.models.EventChange): the caller
        # builds every indicator's first events from the loaded history right after.
        cursor.execute("SELECT set_config('orienta.event_changes', 'off', true)")
        saved = {}
        for w in writers:
            constraints, indexes = _secondary_objects(cursor, w.table)
            saved[w.table] = (constraints, indexes)
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE "{w.table}" DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        for w in writers:
            started = time.monotonic()
            cols = ", ".join(f'"{c}"' for c in w.columns)
            with open(w.path, "rb") as fh, raw.copy(f'COPY "{w.table}" ({cols}) FROM STDIN') as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            say(f"  copied {w.count:>10,} rows into {w.table} in {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        for w in writers:
            constraints, indexes = saved[w.table]
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE "{w.table}" ADD CONSTRAINT "{name}" {definition}')
            pk = w.model._meta.pk.column
            setval = f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("{pk}"), 1), MAX("{pk}") IS NOT NULL) FROM "{w.table}"'  # noqa: S608, E501 (names from the models)  # nosec B608
            cursor.execute(setval, [w.table, pk])
        say(f"  indexes and constraints re-created and checked in {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    with connection.cursor() as cursor:
        for w in writers:
            cursor.execute(f'VACUUM (ANALYZE) "{w.table}"')
    say(f"  vacuumed and analysed in {time.monotonic() - started:.1f}s")


# --- Reset -------------------------------------------------------------------------------------


def _people_tables() -> list:
    """Person and every model that points at it (recursively), sport groups and sessions, stored
    report figures, first events and their history models: everything ``--reset`` empties."""
    from cases.models import Household, Person
    from services.sport.models import SportGroup, SportSession

    seen: list = []
    todo = [Person, Household, SportGroup, SportSession]
    for name in (
        "MonthlyFigure",
        "ReportRun",
        "FirstEvent",
        "FirstEventCount",
        "YearFirstEvent",
        "YearFirstEventCount",
        "FirstEventState",
        "EventChange",
    ):
        try:
            todo.append(apps.get_model("reports", name))
        except LookupError:
            pass
    while todo:
        model = todo.pop()
        if model in seen or model._meta.proxy:
            continue
        seen.append(model)
        for rel in model._meta.related_objects:
            if rel.related_model not in seen and rel.on_delete is not models.SET_NULL:
                todo.append(rel.related_model)
        for m2m in model._meta.local_many_to_many:
            todo.append(m2m.remote_field.through)
    history = []
    for model in seen:
        manager = getattr(model, "history", None)
        if manager is not None and hasattr(manager, "model"):
            history.append(manager.model)
    return seen + history


def reset_people() -> None:
    models_ = _people_tables()
    tables = sorted({m._meta.db_table for m in models_})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        return
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 (names from the models)  # nosec B608
