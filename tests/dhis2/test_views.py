"""The DHIS2 page, its downloads and push button, and the pushes: who may, what is logged, how many
queries. The URL walk (tests/security/url_matrix.py) checks every role; these check the details."""

import json

import pytest
from django.urls import reverse

from orientation.models import AccessLog
from reports.dhis2.models import DHIS2Push, OrgUnitMapping
from tests.factories import program

from .conftest import MARCH
from .test_datavalues import expected_values

PAGE = "/reports/dhis2/"


def _get(client, **params):
    return client.get(PAGE, {"program": "SALUD", "month": "2025-03", **params})


def test_the_page_shows_the_values_and_downloads_json_and_csv_logged(march, coordinator, client_for):
    client = client_for(coordinator)
    page = _get(client)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="dhis2-ok"' in html and "13 data values ready for DHIS2, period 202503." in html
    assert 'data-testid="dhis2-push"' not in html and 'data-testid="dhis2-no-server"' in html
    assert not AccessLog.objects.filter(object_type="reports.dhis2").exists()

    as_json = _get(client, download="json")
    assert as_json["Content-Type"].startswith("application/json")
    assert as_json["Content-Disposition"] == 'attachment; filename="dhis2-SALUD-2025-03.json"'
    assert json.loads(as_json.content)["dataValues"] == expected_values()

    as_csv = _get(client, download="csv")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_csv.content.decode().splitlines()[0].startswith("dataelement,period,orgunit,")
    logs = AccessLog.objects.filter(object_type="reports.dhis2", user=coordinator)
    assert sorted(logs.values_list("reason", flat=True)) == ["csv; SALUD", "json; SALUD"]
    assert set(logs.values_list("object_id", flat=True)) == {"2025-03"}


def test_the_page_lists_what_to_fill_in_instead_of_a_file(march, coordinator, client_for):
    OrgUnitMapping.objects.filter(site__code="SCH-01").delete()
    page = _get(client_for(coordinator), download="json")
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert 'data-testid="dhis2-problems"' in html and "Site SCH-01" in html
    assert not AccessLog.objects.filter(object_type="reports.dhis2").exists()


def test_a_coordinator_sees_only_their_programs(march, make_user, client_for):
    coordinator = make_user("coordinator", programs=["PAO"])
    client = client_for(coordinator)
    assert _get(client).status_code == 302  # SALUD is not theirs: back to the dashboard
    page = client.get(PAGE)
    assert page.status_code == 200 and page.context["program"].code == "PAO"
    assert "Program PAO has no DHIS2 mapping" in page.content.decode()


def test_a_coordinator_without_programs_gets_404(make_user, client_for):
    coordinator = make_user("coordinator")
    coordinator.program_memberships.all().delete()
    assert client_for(coordinator).get(PAGE).status_code == 404


@pytest.mark.parametrize("role", ["caseworker", "psychosocial", "facilitator"])
def test_other_roles_are_refused(march, make_user, client_for, role):
    client = client_for(make_user(role))
    assert _get(client).status_code == 403
    assert client.post(reverse("dhis2:push"), {"program": "SALUD", "month": "2025-03"}).status_code == 403
    push = DHIS2Push.objects.create(month=MARCH, program=program("SALUD"))
    assert client.get(reverse("dhis2:push_detail", args=[push.pk])).status_code == 403


@pytest.mark.parametrize(
    "query", [{"month": "2025-13"}, {"program": "NOPE"}, {"page": "x"}, {"download": "xml"}]
)
def test_bad_input_is_never_a_500(march, coordinator, client_for, query):
    response = _get(client_for(coordinator), **query)
    assert response.status_code in (200, 302)


def test_the_push_button_sends_and_the_list_shows_the_summary(
    march, dhis2, server_for, coordinator, client_for, django_capture_on_commit_callbacks
):
    dhis2.locked_org_units = {"OrOuSch01vm"}
    server_for(dhis2.url)
    client = client_for(coordinator)
    assert 'data-testid="dhis2-push"' in _get(client).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dhis2:push"), {"program": "SALUD", "month": "2025-03"})
    assert response.status_code == 302 and response["Location"].startswith(PAGE)
    push = DHIS2Push.objects.get()
    assert (push.status, push.requested_by, push.imported, push.ignored) == ("sent", coordinator, 7, 6)
    assert AccessLog.objects.filter(object_type="reports.dhis2", reason="push; SALUD").count() == 1
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="dhis2-push-row"' in html and "6 conflicts" in html
    assert html.count("<td>Data set is locked for this period and organisation unit</td>") == 5  # five inline
    detail = client.get(reverse("dhis2:push_detail", args=[push.pk])).content.decode()
    assert detail.count("<td>Data set is locked for this period and organisation unit</td>") == 6
    assert "WARNING" in detail and "409" in detail


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_coordinator_sees_the_result_at_once(
    march, dhis2, server_for, coordinator, client_for
):
    """Requests commit as they go (no test transaction around them): the push runs right after."""
    server_for(dhis2.url)
    response = client_for(coordinator).post(
        reverse("dhis2:push"), {"program": "SALUD", "month": "2025-03"}, follow=True
    )
    assert (
        "Sent to DHIS2: import status SUCCESS, 13 imported, 0 updated, 0 ignored."
        in response.content.decode()
    )
    dhis2.script = [
        {"status": 401, "body": {"httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR"}}
    ]
    response = client_for(coordinator).post(
        reverse("dhis2:push"), {"program": "SALUD", "month": "2025-03"}, follow=True
    )
    assert "The push failed: DHIS2 refused the credentials (HTTP 401)" in response.content.decode()


