"""The Celery application. Tasks live in each app's ``tasks.py``; the schedule is in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings.base")

app = Celery("orientation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules in sub-packages of the apps.
app.autodiscover_tasks(["cases.arco"])


def _outage_errors() -> tuple[type[Exception], ...]:
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (
        OperationalError,
        InterfaceError,
        BrokerError,
        RedisConnectionError,
        RedisTimeoutError,
        ConnectionError,
    )


# Options of an idempotent task (running it twice changes nothing): the message is acknowledged
# only when it ends, a worker lost mid-task gives it back to the queue, and a database or broker
# outage is retried a bounded number of times with exponential backoff (5 s, 10 s, ... 5 min).
# Tasks that are not idempotent keep the default (acknowledged on receipt, never run twice).
IDEMPOTENT_TASK = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": _outage_errors(),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


def time_limits(*, soft: int, hard: int) -> dict:
    """A task's own time limits, cut to stay below the broker's visibility timeout (a task still
    running when it expires would be handed to a second worker). See CELERY_VISIBILITY_TIMEOUT."""
    from django.conf import settings

    hard = min(hard, settings.CELERY_VISIBILITY_TIMEOUT * 4 // 5)
    return {"soft_time_limit": min(soft, hard * 5 // 6), "time_limit": hard}
