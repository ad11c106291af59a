from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from orientation.health import health_fact_register

        from .selectors import report_run_last_finished_at

        health_fact_register("last_report_run", report_run_last_finished_at)
