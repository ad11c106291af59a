"""The service catalog, partners, direct services, referrals and the youth sport program.

Every contact stamps the person's population type at that moment: reports count people as they
were (docs/counting.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.choices import PopulationType
from cases.models import Area, Person
from orientation import limits
from orientation.limits import text_limit
from orientation.models import District, Program, Site, TranslatedName
from orientation.overdue import OverdueQuerySet

from .codes import referral_code_new


class ServiceType(TranslatedName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["area", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")

    def __str__(self) -> str:
        return self.display_name


class Partner(models.Model):
    grammatical_gender = "f"  # Spanish: la …, agregada (orientation/admin.py)

    class Kind(models.TextChoices):
        HEALTH_FACILITY = "health_facility", _("Health facility")
        MIGRACIONES = "migraciones", _("Migraciones")
        REFUGEE_COMMISSION = "refugee_commission", _("Refugee commission (CEPR)")
        NGO = "ngo", _("NGO")
        MUNICIPALITY = "municipality", _("Municipality")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    areas = models.JSONField(_("areas served"), default=list, blank=True, help_text=_("Area codes."))
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner institution")
        verbose_name_plural = _("partner institutions")

    def __str__(self) -> str:
        return self.name


class DirectServiceQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("person", "site", "program", "service_type", "staff")

    def for_person_list(self):
        return self.select_related("program", "service_type", "staff", "site")


class DirectService(models.Model):
    """A service delivered at the site: a qualifying ``service_received`` event on its date."""

    ref = models.CharField(_("reference"), max_length=40, unique=True, null=True, blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="direct_services")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="direct_services"
    )
    delivered_on = models.DateField(_("date"), default=timezone.localdate)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    population_type = models.CharField(_("population type"), max_length=20, choices=PopulationType.choices)
    notes = models.TextField(_("notes"), blank=True, **text_limit(limits.RECORD_NOTE))
    # A psychosocial session is counted through one direct service per participant; its
    # confidential note stays on the session, never here.
    psychosocial_session = models.ForeignKey(
        "PsychosocialSession",
        verbose_name=_("psychosocial session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="direct_services",
    )
    # The action of the person's case plan this serves: done when the service is recorded (docs/case-plan.md).
    plan_action = models.ForeignKey(
        "cases.PlanAction",
        verbose_name=_("plan action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_services",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    objects = DirectServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("direct service")
        verbose_name_plural = _("direct services")
        indexes = [
            models.Index(fields=["program", "delivered_on"]),
            models.Index(fields=["person", "delivered_on"]),
            # Late writes: the monthly figures look for events changed since the last rebuild.
            models.Index(fields=["updated_at"], name="directservice_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} {self.delivered_on}"


class ReferralQuerySet(OverdueQuerySet):
    def for_list(self):
        return self.select_related("person", "site", "program", "service_type", "partner", "responsible")

    def for_detail(self):
        return self.select_related(
            "person", "site", "program", "service_type", "partner", "responsible", "created_by"
        )

    def for_person_list(self):
        return self.select_related("program", "service_type", "partner", "responsible")

    due_field = "follow_up_due"

    def for_followups(self):
        """Open referrals, the one whose follow-up is due first on top (no date last)."""
        return (
            self.open()
            .for_list()
            .order_by(models.F("follow_up_due").asc(nulls_last=True), "referred_on", "id")
        )


class Referral(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        COMPLETED = "completed", _("Completed")
        DECLINED = "declined", _("Declined")
        NO_SHOW = "no_show", _("Did not attend")
        CANCELLED = "cancelled", _("Cancelled")

    # The workflow: which status may follow which.
    TRANSITIONS = {
        Status.PENDING: {
            Status.ACCEPTED,
            Status.COMPLETED,
            Status.DECLINED,
            Status.NO_SHOW,
            Status.CANCELLED,
        },
        Status.ACCEPTED: {Status.COMPLETED, Status.DECLINED, Status.NO_SHOW, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.DECLINED: set(),
        Status.NO_SHOW: set(),
        Status.CANCELLED: set(),
    }
    OPEN_STATUSES = (Status.PENDING, Status.ACCEPTED)
    FOLLOW_UP_DAYS = 14

    ref = models.CharField(_("reference"), max_length=40, unique=True, null=True, blank=True)
    code = models.CharField(_("slip code"), max_length=12, unique=True, default=referral_code_new)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="referrals"
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    referred_on = models.DateField(_("referral date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, **text_limit(limits.RECORD_NOTE))
    is_overdue = models.BooleanField(_("overdue"), default=False)
    population_type = models.CharField(_("population type"), max_length=20, choices=PopulationType.choices)
    reason = models.TextField(_("reason for referral"), blank=True, **text_limit(limits.RECORD_NOTE))
    consent_override_reason = models.TextField(
        _("consent override reason"), blank=True, **text_limit(limits.REASON)
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_responsible",
    )
    # The action of the person's case plan this serves: done when the referral is completed (docs/case-plan.md).
    plan_action = models.ForeignKey(
        "cases.PlanAction",
        verbose_name=_("plan action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["program", "referred_on"]),
            models.Index(fields=["program", "completed_on"]),
            models.Index(fields=["site", "status", "follow_up_due"]),
            models.Index(fields=["responsible", "status"]),
            models.Index(fields=["updated_at"], name="referral_updated_idx"),
            # The follow-up queues and the people list's "has open referrals" flag (bench/PLANS.md).
            models.Index(
                fields=["follow_up_due", "site"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="referral_open_due",
            ),
            models.Index(
                fields=["person"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="referral_open_person",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_on__isnull=False),
                name="referral_completed_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True)
                | models.Q(completed_on__gte=models.F("referred_on")),
                name="referral_completed_after_referred",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def next_statuses(self) -> list[str]:
        """The statuses this referral may move to, in the order of ``Status``."""
        allowed = self.TRANSITIONS.get(self.status, set())
        return [s for s in self.Status.values if s in allowed]

    def is_late(self, today=None) -> bool:
        """Open and past its follow-up date (live, whatever the nightly flag says)."""
        today = today or timezone.localdate()
        return self.is_open and self.follow_up_due is not None and self.follow_up_due < today

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.referred_on and self.referred_on > today:
            errors["referred_on"] = _("The referral date cannot be in the future.")
        if self.status == self.Status.COMPLETED and not self.completed_on:
            errors["completed_on"] = _("A completed referral needs the date the service was received.")
        elif self.completed_on and self.referred_on and self.completed_on < self.referred_on:
            errors["completed_on"] = _(
                "The service cannot be received before the referral date (%(date)s)."
            ) % {"date": self.referred_on.isoformat()}
        elif self.completed_on and self.completed_on > today:
            errors["completed_on"] = _("The completion date cannot be in the future.")
        if self.follow_up_due and self.referred_on and self.follow_up_due < self.referred_on:
            errors["follow_up_due"] = _("The follow-up date cannot be before the referral date.")
        if errors:
            raise ValidationError(errors)


class ReferralTransition(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Referral.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_partner_link = models.BooleanField(default=False)
    comment = models.TextField(blank=True, **text_limit(limits.REASON))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral status change")
        verbose_name_plural = _("referral status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class PartnerLink(models.Model):
    """A one-time, expiring link a partner opens (without an account) to give feedback.

    Only the SHA-256 of the token is stored: the link is shown once, on the printed slip.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="partner_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("partner institution link")
        verbose_name_plural = _("partner institution links")

    def __str__(self) -> str:
        return f"link for {self.referral_id}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class ReferralFollowUp(models.Model):
    """A follow-up contact (a call to the person or the partner) and the next date to check."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("what was learned"), **text_limit(limits.RECORD_NOTE))
    next_due = models.DateField(_("next follow-up"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral follow-up")
        verbose_name_plural = _("referral follow-ups")

    def __str__(self) -> str:
        return f"{self.referral_id} {self.at:%Y-%m-%d}"


# --- Psychosocial sessions ---------------------------------------------------------------------


class PsychosocialSessionQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("site", "program", "service_type", "staff")


class PsychosocialSession(models.Model):
    """An individual or group psychosocial session.

    Each participant gets a ``DirectService`` of the session's mhpss-* type (so the session is
    counted); the confidential note lives only here and is read through a logged view by the
    psychosocial role.
    """

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Group")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="psychosocial_sessions"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("specialist"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidential_note = models.TextField(
        _("confidential note"), blank=True, **text_limit(limits.CONFIDENTIAL_NOTE)
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    objects = PsychosocialSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("psychosocial session")
        verbose_name_plural = _("psychosocial sessions")
        indexes = [models.Index(fields=["site", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"
