"""The access log and every history table are append-only in PostgreSQL; anonymization alone may
scrub history, inside ``history_scrub_allowed()``."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from orientation.append_only import (
    append_only_tables,
    history_scrub_allowed,
    install_append_only_triggers,
    tables_with_trigger,
)
from orientation.models import AccessLog
from tests.factories import PersonFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="append-only triggers exist on PostgreSQL only (SQLite has no such triggers)",
)


def refused(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except DatabaseError as exc:
        assert "append-only" in str(exc)
        return True
    return False


def test_every_history_table_and_the_access_log_has_the_trigger(db):
    tables = set(append_only_tables())
    assert "orientation_accesslog" in tables
    assert {"cases_historicalperson", "cases_historicalperson_vulnerabilities"} <= tables
    assert tables <= tables_with_trigger()


def test_installing_twice_is_harmless(db):
    first = install_append_only_triggers(using="default")
    second = install_append_only_triggers(using="default")
    assert first == second and set(first) == set(append_only_tables())


def test_access_log_rows_cannot_be_changed_or_deleted(db):
    entry = AccessLog.objects.create(action="view", object_type="cases.person", object_id="1")
    assert refused(lambda: AccessLog.objects.filter(pk=entry.pk).update(reason="rewritten"))
    assert refused(lambda: AccessLog.objects.filter(pk=entry.pk).delete())
    assert refused(lambda: connection.cursor().execute("DELETE FROM orientation_accesslog"))
    assert AccessLog.objects.get(pk=entry.pk).reason == ""


def test_history_rows_cannot_be_changed_or_deleted(ref):
    person = PersonFactory(given_names="Rosa")
    history = person.history.model
    assert refused(lambda: history.objects.filter(id=person.pk).update(given_names="Otra"))
    assert refused(lambda: history.objects.filter(id=person.pk).delete())
    assert history.objects.filter(id=person.pk, given_names="Rosa").exists()
    # New history rows are still written.
    person.phone = "999000111"
    person.save()
    assert history.objects.filter(id=person.pk).count() == 2


def test_the_scrub_flag_lets_anonymization_through_and_is_reset(ref):
    person = PersonFactory(given_names="Rosa")
    history = person.history.model
    with transaction.atomic():
        with history_scrub_allowed():
            assert history.objects.filter(id=person.pk).update(given_names="Anonimizado") == 1
        # Outside the block, the same transaction is refused again.
        assert refused(lambda: history.objects.filter(id=person.pk).update(given_names="X"))
    assert history.objects.get(id=person.pk).given_names == "Anonimizado"


def test_the_scrub_flag_needs_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        with history_scrub_allowed():
            pass
