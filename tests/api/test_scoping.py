"""Each endpoint per role (by token): who gets it, and that each sees only their own scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from orientation.actions import access_log_record
from orientation.models import AccessLog
from reports.counting import empty_measure
from reports.models import Indicator, MonthlyFigure, Target
from tests.factories import DirectServiceFactory, PersonFactory, program, site

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "norole", "caseworker", "psychosocial", "facilitator", "coordinator", "admin"]
EVERY_ROLE = {"anonymous": 401, "norole": 403} | dict.fromkeys(ROLES[2:], 200)
REPORTS = {"anonymous": 401, "coordinator": 200, "admin": 200} | dict.fromkeys(
    ["norole", "caseworker", "psychosocial", "facilitator"], 403
)
CASE_FILES = {"anonymous": 401, "norole": 403, "facilitator": 403} | dict.fromkeys(
    ["caseworker", "psychosocial", "coordinator", "admin"], 200
)
ENDPOINTS = {
    "/api/v1/programs/": EVERY_ROLE,
    "/api/v1/sites/": EVERY_ROLE,
    "/api/v1/service-types/": EVERY_ROLE,
    "/api/v1/partners/": EVERY_ROLE,
    "/api/v1/indicators/": REPORTS,
    "/api/v1/targets/": REPORTS,
    "/api/v1/monthly-report/?month=2025-03": REPORTS,
    "/api/v1/people/": CASE_FILES,
}


def _user(role_users, role):
    return None if role == "anonymous" else role_users[role]


@pytest.mark.parametrize("url", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_each_endpoint_answers_each_role(api_get, role_users, url, role):
    response = api_get(_user(role_users, role), url)
    assert response.status_code == ENDPOINTS[url][role], response.content
    if response.status_code != 200:
        assert response["Content-Type"] == "application/problem+json"


@pytest.fixture
def people():
    """A person at each site, each reached by a program there (coordinators read people through
    their programs' records)."""
    made = {
        "own": (PersonFactory(site=site("PAO-LS")), "PAO"),
        "school": (PersonFactory(site=site("SCH-01")), "BALON"),
        "other": (PersonFactory(site=site("SCH-02")), "BALON"),
    }
    for person, code in made.values():
        DirectServiceFactory(person=person, program=program(code))
    return {key: person for key, (person, _code) in made.items()}


PERSON = {  # role → (own site's person, another site's person)
    "anonymous": (401, 401),
    "norole": (403, 403),
    "facilitator": (403, 403),
    "caseworker": (200, 403),
    "psychosocial": (200, 403),
    "coordinator": (200, 403),
    "admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_a_person_is_open_to_the_roles_and_sites_that_see_them_on_the_web(api_get, role_users, people, role):
    user = _user(role_users, role)
    own, other = PERSON[role]
    assert api_get(user, f"/api/v1/people/{people['own'].pk}/").status_code == own
    assert api_get(user, f"/api/v1/people/{people['other'].pk}/").status_code == other
    assert api_get(user, "/api/v1/people/2000000123/").status_code in {404, 401, 403}


@pytest.mark.parametrize("role", ["caseworker", "psychosocial"])
def test_no_break_the_glass_through_the_api(api_get, role_users, people, role):
    """A reason logged on the web opens another site's person there, never through the API."""
    user = role_users[role]
    access_log_record(user=user, action=AccessLog.Action.BREAK_GLASS, obj=people["other"], reason="urgent")
    assert api_get(user, f"/api/v1/people/{people['other'].pk}/").status_code == 403
    listed = {row["id"] for row in api_get(user, "/api/v1/people/").json()["results"]}
    assert people["other"].pk not in listed


@pytest.mark.parametrize("role", ["caseworker", "psychosocial", "coordinator"])
def test_the_people_list_holds_only_the_users_sites(api_get, role_users, people, role):
    listed = {row["id"] for row in api_get(role_users[role], "/api/v1/people/").json()["results"]}
    assert listed == {people["own"].pk}


def test_an_admin_lists_everyone(api_get, role_users, people):
    listed = {row["id"] for row in api_get(role_users["admin"], "/api/v1/people/").json()["results"]}
    assert listed == {p.pk for p in people.values()}


def test_a_site_filter_outside_the_users_sites_is_refused(api_get, role_users, people):
    user = role_users["caseworker"]
    assert api_get(user, "/api/v1/people/", {"site": "SCH-02"}).status_code == 403
    assert api_get(user, "/api/v1/people/", {"site": "PAO-LS"}).json()["count"] == 1


def test_each_person_read_is_in_the_access_log(api_get, role_users, people):
    user = role_users["caseworker"]
    before = timezone.now()
    response = api_get(user, f"/api/v1/people/{people['own'].pk}/")
    assert response.status_code == 200
    assert response.json()["family_names"] == people["own"].family_names
    entry = AccessLog.objects.get(user=user, action=AccessLog.Action.VIEW, at__gte=before)
    assert (entry.object_type, entry.object_id) == ("cases.person", str(people["own"].pk))
    assert entry.path == f"/api/v1/people/{people['own'].pk}/"
    # A refused read leaves nothing to log.
    api_get(user, f"/api/v1/people/{people['other'].pk}/")
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW).count() == 1


def test_sites_and_programs_are_scoped(api_get, role_users):
    caseworker_sites = [
        r["code"] for r in api_get(role_users["caseworker"], "/api/v1/sites/").json()["results"]
    ]
    assert caseworker_sites == ["PAO-LS"]
    coordinator_programs = [
        r["code"] for r in api_get(role_users["coordinator"], "/api/v1/programs/").json()["results"]
    ]
    assert coordinator_programs == ["PAO"]
    admin_programs = [r["code"] for r in api_get(role_users["admin"], "/api/v1/programs/").json()["results"]]
    assert admin_programs == ["BALON", "PAO", "SALUD"]


def _target(code, month, value):
    Target.objects.update_or_create(
        indicator=Indicator.objects.get(code=code), month=month, defaults={"value": value}
    )


def test_indicators_and_targets_of_the_coordinators_programs_only(api_get, role_users):
    _target("PAO-DOC", date(2025, 3, 1), 120)
    _target("BALON-YOUTH", None, 900)
    coordinator = role_users["coordinator"]
    codes = {r["program"] for r in api_get(coordinator, "/api/v1/indicators/").json()["results"]}
    assert codes == {"PAO"}
    assert Target.objects.exclude(indicator__program__code="PAO").exists()
    targets = api_get(coordinator, "/api/v1/targets/", {"month": "2025-03"}).json()["results"]
    assert {t["program"] for t in targets} == {"PAO"}
    assert ("PAO-DOC", "2025-03", 120) in [(t["indicator"], t["month"], t["value"]) for t in targets]
    everything = api_get(coordinator, "/api/v1/targets/").json()
    assert everything["count"] == Target.objects.filter(indicator__program__code="PAO").count()
    assert api_get(coordinator, "/api/v1/indicators/", {"program": "BALON"}).json()["count"] == 0


def _figure(code, month):
    m = empty_measure() | {"total": 7}
    return MonthlyFigure.objects.create(
        indicator=Indicator.objects.get(code=code),
        month=month,
        reached=m,
        new=m,
        cumulative=m,
        new_in_year=m,
        cumulative_in_year=m,
        computed_at=timezone.now(),
    )


def test_the_monthly_report_is_the_report_json_of_the_users_programs(api_get, role_users):
    month = date(2025, 3, 1)
    _figure("PAO-DOC", month)
    _figure("BALON-YOUTH", month)
    _target("PAO-DOC", month, 120)
    coordinator = role_users["coordinator"]
    body = api_get(coordinator, "/api/v1/monthly-report/", {"month": "2025-03"}).json()
    assert body["month"] == "2025-03"
    assert [(r["program"], r["code"], r["target_month"]) for r in body["indicators"]] == [
        ("PAO", "PAO-DOC", 120)
    ]
    assert body["indicators"][0]["reached"]["total"] == 7
    assert (
        api_get(coordinator, "/api/v1/monthly-report/", {"month": "2025-03", "program": "BALON"}).status_code
        == 404
    )
    admin = api_get(role_users["admin"], "/api/v1/monthly-report/", {"month": "2025-03"}).json()
    assert [r["code"] for r in admin["indicators"]] == ["BALON-YOUTH", "PAO-DOC"]
    one = api_get(
        role_users["admin"], "/api/v1/monthly-report/", {"month": "2025-03", "program": "PAO"}
    ).json()
    assert [r["code"] for r in one["indicators"]] == ["PAO-DOC"]


def test_the_session_of_a_signed_in_user_works_too(client, role_users):
    client.force_login(role_users["coordinator"])
    assert client.get("/api/v1/programs/").status_code == 200
    client.force_login(role_users["facilitator"])
    assert client.get("/api/v1/people/").status_code == 403
