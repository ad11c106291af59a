"""The event-change triggers on SQLite, kept through schema changes (docs/counting.md, "Late writes").

SQLite changes a table's columns by copying it into a new table, dropping the old one and renaming
the copy. Dropping a table drops its triggers, and renaming a table fails while a trigger of another
table names the one being renamed. So, on SQLite only, ``migrate`` drops the triggers of
reports/0009 and reports/0012 before it runs (``pre_migrate``) and creates them again after it
(``post_migrate``), for the migrations that are applied. PostgreSQL keeps triggers through
``ALTER TABLE`` and is left alone.
"""

from __future__ import annotations

import importlib
import logging

from django.db.migrations.recorder import MigrationRecorder

logger = logging.getLogger(__name__)

# The migrations that create triggers, each with its SQLite statements (``sqlite_sql()``).
TRIGGER_MIGRATIONS = ["0009_event_changes", "0012_person_corrections_noted"]


def _statements(name: str) -> list[str]:
    return importlib.import_module(f"reports.migrations.{name}").sqlite_sql()


def _trigger_name(statement: str) -> str:
    return statement.split()[2]


def _existing(connection) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'reports_ec_%'")
        return {row[0] for row in cursor.fetchall()}


def sqlite_triggers_drop(connection) -> int:
    """Drop the event-change triggers (SQLite only); returns how many there were."""
    if connection.vendor != "sqlite":
        return 0
    names = _existing(connection)
    with connection.cursor() as cursor:
        for name in sorted(names):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return len(names)


def sqlite_triggers_create(connection) -> int:
    """Create the event-change triggers of the applied migrations that are missing (SQLite only);
    returns how many were created."""
    if connection.vendor != "sqlite":
        return 0
    applied = MigrationRecorder(connection).applied_migrations()
    existing = _existing(connection)
    created = 0
    with connection.cursor() as cursor:
        for name in TRIGGER_MIGRATIONS:
            if ("reports", name) not in applied:
                continue
            for statement in _statements(name):
                if _trigger_name(statement) not in existing:
                    cursor.execute(statement)
                    created += 1
    return created


def before_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    sqlite_triggers_drop(connections[using])


def after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    sqlite_triggers_create(connections[using])
