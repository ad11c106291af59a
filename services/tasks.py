"""Celery tasks of the services app: small, idempotent, taking ids or nothing."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.core.cache import cache

from cases.plan import plan_actions_mark_overdue
from orientation.celery import IDEMPOTENT_TASK, time_limits

from .actions import referral_partner_answer_notify, referrals_mark_overdue

logger = logging.getLogger(__name__)

OVERDUE_LOCK = "services:referrals-mark-overdue"
OVERDUE_LOCK_SECONDS = 20 * 60  # below the task's time limit, so a crashed run frees it


@shared_task(
    **IDEMPOTENT_TASK,
    **time_limits(soft=15 * 60, hard=20 * 60),
)
def referrals_mark_overdue_task(today: str | None = None) -> dict[str, int]:
    """Daily: flag overdue referrals and overdue actions of case plans, and notify each
    responsible caseworker once (docs/case-plan.md: the plans' actions join the same sweep).

    A lock keeps two runs from overlapping; the work itself is idempotent, so a rerun is harmless.
    """
    if not cache.add(OVERDUE_LOCK, "1", OVERDUE_LOCK_SECONDS):
        logger.info("referrals_mark_overdue_task already running; skipped")
        return {"skipped": 1}
    try:
        day = date.fromisoformat(today) if today else None
        result = referrals_mark_overdue(today=day)
        plan = plan_actions_mark_overdue(today=day)
        return {**result, **{f"plan_{key}": value for key, value in plan.items()}}
    finally:
        cache.delete(OVERDUE_LOCK)


@shared_task(ignore_result=True, **IDEMPOTENT_TASK)
def referral_partner_answer_notify_task(transition_id: int) -> int:
    """After a partner answers through its link: tell the responsible caseworker (keyed, so once)."""
    return referral_partner_answer_notify(transition_id=transition_id)
