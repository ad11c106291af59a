from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DHIS2Config(AppConfig):
    """DHIS2 data value sets of the monthly figures (docs/dhis2.md), nested in reports: it reads
    reports' figures and mappings; reports never imports it (it hears ``month_computed``)."""

    name = "reports.dhis2"
    label = "dhis2"
    verbose_name = _("DHIS2")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from reports.signals import month_computed

        # The push task in every process (a worker finds it by itself through autodiscovery; the
        # web process needs it when tasks run eagerly, without a broker).
        from . import tasks  # noqa: F401
        from .actions import dhis2_pushes_after_month_computed

        month_computed.connect(dhis2_pushes_after_month_computed, dispatch_uid="dhis2_push_after_month")
