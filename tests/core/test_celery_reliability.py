"""The Celery settings that make a dead worker or broker harmless."""

import importlib

import pytest
from django.conf import settings
from django.db import OperationalError

from orientation.celery import app

# Tasks reviewed as idempotent (a second run changes nothing): only they may be acknowledged late.
IDEMPOTENT = {
    "cases.tasks.intake_triage_task",
    "cases.tasks.expiry_reminders_task",
    "cases.arco.tasks.retention_anonymize_task",
    "services.tasks.referrals_mark_overdue_task",
    "reports.tasks.monthly_figures_compute_task",
    "reports.tasks.monthly_figures_fill_task",  # months computed under their lock: a rerun changes nothing
    "services.tasks.referral_partner_answer_notify_task",  # a keyed notification: sent once
    "reports.tasks.monthly_figures_previous_month_task",
    "reports.tasks.monthly_figures_current_month_task",
    "reports.tasks.first_events_rebuild_task",
    # A push already sent or failed is skipped; posting the same data value set again leaves DHIS2
    # as once (its import updates the same values).
    "reports.dhis2.tasks.dhis2_push_task",
    # Only booked appointments of past days are marked missed: a rerun finds none left.
    "reception.tasks.appointments_mark_missed_task",
    # One reminder row per appointment (a unique constraint): a rerun queues nothing more.
    "reception.tasks.appointment_reminders_task",
    # One reminder row per document and expiry date (a unique constraint): a rerun queues nothing.
    "reception.tasks.document_reminders_task",
    # The row is locked and only a queued reminder is sent: a second run sends nothing.
    "reception.tasks.reminder_send_task",
}


def _tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_only_idempotent_tasks_are_acknowledged_late_and_they_retry_outages_with_backoff():
    tasks = _tasks()
    late = {name for name, task in tasks.items() if task.acks_late}
    assert late <= IDEMPOTENT, f"acks_late on a task not reviewed as idempotent: {late - IDEMPOTENT}"
    assert IDEMPOTENT <= set(tasks)
    for name in IDEMPOTENT:
        task = tasks[name]
        assert task.acks_late and task.reject_on_worker_lost, name
        assert 0 < task.max_retries <= 10, name
        assert task.retry_backoff, name
        assert issubclass(OperationalError, tuple(task.autoretry_for)), name
        assert any(issubclass(ConnectionError, e) for e in task.autoretry_for), name


def test_time_limits_stay_below_the_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility == settings.CELERY_VISIBILITY_TIMEOUT
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility
    for name, task in _tasks().items():
        assert (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) < visibility, name


@pytest.mark.parametrize("visibility", [10, 3600, 7200])
def test_the_time_limit_follows_a_short_visibility_timeout(monkeypatch, visibility):
    import orientation.settings.base as base

    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(visibility))
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CELERY_TASK_SOFT_TIME_LIMIT < reloaded.CELERY_TASK_TIME_LIMIT < visibility
        assert reloaded.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == visibility
    finally:
        monkeypatch.delenv("CELERY_VISIBILITY_TIMEOUT")
        importlib.reload(base)


def test_task_time_limits_are_cut_below_a_short_visibility_timeout(settings):
    from orientation.celery import time_limits

    settings.CELERY_VISIBILITY_TIMEOUT = 5
    assert time_limits(soft=20 * 60, hard=25 * 60) == {"soft_time_limit": 3, "time_limit": 4}
    settings.CELERY_VISIBILITY_TIMEOUT = 3600
    assert time_limits(soft=20 * 60, hard=25 * 60) == {"soft_time_limit": 1200, "time_limit": 1500}


def test_a_broker_that_does_not_answer_cannot_hold_a_request_long():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_connect_timeout"] <= 2 and options["socket_timeout"] <= 2
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 1


def test_an_acknowledgement_on_a_connection_dropped_with_redis_does_not_stop_the_worker():
    """kombu clears the closed connection's client; a late ack then raises AttributeError, which
    Celery treated as an unrecoverable error (the worker exited for good)."""
    from unittest import mock

    from kombu.message import Message

    tasks = _tasks()
    channel = mock.Mock()
    channel.basic_ack.side_effect = AttributeError("'NoneType' object has no attribute 'hostname'")
    message = Message(
        body=b"[[], {}, {}]",
        channel=channel,
        delivery_tag=1,
        content_type="application/json",
        content_encoding="utf-8",
        headers={"id": "t-1", "task": "cases.tasks.intake_triage_task"},
    )
    request_cls = tasks["cases.tasks.intake_triage_task"].Request
    if isinstance(request_cls, str):
        from celery.utils.imports import symbol_by_name

        request_cls = symbol_by_name(request_cls)
    request = request_cls(
        message,
        on_ack=message.ack_log_error,
        app=app,
        connection_errors=(ConnectionError,),
    )
    request.acknowledge()  # logged, not raised
    assert request.acknowledged and channel.basic_ack.called


def test_a_worker_reconnects_to_the_broker_forever():
    assert settings.CELERY_BROKER_CONNECTION_RETRY is True
    assert settings.CELERY_BROKER_CONNECTION_MAX_RETRIES is None
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is True
