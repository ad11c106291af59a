"""The front door of a site: who checked in today, for what, with which ticket, and where they are
in the line (docs/reception.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.choices import MessageLanguage
from cases.models import Area, IdentityDocument, Person
from orientation.models import Site

# The letter a ticket starts with tells the line it waits in (the number is unique per site and day).
TICKET_LETTERS = {
    Area.DOCUMENTATION: "D",
    Area.PRIMARY_CARE: "S",
    Area.PSYCHOSOCIAL: "P",
    Area.PROTECTION: "R",
    Area.OTHER: "O",
}
# Vulnerabilities that put a person ahead in the line (codes of cases.Vulnerability).
PRIORITY_VULNERABILITIES = ("pregnant", "older_person", "disability", "unaccompanied_child")


class ReceptionSetting(models.Model):
    """How a site runs its line; a site without a row uses the defaults."""

    class NoAnswer(models.TextChoices):
        REQUEUE = "requeue", _("Back to the end of the line")
        LEAVE = "leave", _("Out of the line (left without service)")

    site = models.OneToOneField(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="reception_setting"
    )
    no_answer = models.CharField(
        _("after two calls without an answer"),
        max_length=10,
        choices=NoAnswer.choices,
        default=NoAnswer.REQUEUE,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reception setting")
        verbose_name_plural = _("reception settings")

    def __str__(self) -> str:
        return str(self.site)


class TicketCounter(models.Model):
    """The last ticket number given at a site on a day (allocated by an atomic upsert)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="unique_ticket_counter")]

    def __str__(self) -> str:
        return f"{self.site_id}:{self.day}:{self.last}"


class AppointmentQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("person", "site", "staff").only(
            "pk",
            "person__id",
            "person__given_names",
            "person__family_names",
            "site__code",
            "site__name",
            "staff__id",
            "staff__username",
            "staff__first_name",
            "staff__last_name",
            "area",
            "date",
            "time",
            "status",
        )

    def booked(self):
        return self.filter(status=Appointment.Status.BOOKED)


class Appointment(models.Model):
    """A follow-up booked for a person at a site, with a staff member, on a day and time."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        KEPT = "kept", _("Kept")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="appointments"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="appointments"
    )
    area = models.CharField(_("service area"), max_length=20, choices=Area.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    rescheduled_from = models.OneToOneField(
        "self",
        verbose_name=_("rescheduled from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rescheduled_to",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The action of the person's case plan this serves: done when the person keeps the appointment (docs/case-plan.md).
    plan_action = models.ForeignKey(
        "cases.PlanAction",
        verbose_name=_("plan action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["date", "time", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            # A staff member has one booked appointment per slot.
            models.UniqueConstraint(
                fields=["staff", "date", "time"],
                condition=models.Q(status="booked"),
                name="unique_booked_slot",
                violation_error_message=_("This staff member already has an appointment at that time."),
            ),
        ]
        indexes = [
            models.Index(fields=["site", "date", "time"], name="appointment_agenda_idx"),
            models.Index(fields=["status", "date"], name="appointment_status_idx"),
            models.Index(fields=["person", "date"], name="appointment_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.time:%H:%M}"


class VisitQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("person", "site").only(
            "pk",
            "site__code",
            "site__name",
            "person__id",
            "person__given_names",
            "person__family_names",
            "day",
            "ticket",
            "area",
            "returning",
            "priority",
            "priority_reasons",
            "status",
            "arrived_at",
            "queued_at",
            "called_at",
            "desk",
            "calls",
        )

    def in_line_order(self):
        """Priority first, then returning appointments, then walk-ins; each by time in the line."""
        return self.order_by("rank", "queued_at", "pk")

    def waiting(self):
        return self.filter(status=Visit.Status.WAITING)

    def open(self):
        return self.filter(status__in=Visit.OPEN_STATUSES)


class Visit(models.Model):
    """A person checked in at a site on a day, with their ticket and their way through the line."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        IN_SERVICE = "in_service", _("In service")
        DONE = "done", _("Done")
        LEFT = "left", _("Left without service")

    OPEN_STATUSES = (Status.WAITING, Status.CALLED, Status.IN_SERVICE)

    class Rank(models.IntegerChoices):
        PRIORITY = 0, _("Priority")
        APPOINTMENT = 1, _("Returning appointment")
        WALK_IN = 2, _("Walk-in")

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="visits")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="visits"
    )
    day = models.DateField(_("day"), default=timezone.localdate)
    number = models.PositiveIntegerField(_("number"))
    ticket = models.CharField(_("ticket"), max_length=8)
    area = models.CharField(_("service area"), max_length=20, choices=Area.choices)
    returning = models.BooleanField(_("returning for an appointment"), default=False)
    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("appointment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit",
    )
    priority = models.BooleanField(_("priority"), default=False)
    # Codes of the vulnerabilities that gave priority, and "manual" for a receptionist's mark.
    priority_reasons = models.CharField(_("priority reasons"), max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("place in the line"), choices=Rank.choices, default=Rank.WALK_IN
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING)
    arrived_at = models.DateTimeField(_("arrived at"), default=timezone.now)
    # When the person (re)joined the line: their arrival, or when they went back after two calls.
    queued_at = models.DateTimeField(_("in the line since"), default=timezone.now)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    service_started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    desk = models.CharField(_("desk"), max_length=20, blank=True)
    calls = models.PositiveSmallIntegerField(_("calls without an answer"), default=0)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "rank", "queued_at", "pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "number"], name="unique_visit_number"),
            models.UniqueConstraint(fields=["site", "day", "ticket"], name="unique_visit_ticket"),
        ]
        indexes = [
            models.Index(
                fields=["site", "day", "area", "status", "rank", "queued_at"], name="visit_line_idx"
            ),
            models.Index(fields=["site", "day", "called_at"], name="visit_called_idx"),
            models.Index(fields=["person", "day"], name="visit_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.day}"

    @property
    def priority_codes(self) -> list[str]:
        return [c for c in self.priority_reasons.split(",") if c]

    @property
    def waited_minutes(self) -> int | None:
        end = self.called_at or (timezone.now() if self.status == self.Status.WAITING else None)
        if end is None:
            return None
        return max(0, int((end - self.arrived_at).total_seconds() // 60))


class Reminder(models.Model):
    """A message sent to a person (by SMS or WhatsApp) who agreed to be contacted: the day before an
    appointment (at most one per appointment and kind), or some days before one of their identity
    documents expires (at most one per document and expiry date); with what was sent and how it
    went."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "day_before", _("The day before an appointment")
        DOCUMENT_EXPIRY = "document_expiry", _("A document about to expire")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent (no consent, or the appointment or document changed)")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="reminders"
    )
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("appointment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    document = models.ForeignKey(
        IdentityDocument,
        verbose_name=_("identity document"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    # The document's expiry date the reminder was made for: a renewed document gets its own.
    expires_on = models.DateField(_("document expires on"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DAY_BEFORE)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    to = models.CharField(_("phone"), max_length=20)
    language = models.CharField(_("language"), max_length=5, choices=MessageLanguage.choices, default="es")
    body = models.CharField(_("message"), max_length=320)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "kind"], name="unique_reminder_per_appointment"),
            # Once per document and expiry date, however many beats or retries run.
            models.UniqueConstraint(
                fields=["document", "expires_on"],
                condition=models.Q(kind="document_expiry"),
                name="unique_reminder_per_document_expiry",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="day_before", appointment__isnull=False)
                    | models.Q(kind="document_expiry", document__isnull=False, expires_on__isnull=False)
                ),
                name="reminder_kind_has_its_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.appointment_id or self.document_id}"
