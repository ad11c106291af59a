"""Data-subject (ARCO) requests; the table keeps its first name (it was part of ``cases``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Person
from orientation import limits
from orientation.limits import text_limit


class ArcoRequest(models.Model):
    """A data-subject request under Law 29733: access, rectification, cancellation, opposition."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        RECTIFICATION = "rectification", _("Rectification")
        CANCELLATION = "cancellation", _("Cancellation")
        OPPOSITION = "opposition", _("Opposition")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="arco_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True, **text_limit(limits.RESOLUTION))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords(table_name="cases_historicalarcorequest")

    class Meta:
        db_table = "cases_arcorequest"
        ordering = ["-received_on"]
        verbose_name = _("ARCO request")
        verbose_name_plural = _("ARCO requests")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"
