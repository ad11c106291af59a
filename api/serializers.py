"""Output shapes of the API, and the query parameters each list accepts (validated: bad input is a
400 problem, never a 500)."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.choices import PopulationType
from cases.models import CaseStatus, CaseStatusChange, Person
from orientation.models import Program, Site
from reports.models import Indicator, Target
from services.models import Partner, ServiceType

# The API's case states: the open and closed of ``CaseStatus``, and an open case that was closed
# before told apart as reopened.
CASE_REOPENED = "reopened"
CASE_STATES = [*CaseStatus.choices, (CASE_REOPENED, pgettext_lazy("case status", "Reopened"))]

MONTH_RE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
MONTH_PATTERN = r"^(20\d\d|2100)-(0[1-9]|1[0-2])$"
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2025-03"})
class MonthField(serializers.Field):
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2025-03.")}

    def to_internal_value(self, data):
        match = MONTH_RE.fullmatch(data) if isinstance(data, str) else None
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            self.fail("invalid")
        return date(int(match.group(1)), int(match.group(2)), 1)


@extend_schema_field({"type": "string", "pattern": CODE_PATTERN})
class CodeField(serializers.Field):
    default_error_messages = {"invalid": _("Enter a code: letters, digits, hyphens or underscores.")}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not CODE_RE.fullmatch(data):
            self.fail("invalid")
        return data


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)


class ProgramQuery(PageQuery):
    program = CodeField(required=False, help_text=_("A program code, e.g. PAO."))


class TargetQuery(ProgramQuery):
    indicator = CodeField(required=False, help_text=_("An indicator code, e.g. PAO-DOC."))
    month = MonthField(required=False, help_text=_("YYYY-MM"))


class MonthlyQuery(serializers.Serializer):
    month = MonthField(help_text=_("The month, as YYYY-MM."))
    program = CodeField(required=False, help_text=_("A program code, e.g. PAO; all of yours without it."))


class PeopleQuery(PageQuery):
    q = serializers.CharField(
        required=False, max_length=100, allow_blank=True, help_text=_("A name, document or phone number.")
    )
    site = CodeField(required=False, help_text=_("A site code, e.g. PAO-LS."))
    population_type = serializers.ChoiceField(required=False, choices=PopulationType.choices)


# --- Output ---------------------------------------------------------------------------------------


class ProgramSerializer(serializers.ModelSerializer):
    sites = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "code",
            "name",
            "donor",
            "start_date",
            "end_date",
            "reporting_year_start_month",
            "sites",
        ]


class SiteSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district_id", allow_null=True, read_only=True)

    class Meta:
        model = Site
        fields = ["id", "code", "name", "kind", "district", "active"]


class IndicatorSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program.code", read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "program", "code", "name", "event_kind", "areas", "activities", "description"]


class TargetSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="indicator.program.code", read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    month = serializers.SerializerMethodField(help_text=_("YYYY-MM, or null for the whole program."))

    class Meta:
        model = Target
        fields = ["id", "program", "indicator", "month", "value"]

    def get_month(self, obj) -> str | None:
        return f"{obj.month:%Y-%m}" if obj.month else None


class ServiceTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceType
        fields = ["id", "code", "name", "area"]


class PartnerSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district_id", allow_null=True, read_only=True)
    areas = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "code", "name", "kind", "areas", "district", "address", "phone", "email"]


class PersonSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    district = serializers.CharField(source="district_id", allow_null=True, read_only=True)
    household = serializers.SerializerMethodField()
    vulnerabilities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    nationality = serializers.CharField(read_only=True)
    # The case's status (docs/case-status.md), from ``Person.objects.with_last_closing``.
    case_status = serializers.SerializerMethodField()
    case_closed_reason = serializers.SerializerMethodField()
    case_closed_on = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "ref",
            "given_names",
            "family_names",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "nationality",
            "population_type",
            "site",
            "district",
            "household",
            "vulnerabilities",
            "registered_on",
            "arrived_on",
            "case_status",
            "case_closed_reason",
            "case_closed_on",
        ]

    def get_household(self, obj) -> str | None:
        return obj.household.code if obj.household_id else None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=CASE_STATES,
            help_text=_(
                "The person's case: open (never closed), closed, or reopened (open again after a closing)."
            ),
        )
    )
    def get_case_status(self, obj) -> str:
        if obj.case_status == CaseStatus.CLOSED:
            return CaseStatus.CLOSED.value
        return CASE_REOPENED if obj.last_closing_at is not None else CaseStatus.OPEN.value

    @extend_schema_field(
        serializers.ChoiceField(
            choices=CaseStatusChange.Reason.choices,
            allow_null=True,
            help_text=_(
                "Why the case was closed: the reason of its closing, or of the last closing "
                "before it was reopened; null for a case never closed."
            ),
        )
    )
    def get_case_closed_reason(self, obj) -> str | None:
        return obj.last_closing_reason or None

    @extend_schema_field(
        serializers.DateField(
            allow_null=True,
            help_text=_(
                "The day the case was closed (or, for a reopened case, last closed); null for a "
                "case never closed."
            ),
        )
    )
    def get_case_closed_on(self, obj) -> str | None:
        closed_at = obj.last_closing_at
        return timezone.localdate(closed_at).isoformat() if closed_at is not None else None


class MeasureSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_sex = serializers.DictField(child=serializers.IntegerField())
    by_age_band = serializers.DictField(child=serializers.IntegerField())
    by_sex_age = serializers.DictField(child=serializers.IntegerField())
    by_population_type = serializers.DictField(child=serializers.IntegerField())
    by_nationality = serializers.DictField(child=serializers.IntegerField())


class ReportIndicatorSerializer(serializers.Serializer):
    program = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    target_month = serializers.IntegerField(allow_null=True)
    target_total = serializers.IntegerField(allow_null=True)
    reached = MeasureSerializer()
    new = MeasureSerializer()
    cumulative = MeasureSerializer()
    new_in_year = MeasureSerializer()
    cumulative_in_year = MeasureSerializer()


class MonthlyReportSerializer(serializers.Serializer):
    month = serializers.CharField()
    indicators = ReportIndicatorSerializer(many=True)


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    retry_after = serializers.IntegerField(required=False)
