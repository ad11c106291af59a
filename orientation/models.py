"""Core reference data (sites, programs, districts), staff memberships, the access log, in-app
notifications and the task outbox."""

from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .dates import reporting_year_start
from .moves import object_type_current


class TranslatedName(models.Model):
    """A catalog entry's name in Spanish (``name``) and, optionally, in English (``name_en``),
    shown when the pages are in English; without one, the Spanish name is shown."""

    name_en = models.CharField(
        _("name in English"),
        max_length=200,
        blank=True,
        help_text=_("Shown when the pages are in English. Empty: the Spanish name is shown."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return name_in_language(self.name, self.name_en)


def name_in_language(name: str, name_en: str) -> str:
    """The name to show in the active language (for rows read with ``values()``)."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


class District(models.Model):
    """A district of Peru, keyed by its INEI UBIGEO code (6 digits)."""

    ubigeo = models.CharField(_("UBIGEO"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    province = models.CharField(_("province"), max_length=100)
    department = models.CharField(_("department"), max_length=100)

    class Meta:
        ordering = ["department", "province", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return f"{self.name} ({self.province}, {self.department})"


class Site(models.Model):
    grammatical_gender = "f"  # Spanish: la …, agregada (orientation/admin.py)

    class Kind(models.TextChoices):
        ORIENTATION_POINT = "orientation_point", _("Orientation point")
        SCHOOL = "school", _("School")
        COMMUNITY_VENUE = "community_venue", _("Community venue")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Program(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    donor = models.CharField(_("donor"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    sites = models.ManyToManyField(Site, verbose_name=_("sites"), related_name="programs", blank=True)
    reporting_year_start_month = models.PositiveSmallIntegerField(
        _("reporting year starts in month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "1 for January (the calendar year, as R4V's plan year). The year-to-date figures "
            "(new in the year, cumulative in the year) start counting on the first day of this month."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="program_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def is_active_on(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def reporting_year_start(self, month: date) -> date:
        """The first day of the reporting year that contains ``month`` (never before the
        program's start): where ``new_in_year`` and ``cumulative_in_year`` start counting."""
        return reporting_year_start(
            month, start_month=self.reporting_year_start_month or 1, not_before=self.start_date
        )


class SiteMembership(models.Model):
    """A staff member works at a site; it scopes which people they see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("site membership")
        verbose_name_plural = _("site memberships")
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="unique_site_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.site.code}"


class ProgramMembership(models.Model):
    """A coordinator (or other staff) is assigned to a program; coordinators read its sites."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_memberships"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("program membership")
        verbose_name_plural = _("program memberships")
        constraints = [models.UniqueConstraint(fields=["user", "program"], name="unique_program_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.program.code}"


class AccessLog(models.Model):
    """Who opened which sensitive record, when, from where and why. Append-only.

    Never holds names, document numbers or note text: only the record's type and id.
    """

    grammatical_gender = "f"  # Spanish: la …, agregada (orientation/admin.py)

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        BREAK_GLASS = "break_glass", _("Break the glass")
        BREAK_GLASS_PAGE = "break_glass_page", _("Break-the-glass page shown")
        EXPORT = "export", _("Exported")
        PRINT = "print", _("Printed")
        CONSENT_OVERRIDE = "consent_override", _("Consent override")
        DUPLICATE_CONFIRMED = "duplicate_confirmed", _("New record despite possible duplicates")
        ANONYMIZE = "anonymize", _("Anonymized")
        MERGE = "merge", _("Records merged")
        UNMERGE = "unmerge", _("Merge undone")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=60)
    object_id = models.CharField(_("record id"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}#{self.object_id}"

    @property
    def record_type(self) -> str:
        """The record's label today: a row written before its model moved app reads the same as
        one written after (orientation/moves.py)."""
        return object_type_current(self.object_type)

    def record_type_display(self) -> str:
        """The record type in words ("ARCO request"), or its label when it names no model."""
        try:
            model = apps.get_model(self.record_type)
        except (LookupError, ValueError):
            return self.object_type
        return str(model._meta.verbose_name)

    record_type_display.short_description = _("record type")


class UserProfile(models.Model):
    """A staff member's own settings: the language of the pages, whatever the tablet's browser
    is set to (the centre works in Spanish)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class Notification(models.Model):
    """An in-app message for a staff member (for example: an overdue referral to follow up)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(
        max_length=100, blank=True, help_text="Idempotency key: one notification per key and user."
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="unique_notification_key"
            )
        ]

    def __str__(self) -> str:
        return self.message


class OutboxMessage(models.Model):
    """A Celery task recorded in the same transaction as the data that needs it.

    It is sent after commit; if the broker is down it stays here and the periodic sweep sends it
    when the broker is back. It is done only when its task reports that it ended (``completed_at``):
    a task published but lost with the broker's memory is sent again by the sweep. Tasks are
    idempotent, so a rare second send is harmless.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.task_name} {self.kwargs}"


class SubmissionKey(models.Model):
    """A one-time key carried by a create form, stored in the same transaction as what the form
    created. Posting the same form again (a double tap, the back button) finds the key and returns
    the first record instead of creating a second one: the unique constraint decides, not a
    read-then-write, so two simultaneous posts cannot both create."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_submission_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
