from unittest import mock

from django.db import transaction

from orientation.models import OutboxMessage
from orientation.outbox import enqueue, outbox_sweep


def test_enqueued_task_runs_after_commit_and_is_marked_sent(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = enqueue("orientation.tasks.ping_task", value=21)
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 1


def test_task_that_cannot_be_sent_stays_in_the_outbox_and_the_sweep_sends_it(
    db, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from orientation.celery import app

    with mock.patch.object(app, "send_task", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue("orientation.tasks.ping_task", value=1)
    message.refresh_from_db()
    assert message.sent_at is None and message.last_error == "ConnectionError"

    with mock.patch.object(app, "send_task") as send:
        assert outbox_sweep() == 1
    send.assert_called_once()
    assert send.call_args.args == ("orientation.tasks.ping_task",)
    assert send.call_args.kwargs["kwargs"] == {"value": 1} and send.call_args.kwargs["retry"] is False
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0


def test_a_sent_message_is_done_only_when_its_task_reports_it_ended(
    db, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from orientation.celery import app

    with mock.patch.object(app, "send_task") as send:
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue("orientation.tasks.ping_task", value=2)
    assert send.call_args.kwargs["headers"] == {"outbox_id": message.pk}
    message.refresh_from_db()
    assert message.sent_at is not None and message.completed_at is None

    # What the worker does when the task ends (the task_postrun signal).
    from celery import states
    from celery.signals import task_postrun

    task = app.tasks["orientation.tasks.ping_task"]
    task.push_request(outbox_id=message.pk)
    try:
        task_postrun.send(sender=task, task=task, task_id="t", state=states.RETRY)
        message.refresh_from_db()
        assert message.completed_at is None  # a retry is not an end
        task_postrun.send(sender=task, task=task, task_id="t", state=states.SUCCESS)
    finally:
        task.pop_request()
    message.refresh_from_db()
    assert message.completed_at is not None and message.last_error == ""


def test_the_sweep_sends_again_what_was_published_but_never_completed(db, settings):
    """Redis lost its memory (restarted without persistence) after the message was published."""
    from datetime import timedelta

    from django.utils import timezone

    from orientation.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.OUTBOX_REDELIVER_AFTER = 600
    now = timezone.now()
    lost = OutboxMessage.objects.create(
        task_name="orientation.tasks.ping_task", kwargs={"value": 1}, sent_at=now - timedelta(seconds=601)
    )
    OutboxMessage.objects.create(  # published a moment ago: probably still queued
        task_name="orientation.tasks.ping_task", kwargs={"value": 2}, sent_at=now - timedelta(seconds=30)
    )
    OutboxMessage.objects.create(  # its task ended
        task_name="orientation.tasks.ping_task",
        kwargs={"value": 3},
        sent_at=now - timedelta(hours=1),
        completed_at=now - timedelta(hours=1),
    )
    OutboxMessage.objects.create(  # sent 50 times and never completed: its task keeps dying
        task_name="orientation.tasks.ping_task",
        kwargs={"value": 4},
        sent_at=now - timedelta(hours=1),
        attempts=50,
    )
    with mock.patch.object(app, "send_task") as send:
        assert outbox_sweep() == 1
    assert [c.kwargs["kwargs"] for c in send.call_args_list] == [{"value": 1}]
    lost.refresh_from_db()
    assert lost.sent_at > now and lost.completed_at is None and lost.attempts == 1
    with mock.patch.object(app, "send_task") as send:
        assert outbox_sweep() == 0  # not again before another OUTBOX_REDELIVER_AFTER


def test_an_eager_task_is_done_when_it_has_run(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue("orientation.tasks.ping_task", value=5)
    message.refresh_from_db()
    assert message.completed_at is not None
