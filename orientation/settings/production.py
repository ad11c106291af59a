"""Production settings: refuse to start without a SECRET_KEY; secure cookies and HSTS; no demo."""

import environ
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

try:
    SECRET_KEY = environ.Env()("SECRET_KEY")
except ImproperlyConfigured as exc:
    raise ImproperlyConfigured("Production settings need the SECRET_KEY environment variable.") from exc
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("orienta-development"):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

DEBUG = False
ORIENTA_DEMO = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=["admin", "coordinator"])
LOGGING["root"]["level"] = env("LOG_LEVEL", default="INFO")  # noqa: F405
