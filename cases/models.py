"""People and their case files: households, identity documents, regularization status, consent,
vulnerabilities, intakes, case notes, ARCO requests and import batches."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from orientation import limits, roles
from orientation.limits import text_limit
from orientation.models import District, Site, TranslatedName
from orientation.overdue import OverdueQuerySet

from .choices import DocumentType, MessageLanguage, PopulationType, Sex, age_band, age_on
from .search import phonetic_key
from .validators import document_number_normalize, validate_document_number, validate_phone

# Under this age, consent is given by a parent or guardian (Law 29733 regulation, art. 28).
GUARDIAN_CONSENT_AGE = 14


def normalize_text(value: str) -> str:
    """Lower case, accents removed, spaces folded: 'Pérez  GARCÍA' -> 'perez garcia'."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return " ".join(value.lower().split())


class Area(models.TextChoices):
    """Areas of need and of service (fixed by the counting contract)."""

    DOCUMENTATION = "documentation", _("Documentation")
    PRIMARY_CARE = "primary_care", _("Primary health care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    PROTECTION = "protection", _("Protection")
    OTHER = "other", _("Other")


class Vulnerability(TranslatedName):
    grammatical_gender = "f"  # Spanish: la …, agregada (orientation/admin.py)

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")

    def __str__(self) -> str:
        return self.display_name


class Household(models.Model):
    code = models.CharField(_("household code"), max_length=20, unique=True)
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="households"
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT
    )
    address = models.CharField(_("address or reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.code


def survivor_value(name: str):
    """A field of the record a ``ref`` names today: the record itself, or, for a tombstone of a
    merge, the record it was merged into (imports and links that name a merged record land on
    the survivor). For ``Person.objects.filter(ref__in=...).values_list("ref", survivor_value(...))``."""
    return models.Case(
        models.When(merged_into__isnull=True, then=models.F(name)), default=models.F(f"merged_into__{name}")
    )


class CaseStatus(models.TextChoices):
    """A person's case: open (everyone starts open) or closed with a reason (``CaseStatusChange``)."""

    OPEN = "open", pgettext_lazy("case status", "Open")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def case_open(self):
        return self.filter(case_status=CaseStatus.OPEN)

    def with_last_closing(self):
        """Each person's last closing of the case, ``last_closing_reason`` and ``last_closing_at``
        (None for a case never closed), in the same query (docs/case-status.md)."""
        closings = CaseStatusChange.objects.filter(
            person=models.OuterRef("pk"), to_status=CaseStatus.CLOSED
        ).order_by("-changed_at", "-pk")
        return self.annotate(
            last_closing_reason=models.Subquery(closings.values("reason")[:1]),
            last_closing_at=models.Subquery(closings.values("changed_at")[:1]),
        )

    def for_list(self):
        return self.select_related("site", "district", "household").prefetch_related("vulnerabilities")

    def for_detail(self):
        return self.select_related("site", "district", "household", "school", "created_by").prefetch_related(
            "vulnerabilities"
        )

    def at_sites(self, site_ids):
        return self.filter(site_id__in=site_ids)


class Person(models.Model):
    grammatical_gender = "f"  # Spanish: la …, agregada (orientation/admin.py)

    class Relationship(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse or partner")
        CHILD = "child", _("Son or daughter")
        PARENT = "parent", _("Father or mother")
        SIBLING = "sibling", _("Brother or sister")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER_RELATIVE = "other_relative", _("Other relative")
        NON_RELATIVE = "non_relative", _("Not related")

    ref = models.CharField(_("reference"), max_length=40, unique=True, null=True, blank=True)
    given_names = models.CharField(_("given names"), max_length=120)
    family_names = models.CharField(
        _("family names"), max_length=120, help_text=_("Both family names, as on the document.")
    )
    search_name = models.CharField(max_length=250, editable=False, db_index=True, default="")
    # The same name spelt as it sounds in Spanish (z/s, v/b, ll/y, silent h...): misspellings meet.
    name_key = models.CharField(max_length=250, editable=False, default="", blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    birth_date_estimated = models.BooleanField(_("birth date is estimated"), default=False)
    nationality = CountryField(_("nationality"))
    population_type = models.CharField(_("population type"), max_length=20, choices=PopulationType.choices)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, db_index=True, validators=[validate_phone]
    )
    # The language of the reminders sent to the person (reception/reminders.py).
    message_language = models.CharField(
        _("language for messages"),
        max_length=5,
        choices=MessageLanguage.choices,
        default=MessageLanguage.SPANISH,
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT
    )
    arrived_on = models.DateField(_("arrival in Peru"), null=True, blank=True)
    site = models.ForeignKey(
        Site, verbose_name=_("registering site"), on_delete=models.PROTECT, related_name="people"
    )
    registered_on = models.DateField(_("registered on"), default=timezone.localdate)
    vulnerabilities = models.ManyToManyField(
        Vulnerability, verbose_name=_("vulnerabilities"), blank=True, related_name="people"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relationship = models.CharField(
        _("relationship to the head"), max_length=20, choices=Relationship.choices, blank=True
    )
    # Light profile (youth sport): a guardian's contact; a caseworker may complete it later.
    is_light_profile = models.BooleanField(_("light profile"), default=False)
    school = models.ForeignKey(
        Site,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pupils",
    )
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    guardian_relationship = models.CharField(_("guardian's relationship"), max_length=60, blank=True)
    guardian_phone = models.CharField(
        _("guardian's phone"), max_length=20, blank=True, validators=[validate_phone]
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Open or closed (cases/case_status.py): the last of the person's ``CaseStatusChange`` rows.
    case_status = models.CharField(
        _("case status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    archive_reason = models.CharField(_("reason for archiving"), max_length=300, blank=True)
    anonymized_at = models.DateTimeField(_("anonymized"), null=True, blank=True)
    # A tombstone: this record was merged into another (cases/merging.py); its page and its ``ref``
    # lead to that one.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )

    history = HistoricalRecords(m2m_fields=[vulnerabilities], excluded_fields=["search_name", "name_key"])
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_names", "given_names"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["site", "family_names"]),
            models.Index(fields=["registered_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_names}"

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        if kwargs.get("update_fields") is not None and (
            "given_names" in kwargs["update_fields"] or "family_names" in kwargs["update_fields"]
        ):
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_name", "name_key"}
        super().save(*args, **kwargs)

    def refresh_search_fields(self) -> None:
        """The accent-free name and its Spanish phonetic key, used by search and duplicate checks.

        ``save()`` calls it; bulk writes (imports, generators) must call it themselves."""
        self.search_name = normalize_text(f"{self.given_names} {self.family_names}")
        self.name_key = phonetic_key(self.search_name)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        registered = self.registered_on or today
        if self.birth_date:
            if self.birth_date > today:
                errors["birth_date"] = _("The birth date cannot be in the future.")
            elif self.birth_date > registered:
                errors["birth_date"] = _("The birth date cannot be after the registration date.")
            elif self.birth_date.year < today.year - 120:
                errors["birth_date"] = _("The birth date is more than 120 years ago.")
        if self.registered_on and self.registered_on > today:
            errors["registered_on"] = _("The registration date cannot be in the future.")
        if self.arrived_on:
            if self.arrived_on > today:
                errors["arrived_on"] = _("The arrival date cannot be in the future.")
            elif self.birth_date and self.arrived_on < self.birth_date:
                errors["arrived_on"] = _("The arrival date cannot be before the birth date.")
        if errors:
            raise ValidationError(errors)

    @property
    def full_name(self) -> str:
        return str(self)

    def age(self, on=None) -> int | None:
        return age_on(self.birth_date, on or timezone.localdate())

    def age_band(self, on=None) -> str:
        return age_band(self.birth_date, on or timezone.localdate())

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def case_is_closed(self) -> bool:
        return self.case_status == CaseStatus.CLOSED


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=30)
    issuing_country = CountryField(_("issuing country"), blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "number"],
                name="unique_document_number_per_type",
                violation_error_message=_(
                    "A document of this type with this number is already registered for someone else."
                ),
            ),
        ]
        indexes = [
            models.Index(Lower("number"), name="document_number_lower"),
            # the list of documents about to expire
            models.Index(fields=["expires_on"], name="document_expires_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()}"

    def save(self, *args, **kwargs):
        self.number = document_number_normalize(self.number)
        super().save(*args, **kwargs)

    def clean(self):
        self.number = document_number_normalize(self.number)
        if self.doc_type and self.number:
            validate_document_number(self.doc_type, self.number)


class RegularizationStatus(models.Model):
    """One step of a person's migratory status; the latest by ``since`` is the current one."""

    class Status(models.TextChoices):
        IRREGULAR = "irregular", _("Irregular")
        CPP_IN_PROCESS = "cpp_in_process", _("CPP in process")
        CPP = "cpp", _("CPP")
        CARNE_EXTRANJERIA = "carne_extranjeria", _("Carné de extranjería")
        ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
        REFUGEE = "refugee", _("Refugee")
        HUMANITARIAN = "humanitarian", _("Humanitarian residence")
        NATIONAL = "national", _("Peruvian national")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="regularization_statuses")
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    since = models.DateField(_("since"), default=timezone.localdate)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-since", "-created_at"]
        verbose_name = _("regularization status")
        verbose_name_plural = _("regularization statuses")

    def __str__(self) -> str:
        return self.get_status_display()

    def clean(self):
        errors = {}
        if self.since and self.since > timezone.localdate():
            errors["since"] = _("The date cannot be in the future.")
        if self.since and self.expires_on and self.expires_on < self.since:
            errors["expires_on"] = _("The expiry date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


class Consent(models.Model):
    class Purpose(models.TextChoices):
        DATA_PROCESSING = "data_processing", _("Processing of personal data")
        REFERRAL_SHARING = "referral_sharing", _("Sharing with a partner institution")
        IMAGE_USE = "image_use", _("Use of images")
        # Reminders of appointments by SMS or WhatsApp (reception); withdrawing it is the opt-out.
        CONTACT = "contact", _("Contact by SMS or WhatsApp (reminders)")

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written (signed form)")
        VERBAL = "verbal", _("Verbal, witnessed")
        DIGITAL = "digital", _("Digital")

    class GivenBy(models.TextChoices):
        SELF = "self", _("The person")
        GUARDIAN = "guardian", _("Parent or guardian")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    method = models.CharField(_("how it was given"), max_length=20, choices=Method.choices)
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    given_by = models.CharField(_("given by"), max_length=10, choices=GivenBy.choices, default=GivenBy.SELF)
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    guardian_relationship = models.CharField(_("guardian's relationship"), max_length=60, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-created_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return self.get_purpose_display()

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.given_on and self.given_on > today:
            errors["given_on"] = _("The date cannot be in the future.")
        if self.withdrawn_on and self.given_on and self.withdrawn_on < self.given_on:
            errors["withdrawn_on"] = _("Consent cannot be withdrawn before it was given.")
        if self.withdrawn_on and self.withdrawn_on > today:
            errors["withdrawn_on"] = _("The date cannot be in the future.")
        person = self.person if self.person_id else None
        age = person.age(on=self.given_on or today) if person is not None else None
        if age is not None and age < GUARDIAN_CONSENT_AGE and self.given_by != self.GivenBy.GUARDIAN:
            errors["given_by"] = _("Under 14, consent must be given by a parent or guardian.")
        if self.given_by == self.GivenBy.GUARDIAN and not self.guardian_name.strip():
            errors["guardian_name"] = _("Write the name of the parent or guardian who gave consent.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class IntakeQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("person", "site", "caseworker").prefetch_related("needs")

    def for_timeline(self):
        return self.select_related("site", "caseworker").prefetch_related("needs")


class Intake(models.Model):
    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="intakes")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="intakes")
    date = models.DateField(_("date"), default=timezone.localdate)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="intakes",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    population_type = models.CharField(_("population type"), max_length=20, choices=PopulationType.choices)
    notes = models.TextField(_("notes"), blank=True, **text_limit(limits.NOTE))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        indexes = [models.Index(fields=["site", "date"])]

    def __str__(self) -> str:
        return f"{self.date}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("The date cannot be in the future.")})
        person = self.person if self.person_id else None
        if self.date and person is not None and person.birth_date and self.date < person.birth_date:
            raise ValidationError({"date": _("The date cannot be before the person's birth date.")})


class IntakeNeed(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="needs")
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [models.UniqueConstraint(fields=["intake", "area"], name="unique_need_per_area")]

    def __str__(self) -> str:
        return self.get_area_display()


class CaseNoteQuerySet(models.QuerySet):
    def general(self):
        return self.filter(kind=CaseNote.Kind.GENERAL)

    def visible_to(self, user):
        if roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
            return self
        return self.general()


class CaseNote(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("General note for the team")
        PSYCHOSOCIAL = "psychosocial", _("Confidential psychosocial note")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    text = models.TextField(_("note"), **text_limit(limits.NOTE))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="case_notes"
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    objects = CaseNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        permissions = [("view_psychosocial_note", "Can read confidential psychosocial notes")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class DuplicateDismissal(models.Model):
    """Two records a caseworker said are not the same person: the pair never comes back in the
    duplicates review. Stored with the lower id first."""

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dismissed duplicate pair")
        verbose_name_plural = _("dismissed duplicate pairs")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_duplicate_dismissal"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="dismissal_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}/{self.second_id}"


class PersonMerge(models.Model):
    """Two records of one person joined: ``merged`` became a tombstone pointing to ``survivor``.

    ``undo`` holds what the merge changed, so that an unmerge restores both records exactly: the
    survivor's fields and vulnerabilities before, the tombstone's fields before, the rows moved
    (model label -> ids), the rows removed because the survivor had the same one (serialized),
    and older tombstones that pointed to the merged record."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_given")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    # None once the person was anonymized: the merge can no longer be undone.
    undo = models.JSONField(null=True, default=dict, editable=False)
    unmerged_at = models.DateTimeField(_("unmerged at"), null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["undo"])

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge of records")
        verbose_name_plural = _("merges of records")

    def __str__(self) -> str:
        return f"{self.merged_id}->{self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.unmerged_at is not None


class CaseStatusChange(models.Model):
    """One change of a person's case status: closed (with a reason) or reopened (with an optional
    note). The rows are the story of the case; ``Person.case_status`` is the last one's ``to_status``
    (cases/case_status.py)."""

    class Reason(models.TextChoices):
        NEEDS_MET = "needs_met", _("Needs met")
        MOVED = "moved", _("Moved elsewhere")
        LOST_CONTACT = "lost_contact", _("Lost contact")
        DECEASED = "deceased", _("Deceased")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="case_status_changes")
    from_status = models.CharField(_("from"), max_length=10, choices=CaseStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=CaseStatus.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    reason_other = models.CharField(_("other reason"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, **text_limit(limits.REASON))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")
        indexes = [models.Index(fields=["person", "-changed_at"], name="case_status_person_idx")]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def is_closing(self) -> bool:
        return self.to_status == CaseStatus.CLOSED

    @property
    def reason_display(self) -> str:
        """The reason as the page shows it: "Other: <the text>" for another reason."""
        if self.reason == self.Reason.OTHER and self.reason_other:
            return f"{self.get_reason_display()}: {self.reason_other}"
        return self.get_reason_display() if self.reason else ""

    def clean(self):
        errors = {}
        self.reason_other = " ".join((self.reason_other or "").split())
        if self.to_status == CaseStatus.CLOSED:
            if not self.reason:
                errors["reason"] = _("Choose why the case is closed.")
            elif self.reason == self.Reason.OTHER and not self.reason_other:
                errors["reason_other"] = _("Write the reason in a few words.")
            elif self.reason != self.Reason.OTHER:
                self.reason_other = ""
        else:
            if self.reason or self.reason_other:
                errors["reason"] = _("A reopened case has no reason for closing; write a note instead.")
        if self.from_status and self.from_status == self.to_status:
            errors["to_status"] = _("The case already has this status.")
        if errors:
            raise ValidationError(errors)


class PlanActionQuerySet(OverdueQuerySet):
    due_field = "due_on"

    def for_list(self):
        """A person's plan: open actions first (the one due first on top), then the closed ones."""
        return self.select_related("responsible", "closed_by", "need").order_by(
            models.Case(models.When(status__in=PlanAction.OPEN_STATUSES, then=0), default=1),
            "due_on",
            "pk",
        )

    def for_queue(self):
        return self.select_related("person", "site", "responsible").order_by("due_on", "pk")


class PlanAction(models.Model):
    """One step of a person's case plan: what will be done about a need found at intake, by whom
    and by when (docs/case-plan.md). A referral, a direct service or an appointment may name the
    action it serves; when it is completed, recorded or kept, the action is done."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_POSSIBLE = "not_possible", _("Not possible")

    OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS)
    CLOSED_STATUSES = (Status.DONE, Status.NOT_POSSIBLE)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="plan_actions")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(
        IntakeNeed,
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_actions",
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    description = models.CharField(_("action"), max_length=300)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_actions",
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TODO)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_note = models.CharField(_("how it ended"), max_length=300, blank=True)
    # Flagged (and the responsible told once) by the daily overdue job of the services app.
    is_overdue = models.BooleanField(_("overdue"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    objects = PlanActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=["todo", "in_progress"], closed_at__isnull=True)
                    | models.Q(status__in=["done", "not_possible"], closed_at__isnull=False)
                ),
                name="plan_action_closed_when_closed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["site", "due_on"],
                condition=models.Q(status__in=["todo", "in_progress"]),
                name="plan_action_open_due",
            ),
            models.Index(
                fields=["responsible", "due_on"],
                condition=models.Q(status__in=["todo", "in_progress"]),
                name="plan_action_open_responsible",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_late(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    def clean(self):
        if self.need_id and self.person_id and self.need.intake.person_id != self.person_id:
            raise ValidationError({"need": _("This need is not from one of this person's intakes.")})


class SiteRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=SiteRequest.Status.REQUESTED)

    def shares_active(self, today=None):
        """Accepted shares whose last day has not passed (checked by date when read)."""
        return self.filter(
            kind=SiteRequest.Kind.SHARE,
            status=SiteRequest.Status.ACCEPTED,
            share_until__gte=today or timezone.localdate(),
        )

    def for_list(self):
        return self.select_related("person", "from_site", "to_site", "requested_by", "decided_by")


class SiteRequest(models.Model):
    """A person's case asked to move to another orientation site (``transfer``), or to be shared
    with one until a date (``share``); the receiving site accepts or declines (docs/transfer.md).
    While a share is accepted and its last day has not passed, the receiving site's case staff
    work on the person as the person's own site does."""

    MAX_SHARE_DAYS = 365

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Transfer")
        SHARE = "share", _("Share")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting a decision")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        ENDED = "ended", _("Ended")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="site_requests"
    )
    from_site = models.ForeignKey(
        Site, verbose_name=_("from site"), on_delete=models.PROTECT, related_name="site_requests_sent"
    )
    to_site = models.ForeignKey(
        Site, verbose_name=_("to site"), on_delete=models.PROTECT, related_name="site_requests_received"
    )
    reason = models.TextField(_("reason"), **text_limit(limits.REASON))
    share_until = models.DateField(_("shared until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True, **text_limit(limits.REASON))
    # Who cancelled the request or ended the share early, and when.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()
    objects = SiteRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("transfer or share request")
        verbose_name_plural = _("transfer and share requests")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(status="requested"),
                name="site_request_one_open_per_kind",
                violation_error_message=_(
                    "This person already has a request of this kind awaiting a decision."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(from_site=models.F("to_site")),
                name="site_request_other_site",
                violation_error_message=_("Choose a site other than the person's own."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="transfer", share_until__isnull=True)
                | models.Q(kind="share", share_until__isnull=False),
                name="site_request_share_has_end",
                violation_error_message=_("Choose the last day of the share."),
            ),
        ]
        indexes = [
            models.Index(fields=["to_site", "status"], name="site_request_to_status"),
            models.Index(fields=["from_site", "status"], name="site_request_from_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id}: {self.from_site_id} → {self.to_site_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.REQUESTED

    @property
    def is_share_active(self) -> bool:
        return (
            self.kind == self.Kind.SHARE
            and self.status == self.Status.ACCEPTED
            and self.share_until is not None
            and self.share_until >= timezone.localdate()
        )

    def clean(self):
        errors = {}
        self.reason = (self.reason or "").strip()
        if not self.reason:
            errors["reason"] = _("Write why the case should move or be shared.")
        if self.to_site_id and self.to_site_id == self.from_site_id:
            errors["to_site"] = _("Choose a site other than the person's own.")
        elif self.to_site_id and self._state.adding:
            to_site = self.to_site
            if to_site.kind != Site.Kind.ORIENTATION_POINT or not to_site.active:
                errors["to_site"] = _("Choose an active orientation site.")
        if self.kind == self.Kind.SHARE:
            if self.share_until is None:
                errors["share_until"] = _("Choose the last day of the share.")
            elif self._state.adding:
                today = timezone.localdate()
                if self.share_until < today:
                    errors["share_until"] = _("The last day of the share cannot be in the past.")
                elif (self.share_until - today).days > self.MAX_SHARE_DAYS:
                    errors["share_until"] = _("A share lasts at most %(days)d days.") % {
                        "days": self.MAX_SHARE_DAYS
                    }
        else:
            self.share_until = None
        if errors:
            raise ValidationError(errors)
