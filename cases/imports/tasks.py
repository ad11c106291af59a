"""Celery tasks of the import: each takes an ImportBatch id and is safe to run twice (found by
Celery's autodiscovery, like every app's tasks.py)."""

from celery import shared_task

from .actions import import_batch_check, import_batch_run, import_batches_cleanup, import_batches_fail_dead


@shared_task(ignore_result=True)
def import_batch_check_task(batch_id: int) -> None:
    import_batch_check(batch_id=batch_id)


@shared_task(ignore_result=True)
def import_batch_run_task(batch_id: int) -> None:
    import_batch_run(batch_id=batch_id)


@shared_task(ignore_result=True)
def import_batches_cleanup_task() -> int:
    return import_batches_cleanup()


@shared_task(ignore_result=True)
def import_batches_fail_dead_task() -> int:
    """Every minute (beat): fail the runs whose worker died, so the page stops saying it goes on."""
    return import_batches_fail_dead()
