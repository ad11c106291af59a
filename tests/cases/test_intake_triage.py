"""Saving an intake enqueues its triage task through the outbox, in the same transaction."""

from datetime import date
from unittest import mock

import pytest
from django.db import transaction

from cases.actions import intake_record
from cases.tasks import intake_triage_task
from orientation.models import Notification, OutboxMessage
from tests.factories import PersonFactory


def _record(user, person, *, priority="urgent", needs=None):
    return intake_record(
        user=user,
        person=person,
        site=person.site,
        day=date(2025, 3, 4),
        priority=priority,
        population_type=person.population_type,
        needs={"psychosocial": "crisis"} if needs is None else needs,
    )


@pytest.fixture
def people(ref, make_user):
    return {
        "caseworker": make_user("caseworker"),
        "specialist": make_user("psychosocial"),
        "other_site": make_user("psychosocial", sites=["SCH-01"]),
        "person": PersonFactory(),
    }


def test_outbox_row_is_written_in_the_intake_transaction_and_the_task_runs_after_commit(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        intake = _record(people["caseworker"], people["person"])
    message = OutboxMessage.objects.get(task_name="cases.tasks.intake_triage_task")
    assert message.kwargs == {"intake_id": intake.pk}
    assert message.sent_at is None and len(callbacks) == 1
    assert not Notification.objects.exists()  # nothing ran before the commit

    callbacks[0]()  # the commit: the eager task runs
    message.refresh_from_db()
    assert message.sent_at is not None
    assert list(Notification.objects.values_list("user", "key")) == [
        (people["specialist"].pk, f"intake-triage:{intake.pk}")
    ]


def test_a_failed_intake_leaves_no_outbox_row(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            _record(people["caseworker"], people["person"])
            raise RuntimeError("the request failed after the save")
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.exists()


def test_the_save_does_not_depend_on_the_broker(people, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from orientation.celery import app

    with mock.patch.object(app, "send_task", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            intake = _record(people["caseworker"], people["person"])
    assert intake.pk and intake.needs.count() == 1
    assert OutboxMessage.objects.get().sent_at is None


@pytest.mark.parametrize(
    ("priority", "needs", "told"),
    [
        ("urgent", {"psychosocial": ""}, 1),
        ("high", {"protection": "threats"}, 1),
        ("medium", {"psychosocial": ""}, 0),
        ("urgent", {"documentation": ""}, 0),
    ],
)
def test_triage_tells_the_site_specialists_only_when_needed(people, priority, needs, told):
    intake = _record(people["caseworker"], people["person"], priority=priority, needs=needs)
    Notification.objects.all().delete()
    assert intake_triage_task(intake.pk) == told
    assert intake_triage_task(intake.pk) == told  # a second run (redelivery) sends nothing new
    assert Notification.objects.count() == told
    assert not Notification.objects.filter(user=people["other_site"]).exists()
    assert intake_triage_task(999999) == 0
