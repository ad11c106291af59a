"""Indicators, targets and the monthly figures computed for them (docs/counting.md and docs/report-json.md)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation import limits
from orientation.limits import text_limit
from orientation.models import Program, TranslatedName


class Indicator(TranslatedName):
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
    description = models.TextField(_("description"), blank=True, **text_limit(limits.RECORD_NOTE))
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["program__code", "sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} · {self.display_name}"


class Target(models.Model):
    """A target for an indicator: for one month, or for the whole program (month empty)."""

    grammatical_gender = "f"  # Spanish: la …, agregada (orientation/admin.py)

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
            models.UniqueConstraint(
                fields=["indicator", "month"],
                name="unique_target_month",
                violation_error_message=_("This indicator already has a target for that month."),
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=models.Q(month__isnull=True),
                name="unique_target_total",
                violation_error_message=_("This indicator already has a target for the whole program."),
            ),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(month__day=1),
                name="target_month_first_day",
                violation_error_message=_("A monthly target starts on the first day of its month."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.month or 'total'}: {self.value}"


class ReportRun(models.Model):
    """One computation of a month's figures (by the scheduler, a coordinator or the command).

    ``started_at`` is the instant the run took the month's lock: the figures it stored count the
    events committed before then. A run requested before another run started computing the same
    figures has nothing left to do and ends ``skipped`` (see ``reports.actions``).
    """

    grammatical_gender = "f"  # Spanish: la …, agregada (orientation/admin.py)

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped: another run was computing this month")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Requested by a coordinator")
        SCHEDULE = "schedule", _("Scheduled")
        COMMAND = "command", _("Command line")
        API = "api", _("Other")
        LATE = "late", _("Late entries changed this month")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    # Longer than any job may run (tasks.py) plus a wait in the queue: it will not finish.
    STALLED_AFTER = timedelta(hours=2)

    month = models.DateField(_("month"))
    program = models.ForeignKey(
        Program, verbose_name=_("program"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress = models.PositiveIntegerField(_("indicators done"), default=0)
    total = models.PositiveIntegerField(_("indicators"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # What this run changed in the month's stored figures: [{"indicator": code, "measure": name,
    # "before": total, "after": total}], one entry per total that moved (empty: nothing moved or
    # nothing was stored before).
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        indexes = [
            models.Index(fields=["status", "finished_at"]),
            models.Index(fields=["month", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_stalled(self) -> bool:
        return self.is_active and self.created_at < timezone.now() - self.STALLED_AFTER


# The measures of a month, in the order of the report contract (docs/report-json.md).
MEASURES = ["reached", "new", "cumulative", "new_in_year", "cumulative_in_year"]


class MonthlyFigure(models.Model):
    """The stored snapshot of one indicator for one month: recomputed in place, never edited.

    ``reached``, ``new``, ``cumulative``, ``new_in_year`` and ``cumulative_in_year`` hold the
    measures in the shape of the report contract (docs/report-json.md)
    (``{"total": n, "by_sex": {...}, "by_age_band": {...}, "by_sex_age": {...},
    "by_population_type": {...}, "by_nationality": {...}}``, zero counts left out).
    ``computed_at`` is the instant the run took the month's lock: the data is as of then.
    """

    grammatical_gender = "f"  # Spanish: la …, agregada (orientation/admin.py)

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="figures")
    month = models.DateField()
    reached = models.JSONField(default=dict)
    new = models.JSONField(default=dict)
    cumulative = models.JSONField(default=dict)
    new_in_year = models.JSONField(default=dict)
    cumulative_in_year = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    run = models.ForeignKey(
        ReportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="figures"
    )

    class Meta:
        ordering = ["month", "indicator"]
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        constraints = [models.UniqueConstraint(fields=["indicator", "month"], name="unique_figure_month")]
        indexes = [models.Index(fields=["month", "indicator"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.month:%Y-%m}"


class FirstEvent(models.Model):
    """Each person's first-ever qualifying event of an indicator: the reference event of ``new``
    and ``cumulative``, with the person's sex, nationality and age (in completed years, null
    without a birth date) on its date, as they were when the row was last checked.

    Derived data, written only by ``reports.counting`` inside the month's locked transaction,
    always together with ``FirstEventCount``. No database foreign keys: a rebuild inserts hundreds
    of thousands of rows and must not pay a trigger per row (deletions still cascade in Django).
    """

    pk = models.CompositePrimaryKey("person", "indicator")
    # Both looked up through the primary key or the (indicator, first_on) index.
    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    first_on = models.DateField()
    population_type = models.CharField(max_length=20)
    sex = models.CharField(max_length=1)
    nationality = models.CharField(max_length=2)
    age = models.SmallIntegerField(null=True)

    class Meta:
        verbose_name = _("first event")
        verbose_name_plural = _("first events")
        indexes = [models.Index(fields=["indicator", "first_on"])]

    def __str__(self) -> str:
        return f"{self.indicator_id}:{self.person_id} {self.first_on}"


class FirstEventCount(models.Model):
    """How many people had their first event of an indicator in a month, by sex, age band,
    population type and nationality: ``new`` of that month, and summed over the months up to M,
    ``cumulative`` of M. Kept equal to the aggregate of ``FirstEvent`` by ``reports.counting``."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()
    sex = models.CharField(max_length=1)
    age_band = models.CharField(max_length=10)
    population_type = models.CharField(max_length=20)
    nationality = models.CharField(max_length=2)
    count = models.IntegerField()

    class Meta:
        verbose_name = _("first events count")
        verbose_name_plural = _("first events counts")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month", "sex", "age_band", "population_type", "nationality"],
                name="unique_first_event_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.month:%Y-%m} {self.sex}:{self.age_band}={self.count}"


