from celery import shared_task

from orientation.celery import IDEMPOTENT_TASK

from .actions import retention_anonymize


@shared_task(ignore_result=True, **IDEMPOTENT_TASK)
def retention_anonymize_task() -> int:
    """Nightly: anonymize people with no contact for RETENTION_YEARS (idempotent, lock-guarded)."""
    return retention_anonymize()
