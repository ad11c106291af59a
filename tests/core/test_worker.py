import pytest

from orientation.tasks import ping_task


@pytest.mark.worker
def test_a_real_celery_worker_runs_a_task(celery_worker_process):
    result = ping_task.delay(21)
    assert result.get(timeout=30) == 42
