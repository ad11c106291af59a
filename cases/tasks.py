from celery import shared_task
from celery.utils.log import get_task_logger

from orientation.celery import IDEMPOTENT_TASK

from .actions import expiry_reminders_send, intake_triage
from .models import Intake

logger = get_task_logger(__name__)


@shared_task(ignore_result=True, **IDEMPOTENT_TASK)
def expiry_reminders_task() -> int:
    """Daily: remind case workers of documents and migratory statuses about to expire."""
    return expiry_reminders_send()


@shared_task(ignore_result=True, **IDEMPOTENT_TASK)
def intake_triage_task(intake_id: int) -> int:
    """After an intake is saved: alert the site's psychosocial specialists when it needs them.
    Idempotent (keyed notifications), so a redelivery or a second outbox send changes nothing."""
    intake = Intake.objects.select_related("person").filter(pk=intake_id).first()
    if intake is None:  # deleted (or anonymized away) before the worker got to it
        return 0
    told = intake_triage(intake=intake)
    logger.info("intake %s triaged, %s specialist(s) told", intake_id, told)
    return told
