"""Reminders of identity documents about to expire, and messages in the person's language: only with
consent to be contacted, once per document and expiry date however often the job or the task runs,
through the outbox, never naming the document, in Spanish unless the person chose English."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Consent, Person
from orientation.models import OutboxMessage
from reception import actions
from reception.models import Appointment, Reminder
from tests.factories import ConsentFactory, IdentityDocumentFactory, PersonFactory

TODAY = timezone.localdate()


@pytest.fixture
def file_backend(settings, tmp_path):
    settings.REMINDER_BACKEND = "reception.reminders.FileBackend"
    settings.REMINDER_FILE_PATH = tmp_path / "reminders.jsonl"
    return settings.REMINDER_FILE_PATH


def sent_lines(path) -> list[dict]:
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def document_for(*, consent=True, phone="987654321", expires_in=30, language="es", number=None, **person):
    person = PersonFactory(
        phone=phone,
        given_names=person.pop("given_names", "Yusmary"),
        family_names="Rojas Pérez",
        message_language=language,
        **person,
    )
    if consent:
        ConsentFactory(person=person, purpose=Consent.Purpose.CONTACT)
    return IdentityDocumentFactory(
        person=person,
        doc_type="ptp",
        **({"number": number} if number else {}),
        expires_on=TODAY + timedelta(days=expires_in) if expires_in is not None else None,
    )


def test_a_document_reminder_goes_once_with_consent_and_names_no_document(
    ref, file_backend, django_capture_on_commit_callbacks
):
    document = document_for(number="A1234567")
    document_for(consent=False, given_names="Ana")  # no consent to be contacted
    document_for(phone="", given_names="Berta")  # no phone
    document_for(expires_in=31, given_names="Carla")  # not yet: 31 days ahead
    document_for(expires_in=-1, given_names="Dora")  # expired already
    document_for(expires_in=None, given_names="Elsa")  # no expiry date
    archived = document_for(given_names="Flor").person
    Person.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.document_reminders_queue(today=TODAY) == 1
        # A second run (a second beat, a rerun) queues nothing more.
        assert actions.document_reminders_queue(today=TODAY) == 0
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.document, reminder.expires_on, reminder.appointment) == (
        Reminder.Kind.DOCUMENT_EXPIRY,
        document,
        document.expires_on,
        None,
    )
    assert (reminder.status, reminder.attempts, reminder.language) == (Reminder.Status.SENT, 1, "es")
    (line,) = sent_lines(file_backend)
    assert line["to"] == "987654321" and line["id"] == reminder.provider_id
    assert line["body"].startswith("Orienta: uno de sus documentos vence el ")
    assert document.expires_on.strftime("%d/%m/%Y") in line["body"]
    assert document.person.site.name in line["body"]
    for sensitive in ["Yusmary", "Rojas", "A1234567", "PTP", "ptp"]:
        assert sensitive not in line["body"]
    # A retried task, or the message delivered twice, sends nothing again.
    from reception.tasks import reminder_send_task

    reminder_send_task.apply(kwargs={"reminder_id": reminder.pk})
    assert actions.reminder_send(reminder_id=reminder.pk) == Reminder.Status.SENT
    assert len(sent_lines(file_backend)) == 1
    # Five days later the document of 31 days comes within the window; this one gets nothing more.
    assert actions.document_reminders_queue(today=TODAY + timedelta(days=5)) == 1
    assert Reminder.objects.filter(document=document).count() == 1
    assert Reminder.objects.latest("pk").document.person.given_names == "Carla"


def test_the_days_before_are_a_setting_and_a_missed_day_is_caught_up(ref, settings):
    settings.DOCUMENT_REMINDER_DAYS = 10
    document_for(expires_in=10)
    document_for(expires_in=11, given_names="Ana")
    assert actions.document_reminders_queue(today=TODAY) == 1
    # The job did not run for two days: the document that came within ten days meanwhile is reminded.
    assert actions.document_reminders_queue(today=TODAY + timedelta(days=2)) == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.DOCUMENT_EXPIRY).count() == 2


def test_one_reminder_per_document_and_expiry_date_in_the_database(ref):
    """Two beats that both read "no reminder yet" cannot both write one: the unique constraint."""
    document = document_for()
    fields = {
        "person": document.person,
        "document": document,
        "expires_on": document.expires_on,
        "kind": Reminder.Kind.DOCUMENT_EXPIRY,
        "to": "987654321",
        "body": "x",
    }
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**fields)
    # A reminder of a document names the document and its date (a check constraint).
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**(fields | {"document": None, "expires_on": None}))
    # The job, racing, creates nothing more and does not fail.
    assert actions.document_reminders_queue(today=TODAY) == 0


def test_a_renewed_document_gets_its_own_reminder_and_the_old_one_is_not_sent(ref, file_backend, monkeypatch):
    from orientation import outbox

    monkeypatch.setattr(outbox, "_send", lambda message: False)  # the broker is down: queued only
    document = document_for()
    assert actions.document_reminders_queue(today=TODAY) == 1
    first = Reminder.objects.get()
    assert first.status == Reminder.Status.QUEUED
    message = OutboxMessage.objects.get(task_name="reception.tasks.reminder_send_task")
    assert message.kwargs == {"reminder_id": first.pk} and message.completed_at is None
    # The caseworker records the renewal before the message leaves: it is not sent.
    document.expires_on = TODAY + timedelta(days=3 * 365)
    document.save()
    assert actions.reminder_send(reminder_id=first.pk) == Reminder.Status.CANCELLED
    assert sent_lines(file_backend) == []
    # Three years later, the new date gets its own reminder.
    assert actions.document_reminders_queue(today=document.expires_on - timedelta(days=30)) == 1


def test_the_opt_out_is_honoured_for_document_reminders(ref, file_backend, monkeypatch):
    from orientation import outbox

    monkeypatch.setattr(outbox, "_send", lambda message: False)
    document = document_for()
    actions.document_reminders_queue(today=TODAY)
    Consent.objects.filter(person=document.person).update(withdrawn_on=TODAY)
    reminder = Reminder.objects.get()
    assert actions.reminder_send(reminder_id=reminder.pk) == Reminder.Status.CANCELLED
    assert sent_lines(file_backend) == []
    assert actions.document_reminders_queue(today=TODAY) == 0
    other = document_for(given_names="Ana")
    Consent.objects.filter(person=other.person).update(withdrawn_on=TODAY)
    assert actions.document_reminders_queue(today=TODAY) == 0


def test_the_document_reminders_job_is_scheduled_daily_and_never_overlaps(ref, settings):
    from django.core.cache import cache

    from reception.tasks import DOCUMENT_REMINDERS_LOCK, document_reminders_task

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reception.tasks.document_reminders_task" in tasks
    document_for()
    cache.add(DOCUMENT_REMINDERS_LOCK, "1", 60)
    try:
        assert document_reminders_task.apply().get() == {"skipped": 1}
    finally:
        cache.delete(DOCUMENT_REMINDERS_LOCK)
    assert document_reminders_task.apply().get() == {"queued": 1}
    assert document_reminders_task.apply().get() == {"queued": 0}


# --- The person's language ------------------------------------------------------------------------


def test_messages_are_in_the_persons_language(
    ref, caseworker, file_backend, django_capture_on_commit_callbacks
):
    english = document_for(language="en")
    spanish = document_for(given_names="Ana")
    appointment = Appointment.objects.create(
        person=english.person,
        site=english.person.site,
        area="documentation",
        staff=caseworker,
        date=TODAY + timedelta(days=1),
        time=time(10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.document_reminders_queue(today=TODAY) == 2
        assert actions.appointment_reminders_queue(today=TODAY) == 1
    bodies = {(r.person_id, r.kind): (r.language, r.body) for r in Reminder.objects.all()}
    language, body = bodies[(english.person_id, Reminder.Kind.DOCUMENT_EXPIRY)]
    assert language == "en" and body.startswith("Orienta: one of your documents expires on ")
    language, body = bodies[(spanish.person_id, Reminder.Kind.DOCUMENT_EXPIRY)]
    assert language == "es" and body.startswith("Orienta: uno de sus documentos vence el ")
    language, body = bodies[(appointment.person_id, Reminder.Kind.DAY_BEFORE)]
    assert language == "en" and body.startswith("Orienta: we remind you of your appointment on ")
    assert "10:00" in body
    assert len(sent_lines(file_backend)) == 3


def test_a_new_person_writes_spanish_unless_they_choose(ref):
    assert PersonFactory().message_language == "es"
    assert Person._meta.get_field("message_language").default == "es"
    assert {"es", "en"} <= {code for code, _label in Person._meta.get_field("message_language").choices}


def test_the_quick_registration_takes_the_language_for_messages(ref, client, receptionist):
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
            "message_language": "en",
        },
    )
    person = Person.objects.get(given_names="Andreína")
    assert person.message_language == "en"
    assert person.history.latest().message_language == "en"
    # An unknown language is refused with a message and nothing is registered.
    response = client.post(
        reverse("reception:register"),
        {
            "given_names": "Betzabeth",
            "family_names": "Colmenares Díaz",
            "sex": "F",
            "nationality": "VE",
            "population_type": "destination",
            "message_language": "xx",
        },
    )
    assert response.status_code == 200
    assert not Person.objects.filter(given_names="Betzabeth").exists()
    assert "xx" in response.content.decode() and "is-invalid" in response.content.decode()
