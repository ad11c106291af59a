from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SportConfig(AppConfig):
    """The youth sport program: groups, sessions, attendance and head counts."""

    name = "services.sport"
    label = "sport"
    verbose_name = _("Youth sport")
