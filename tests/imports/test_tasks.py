"""Background work: the check and import tasks on a real worker, progress, and the cleanup."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from cases.imports.actions import (
    HEARTBEAT_DEAD_AFTER,
    import_batch_confirm,
    import_batch_create,
    import_batches_cleanup,
    import_batches_fail_dead,
)
from cases.imports.engine import BatchProgress
from cases.imports.models import ImportBatch
from cases.imports.tasks import import_batch_check_task, import_batch_run_task
from cases.models import Person
from tests.factories import PersonFactory

from .conftest import person_row, write_csv

Status = ImportBatch.Status


def make_batch(user, tmp_path, rows, django_capture_on_commit_callbacks=None, name="people.csv"):
    path = write_csv(tmp_path / name, rows)
    upload = SimpleUploadedFile(name, path.read_bytes())
    if django_capture_on_commit_callbacks is None:
        return import_batch_create(user=user, kind="people", upload=upload)
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(user=user, kind="people", upload=upload)
    batch.refresh_from_db()
    return batch


def test_tasks_run_once_however_often_they_are_delivered(
    coordinator, tmp_path, django_capture_on_commit_callbacks
):
    batch = make_batch(
        coordinator, tmp_path, [person_row(1), person_row(2)], django_capture_on_commit_callbacks
    )
    assert batch.status == Status.READY
    import_batch_check_task(batch.pk)  # a second delivery: nothing changes
    import_batch_run_task(batch.pk)  # not confirmed: nothing is imported
    assert not Person.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_confirm(batch=batch, user=coordinator)
    import_batch_run_task(batch.pk)  # delivered twice
    batch.refresh_from_db()
    assert batch.status == Status.DONE and Person.objects.count() == 2
    assert Person.history.count() == 2


def test_a_batch_whose_uploader_is_gone_is_not_imported(
    coordinator, tmp_path, django_capture_on_commit_callbacks
):
    batch = make_batch(coordinator, tmp_path, [person_row(1)], django_capture_on_commit_callbacks)
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.QUEUED, uploaded_by=None)
    import_batch_run_task(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.FAILED and not Person.objects.exists()


def test_cleanup_removes_stale_uploads_and_orphan_files(coordinator, tmp_path, media_root):
    now = timezone.now()
    stale = make_batch(coordinator, tmp_path, [person_row(1)], name="old.csv")
    fresh = make_batch(coordinator, tmp_path, [person_row(2)], name="new.csv")
    ImportBatch.objects.filter(pk=stale.pk).update(created_at=now - timedelta(days=2))
    running = make_batch(coordinator, tmp_path, [person_row(3)], name="run.csv")
    ImportBatch.objects.filter(pk=running.pk).update(
        status=Status.RUNNING, summary={"started_at": (now - timedelta(hours=3)).isoformat()}
    )
    orphan_old = default_storage.save("imports/2020/01/orphan.csv", SimpleUploadedFile("x", b"ref\n"))
    orphan_new = default_storage.save("imports/2020/01/recent.csv", SimpleUploadedFile("x", b"ref\n"))
    two_days_ago = (now - timedelta(days=2)).timestamp()
    os.utime(media_root / orphan_old, (two_days_ago, two_days_ago))

    assert import_batches_cleanup(now=now) == 2
    stale.refresh_from_db()
    fresh.refresh_from_db()
    running.refresh_from_db()
    assert (stale.status, stale.file.name) == (Status.ABANDONED, "")
    assert fresh.status == Status.UPLOADED and default_storage.exists(fresh.file.name)
    assert running.status == Status.FAILED and default_storage.exists(running.file.name)
    assert not default_storage.exists(orphan_old) and default_storage.exists(orphan_new)


def test_a_run_whose_heartbeat_stopped_is_failed_and_can_be_tried_again(
    coordinator, tmp_path, client_for, django_capture_on_commit_callbacks
):
    """Its worker was killed: within a minute or two the page says so and offers to try again;
    before, it said "the work goes on" for 35 minutes (forever without beat)."""
    now = timezone.now()
    dead = make_batch(coordinator, tmp_path, [person_row(1)], django_capture_on_commit_callbacks, "a.csv")
    alive = make_batch(coordinator, tmp_path, [person_row(2)], django_capture_on_commit_callbacks, "b.csv")
    ImportBatch.objects.filter(pk=dead.pk).update(
        status=Status.RUNNING,
        heartbeat_at=now - HEARTBEAT_DEAD_AFTER - timedelta(seconds=1),
        summary={"started_at": (now - timedelta(minutes=2)).isoformat()},
    )
    ImportBatch.objects.filter(pk=alive.pk).update(
        status=Status.RUNNING, heartbeat_at=now - timedelta(seconds=5)
    )
    client = client_for(coordinator)
    # The page polling the progress box finds it dead (no beat needed) and reloads.
    response = client.get(reverse("imports:import_progress", args=[dead.pk]), headers={"HX-Request": "true"})
    assert response.headers.get("HX-Refresh") == "true"
    dead.refresh_from_db()
    assert dead.status == Status.FAILED and dead.summary["failure"] == "worker_lost" and dead.finished_at
    page = client.get(reverse("imports:import_detail", args=[dead.pk])).content.decode()
    assert any(
        said in page
        for said in (
            "the server running it stopped before it ended. Nothing was saved.",
            "el servidor que la hacía se detuvo antes de terminar. No se guardó nada.",
        )
    )
    assert 'data-testid="import-retry"' in page and 'data-testid="import-progress"' not in page
    assert import_batches_fail_dead(now=now) == 0  # the live one keeps running
    alive.refresh_from_db()
    assert alive.status == Status.RUNNING
    assert not Person.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # "Try again"
        response = client.post(reverse("imports:import_confirm", args=[dead.pk]))
    dead.refresh_from_db()
    assert response.status_code == 302 and dead.status == Status.DONE and Person.objects.count() == 1


def test_beat_fails_dead_runs_every_minute():
    from django.conf import settings

    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["cases.imports.tasks.import_batches_fail_dead_task"] <= 60
    assert HEARTBEAT_DEAD_AFTER <= timedelta(minutes=2)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_written_while_the_import_transaction_is_open(make_user, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: no heartbeat (the run is failed after the time limit)")
    from cases.imports import actions

    monkeypatch.setattr(actions, "HEARTBEAT_EVERY", 0.1)
    batch = make_batch(make_user("coordinator"), tmp_path, [person_row(1)])
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.RUNNING, heartbeat_at=None)
    with transaction.atomic():
        heartbeat = actions._Heartbeat(batch.pk)
        try:
            time.sleep(0.5)
        finally:
            heartbeat.stop()
    batch.refresh_from_db()
    assert batch.heartbeat_at is not None and batch.heartbeat_at > timezone.now() - timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)
def test_progress_outside_a_transaction_is_saved_directly(make_user, tmp_path):
    batch = make_batch(make_user("coordinator"), tmp_path, [person_row(1)])
    BatchProgress(batch.pk)(7)
    batch.refresh_from_db()
    assert batch.processed_rows == 7


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(make_user, tmp_path):
    """On PostgreSQL the count goes through a second connection, so the page sees it at once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: progress shows when the import ends")
    batch = make_batch(make_user("coordinator"), tmp_path, [person_row(1)])
    real = connections["default"]
    observer = type(real)(dict(real.settings_dict), alias="observer")
    progress = BatchProgress(batch.pk)
    try:
        with transaction.atomic():
            PersonFactory()
            progress(500)
            with observer.cursor() as cursor:
                cursor.execute("SELECT processed_rows FROM cases_importbatch WHERE id = %s", [batch.pk])
                assert cursor.fetchone()[0] == 500
                cursor.execute("SELECT count(*) FROM cases_person")
                assert cursor.fetchone()[0] == 0  # the import's own rows are not visible yet
            transaction.set_rollback(True)
    finally:
        progress.close()
        observer.close()


@pytest.fixture
def worker_media(media_root, monkeypatch):
    """The worker process must store and read uploads where this test does."""
    monkeypatch.setenv("MEDIA_ROOT", str(media_root))


@pytest.mark.worker
def test_a_real_worker_checks_and_imports_a_file(worker_media, celery_worker_process, make_user, tmp_path):
    coordinator = make_user("coordinator")
    batch = make_batch(coordinator, tmp_path, [person_row(n) for n in range(1, 2501)])

    def wait_for(*statuses, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            if batch.status in statuses:
                return batch
            time.sleep(0.2)
        pytest.fail(f"import #{batch.pk} stayed {batch.status}")

    wait_for(Status.READY, Status.INVALID)
    assert (batch.status, batch.total_rows) == (Status.READY, 2500)
    import_batch_confirm(batch=batch, user=coordinator)
    wait_for(Status.DONE, Status.INVALID, Status.FAILED)
    assert (batch.status, batch.processed_rows, batch.total_rows) == (Status.DONE, 2500, 2500)
    assert batch.summary["counts"]["people"] == {"created": 2500}
    assert Person.objects.count() == 2500 and not batch.file