class YearFirstEvent(models.Model):
    """Each person's first qualifying event of an indicator in each reporting year they were
    reached in: the reference event of ``new_in_year`` and ``cumulative_in_year``, kept like
    ``FirstEvent`` (same columns, same writer), one row per person and reporting year.

    ``year`` is the calendar year the reporting year begins in (with the program's start month,
    part of the stored definition), so a person reached in three years has three rows, the
    earliest equal to their ``FirstEvent``."""

    pk = models.CompositePrimaryKey("person", "indicator", "year")
    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    year = models.SmallIntegerField()
    first_on = models.DateField()
    population_type = models.CharField(max_length=20)
    sex = models.CharField(max_length=1)
    nationality = models.CharField(max_length=2)
    age = models.SmallIntegerField(null=True)

    class Meta:
        verbose_name = _("first event of the year")
        verbose_name_plural = _("first events of the year")
        indexes = [models.Index(fields=["indicator", "first_on"], name="reports_yfe_indicator_first")]

    def __str__(self) -> str:
        return f"{self.indicator_id}:{self.person_id} {self.year} {self.first_on}"


class YearFirstEventCount(models.Model):
    """How many people had their first event of the reporting year in a month, by sex, age band,
    population type and nationality: ``new_in_year`` of that month, and summed from the year's
    first month to M, ``cumulative_in_year`` of M. Kept equal to the aggregate of
    ``YearFirstEvent``, like ``FirstEventCount``."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()
    sex = models.CharField(max_length=1)
    age_band = models.CharField(max_length=10)
    population_type = models.CharField(max_length=20)
    nationality = models.CharField(max_length=2)
    count = models.IntegerField()

    class Meta:
        verbose_name = _("first events of the year count")
        verbose_name_plural = _("first events of the year counts")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month", "sex", "age_band", "population_type", "nationality"],
                name="unique_year_first_event_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.month:%Y-%m} {self.sex}:{self.age_band}={self.count}"


class FirstEventState(models.Model):
    """When an indicator's first events were built, for which definition of it, up to when
    changes to people (sex, nationality, birth date) were carried into them, and what the last
    nightly check found."""

    indicator = models.OneToOneField(
        Indicator, primary_key=True, on_delete=models.CASCADE, related_name="first_event_state"
    )
    signature = models.CharField(max_length=500)
    built_at = models.DateTimeField()
    people_checked_at = models.DateTimeField()
    # The last rebuild's check: how many people's stored first event differed from their
    # history (None: nothing was stored to compare with). Anything but 0 is a missed write.
    checked_at = models.DateTimeField(null=True, blank=True)
    differences = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("first events state")
        verbose_name_plural = _("first events states")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.built_at:%Y-%m-%d %H:%M}"


class ProgramR4V(models.Model):
    """How a program appears in the R4V monthly file (docs/r4v.md): who reports it and how."""

    class ReturneesAs(models.TextChoices):
        HOST = "host", _("Host communities")
        DESTINATION = "destination", _("Refugees and migrants in destination")

    class UnknownAge(models.TextChoices):
        REFUSE = "refuse", _("Refuse the file and list the people to complete")
        ADULT = "adult", _("Count them as 18 or older")

    program = models.OneToOneField(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="r4v", primary_key=True
    )
    country = models.CharField(_("country"), max_length=100, default="Peru")
    appealing_organisation = models.CharField(_("appealing organisation"), max_length=200)
    implementation_setup = models.CharField(
        _("implementation set-up"),
        max_length=100,
        default="Direct",
        help_text=_("Written as R4V's form expects it, for example Direct or Through implementing partner."),
    )
    implementing_partner = models.CharField(
        _("implementing partner"), max_length=200, blank=True, help_text=_("Empty when implemented directly.")
    )
    returnees_as = models.CharField(
        _("Peruvian returnees are counted as"),
        max_length=20,
        choices=ReturneesAs.choices,
        default=ReturneesAs.HOST,
        help_text=_("R4V's template has no column for Peruvian returnees."),
    )
    unknown_age = models.CharField(
        _("people without a birth date"),
        max_length=20,
        choices=UnknownAge.choices,
        default=UnknownAge.REFUSE,
        help_text=_(
            "R4V's sex and age columns need an age. An estimated birth date is enough; otherwise the "
            "file is refused with the list of people to complete, unless you choose another rule."
        ),
    )

    class Meta:
        verbose_name = _("R4V mapping of a program")
        verbose_name_plural = _("R4V mappings of programs")

    def __str__(self) -> str:
        return f"R4V {self.program_id}"


class IndicatorR4V(models.Model):
    """How an indicator appears in the R4V monthly file: its RMRP sector, indicator and activity."""

    class IndicatorType(models.TextChoices):
        DIRECT_ASSISTANCE = "Direct Assistance", _("Direct assistance")
        MECHANISM_ADVOCACY = "Mechanism/Advocacy", _("Mechanism or advocacy")
        INFRASTRUCTURE = "Infrastructure", _("Infrastructure")
        CAMPAIGN = "Campaign", _("Campaign")
        OTHER = "Other", _("Other")

    indicator = models.OneToOneField(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="r4v", primary_key=True
    )
    sector = models.CharField(_("RMRP sector"), max_length=200)
    rmrp_indicator = models.CharField(_("RMRP indicator"), max_length=500)
    indicator_type = models.CharField(
        _("indicator type"),
        max_length=30,
        choices=IndicatorType.choices,
        default=IndicatorType.DIRECT_ASSISTANCE,
    )
    activity_name = models.CharField(_("activity name"), max_length=300)
    activity_description = models.TextField(
        _("activity description"), blank=True, **text_limit(limits.RECORD_NOTE)
    )
    rmrp_activity = models.BooleanField(_("RMRP activity"), default=True)

    class Meta:
        verbose_name = _("R4V mapping of an indicator")
        verbose_name_plural = _("R4V mappings of indicators")

    def __str__(self) -> str:
        return f"R4V {self.indicator_id}"


class EventChange(models.Model):
    """A person whose events of a program were written: a direct service, a referral or an
    attendance inserted, changed (date, status, type, population type, person or program) or
    deleted, or a sport session moved to another date or program.

    Written by database triggers (migration 0009) in the writing transaction itself, whatever wrote
    (a form, an import, a merge, a bulk update, the admin, a cascade), so no write can be missed.
    The next computation of any month of the program recomputes those people's first events from
    their own events and deletes the rows it took (``reports.counting``): a late write costs its
    own people, never the program's history. No foreign keys: derived bookkeeping, like
    ``FirstEvent``.
    """

    id = models.BigAutoField(primary_key=True)
    program_id = models.BigIntegerField()
    person_id = models.BigIntegerField()
    # The earliest event date the write touched (before and after the change).
    day = models.DateField(null=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = _("event change")
        verbose_name_plural = _("event changes")
        indexes = [models.Index(fields=["program_id", "id"], name="reports_eventchange_program")]

    def __str__(self) -> str:
        return f"{self.program_id}:{self.person_id} {self.day}"
