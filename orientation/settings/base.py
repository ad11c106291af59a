"""Settings for Orienta, read from the environment.

With nothing set, Orienta runs on SQLite with Celery tasks executed eagerly (the demo set-up).
``DATABASE_URL`` switches to PostgreSQL and ``REDIS_URL`` to a real Celery broker.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
WHITENOISE_USE_FINDERS = DEBUG
# The development key is only ever used without production settings.
SECRET_KEY = env("SECRET_KEY", default="orienta-development-key-not-for-production")  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_countries",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "orientation",
    "orientation.mfa",
    "cases",
    "cases.imports",
    "cases.arco",
    "services",
    "services.sport",
    "reception",
    "field",
    "reports",
    "reports.dhis2",
    "seeds",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "orientation.middleware.SessionMiddleware",
    "orientation.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "orientation.middleware.SessionLimitsMiddleware",
    "orientation.mfa.middleware.OTPRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "orientation.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    "cases.middleware.BreakGlassMiddleware",
]

ROOT_URLCONF = "orientation.urls"
WSGI_APPLICATION = "orientation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "orientation.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    # The name search matches each typed word with pg_trgm's %> at this threshold
    # (cases.search.WORD_SIMILARITY_THRESHOLD, the same on SQLite).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c pg_trgm.word_similarity_threshold=0.5")
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication and sessions ------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The offline field screens (docs/field.md): how many days a device keeps the lists it downloaded.
FIELD_OFFLINE_DAYS = env.int("FIELD_OFFLINE_DAYS", default=7)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute limit: 12 hours
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)  # idle limit: 30 minutes
SESSION_ABSOLUTE_TIMEOUT = SESSION_COOKIE_AGE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: 6 failed attempts lock the user at that address for 30 minutes.
AXES_FAILURE_LIMIT = 6
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_USERNAME_CALLABLE = "orientation.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "orientation.network.client_ip"
# How many reverse proxies of our own stand in front of Orienta (see orientation/network.py): the
# client's address is then read from X-Forwarded-For for sign-in lockouts, the partner link's
# throttle and the access log. 0: no proxy, REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-factor authentication (TOTP) is offered to every user; production forces it for these roles.
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = "Orienta"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["orientation.formats"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Static files are public: they keep readable modes whatever FILE_UPLOAD_PERMISSIONS says.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Uploaded import files hold people's data: readable by the service user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Celery -----------------------------------------------------------------------------------
# The read API (api/, README "API"): personal tokens or the web session, read-only, throttled,
# errors as application/problem+json. Rates: "<number>/<second|minute|hour|day>".
API_THROTTLE_RATES = {
    "user": env("API_THROTTLE_USER", default="120/minute"),
    "anon": env("API_THROTTLE_ANON", default="20/minute"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiUserThrottle", "api.throttling.ApiAnonThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Orienta API",
    "DESCRIPTION": "Read-only API of Orienta. Errors are application/problem+json (RFC 9457).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A dead or frozen Redis must never hang a web request: bounded connect/socket timeouts and
# few retries when publishing. Tasks that cannot be sent stay in the outbox (orientation.outbox).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker whose broker drops keeps trying to reconnect, forever (Celery gives up after 100 tries by
# default and the worker exits). Tasks acknowledged late that run when the connection drops are
# cancelled, and come back (Redis' visibility timeout, or the outbox if Redis lost its memory):
# their acknowledgement could not reach the broker anyway. deploy/ restarts a worker that still exits.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Redis hands an unacknowledged message (acks_late tasks) to another worker only after the
# visibility timeout: that is how a task whose whole worker died comes back. Every task must
# therefore end (hard time limit) well before it, or a long run would be handed out twice.
# Invariant: CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT.
# The fault tests run a worker with a visibility timeout of a few seconds to see redelivery.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for expired unacknowledged messages (about interval x throttle
    # seconds; kombu's default is 100 s). A short visibility timeout wants a short sweep too.
    "unacked_restore_interval": min(10, max(1, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1 if CELERY_VISIBILITY_TIMEOUT < 600 else 10,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 2
# Publishing from a web request: one quick retry, then the task waits in the outbox.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_TIME_LIMIT = min(30 * 60, CELERY_VISIBILITY_TIMEOUT * 4 // 5)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT * 5 // 6
# Only idempotent tasks may be acks_late + reject_on_worker_lost (they say so on their decorator,
# with bounded retries and backoff on database and broker errors); the default stays ack-early.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
# The outbox sends again a task published this many seconds ago whose worker never reported it
# ended (Redis lost its memory, a worker died with it): at least once to the end (orientation.outbox).
# Longer than a task normally waits in the queue, or a backlog is sent twice (harmless, idempotent).
OUTBOX_REDELIVER_AFTER = env.int("OUTBOX_REDELIVER_AFTER", default=300)
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-sweep": {"task": "orientation.tasks.outbox_sweep_task", "schedule": 60.0},
    "import-cleanup": {"task": "cases.imports.tasks.import_batches_cleanup_task", "schedule": 3600.0},
    "import-dead-runs": {"task": "cases.imports.tasks.import_batches_fail_dead_task", "schedule": 60.0},
    "expiry-reminders": {"task": "cases.tasks.expiry_reminders_task", "schedule": crontab(hour=6, minute=0)},
    "referrals-mark-overdue": {
        "task": "services.tasks.referrals_mark_overdue_task",
        "schedule": crontab(hour=6, minute=15),
    },
    "reception-appointment-reminders": {
        "task": "reception.tasks.appointment_reminders_task",
        "schedule": crontab(hour=9, minute=0),
    },
    "reception-document-reminders": {
        "task": "reception.tasks.document_reminders_task",
        "schedule": crontab(hour=9, minute=10),
    },
    "reception-appointments-missed": {
        "task": "reception.tasks.appointments_mark_missed_task",
        "schedule": crontab(hour=0, minute=20),
    },
    "retention-anonymize": {
        "task": "cases.arco.tasks.retention_anonymize_task",
        "schedule": crontab(hour=3, minute=17),
    },
}
# Monthly figures (reports/tasks.py), in CELERY_TIMEZONE: every night the first events are
# re-derived from the history, then the month so far is refreshed; on the 1st the month that ended.
CELERY_BEAT_SCHEDULE |= {
    "reports-first-events-rebuild": {
        "task": "reports.tasks.first_events_rebuild_task",
        "schedule": crontab(hour=1, minute=0),
    },
    "reports-previous-month": {
        "task": "reports.tasks.monthly_figures_previous_month_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    "reports-current-month": {
        "task": "reports.tasks.monthly_figures_current_month_task",
        "schedule": crontab(hour=3, minute=0),
    },
}

# --- Orienta ----------------------------------------------------------------------------------
# A running import writes a heartbeat this often; one silent for IMPORT_DEAD_AFTER_SECONDS died
# with its worker and is marked failed (by beat every minute, and by its page when someone looks).
IMPORT_HEARTBEAT_SECONDS = env.int("IMPORT_HEARTBEAT_SECONDS", default=10)
IMPORT_DEAD_AFTER_SECONDS = env.int("IMPORT_DEAD_AFTER_SECONDS", default=60)
ORIENTA_DEMO = env.bool("ORIENTA_DEMO", default=True)
RETENTION_YEARS = env.int("RETENTION_YEARS", default=10)
# ARCO requests are due this many business days (Monday-Friday, Peru's national holidays off)
# after they are received; ARCO_RESPONSE_CALENDAR_DAYS, when set, counts calendar days instead.
# How long an admin may undo a merge of two people's records (cases/merging.py).
MERGE_UNDO_DAYS = env.int("MERGE_UNDO_DAYS", default=30)
# After a person's case moves to another site (docs/transfer.md), whether the site it left may
# still open the person's page, read-only.
TRANSFER_OLD_SITE_KEEPS_READ = env.bool("TRANSFER_OLD_SITE_KEEPS_READ", default=False)
ARCO_RESPONSE_BUSINESS_DAYS = env.int("ARCO_RESPONSE_BUSINESS_DAYS", default=20)
ARCO_RESPONSE_CALENDAR_DAYS = env.int("ARCO_RESPONSE_CALENDAR_DAYS", default=0)
PARTNER_LINK_DAYS = env.int("PARTNER_LINK_DAYS", default=30)
# Reminders of appointments and expiring documents (reception/reminders.py): where messages go, by which channel, how often a
# failing provider is tried before the reminder is recorded as failed.
REMINDER_BACKEND = env.str("REMINDER_BACKEND", default="reception.reminders.ConsoleBackend")
REMINDER_FILE_PATH = env.path(
    "REMINDER_FILE_PATH", default=BASE_DIR / "media" / "private" / "reminders.jsonl"
)
REMINDER_CHANNEL = env.str("REMINDER_CHANNEL", default="sms")
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=3)
# A provider's request waits this many seconds at most; local numbers get this country code.
REMINDER_TIMEOUT = env.float("REMINDER_TIMEOUT", default=10.0)
REMINDER_COUNTRY_CODE = env.str("REMINDER_COUNTRY_CODE", default="51")
# Twilio (REMINDER_BACKEND=reception.providers.TwilioBackend), read where the worker runs.
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="https://api.twilio.com")
# Days before an identity document's expiry date that its reminder is sent (reception).
DOCUMENT_REMINDER_DAYS = env.int("DOCUMENT_REMINDER_DAYS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
