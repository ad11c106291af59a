from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db import connections
        from django.utils.module_loading import autodiscover_modules

        from .search import register_lookups, register_sqlite_functions

        register_lookups()
        connection_created.connect(register_sqlite_functions, dispatch_uid="cases-sqlite-trigrams")
        # Connections opened before the app was ready get the functions too.
        for conn in connections.all(initialized_only=True):
            if conn.vendor == "sqlite" and conn.connection is not None:
                register_sqlite_functions(None, conn)
        # What the apps above keep about people (timeline, coordinator scope): cases/person_records.py.
        autodiscover_modules("person_records")
