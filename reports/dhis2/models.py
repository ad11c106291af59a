"""DHIS2: where Orienta's monthly figures go in a DHIS2 server (docs/dhis2.md).

The mapping is data an admin keeps: the server, each program's data set (optional), each
indicator's measures as data elements, each breakdown value as a category option combo, each site
as an organisation unit. ``DHIS2Push`` records every push and DHIS2's import summary.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import AgeBand, PopulationType, Sex
from orientation.models import Program, Site
from reports.models import Indicator

UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
# The secret lives in the environment of the web and worker processes, under a name of this form,
# so that no other secret of the server (the database URL, the secret key) can be sent to DHIS2.
SECRET_ENV = re.compile(r"^DHIS2_[A-Z0-9_]{1,60}$")
# DHIS2's own default category option combo (for values without disaggregation).
DEFAULT_COC = "HllvX50cXC0"


def validate_uid(value: str) -> None:
    if not UID.match(value or ""):
        raise ValidationError(
            _(
                "“%(value)s” is not a DHIS2 identifier (UID): it has exactly 11 letters or digits and "
                "begins with a letter, for example fbfJHSPpUQD. Copy it from DHIS2 (Maintenance app, or "
                "the API)."
            ),
            code="invalid_uid",
            params={"value": value},
        )


def validate_secret_env(value: str) -> None:
    if not SECRET_ENV.match(value or ""):
        raise ValidationError(
            _(
                "Write the name of an environment variable that begins with DHIS2_, in capitals, digits "
                "and underscores, for example DHIS2_TOKEN."
            ),
            code="invalid_env",
        )


def uid_field(verbose_name, **kwargs) -> models.CharField:
    return models.CharField(verbose_name, max_length=11, validators=[validate_uid], **kwargs)


class Measure(models.TextChoices):
    """The measures of the report contract (reports.models.MEASURES)."""

    REACHED = "reached", _("Reached in the month")
    NEW = "new", _("New (first ever)")
    CUMULATIVE = "cumulative", _("Cumulative since the program's start")
    NEW_IN_YEAR = "new_in_year", _("New in the reporting year")
    CUMULATIVE_IN_YEAR = "cumulative_in_year", _("Cumulative in the reporting year")


class Breakdown(models.TextChoices):
    """How a data element's value is split (the breakdowns of docs/report-json.md)."""

    TOTAL = "total", _("Total only (default category option combo)")
    SEX = "by_sex", _("By sex")
    AGE_BAND = "by_age_band", _("By age band")
    SEX_AGE = "by_sex_age", _("By sex and age band")
    POPULATION_TYPE = "by_population_type", _("By population type")
    NATIONALITY = "by_nationality", _("By nationality")


SEXES = [s.value for s in Sex]
AGE_BANDS = [b.value for b in AgeBand]
POPULATION_TYPES = [p.value for p in PopulationType]


def breakdown_keys(breakdown: str) -> list[str] | None:
    """The keys a breakdown can have, in the report's order (None: any nationality code)."""
    return {
        Breakdown.TOTAL: [""],
        Breakdown.SEX: SEXES,
        Breakdown.AGE_BAND: AGE_BANDS,
        Breakdown.SEX_AGE: [f"{s}:{b}" for s in SEXES for b in AGE_BANDS],
        Breakdown.POPULATION_TYPE: POPULATION_TYPES,
        Breakdown.NATIONALITY: None,
    }[breakdown]


