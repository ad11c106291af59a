"""The DHIS2 push job. Found by Celery's autodiscovery (the ``reports.dhis2`` app's ``tasks``
module) and sent through the outbox (``reports.dhis2.actions.dhis2_push_request``).

Idempotent: a push already sent or failed is not sent again, and posting the same data value set
twice leaves DHIS2 as once (its import updates the same values). Network errors and DHIS2's 5xx
or 429 answers are retried with backoff (30 s, 1, 2, 4 minutes); the last attempt records the
failure. Database and broker outages are retried like every idempotent task. Without a broker
(tasks run eagerly, the demo set-up) a push is tried once, right after the request that asked for
it, so the coordinator sees its result at once.
"""

from __future__ import annotations

from celery import shared_task

from orientation.celery import IDEMPOTENT_TASK, time_limits

from .actions import DHIS2Unavailable, dhis2_push_send

MAX_RETRIES = 4
PUSH_JOB = {
    **IDEMPOTENT_TASK,
    "bind": True,
    "max_retries": MAX_RETRIES,
    **time_limits(soft=5 * 60, hard=6 * 60),
    "ignore_result": True,
}


def retry_delay(retries: int) -> int:
    """Seconds before the next attempt: 30, 60, 120, 240 (at most 10 minutes)."""
    return min(30 * 2**retries, 600)


@shared_task(**PUSH_JOB)
def dhis2_push_task(self, push_id: int) -> str:
    """Post a queued push's month to DHIS2 and store the import summary."""
    last_attempt = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        return dhis2_push_send(push_id=push_id, last_attempt=last_attempt)
    except DHIS2Unavailable as exc:
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc
