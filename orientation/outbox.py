"""Send Celery tasks without ever making a save depend on the broker.

``enqueue(task_name, **kwargs)`` writes an outbox row in the caller's transaction and, once the
transaction commits, tries to publish it with bounded timeouts. A task that could not be published
stays in the outbox and ``outbox_sweep`` (a beat job) sends it when the broker is back. In the eager
demo set-up the task simply runs after commit.

Delivery is at least once to the end: a message carries its outbox id (the ``outbox_id`` header)
and is done only when the worker reports that its task ended (``outbox_completed``, from the
``task_postrun`` signal in orientation/celery.py). Redis keeps its queue in memory; if it loses it
(restarted without persistence, failed over), the sweep sends again what was published but not
completed after ``OUTBOX_REDELIVER_AFTER`` seconds. Every task sent through the outbox must be
idempotent (tests/core/test_celery_reliability.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 1  # seconds; the sweep sends later whatever did not make it
PUBLISH_TIMEOUTS = {"socket_connect_timeout": PUBLISH_TIMEOUT, "socket_timeout": PUBLISH_TIMEOUT}
HEADER = "outbox_id"
# A message tried this many times (publishes, failed or not) and never completed is no longer sent
# again: its task keeps dying; the admin's outbox list shows it with its last error.
MAX_SENDS = 50


def enqueue(task_name: str, **kwargs) -> OutboxMessage:
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    # robust: whatever happens when sending (the database gone right after the commit), the
    # caller's save stands and is reported as saved; the sweep sends what is left.
    transaction.on_commit(lambda: outbox_send(message_id=message.pk), robust=True)
    return message


def outbox_send(*, message_id: int, again: bool = False) -> bool:
    """Publish one outbox message; return whether it was handed to the broker (or already was).

    ``again``: also a message published but not completed in time (the sweep)."""
    due = _overdue() if again else Q(sent_at__isnull=True, completed_at__isnull=True)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        message = OutboxMessage.objects.filter(due, pk=message_id).first()
        return True if message is None else _send(message)
    # The row stays locked while it is published, so the after-commit send and a sweep (or two
    # sweeps) never hand the same message to the broker twice; a locked row is someone else's.
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(due, pk=message_id).first()
        return True if message is None else _send(message)


def _overdue() -> Q:
    """Not completed: never published, or published long enough ago to be presumed lost."""
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER)
    return Q(completed_at__isnull=True) & (
        Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff, attempts__lt=MAX_SENDS)
    )


def outbox_completed(*, message_id: int, error: str = "") -> bool:
    """The worker ran the message's task to its end (``error``: it ended in failure)."""
    return bool(
        OutboxMessage.objects.filter(pk=message_id, completed_at__isnull=True).update(
            completed_at=timezone.now(), last_error=error[:300]
        )
    )


def _send(message: OutboxMessage) -> bool:
    from .celery import app

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            if message.task_name not in app.tasks:
                app.loader.import_default_modules()  # every app's tasks.py, as a worker would
            app.tasks[message.task_name].apply(kwargs=message.kwargs, throw=True)
            OutboxMessage.objects.filter(pk=message.pk).update(completed_at=timezone.now())
        else:
            # A fresh connection with short timeouts and no retry: a stopped broker refuses at
            # once and a frozen one costs at most PUBLISH_TIMEOUT, never a pooled connection's
            # retries. The sender never waits for a result (no result-backend subscription).
            options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, **PUBLISH_TIMEOUTS}
            with app.connection_for_write(transport_options=options) as connection:
                app.send_task(
                    message.task_name,
                    kwargs=message.kwargs,
                    ignore_result=True,
                    headers={HEADER: message.pk},
                    connection=connection,
                    retry=False,
                )
    except Exception as exc:  # the broker (or an eager task) failed: keep it for the sweep
        logger.warning("outbox message %s not sent: %s", message.pk, exc.__class__.__name__)
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=exc.__class__.__name__[:300]
        )
        return False
    if message.sent_at is not None:
        logger.warning("outbox message %s sent again: its task never reported completion", message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), attempts=message.attempts + 1)
    return True


def outbox_sweep(*, limit: int = 500) -> int:
    """Send what is still pending, then again what was published but never completed, oldest
    first; stop at the first failure (the broker is down)."""
    sent = 0
    pending = OutboxMessage.objects.filter(sent_at__isnull=True, completed_at__isnull=True)
    ids = list(pending.values_list("pk", flat=True)[:limit])
    if len(ids) < limit:
        lost = OutboxMessage.objects.filter(_overdue(), sent_at__isnull=False).order_by("sent_at")
        ids += list(lost.values_list("pk", flat=True)[: limit - len(ids)])
    for message_id in ids:
        if not outbox_send(message_id=message_id, again=True):
            break
        sent += 1
    return sent
