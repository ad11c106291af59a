"""Celery jobs for the monthly figures. Each takes ids (or nothing), calls one action, and is
idempotent: a redelivered or repeated job recomputes the same snapshots in place, or finds them
already computed after it was requested and skips (see ``reports.actions``).

Time limits stay below the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, an hour), so a
long job is never handed to a second worker while the first still runs; retries are bounded, with
backoff, on database and broker errors (a lost connection, a deadlock, a failover).
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from orientation.celery import IDEMPOTENT_TASK, time_limits
from orientation.dates import add_months, first_of_month

from .actions import (
    first_events_rebuild,
    monthly_figures_compute,
    monthly_figures_fill,
    report_run_create,
)
from .models import ReportRun

JOB = {
    **IDEMPOTENT_TASK,
    "bind": True,
    "retry_backoff": 10,
    **time_limits(soft=20 * 60, hard=25 * 60),
    "ignore_result": True,
}


@shared_task(**JOB)
def monthly_figures_compute_task(self, run_id: int) -> str:
    """Compute the month (and program) of a requested run."""
    run = ReportRun.objects.select_related("program").filter(pk=run_id).first()
    if run is None:
        return "missing"
    if run.status in (ReportRun.Status.DONE, ReportRun.Status.SKIPPED):
        return run.status  # delivered again after it finished: nothing to do
    monthly_figures_compute(month=run.month, program_code=run.program.code if run.program else None, run=run)
    return run.status


@shared_task(**{**JOB, **time_limits(soft=40 * 60, hard=45 * 60)})
def monthly_figures_fill_task(
    self,
    program_id: int,
    months: list[str],
    recompute: bool = False,
    trigger: str = ReportRun.Trigger.SCHEDULE,
) -> int:
    """The months of a program never computed (first view of its dashboard), or touched by an
    import or by late entries (``recompute``): each computed under its lock, oldest first."""
    return monthly_figures_fill(
        program_id=program_id,
        months=[date.fromisoformat(m) for m in months],
        recompute=recompute,
        trigger=trigger,
    )


def _scheduled(month) -> int:
    run = report_run_create(month=month, trigger=ReportRun.Trigger.SCHEDULE)
    monthly_figures_compute(month=month, run=run)
    return run.pk


@shared_task(**JOB)
def monthly_figures_previous_month_task(self) -> int:
    """On the 1st: the month that just ended, for every program."""
    return _scheduled(add_months(first_of_month(timezone.localdate()), -1))


@shared_task(**JOB)
def monthly_figures_current_month_task(self) -> int:
    """Every night: the month so far, for every program."""
    return _scheduled(first_of_month(timezone.localdate()))


@shared_task(**{**JOB, **time_limits(soft=40 * 60, hard=45 * 60)})
def first_events_rebuild_task(self) -> int:
    """Every night, before the refresh: re-derive every indicator's first events from the history."""
    return first_events_rebuild()
