"""The Celery application. Tasks live in each app's ``tasks.py``; the schedule is in settings."""

import os

from celery import Celery, Task, signals, states
from celery.worker.request import Request

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings.base")


class BrokerLossSafeRequest(Request):
    """A task request whose acknowledgement cannot take the worker down with the broker.

    When Redis drops, the worker closes the broker connection (kombu sets its transport's client
    to None) and reconnects; a task that ends meanwhile acknowledges on the closed channel, which
    fails with ``AttributeError: 'NoneType' object has no attribute 'hostname'``. Celery expects
    only connection errors there; anything else stopped the worker for good ("Unrecoverable
    error"). That acknowledgement is logged and dropped instead: the message died with the
    connection (Redis hands it out again after the visibility timeout, or, if Redis lost its
    memory, the outbox sends it again), and the task is idempotent."""

    def __init__(self, *args, connection_errors=None, **kwargs):
        errors = (*(connection_errors or ()), AttributeError)
        super().__init__(*args, connection_errors=errors, **kwargs)


class OrientaTask(Task):
    Request = BrokerLossSafeRequest


app = Celery("orientation", task_cls=OrientaTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's tasks.py, nested apps included (cases.imports, cases.arco...): one way
# for all (docs/architecture.md).
app.autodiscover_tasks()


@signals.task_postrun.connect
def _outbox_task_ended(sender=None, task=None, state=None, **_kwargs):
    """A task sent through the outbox ended: its outbox row is done (orientation.outbox). A task
    that will be retried, or whose worker died, is not done: the sweep sends it again."""
    request = getattr(task, "request", None)
    message_id = getattr(request, "outbox_id", None) or (getattr(request, "headers", None) or {}).get(
        "outbox_id"
    )
    if not message_id or state not in (states.SUCCESS, states.FAILURE, states.IGNORED):
        return
    from .outbox import outbox_completed

    try:
        outbox_completed(message_id=int(message_id), error="" if state == states.SUCCESS else f"task {state}")
    except Exception as exc:  # the database is away: the row stays open and the task runs again
        import logging

        logging.getLogger(__name__).warning(
            "outbox message %s: completion not recorded (%r)", message_id, exc
        )


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
