"""Shared fixtures: reference data, users per role, a real Celery worker for `worker` tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from seeds.reference import load_reference_data

from .factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings, django_db_blocker):
    """This process's test database is a copy of one migrated template (tests/dbtemplate.py), so
    Django keeps it and only checks its migrations; ``--reuse-db`` keeps its meaning."""
    if request.config.getvalue("reuse_db"):
        return True
    from . import dbtemplate

    with django_db_blocker.unblock():
        return dbtemplate.copy_for_this_process()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Each test database gets the reference data once, right after its migrations: every test
    runs inside a transaction rolled back at its end, so the rows stay for the next one."""
    with django_db_blocker.unblock():
        load_reference_data()


def pytest_collection_modifyitems(config, items):
    """The browser journeys first: the longest tests (up to a minute each) start while the other
    process runs short ones, instead of one process finishing a journey alone at the end."""
    items.sort(key=lambda item: 0 if "/tests/browser/" in str(item.fspath) else 1)


def _flushes_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server", "django_db_serialized_rollback"} & set(item.fixturenames))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test that commits (transactional, live server) ends with the database emptied: the
    reference data goes back in at once, so the tests after it do not each load it again."""
    yield
    # A test skipped before its fixtures ran (a PostgreSQL-only test on SQLite) emptied nothing,
    # and the database may not even exist yet.
    ran = "_django_db_helper" in getattr(item, "funcargs", {})
    if nextitem is not None and ran and _flushes_database(item):
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        from reports.models import EventChange

        with item.config.stash[blocking_manager_key].unblock():
            # SQLite's flush deletes row by row, so the event-change triggers note the deleted
            # events after their table was emptied (PostgreSQL truncates: no triggers).
            if EventChange._meta.db_table in connection.introspection.table_names():
                EventChange.objects.all().delete()
            load_reference_data()


@pytest.fixture
def ref(db):
    """The reference data of docs/counting.md (sites, programs, indicators, catalog...): loaded
    once per test database (``django_db_setup`` above), and again here if a test emptied it."""
    from orientation.models import Program

    if not Program.objects.filter(code="PAO").exists():
        load_reference_data()


@pytest.fixture
def make_user(ref):
    """``make_user("caseworker", sites=["PAO-LS"])`` → a user with that role and sites."""

    def _make(role: str | None = None, *, sites=None, programs=None, username=None, steward=None, **kwargs):
        """``steward``: the data-steward permission (default: coordinators have it, as in the demo)."""
        from django.contrib.auth.models import Group

        from orientation.models import Program, ProgramMembership

        user = UserFactory(
            role=role,
            sites=sites if sites is not None else (["PAO-LS"] if role != "coordinator" else []),
            username=username or f"{role or 'norole'}-{uuid.uuid4().hex[:6]}",
            **kwargs,
        )
        for code in programs or ([] if role != "coordinator" else ["PAO", "BALON", "SALUD"]):
            ProgramMembership.objects.get_or_create(user=user, program=Program.objects.get(code=code))
        if steward if steward is not None else role == "coordinator":
            user.groups.add(Group.objects.get(name="data_steward"))
        return user

    return _make


@pytest.fixture
def caseworker(make_user):
    return make_user("caseworker", sites=["PAO-LS"], username="cw")


@pytest.fixture
def psychosocial(make_user):
    return make_user("psychosocial", sites=["PAO-LS"], username="psy")


@pytest.fixture
def facilitator(make_user):
    return make_user("facilitator", sites=["SCH-01"], username="fac")


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator", username="coord")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", username="adm")


@pytest.fixture
def client_for(client):
    """``client_for(user)`` → a test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def page_queries(django_assert_num_queries):
    """``page_queries(client, url, n, **get_kwargs)``: open a page once (warming the session and
    the caches), then again in exactly ``n`` queries; returns that second response (status 200)."""

    def _get(client, url, expected: int, **kwargs):
        assert client.get(url, **kwargs).status_code == 200
        with django_assert_num_queries(expected):
            response = client.get(url, **kwargs)
        assert response.status_code == 200
        return response

    return _get


# --- A real Celery worker ------------------------------------------------------------------------


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """Start a real Celery worker on REDIS_URL against the test database, on a queue of its own.

    Skips when REDIS_URL is not set (SQLite runs); CI runs these on PostgreSQL with Redis.
    """
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs REDIS_URL and a real Celery worker (run by .ci/run on PostgreSQL)")
    from django.db import connection

    from orientation.celery import app

    queue = f"orienta-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a worker process needs a shared database server (PostgreSQL)")
    db_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = dict(
        os.environ,
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        CELERY_QUEUE=queue,
        CELERY_TASK_ALWAYS_EAGER="0",
        DJANGO_SETTINGS_MODULE="orientation.settings.base",
    )
    celery_bin = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    proc = subprocess.Popen(
        [
            celery_bin,
            "-A",
            "orientation",
            "worker",
            "-Q",
            queue,
            "--concurrency=1",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = app.control.inspect(timeout=1).ping() or {}
            if replies:
                break
            if proc.poll() is not None:
                pytest.fail("the Celery worker exited at start")
        else:
            pytest.fail("the Celery worker did not answer within 60 s")
        yield {"app": app, "queue": queue, "process": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        app.conf.task_always_eager = True
        app.conf.task_default_queue = "celery"


@pytest.fixture(autouse=True)
def _partner_throttle_fresh():
    """Each test starts with no bad partner tokens counted for the test client's address: the
    walk and the fuzzer send many, and the count (in the cache) would outlive them."""
    from django.core.cache import cache

    from services.views.partner import _client_key

    class _Request:
        META = {"REMOTE_ADDR": "127.0.0.1"}

    keys = [_client_key(_Request()), "services:partner-bad:"]
    with contextlib.suppress(Exception):  # a test that stops the cache's Redis on purpose
        cache.delete_many(keys)
    yield
