from celery import shared_task

from .actions import expiry_reminders_send


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def expiry_reminders_task() -> int:
    """Daily: remind case workers of documents and migratory statuses about to expire."""
    return expiry_reminders_send()
