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
