"""Reads for the API. Each one reuses the selector of the app that owns the data, scoped to the
user; nothing here reads people directly."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from cases import selectors as case_selectors
from cases.filters import STATUS_ALL, PersonFilter
from cases.models import Person
from orientation import roles
from orientation.models import Program, Site
from orientation.selectors import programs_visible_to, sites_visible_to
from reports.models import Indicator, Target
from reports.selectors import monthly_report, report_programs_for
from services.models import Partner, ServiceType
from services.selectors import partners_active, service_types_active

from .models import ApiToken


def api_tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_by_hash(digest: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(token_hash=digest).first()


def programs_for_api(user) -> QuerySet[Program]:
    return programs_visible_to(user).prefetch_related("sites").order_by("code")


def sites_for_api(user) -> QuerySet[Site]:
    return sites_visible_to(user).order_by("code")


def service_types_for_api() -> QuerySet[ServiceType]:
    return service_types_active().order_by("area", "code")


def partners_for_api() -> QuerySet[Partner]:
    return partners_active().order_by("code")


def indicators_for_api(user, *, program_code: str = "") -> QuerySet[Indicator]:
    qs = Indicator.objects.filter(program__in=report_programs_for(user), active=True).select_related(
        "program"
    )
    if program_code:
        qs = qs.filter(program__code=program_code)
    return qs.order_by("program__code", "sort_order", "code")


def targets_for_api(
    user, *, program_code: str = "", indicator_code: str = "", month: date | None = None
) -> QuerySet[Target]:
    qs = Target.objects.filter(indicator__program__in=report_programs_for(user)).select_related(
        "indicator__program"
    )
    if program_code:
        qs = qs.filter(indicator__program__code=program_code)
    if indicator_code:
        qs = qs.filter(indicator__code=indicator_code)
    if month is not None:
        qs = qs.filter(month=month)
    return qs.order_by("indicator__program__code", "indicator__code", "month", "pk")


def monthly_report_for_api(user, *, month: date, program_code: str = "") -> dict:
    """The report JSON of docs/report-json.md, restricted to the programs the user reports on."""
    codes = set(report_programs_for(user).values_list("code", flat=True))
    if program_code:
        report = monthly_report(month=month, program_code=program_code) if program_code in codes else None
        if report is None:
            report = {"month": f"{month:%Y-%m}", "indicators": []}
        return report
    report = monthly_report(month=month)
    report["indicators"] = [row for row in report["indicators"] if row["program"] in codes]
    return report


def people_for_api(
    user, *, term: case_selectors.SearchTerm | None = None, filters: dict | None = None
) -> QuerySet[Person]:
    """The people list of the web (the same filters, ``cases.filters.PersonFilter``, from valid
    values), for the roles that open case files. Open and closed cases alike (the web's list shows
    open ones by default: docs/case-status.md); the API lists people as it did before cases had a
    status, each with its case's last closing (``Person.objects.with_last_closing``)."""
    if not roles.has_role(user, roles.CASE_READERS):
        raise PermissionDenied
    qs = PersonFilter({"status": STATUS_ALL, **(filters or {})}, user=user, term=term).qs
    return qs.with_last_closing()


def person_for_api(user, pk) -> Person:
    """A person in the user's scope (as the web, ``person_in_scope``). Unlike the web, no
    break-the-glass: another site's person is refused even after a reason was logged on the web."""
    person = case_selectors.person_get_for_user(user, pk)
    if person.anonymized_at is not None:
        from django.http import Http404

        raise Http404
    if not case_selectors.person_in_scope(user, person):
        raise PermissionDenied
    # The case's last closing, as the list annotates it (``PersonSerializer``'s case fields).
    closing = Person.objects.with_last_closing().filter(pk=person.pk)
    person.last_closing_reason, person.last_closing_at = closing.values_list(
        "last_closing_reason", "last_closing_at"
    ).get()
    return person
