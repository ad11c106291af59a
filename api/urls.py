"""/api/v1/ (read-only, token or session), the OpenAPI schema and its docs page.

The API answers for itself (401 problem+json without credentials): Django REST framework exempts
its views from the site's login redirect."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import endpoints

app_name = "api"

urlpatterns = [
    path("v1/programs/", endpoints.ProgramList.as_view(), name="program_list"),
    path("v1/sites/", endpoints.SiteList.as_view(), name="site_list"),
    path("v1/service-types/", endpoints.ServiceTypeList.as_view(), name="service_type_list"),
    path("v1/partners/", endpoints.PartnerList.as_view(), name="partner_list"),
    path("v1/indicators/", endpoints.IndicatorList.as_view(), name="indicator_list"),
    path("v1/targets/", endpoints.TargetList.as_view(), name="target_list"),
    path("v1/monthly-report/", endpoints.MonthlyReport.as_view(), name="monthly_report"),
    path("v1/people/", endpoints.PersonList.as_view(), name="person_list"),
    path("v1/people/<str:pk>/", endpoints.PersonDetail.as_view(), name="person_detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
# The docs page is a page of the site: signed-in users only, sent to the login page otherwise.
urlpatterns.append(
    path("docs/", login_required(endpoints.DocsView.as_view(url_name="api:schema")), name="docs")
)
