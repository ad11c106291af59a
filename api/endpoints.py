"""Read-only endpoints of /api/v1/. Each one checks the role, validates its query parameters and
reads through the selector of the app that owns the data."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import generics, pagination, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.actions import person_opened
from cases.selectors import SearchTerm
from orientation import roles
from orientation.middleware import LANGUAGE_SESSION_KEY
from orientation.models import UserProfile
from orientation.selectors import sites_visible_to
from reports.selectors import report_programs_for

from . import selectors
from .exceptions import PROBLEM_CONTENT_TYPE, PROBLEM_STATUSES
from .models import ApiToken
from .serializers import (
    IndicatorSerializer,
    MonthlyQuery,
    MonthlyReportSerializer,
    PageQuery,
    PartnerSerializer,
    PeopleQuery,
    PersonSerializer,
    ProblemSerializer,
    ProgramQuery,
    ProgramSerializer,
    ServiceTypeSerializer,
    SiteSerializer,
    TargetQuery,
    TargetSerializer,
)

MAX_ID = 2**63 - 1


ERRORS = {
    (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=str(code))
    for code in PROBLEM_STATUSES
}


def list_schema(query, serializer, tag):
    return method_decorator(
        name="get",
        decorator=extend_schema(
            parameters=[query], responses={200: serializer(many=True), **ERRORS}, tags=[tag]
        ),
    )


def api_language(request) -> str:
    chosen = request.session.get(LANGUAGE_SESSION_KEY) if hasattr(request, "session") else None
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return translation.get_language_from_request(request)


class Pagination(pagination.PageNumberPagination):
    page_size = 50


class HasRole(permissions.BasePermission):
    """A signed-in user with one of the view's ``roles``."""

    message = _("Your role may not see this.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return roles.has_role(request.user, view.roles)


class ApiView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, HasRole]
    roles: set[str] = set(roles.ALL_ROLES)
    query_serializer = PageQuery
    pagination_class = Pagination

    def initial(self, request, *args, **kwargs):
        # The language of titles and details: before the credentials are read, the one chosen in
        # Orienta for this session (or its cookie), else Accept-Language, else Spanish; once a
        # token's user is known, that user's saved language.
        translation.activate(api_language(request))
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiToken):
            saved = UserProfile.objects.filter(user=request.user).values_list("language", flat=True).first()
            if saved in dict(settings.LANGUAGES):
                translation.activate(saved)

    def check_permissions(self, request):
        # Throttle before refusing, so that callers without credentials are limited too.
        super().check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        """Done in ``check_permissions``."""

    def query(self) -> dict:
        # A plain dict, not the QueryDict: DRF would skip an empty value (``?program=``) of an
        # optional parameter instead of refusing it.
        params = {key: self.request.query_params.get(key) for key in self.request.query_params}
        serializer = self.query_serializer(data=params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ApiListView(ApiView, generics.ListAPIView):
    def list(self, request, *args, **kwargs):
        self.params = self.query()
        return super().list(request, *args, **kwargs)


@list_schema(PageQuery, ProgramSerializer, "reference")
class ProgramList(ApiListView):
    """Programs of the user's sites (a coordinator's own programs; every one for an admin)."""

    serializer_class = ProgramSerializer

    def get_queryset(self):
        return selectors.programs_for_api(self.request.user)


@list_schema(PageQuery, SiteSerializer, "reference")
class SiteList(ApiListView):
    """Sites whose people the user sees."""

    serializer_class = SiteSerializer

    def get_queryset(self):
        return selectors.sites_for_api(self.request.user)


@list_schema(PageQuery, ServiceTypeSerializer, "reference")
class ServiceTypeList(ApiListView):
    """The active service catalog."""

    serializer_class = ServiceTypeSerializer

    def get_queryset(self):
        return selectors.service_types_for_api()


@list_schema(PageQuery, PartnerSerializer, "reference")
class PartnerList(ApiListView):
    """Active referral partners."""

    serializer_class = PartnerSerializer

    def get_queryset(self):
        return selectors.partners_for_api()


@list_schema(ProgramQuery, IndicatorSerializer, "figures")
class IndicatorList(ApiListView):
    """Indicators of the programs the user reports on (coordinators and admins)."""

    roles = roles.REPORT_READERS
    serializer_class = IndicatorSerializer
    query_serializer = ProgramQuery

    def get_queryset(self):
        return selectors.indicators_for_api(self.request.user, program_code=self.params.get("program", ""))


@list_schema(TargetQuery, TargetSerializer, "figures")
class TargetList(ApiListView):
    """Targets per month (``month`` null: for the whole program) of the user's programs."""

    roles = roles.REPORT_READERS
    serializer_class = TargetSerializer
    query_serializer = TargetQuery

    def get_queryset(self):
        p = self.params
        return selectors.targets_for_api(
            self.request.user,
            program_code=p.get("program", ""),
            indicator_code=p.get("indicator", ""),
            month=p.get("month"),
        )


class MonthlyReport(ApiView, APIView):
    """The stored figures of a month, in the report JSON of docs/report-json.md, for the programs
    the user reports on (or one of them with ``program``)."""

    roles = roles.REPORT_READERS
    query_serializer = MonthlyQuery
    pagination_class = None

    @extend_schema(
        parameters=[MonthlyQuery], responses={200: MonthlyReportSerializer, **ERRORS}, tags=["figures"]
    )
    def get(self, request):
        params = self.query()
        program = params.get("program", "")
        if program and not report_programs_for(request.user).filter(code=program).exists():
            raise Http404
        return Response(
            selectors.monthly_report_for_api(request.user, month=params["month"], program_code=program)
        )


@list_schema(PeopleQuery, PersonSerializer, "people")
class PersonList(ApiListView):
    """People of the user's sites, as in the people list of the web (case-file roles only)."""

    roles = roles.CASE_READERS
    serializer_class = PersonSerializer
    query_serializer = PeopleQuery

    def get_queryset(self):
        p = self.params
        site = None
        if p.get("site"):
            site = sites_visible_to(self.request.user).filter(code=p["site"]).first()
            if site is None:
                raise PermissionDenied
        return selectors.people_for_api(
            self.request.user,
            term=SearchTerm.parse(p.get("q", "")),
            filters={"site": site.pk if site else "", "population_type": p.get("population_type", "")},
        )


class PersonDetail(ApiView, APIView):
    """One person of the user's sites. Each read is written to the access log."""

    roles = roles.CASE_READERS
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "id",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                OpenApiParameter.PATH,
                description=_("The person's id."),
            )
        ],
        responses={200: PersonSerializer, **ERRORS},
        tags=["people"],
    )
    def get(self, request, pk: str):
        if not pk.isascii() or not pk.isdigit() or not 1 <= int(pk) <= MAX_ID:
            raise Http404
        person = selectors.person_for_api(request.user, int(pk))
        person_opened(user=request.user, person=person, request=request)
        return Response(PersonSerializer(person).data)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the files of drf-spectacular-sidecar (served by Orienta, no CDN). Its start-up
    script is a separate request (no inline script) and its page styles a file (no inline style), so
    the site's CSP needs no exception here (tests/browser/test_api_docs.py)."""

    template_name = "api/swagger_ui.html"
