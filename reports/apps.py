from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Register the jobs in every process (a worker finds them by itself; the web process
        # needs them when tasks run eagerly, without a broker).
        from . import tasks  # noqa: F401