def test_the_push_button_refuses_without_a_server_or_with_problems(
    march, coordinator, client_for, server_for
):
    client = client_for(coordinator)
    response = client.post(reverse("dhis2:push"), {"program": "SALUD", "month": "2025-03"}, follow=True)
    assert "No DHIS2 server is configured" in response.content.decode()
    server_for("https://dhis2.example.org")
    OrgUnitMapping.objects.filter(site__code="SCH-01").delete()
    response = client.post(reverse("dhis2:push"), {"program": "SALUD", "month": "2025-03"}, follow=True)
    assert "The data values cannot be made yet" in response.content.decode()
    assert not DHIS2Push.objects.exists()


def test_the_push_button_only_for_the_users_programs(march, make_user, client_for, server_for):
    server_for("https://dhis2.example.org")
    client = client_for(make_user("coordinator", programs=["PAO"]))
    response = client.post(reverse("dhis2:push"), {"program": "SALUD", "month": "2025-03"})
    assert response.status_code == 302 and response["Location"] == reverse("reports:dashboard")
    assert not DHIS2Push.objects.exists()


def test_a_push_of_another_program_is_not_found(march, make_user, client_for):
    push = DHIS2Push.objects.create(month=MARCH, program=program("SALUD"))
    assert (
        client_for(make_user("coordinator", programs=["PAO"]))
        .get(reverse("dhis2:push_detail", args=[push.pk]))
        .status_code
        == 404
    )


def test_the_empty_list_says_so(march, coordinator, client_for):
    html = _get(client_for(coordinator)).content.decode()
    assert "Nothing has been pushed to DHIS2 for this program yet." in html


def _pushes(n: int, user) -> None:
    DHIS2Push.objects.bulk_create(
        [
            DHIS2Push(
                month=MARCH,
                program=program("SALUD"),
                requested_by=user if i % 2 else None,
                status="sent",
                import_status="WARNING",
                imported=i,
                conflicts=[{"object": "OrOuPaoLsur", "value": f"conflict {i}"}],
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("pushes", [1, 25])
def test_the_page_takes_a_fixed_number_of_queries(
    march, coordinator, client_for, django_assert_num_queries, pushes
):
    """Session, user, roles, programs (4); the mapping: programs, indicators, data elements, combos,
    organisation units, sites, program sites (8); per indicator the service areas, its events by
    site and one split per mapped measure (5 + 3); the pushes (count, then the page with their
    users), the server, the notifications badge (4). 25, whatever the number of pushes."""
    _pushes(pushes, coordinator)
    client = client_for(coordinator)
    with django_assert_num_queries(25):
        page = _get(client)
    assert len(page.context["page_obj"].object_list) == min(pushes, 10)


def test_the_list_is_paginated(march, coordinator, client_for):
    _pushes(12, coordinator)
    page = _get(client_for(coordinator), page=2)
    assert len(page.context["page_obj"].object_list) == 2
    assert "Page 2 of 2" in page.content.decode()


@pytest.mark.parametrize("conflicts", [0, 40])
def test_the_push_page_takes_a_fixed_number_of_queries(
    march, coordinator, client_for, django_assert_num_queries, conflicts
):
    push = DHIS2Push.objects.create(
        month=MARCH,
        program=program("SALUD"),
        status="sent",
        conflicts=[{"object": "OrOuPaoLsur", "value": f"c{i}"} for i in range(conflicts)],
    )
    client = client_for(coordinator)
    with django_assert_num_queries(6):
        page = client.get(reverse("dhis2:push_detail", args=[push.pk]))
    assert page.content.decode().count("<code>OrOuPaoLsur</code>") == conflicts


def test_the_dashboard_links_to_the_page(march, coordinator, client_for):
    from reports.actions import monthly_figures_compute

    monthly_figures_compute(month=MARCH, program_code="SALUD")
    html = client_for(coordinator).get("/reports/", {"program": "SALUD", "month": "2025-03"}).content.decode()
    assert f'href="{PAGE}?month=2025-03&amp;program=SALUD"' in html
