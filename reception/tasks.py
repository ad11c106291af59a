"""Celery tasks of reception: small, idempotent, taking ids or nothing."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.core.cache import cache

from orientation.celery import IDEMPOTENT_TASK, time_limits

from .actions import (
    appointment_reminders_queue,
    appointments_mark_missed,
    document_reminders_queue,
    reminder_send,
)

logger = logging.getLogger(__name__)

MISSED_LOCK = "reception:appointments-mark-missed"
MISSED_LOCK_SECONDS = 20 * 60  # below the task's time limit, so a crashed run frees it


@shared_task(**IDEMPOTENT_TASK, **time_limits(soft=15 * 60, hard=20 * 60))
def appointments_mark_missed_task(today: str | None = None) -> dict[str, int]:
    """Daily: the booked appointments of past days that nobody checked in for are missed.

    A lock keeps two runs from overlapping; the work is idempotent, so a rerun is harmless."""
    if not cache.add(MISSED_LOCK, "1", MISSED_LOCK_SECONDS):
        logger.info("appointments_mark_missed_task already running; skipped")
        return {"skipped": 1}
    try:
        return {"missed": appointments_mark_missed(today=date.fromisoformat(today) if today else None)}
    finally:
        cache.delete(MISSED_LOCK)


REMINDERS_LOCK = "reception:appointment-reminders"


@shared_task(**IDEMPOTENT_TASK, **time_limits(soft=15 * 60, hard=20 * 60))
def appointment_reminders_task(today: str | None = None) -> dict[str, int]:
    """Daily: queue the reminders of tomorrow's appointments (each sent by its own task)."""
    if not cache.add(REMINDERS_LOCK, "1", MISSED_LOCK_SECONDS):
        logger.info("appointment_reminders_task already running; skipped")
        return {"skipped": 1}
    try:
        return {"queued": appointment_reminders_queue(today=date.fromisoformat(today) if today else None)}
    finally:
        cache.delete(REMINDERS_LOCK)


DOCUMENT_REMINDERS_LOCK = "reception:document-reminders"


@shared_task(**IDEMPOTENT_TASK, **time_limits(soft=15 * 60, hard=20 * 60))
def document_reminders_task(today: str | None = None) -> dict[str, int]:
    """Daily: queue the reminders of identity documents about to expire (each sent by its own task).

    The lock keeps two beats from overlapping; the unique constraint per document and expiry date
    keeps a rerun from sending twice."""
    if not cache.add(DOCUMENT_REMINDERS_LOCK, "1", MISSED_LOCK_SECONDS):
        logger.info("document_reminders_task already running; skipped")
        return {"skipped": 1}
    try:
        return {"queued": document_reminders_queue(today=date.fromisoformat(today) if today else None)}
    finally:
        cache.delete(DOCUMENT_REMINDERS_LOCK)


@shared_task(bind=True, ignore_result=True, **IDEMPOTENT_TASK)
def reminder_send_task(self, reminder_id: int) -> str:
    """Send one reminder; a provider error is tried again later, a few times, then recorded."""
    from .models import Reminder

    status = reminder_send(reminder_id=reminder_id)
    if status == Reminder.Status.QUEUED:
        raise self.retry(countdown=60)
    return status
