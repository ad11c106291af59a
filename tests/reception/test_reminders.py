"""Reminders the day before an appointment: only with consent to be contacted, sent once however
often the job or the task runs, a failing provider tried again then recorded as failed, the opt-out
honoured, and every reminder in the outbox with its row (a broker outage loses nothing)."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from django.utils import timezone

from cases.models import Consent
from orientation.models import OutboxMessage
from reception import actions
from reception.models import Appointment, Reminder
from reception.reminders import ReminderBackendError
from tests.factories import ConsentFactory, PersonFactory

TODAY = timezone.localdate()


class FailingBackend:
    calls = 0

    def send(self, *, channel, to, body):
        FailingBackend.calls += 1
        raise ReminderBackendError("gateway timeout")


@pytest.fixture
def file_backend(settings, tmp_path):
    settings.REMINDER_BACKEND = "reception.reminders.FileBackend"
    settings.REMINDER_FILE_PATH = tmp_path / "reminders.jsonl"
    return settings.REMINDER_FILE_PATH


def sent_lines(path) -> list[dict]:
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def appointment_for(caseworker, *, consent=True, phone="987654321", day=None, at=time(10)):
    person = PersonFactory(phone=phone, given_names="Yusmary", family_names="Rojas Pérez")
    if consent:
        ConsentFactory(person=person, purpose=Consent.Purpose.CONTACT)
    return Appointment.objects.create(
        person=person,
        site=person.site,
        area="psychosocial",
        staff=caseworker,
        date=day or TODAY + timedelta(days=1),
        time=at,
    )


def test_a_reminder_goes_once_with_consent_and_says_nothing_sensitive(
    ref, caseworker, file_backend, django_capture_on_commit_callbacks
):
    appointment = appointment_for(caseworker)
    appointment_for(caseworker, consent=False, at=time(11))
    appointment_for(caseworker, phone="", at=time(12))
    appointment_for(caseworker, day=TODAY + timedelta(days=2), at=time(13))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.appointment_reminders_queue(today=TODAY) == 1
        # A second run (a second beat, a rerun) queues nothing more.
        assert actions.appointment_reminders_queue(today=TODAY) == 0
    reminder = Reminder.objects.get()
    assert (reminder.appointment, reminder.status, reminder.attempts) == (
        appointment,
        Reminder.Status.SENT,
        1,
    )
    (line,) = sent_lines(file_backend)
    assert line["to"] == "987654321" and line["id"] == reminder.provider_id
    assert "10:00" in line["body"] and appointment.site.name in line["body"]
    for sensitive in ["Yusmary", "Rojas", "psicosocial", "psychosocial", "Psychosocial"]:
        assert sensitive not in line["body"]
    assert line["body"].startswith("Orienta: le recordamos")  # in Spanish, the default language
    # A retried task, or the message delivered twice, sends nothing again.
    assert actions.reminder_send(reminder_id=reminder.pk) == Reminder.Status.SENT
    from reception.tasks import reminder_send_task

    reminder_send_task.apply(kwargs={"reminder_id": reminder.pk})
    assert len(sent_lines(file_backend)) == 1


def test_every_reminder_is_in_the_outbox_in_the_same_transaction(ref, caseworker, settings):
    """With the broker down the outbox row waits for the sweep; here the eager run completes it."""
    appointment_for(caseworker)
    actions.appointment_reminders_queue(today=TODAY)
    reminder = Reminder.objects.get()
    message = OutboxMessage.objects.get(task_name="reception.tasks.reminder_send_task")
    assert message.kwargs == {"reminder_id": reminder.pk}


def test_nothing_is_lost_when_the_broker_is_down(ref, caseworker, settings, file_backend, monkeypatch):
    from orientation import outbox

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(outbox, "_send", lambda message: False)  # the broker cannot be reached
    appointment_for(caseworker)
    actions.appointment_reminders_queue(today=TODAY)
    reminder = Reminder.objects.get()
    message = OutboxMessage.objects.get(task_name="reception.tasks.reminder_send_task")
    assert (reminder.status, message.sent_at, message.completed_at) == (Reminder.Status.QUEUED, None, None)
    # The broker is back: the message is still there to be sent; its task sends the reminder.
    from reception.tasks import reminder_send_task

    reminder_send_task.apply(kwargs=message.kwargs)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT and len(sent_lines(file_backend)) == 1


def test_the_opt_out_is_honoured_even_after_the_reminder_was_queued(ref, caseworker, file_backend, settings):
    appointment = appointment_for(caseworker)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from orientation import outbox

    original = outbox._send
    outbox._send = lambda message: False
    try:
        actions.appointment_reminders_queue(today=TODAY)
    finally:
        outbox._send = original
    Consent.objects.filter(person=appointment.person).update(withdrawn_on=TODAY)
    reminder = Reminder.objects.get()
    assert actions.reminder_send(reminder_id=reminder.pk) == Reminder.Status.CANCELLED
    assert sent_lines(file_backend) == []
    # And no new reminder for someone who opted out.
    appointment_for(caseworker, at=time(15)).person.consents.update(withdrawn_on=TODAY)
    assert actions.appointment_reminders_queue(today=TODAY) == 0


def test_a_failing_provider_is_tried_again_then_the_reminder_is_recorded_as_failed(
    ref, caseworker, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_BACKEND = "tests.reception.test_reminders.FailingBackend"
    settings.REMINDER_MAX_ATTEMPTS = 3
    FailingBackend.calls = 0
    appointment_for(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        actions.appointment_reminders_queue(today=TODAY)  # the first attempt, after the commit
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.QUEUED, 1)
    # The task asks Celery to try again (a minute later on a worker) while attempts are left...
    from celery.exceptions import Retry

    from reception.tasks import reminder_send_task

    with pytest.raises(Retry):
        reminder_send_task.apply(kwargs={"reminder_id": reminder.pk})
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.QUEUED, 2)
    # ...and the last attempt records the failure and stops.
    assert reminder_send_task.apply(kwargs={"reminder_id": reminder.pk}).get() == Reminder.Status.FAILED
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == (
        Reminder.Status.FAILED,
        3,
        "gateway timeout",
    )
    assert FailingBackend.calls == 3
    assert actions.reminder_send(reminder_id=reminder.pk) == Reminder.Status.FAILED
    assert FailingBackend.calls == 3
    assert [h.history_change_reason for h in reminder.history.order_by("history_id")][-1] == "provider error"


def test_the_reminders_job_is_scheduled_daily_and_never_overlaps(ref, settings):
    from django.core.cache import cache

    from reception.tasks import REMINDERS_LOCK, appointment_reminders_task

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "reception.tasks.appointment_reminders_task",
        "reception.tasks.appointments_mark_missed_task",
    } <= tasks
    cache.add(REMINDERS_LOCK, "1", 60)
    try:
        assert appointment_reminders_task.apply().get() == {"skipped": 1}
    finally:
        cache.delete(REMINDERS_LOCK)


def test_quick_registration_records_the_consent_to_be_contacted(ref, client, receptionist):
    from django.urls import reverse

    from cases.models import Person

    client.force_login(receptionist)
    client.post(
        reverse("reception:register"),
        {
            "given_names": "Andreína",
            "family_names": "Colmenares Díaz",
            "sex": "F",
            "birth_date": "1990-05-05",
            "nationality": "VE",
            "population_type": "destination",
            "phone": "912 345 678",
            "contact_consent": "on",
        },
    )
    person = Person.objects.get(given_names="Andreína")
    consent = person.consents.get()
    assert (consent.purpose, consent.method, consent.recorded_by) == ("contact", "verbal", receptionist)
