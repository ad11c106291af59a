from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrientationConfig(AppConfig):
    name = "orientation"
    verbose_name = _("Orienta core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401
        from .admin import admin_spanish_install
        from .append_only import install_append_only_triggers
        from .roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
        # After every app has migrated (any sender), so history tables added later are covered.
        post_migrate.connect(install_append_only_triggers, dispatch_uid="orienta_append_only")
        admin_spanish_install()
