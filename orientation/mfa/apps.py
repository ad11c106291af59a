from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MfaConfig(AppConfig):
    """Two-factor sign-in (TOTP). Its devices are django-otp's models; it has none of its own."""

    name = "orientation.mfa"
    label = "mfa"
    verbose_name = _("Two-factor sign-in")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the sign-in receiver)
