from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """Field work without a connection: the installable offline screens of the sport program and
    the server side of their queue (submissions accepted exactly once)."""

    name = "field"
    label = "field"
    verbose_name = _("Field work offline")
