"""The youth sport program: groups, sessions, attendance and anonymous head counts.

The tables keep their first names (they were part of ``services``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.choices import AgeBand, PopulationType, Sex
from cases.models import Person
from orientation.models import Program, Site


class Activity(models.TextChoices):
    SOCCER_CLINIC = "soccer_clinic", _("Soccer clinic")
    LEADERSHIP_WORKSHOP = "leadership_workshop", _("Leadership workshop")
    COMMUNITY_ACTIVITY = "community_activity", _("Community activity")


class SportGroup(models.Model):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("school or venue"), on_delete=models.PROTECT, related_name="sport_groups"
    )
    name = models.CharField(_("name"), max_length=100)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), default=6)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), default=16)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="sport_groups"
    )
    participants = models.ManyToManyField(
        Person, through="GroupParticipant", blank=True, related_name="sport_groups"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "services_sportgroup"
        ordering = ["site__code", "name"]
        verbose_name = _("sport group")
        verbose_name_plural = _("sport groups")
        constraints = [
            models.UniqueConstraint(fields=["program", "site", "name"], name="unique_group_name"),
            models.CheckConstraint(
                condition=models.Q(age_max__gte=models.F("age_min")), name="group_age_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupParticipant(models.Model):
    group = models.ForeignKey(SportGroup, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_memberships")
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords(table_name="services_historicalgroupparticipant")

    class Meta:
        db_table = "services_groupparticipant"
        verbose_name = _("group participant")
        verbose_name_plural = _("group participants")
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="unique_group_participant")]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.person_id}"


class SportSessionQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("program", "site", "group")


class SportSession(models.Model):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="sport_sessions"
    )
    group = models.ForeignKey(
        SportGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    activity = models.CharField(_("activity"), max_length=30, choices=Activity.choices)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="sport_sessions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SportSessionQuerySet.as_manager()

    class Meta:
        db_table = "services_sportsession"
        ordering = ["-date", "-id"]
        verbose_name = _("sport session")
        verbose_name_plural = _("sport sessions")
        indexes = [models.Index(fields=["program", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "site", "date", "activity", "group"], name="unique_sport_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_display()} {self.date}"


class Attendance(models.Model):
    """A person at a session: an ``attendance`` event on the session's date when present."""

    session = models.ForeignKey(SportSession, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    present = models.BooleanField(_("present"), default=True)
    population_type = models.CharField(_("population type"), max_length=20, choices=PopulationType.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(table_name="services_historicalattendance")

    class Meta:
        db_table = "services_attendance"
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="unique_attendance")]
        indexes = [
            models.Index(fields=["person", "session"]),
            models.Index(fields=["recorded_at"], name="attendance_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.person_id}"


class HeadCount(models.Model):
    """An anonymous head count at a community activity: reported apart, never in people counts."""

    session = models.ForeignKey(SportSession, on_delete=models.CASCADE, related_name="head_counts")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        db_table = "services_headcount"
        verbose_name = _("head count")
        verbose_name_plural = _("head counts")
        constraints = [
            models.UniqueConstraint(fields=["session", "sex", "age_band"], name="unique_head_count"),
        ]

    def __str__(self) -> str:
        return f"{self.sex}:{self.age_band}={self.count}"