class DHIS2Server(models.Model):
    """The DHIS2 server figures are pushed to. One is active at a time; the secret is never stored."""

    class Auth(models.TextChoices):
        TOKEN = "token", _("Personal access token")
        BASIC = "basic", _("Username and password")

    class PeriodType(models.TextChoices):
        MONTHLY = "Monthly", _("Monthly (YYYYMM)")

    name = models.CharField(_("name"), max_length=100, default="DHIS2")
    base_url = models.URLField(
        _("base URL"),
        max_length=300,
        help_text=_(
            "The address of the DHIS2 instance, without /api, for example https://dhis2.example.org."
        ),
    )
    auth = models.CharField(_("authentication"), max_length=10, choices=Auth.choices, default=Auth.TOKEN)
    username = models.CharField(
        _("username"), max_length=150, blank=True, help_text=_("Only for username and password.")
    )
    secret_env = models.CharField(
        _("environment variable with the secret"),
        max_length=70,
        validators=[validate_secret_env],
        help_text=_(
            "The name of the environment variable that holds the personal access token (or the "
            "password) on the web and worker servers, for example DHIS2_TOKEN. The secret itself is "
            "never stored in Orienta's database nor shown here."
        ),
    )
    period_type = models.CharField(
        _("period type"), max_length=20, choices=PeriodType.choices, default=PeriodType.MONTHLY
    )
    auto_push = models.BooleanField(
        _("push automatically"),
        default=False,
        help_text=_(
            "Push a month of each mapped program when its figures are computed (months that have ended only)."
        ),
    )
    timeout = models.PositiveSmallIntegerField(
        _("timeout (seconds)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("How long to wait for DHIS2's answer to a push."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("DHIS2 server")
        verbose_name_plural = _("DHIS2 servers")
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=models.Q(active=True),
                name="dhis2_one_active_server",
                violation_error_message=_("Another DHIS2 server is active: deactivate it first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.base_url})"

    def clean(self):
        super().clean()
        from urllib.parse import urlsplit

        try:
            url = urlsplit(self.base_url or "")
            loopback = url.hostname in ("localhost", "127.0.0.1", "::1")
        except ValueError:  # not a URL at all: the field's own check says so
            return
        if url.scheme != "https" and not (url.scheme == "http" and loopback):
            raise ValidationError(
                {"base_url": _("Use an https:// address: the credentials must not travel in clear text.")}
            )
        if url.query or url.fragment or url.username or url.password:
            raise ValidationError(
                {"base_url": _("Write only the server's address, without credentials, query or fragment.")}
            )
        if self.auth == self.Auth.BASIC and not self.username.strip():
            raise ValidationError({"username": _("Username and password authentication needs a username.")})

    @property
    def endpoint(self) -> str:
        return f"{self.base_url.rstrip('/')}/api/dataValueSets"


class ProgramMapping(models.Model):
    """A program sent to DHIS2: only programs with this mapping are exported and pushed."""

    grammatical_gender = "f"  # Spanish: la correspondencia …, agregada (orientation/admin.py)

    program = models.OneToOneField(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="dhis2", primary_key=True
    )
    data_set = uid_field(
        _("data set"),
        blank=True,
        help_text=_("UID of the DHIS2 data set the values belong to (optional)."),
    )
    attribute_option_combo = uid_field(
        _("attribute option combo"),
        blank=True,
        help_text=_(
            "UID of the attribute option combo (for example the funding mechanism); empty: DHIS2's default."
        ),
    )

    class Meta:
        verbose_name = _("DHIS2 mapping of a program")
        verbose_name_plural = _("DHIS2 mappings of programs")

    def __str__(self) -> str:
        return f"DHIS2 {self.program}"


class DataElementMapping(models.Model):
    """One measure of an indicator sent as one DHIS2 data element, split by one breakdown."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="dhis2_data_elements"
    )
    measure = models.CharField(_("measure"), max_length=30, choices=Measure.choices)
    data_element = uid_field(_("data element"), help_text=_("UID of the DHIS2 data element."))
    breakdown = models.CharField(
        _("disaggregation"),
        max_length=30,
        choices=Breakdown.choices,
        default=Breakdown.TOTAL,
        help_text=_(
            "How the value is split into category option combos; each value of the breakdown needs its "
            "category option combo (DHIS2 → category option combos)."
        ),
    )

    class Meta:
        ordering = ["indicator__program__code", "indicator__sort_order", "indicator__code", "measure"]
        verbose_name = _("DHIS2 data element of a measure")
        verbose_name_plural = _("DHIS2 data elements of measures")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "measure"],
                name="dhis2_one_data_element_per_measure",
                violation_error_message=_("This measure of the indicator already has a data element."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.measure} → {self.data_element}"


class CategoryOptionComboMapping(models.Model):
    """A value of a breakdown (or the total) as a DHIS2 category option combo."""

    grammatical_gender = "f"  # Spanish: la combinación …, agregada (orientation/admin.py)

    breakdown = models.CharField(_("disaggregation"), max_length=30, choices=Breakdown.choices)
    key = models.CharField(
        _("value"),
        max_length=20,
        blank=True,
        help_text=_(
            "As in the report JSON: F, M or X by sex; 0-4, 5-11, 12-17, 18-59, 60+ or unknown by age band; "
            "both joined by a colon by sex and age band (F:18-59); destination, transit, pendular, host "
            "or returnee by population type; a two-letter country code by nationality. Empty for the total."
        ),
    )
    category_option_combo = uid_field(
        _("category option combo"), help_text=_("UID of the DHIS2 category option combo.")
    )

    class Meta:
        ordering = ["breakdown", "key"]
        verbose_name = _("DHIS2 category option combo")
        verbose_name_plural = _("DHIS2 category option combos")
        constraints = [
            models.UniqueConstraint(
                fields=["breakdown", "key"],
                name="dhis2_one_coc_per_value",
                violation_error_message=_(
                    "This value of the disaggregation already has a category option combo."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.breakdown}:{self.key or 'total'} → {self.category_option_combo}"

    def clean(self):
        super().clean()
        if not self.breakdown:
            return
        self.key = (self.key or "").strip()
        allowed = breakdown_keys(self.breakdown)
        if allowed is None:
            self.key = self.key.upper()
            if not re.match(r"^([A-Z]{2}|UNKNOWN)$", self.key):
                raise ValidationError({"key": _("Write a two-letter country code, such as VE, or unknown.")})
            if self.key == "UNKNOWN":
                self.key = "unknown"
        elif self.key not in allowed:
            raise ValidationError(
                {
                    "key": _("For this disaggregation the value is one of: %(values)s.")
                    % {"values": ", ".join(k or "(empty)" for k in allowed)}
                }
            )


class OrgUnitMapping(models.Model):
    """A site as a DHIS2 organisation unit."""

    grammatical_gender = "f"  # Spanish: la unidad organizativa …, agregada (orientation/admin.py)

    site = models.OneToOneField(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="dhis2", primary_key=True
    )
    org_unit = uid_field(_("organisation unit"), help_text=_("UID of the DHIS2 organisation unit."))

    class Meta:
        verbose_name = _("DHIS2 organisation unit of a site")
        verbose_name_plural = _("DHIS2 organisation units of sites")

    def __str__(self) -> str:
        return f"{self.site_id} → {self.org_unit}"


class DHIS2Push(models.Model):
    """One push of a program's month to DHIS2 and what DHIS2 answered."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent: DHIS2 answered with an import summary")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Requested by a coordinator")
        AUTO = "auto", _("After the month was computed")

    # A push still queued after this long will not run: another may be requested.
    STALLED_AFTER = timedelta(hours=1)

    month = models.DateField(_("month"))
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="dhis2_pushes"
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    server_url = models.CharField(_("server"), max_length=300, blank=True)
    values_sent = models.PositiveIntegerField(_("values sent"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    import_status = models.CharField(_("import status"), max_length=20, blank=True)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    ignored = models.PositiveIntegerField(_("ignored"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    conflicts = models.JSONField(_("conflicts"), default=list, blank=True)
    response = models.JSONField(_("response"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("DHIS2 push")
        verbose_name_plural = _("DHIS2 pushes")
        indexes = [models.Index(fields=["program", "created_at"])]

    def __str__(self) -> str:
        return f"{self.program_id} {self.month:%Y-%m} {self.status}"

    @property
    def period(self) -> str:
        return f"{self.month:%Y%m}"

    @property
    def is_stalled(self) -> bool:
        return self.status == self.Status.QUEUED and self.created_at < timezone.now() - self.STALLED_AFTER
