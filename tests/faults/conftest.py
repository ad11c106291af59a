"""Fault tests: run by `make test-faults` and .ci/run, not by `make test`.

They start their own Redis and PostgreSQL on free loopback ports and break them on purpose."""

import glob
import shutil

import pytest

from .harness import PostgresInstance, RedisInstance, django_env, manage


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="module")
def own_postgres():
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        pytest.skip("fault tests need PostgreSQL server binaries (apt-get install postgresql)")
    pg = PostgresInstance()
    pg.init()
    yield pg
    pg.cleanup()


@pytest.fixture(scope="module")
def own_redis():
    if not shutil.which("redis-server"):
        pytest.skip("fault tests need redis-server (apt-get install redis-server)")
    redis = RedisInstance()
    redis.start()
    yield redis
    redis.cleanup()


@pytest.fixture(scope="module")
def stack_env(request, own_postgres, own_redis):
    """Environment for processes of the stack, with a migrated database and the demo data (a
    module sets DEMO_PEOPLE for more than 20 people)."""
    env = django_env(DATABASE_URL=own_postgres.url, REDIS_URL=own_redis.url)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference_data")
    people = getattr(request.module, "DEMO_PEOPLE", 20)
    manage(env, "load_demo_data", "--people", str(people), timeout=600)
    scale = getattr(request.module, "SCALE_DATA", None)  # e.g. ("--people", "5000", "--events", "50000")
    if scale:
        manage(env, "generate_demo", *scale, timeout=600)
    return env
