from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    """The front door of an orientation point: check-in, tickets, the waiting line, the display."""

    name = "reception"
    label = "reception"
    verbose_name = _("Reception")
