from celery import shared_task

from .outbox import outbox_sweep


@shared_task(ignore_result=True)
def outbox_sweep_task() -> int:
    return outbox_sweep()


@shared_task
def ping_task(value: int) -> int:
    """A trivial task used by the health check and CI to prove a worker answers."""
    return value * 2
