"""Test databases copied from one migrated template instead of migrated once per test process.

Migrating an empty database takes about 25 s of one core (most of it Django rendering the model
states of 90 migrations); each test process (pytest-xdist) used to do it on its own. Now the
first process to get the lock migrates a template, named after a fingerprint of the migrations,
and every process copies it: PostgreSQL with ``CREATE DATABASE ... TEMPLATE`` (a fraction of a
second), SQLite's in-memory database with SQLite's backup API. Django then finds every migration
applied (``keepdb``) and only checks them. A change to any migration makes a new fingerprint, so
a stale template is never used.

``ORIENTA_TEST_TEMPLATE=0`` turns it off (each process migrates, as Django does by default).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
_KEEP_OPEN: list = []  # the raw connection that keeps SQLite's in-memory copy alive


def enabled() -> bool:
    return os.environ.get("ORIENTA_TEST_TEMPLATE", "1") != "0"


def _fingerprint() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("*/*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    # Code that migrations run or that post_migrate adds (triggers, reference data hooks).
    for name in (
        "reports/triggers.py",
        "orientation/roles.py",
        "orientation/append_only.py",
        "orientation/moves.py",
    ):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


@contextlib.contextmanager
def _lock(name: str):
    path = Path(tempfile.gettempdir()) / f"orienta-test-template-{name}.lock"
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "orientation.settings.test"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def _postgres(connection, test_name: str, fingerprint: str) -> None:
    settings = connection.settings_dict
    template = f"orienta_template_{fingerprint}"
    url = "postgres://{user}@{host}:{port}/{name}".format(
        user=settings["USER"] or "postgres",
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        name=template,
    )
    if settings.get("PASSWORD"):
        url = url.replace("@", f":{settings['PASSWORD']}@", 1)
    quote = connection.ops.quote_name
    with _lock(f"pg-{fingerprint}"), connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {quote(template + '_building')}")
            try:
                _migrate(url.replace(template, template + "_building"))
                cursor.execute(f"ALTER DATABASE {quote(template + '_building')} RENAME TO {quote(template)}")
            except BaseException:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(template + '_building')}")
                raise
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
        cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")


def _sqlite(test_name: str, fingerprint: str) -> None:
    template = Path(tempfile.gettempdir()) / f"orienta-template-{fingerprint}.sqlite3"
    with _lock(f"sqlite-{fingerprint}"):
        if not template.exists():
            building = template.with_suffix(".building")
            building.unlink(missing_ok=True)
            _migrate(f"sqlite:///{building}")
            building.rename(template)
    memory = sqlite3.connect(test_name, uri=True, check_same_thread=False)
    source = sqlite3.connect(template)
    try:
        source.backup(memory)
    finally:
        source.close()
    _KEEP_OPEN.append(memory)


def copy_for_this_process() -> bool:
    """Give this process's test database the migrated template's content; whether it did."""
    from django.db import connection

    if not enabled():
        return False
    test_name = connection.creation._get_test_db_name()
    fingerprint = _fingerprint()
    if connection.vendor == "postgresql":
        _postgres(connection, test_name, fingerprint)
        return True
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(test_name):
        _sqlite(test_name, fingerprint)
        return True
    return False
