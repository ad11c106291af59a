"""Cache keys shared by the computation (writes live progress) and the pages (read it)."""


def progress_key(run) -> str:
    """Live progress of a run; the request time is in it, so a reused id never reads old progress."""
    return f"reports:run:{run.pk}:{run.created_at:%Y%m%d%H%M%S%f}:progress"
