from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """The import engine: upload, check, preview and import a file whole or not at all. The apps
    declare their kinds of file in their own ``import_kinds.py`` (docs/architecture.md)."""

    name = "cases.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("import_kinds")
