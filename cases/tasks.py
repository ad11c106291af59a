from celery import shared_task

from .actions import expiry_reminders_send
from .imports.tasks import (  # noqa: F401  (Celery's autodiscovery only looks at <app>.tasks)
    import_batch_check_task,
    import_batch_run_task,
    import_batches_cleanup_task,
)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def expiry_reminders_task() -> int:
    """Daily: remind case workers of documents and migratory statuses about to expire."""
    return expiry_reminders_send()
