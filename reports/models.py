"""Indicators, targets and the monthly figures computed for them (DESIGN sections 4 and 5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orientation.models import Program


class Indicator(models.Model):
    class EventKind(models.TextChoices):
        SERVICE_RECEIVED = "service_received", _("Service received (direct or completed referral)")
        REFERRAL_MADE = "referral_made", _("Referral made (any status but cancelled)")
        ATTENDANCE = "attendance", _("Present at a sport session")

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    event_kind = models.CharField(_("counts"), max_length=30, choices=EventKind.choices)
    areas = models.JSONField(
        _("service areas"),
        default=list,
        blank=True,
        help_text=_("Area codes counted (service events). Empty: any area."),
    )
    activities = models.JSONField(
        _("activities"),
        default=list,
        blank=True,
        help_text=_("Activity codes counted (attendance). Empty: any activity."),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["program__code", "sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Target(models.Model):
    """A target for an indicator: for one month, or for the whole program (month empty)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    month = models.DateField(
        _("month"), null=True, blank=True, help_text=_("First day of the month; empty for the whole program.")
    )
    value = models.PositiveIntegerField(_("target"))

    class Meta:
        ordering = ["indicator", "month"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="unique_target_month"),
            models.UniqueConstraint(
                fields=["indicator"], condition=models.Q(month__isnull=True), name="unique_target_total"
            ),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(month__day=1), name="target_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.month or 'total'}: {self.value}"


class ReportRun(models.Model):
    """One computation of a month's figures (by the scheduler, a coordinator or the command)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped: another run was computing this month")
        FAILED = "failed", _("Failed")

    month = models.DateField(_("month"))
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(_("trigger"), max_length=20, default="manual")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        indexes = [models.Index(fields=["status", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status}"


class MonthlyFigure(models.Model):
    """The stored snapshot of one indicator for one month: recomputed in place, never edited."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="figures")
    month = models.DateField()
    reached = models.JSONField(default=dict)
    new = models.JSONField(default=dict)
    cumulative = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    run = models.ForeignKey(
        ReportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="figures"
    )

    class Meta:
        ordering = ["month", "indicator"]
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        constraints = [models.UniqueConstraint(fields=["indicator", "month"], name="unique_figure_month")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.month:%Y-%m}"
