"""SQLite loses a table's triggers when a migration copies the table (reports/triggers.py): every
``migrate`` puts the event-change triggers of the applied migrations back."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from reports.triggers import TRIGGER_MIGRATIONS, _statements, _trigger_name, sqlite_triggers_drop

pytestmark = pytest.mark.django_db(transaction=True)


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'reports_ec_%'")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps triggers through ALTER TABLE")


def test_migrate_puts_back_the_triggers_a_table_copy_dropped(sqlite_only):
    expected = {_trigger_name(s) for name in TRIGGER_MIGRATIONS for s in _statements(name)}
    assert _triggers() == expected
    # what copying cases_person for a new column does to its trigger
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER reports_ec_cases_person_update")
    assert "reports_ec_cases_person_update" not in _triggers()

    call_command("migrate", verbosity=0)
    assert _triggers() == expected


def test_the_triggers_come_off_and_back_whole(sqlite_only):
    """Taken off before the migrations run (so that renaming a copied table never meets a trigger
    naming it), and all put back after."""
    before = _triggers()
    assert len(before) == 14
    assert sqlite_triggers_drop(connection) == 14
    assert _triggers() == set()
    call_command("migrate", verbosity=0)
    assert _triggers() == before
