"""A coordinator's request to recompute a month: the action decides whether a run still waiting in
the queue serves, or a new one is queued."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from orientation.models import OutboxMessage
from reports.actions import report_run_request
from reports.models import ReportRun
from tests.factories import program

MARCH = date(2025, 3, 1)


def test_a_request_records_a_manual_run_and_queues_its_job(coordinator, ref):
    run = report_run_request(user=coordinator, month=date(2025, 3, 17), program=program("PAO"))
    assert (run.month, run.program.code, run.trigger, run.requested_by) == (
        MARCH,
        "PAO",
        "manual",
        coordinator,
    )
    assert run.status == ReportRun.Status.QUEUED
    assert OutboxMessage.objects.get().kwargs == {"run_id": run.pk}


def test_a_run_waiting_in_the_queue_serves_a_second_request(coordinator, make_user, ref):
    first = report_run_request(user=coordinator, month=MARCH, program=program("PAO"))
    again = report_run_request(user=make_user("coordinator"), month=date(2025, 3, 31), program=program("PAO"))
    assert again == first
    assert ReportRun.objects.count() == 1 and OutboxMessage.objects.count() == 1


def test_a_stalled_waiting_run_is_replaced(coordinator, ref):
    stalled = report_run_request(user=coordinator, month=MARCH, program=program("PAO"))
    ReportRun.objects.filter(pk=stalled.pk).update(
        created_at=timezone.now() - ReportRun.STALLED_AFTER - timedelta(minutes=1)
    )
    run = report_run_request(user=coordinator, month=MARCH, program=program("PAO"))
    assert run != stalled and ReportRun.objects.count() == 2


def test_a_run_already_started_or_finished_does_not_serve(coordinator, ref):
    for status in (ReportRun.Status.RUNNING, ReportRun.Status.DONE):
        earlier = report_run_request(user=coordinator, month=MARCH, program=program("PAO"))
        ReportRun.objects.filter(pk=earlier.pk).update(status=status)
        assert report_run_request(user=coordinator, month=MARCH, program=program("PAO")) != earlier


def test_another_month_or_program_gets_its_own_run(coordinator, ref):
    march = report_run_request(user=coordinator, month=MARCH, program=program("PAO"))
    april = report_run_request(user=coordinator, month=date(2025, 4, 1), program=program("PAO"))
    salud = report_run_request(user=coordinator, month=MARCH, program=program("SALUD"))
    assert len({march.pk, april.pk, salud.pk}) == 3
