"""The receipt of each submission a device queued offline and sent later.

A device makes a UUID for every save (a tap on an attendance row, a light profile, a head count)
and keeps it with the save in its queue until the server answers. The server stores the UUID here,
in the same transaction as the records the save writes, under a unique constraint: a replay, or the
same queue sent at once from two tabs, meets the stored key and changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Person
from services.sport.models import Attendance, SportSession


class FieldSubmission(models.Model):
    class Kind(models.TextChoices):
        ATTENDANCE = "attendance", _("attendance mark")
        LIGHT_PROFILE = "light_profile", _("light profile")
        HEAD_COUNT = "head_count", _("head count")
        OUTREACH = "outreach", _("outreach registration")
        PROFILE = "profile", _("light profile corrected")

    key = models.UUIDField(_("key made on the device"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        SportSession,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="field_submissions",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="field_submissions",
    )
    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("attendance"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="field_submissions",
    )
    made_at = models.DateTimeField(_("made on the device at"), null=True, blank=True)
    overtaken = models.JSONField(
        _("kept, not applied"),
        null=True,
        blank=True,
        help_text=_(
            "What the device sent for a record changed on the server since the device kept it: the "
            "newer version stayed (an anonymous head count; a person's correction is in their history)."
        ),
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("offline submission")
        verbose_name_plural = _("offline submissions")
        indexes = [models.Index(fields=["session", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
