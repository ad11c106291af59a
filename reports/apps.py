from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_migrate

        from orientation.health import health_fact_register

        from . import triggers
        from .selectors import report_run_last_finished_at

        health_fact_register("last_report_run", report_run_last_finished_at)
        # SQLite loses triggers when a migration copies a table: reports/triggers.py.
        pre_migrate.connect(triggers.before_migrate, sender=self, dispatch_uid="reports-triggers-before")
        post_migrate.connect(triggers.after_migrate, sender=self, dispatch_uid="reports-triggers-after")
