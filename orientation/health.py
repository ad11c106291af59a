"""Health of the engines Orienta depends on, for monitoring."""

from __future__ import annotations

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


def _last_report_run():
    try:
        from reports.selectors import report_run_last_successful
    except ImportError:
        return None
    try:
        run = report_run_last_successful()
    except Exception:
        return None
    return run.finished_at.isoformat() if run and run.finished_at else None


def health_status() -> dict:
    database = _database_ok()
    broker = _broker_ok()
    return {
        "ok": database and broker is not False,
        "database": database,
        "broker": broker,
        "last_report_run": _last_report_run() if database else None,
    }
