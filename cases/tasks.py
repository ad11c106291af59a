from .imports.tasks import (  # noqa: F401  (Celery's autodiscovery only looks at <app>.tasks)
    import_batch_check_task,
    import_batch_run_task,
    import_batches_cleanup_task,
)
