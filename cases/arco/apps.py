from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArcoConfig(AppConfig):
    """Data-subject (ARCO) requests and the personal-data engine: export, anonymization and
    retention. The apps declare what they hold about a person in their own ``personal_data.py``
    (docs/architecture.md)."""

    name = "cases.arco"
    label = "arco"
    verbose_name = _("Data requests (ARCO)")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("personal_data")
