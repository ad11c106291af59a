from celery import shared_task

from .actions import retention_anonymize


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def retention_anonymize_task() -> int:
    """Nightly: anonymize people with no contact for RETENTION_YEARS (idempotent, lock-guarded)."""
    return retention_anonymize()
