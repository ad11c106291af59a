"""Settings for the test suite: the same as the base, with fast password hashing."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Unit tests run tasks eagerly; tests marked `worker` switch to a real worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
SESSION_IDLE_TIMEOUT = 30 * 60
# Each test process keeps its own cache: tests clear it, and on a shared Redis one process
# clearing it would reset another's counters (and empty the Celery queues in the same database).
# A worker started by a test (tests/conftest.py) still uses Redis, with the base settings.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The API's request limits are tested with their own low rates (tests/api/test_problems.py).
API_THROTTLE_RATES = {"user": "100000/minute", "anon": "100000/minute"}
if IS_POSTGRES:  # noqa: F405
    # A test database is thrown away: its commits need not wait for the disk (3 ms each here).
    DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"  # noqa: F405
