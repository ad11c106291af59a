"""The Celery jobs: schedule, options, idempotence, retries; and one run on a real worker."""

import time
from datetime import date

import pytest
from django.conf import settings
from django.db import OperationalError

from orientation.celery import app
from reports import tasks
from reports.actions import first_events_rebuild, report_run_create
from reports.models import MonthlyFigure, ReportRun
from tests.factories import program

from . import dataset

MARCH = date(2025, 3, 1)


def test_the_schedule_computes_last_month_on_the_1st_and_refreshes_every_night():
    schedule = settings.CELERY_BEAT_SCHEDULE
    previous = schedule["reports-previous-month"]
    assert previous["task"] == "reports.tasks.monthly_figures_previous_month_task"
    assert previous["schedule"].day_of_month == {1}
    nightly = schedule["reports-current-month"]
    assert nightly["task"] == "reports.tasks.monthly_figures_current_month_task"
    assert nightly["schedule"].day_of_month == set(range(1, 32))
    rebuild = schedule["reports-first-events-rebuild"]
    assert max(rebuild["schedule"].hour) < min(nightly["schedule"].hour)  # rebuilt before the refresh
    for entry in (previous, nightly, rebuild):
        assert entry["task"] in app.tasks


@pytest.mark.parametrize(
    "task",
    [
        tasks.monthly_figures_compute_task,
        tasks.monthly_figures_previous_month_task,
        tasks.monthly_figures_current_month_task,
        tasks.first_events_rebuild_task,
    ],
)
def test_jobs_are_safe_to_deliver_twice_and_bounded(task):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert task.acks_late and task.reject_on_worker_lost
    assert task.soft_time_limit < task.time_limit < visibility
    assert 0 < task.max_retries <= 5 and OperationalError in task.autoretry_for


def test_a_requested_run_is_computed_once_even_if_delivered_twice(ref):
    dataset.build()
    run = report_run_create(month=MARCH, program=program("BALON"), trigger="manual")
    assert tasks.monthly_figures_compute_task.apply(kwargs={"run_id": run.pk}).get() == "done"
    computed_at = set(MonthlyFigure.objects.values_list("computed_at", flat=True))
    assert tasks.monthly_figures_compute_task.apply(kwargs={"run_id": run.pk}).get() == "done"
    assert set(MonthlyFigure.objects.values_list("computed_at", flat=True)) == computed_at
    assert MonthlyFigure.objects.count() == 3
    assert tasks.monthly_figures_compute_task.apply(kwargs={"run_id": 999999}).get() == "missing"


def test_a_database_error_is_retried(ref, monkeypatch):
    run = report_run_create(month=MARCH, program=program("SALUD"), trigger="manual")
    real, calls = tasks.monthly_figures_compute, []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "monthly_figures_compute", flaky)
    # As a worker would: the error is not raised to the caller, the job is tried again.
    tasks.monthly_figures_compute_task.apply(kwargs={"run_id": run.pk}, throw=False)
    run.refresh_from_db()
    assert len(calls) == 2 and run.status == "done"


def test_the_scheduled_jobs_pick_their_month(ref, monkeypatch):
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: date(2025, 4, 1))
    previous = tasks.monthly_figures_previous_month_task.apply().get()
    current = tasks.monthly_figures_current_month_task.apply().get()
    assert ReportRun.objects.get(pk=previous).month == MARCH
    assert ReportRun.objects.get(pk=current).month == date(2025, 4, 1)
    assert set(ReportRun.objects.values_list("trigger", "status")) == {("schedule", "done")}
    assert MonthlyFigure.objects.filter(month=MARCH).count() == 10
    assert tasks.first_events_rebuild_task.apply().get() == 10


def _wait_for(run, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.is_active:
            return run
        time.sleep(0.3)
    pytest.fail(f"run {run.pk} still {run.status} after {timeout} s")


@pytest.mark.worker
def test_the_monthly_job_on_a_real_worker_twice_gives_identical_snapshots(celery_worker_process, ref):
    dataset.build()
    first_events_rebuild(program_code="PAO")  # PAO incremental, the others from history
    snapshots = []
    for _ in range(2):
        run = report_run_create(month=MARCH, trigger="schedule")
        tasks.monthly_figures_compute_task.delay(run.pk)
        assert _wait_for(run).status == "done"
        snapshots.append(
            {
                f.indicator.code: (f.pk, f.reached, f.new, f.cumulative, f.run_id)
                for f in MonthlyFigure.objects.filter(month=MARCH).select_related("indicator")
            }
        )
    first, second = snapshots
    assert len(first) == 10
    assert {code: v[:4] for code, v in first.items()} == {code: v[:4] for code, v in second.items()}
    assert {v[4] for v in first.values()} != {v[4] for v in second.values()}
    assert first["PAO-ANY"][1]["total"] == 7 and first["BALON-YOUTH"][3]["total"] == 2
