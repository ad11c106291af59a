"""Health of the engines Orienta depends on, for monitoring."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        return False


def _broker_ok() -> bool | None:
    if not settings.REDIS_URL:
        return None  # eager mode: no broker to check
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:
        return False


# Facts the apps above add to the health report (``reports``: the last successful report run),
# registered from their AppConfig.ready so that the core imports none of them.
FACTS: dict[str, Callable[[], object]] = {}


def health_fact_register(name: str, fact: Callable[[], object]) -> None:
    FACTS[name] = fact


def _fact(fact: Callable[[], object]):
    try:
        return fact()
    except Exception:
        return None


def health_status() -> dict:
    database = _database_ok()
    broker = _broker_ok()
    return {
        "ok": database and broker is not False,
        "database": database,
        "broker": broker,
    } | {name: (_fact(fact) if database else None) for name, fact in FACTS.items()}
