"""Append-only audit tables, enforced by PostgreSQL itself.

The access log and every django-simple-history table (``Historical*``) refuse UPDATE and DELETE
through a row trigger, so neither a bug, a shell session nor a compromised web process can rewrite
who did what. The triggers are (re)installed after every ``migrate`` over all history models that
exist at that moment, so tables added later are covered without a migration of their own.

Anonymization (ARCO cancellation/opposition and retention) must still scrub personal values from
history: inside ``history_scrub_allowed()`` the transaction sets ``orienta.allow_scrub`` and the
trigger lets the change through. The flag is transaction-local and reset when the block ends.
TRUNCATE is not blocked (only the table owner can run it; the test runner needs it).

SQLite has no such triggers: there, append-only is enforced by the application only.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

TRIGGER_NAME = "orienta_append_only"
FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION orienta_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('orienta.allow_scrub', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'orienta: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only_models() -> list:
    """The access log and every history model currently installed."""
    from simple_history.models import HistoricalChanges

    from .models import AccessLog

    found = [AccessLog]
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges) and not model._meta.proxy:
            found.append(model)
    return found


def append_only_tables() -> list[str]:
    return sorted({model._meta.db_table for model in append_only_models()})


def install_append_only_triggers(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> list[str]:
    """Create the trigger function and one trigger per table; idempotent (post_migrate handler)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    installed = []
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        for table in append_only_tables():
            if table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {quoted}")
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER_NAME} BEFORE UPDATE OR DELETE ON {quoted} "
                "FOR EACH ROW EXECUTE FUNCTION orienta_append_only()"
            )
            installed.append(table)
    return installed


def tables_with_trigger(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND NOT t.tgisinternal",
            [TRIGGER_NAME],
        )
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def history_scrub_allowed(using: str = DEFAULT_DB_ALIAS):
    """Let this transaction rewrite history rows (anonymization only). Must run inside atomic()."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("history_scrub_allowed() needs a transaction (transaction.atomic).")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('orienta.allow_scrub', 'on', true)")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('orienta.allow_scrub', 'off', true)")
        except DatabaseError:  # the transaction already failed: its rollback drops the flag too
            pass
