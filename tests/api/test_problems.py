"""Errors are application/problem+json (RFC 9457) with a translated detail; bad input is a 400,
never a 500; too many requests is a clear 429."""

from __future__ import annotations

import pytest
from django.test import override_settings

from orientation.models import UserProfile

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["detail"]
    return body


def test_without_credentials_a_401_in_spanish_by_default(client):
    body = _problem(client.get("/api/v1/programs/"), 401)
    assert body["title"] == "No autenticado"
    assert "credenciales" in body["detail"].lower()


def test_the_detail_follows_accept_language(client):
    body = _problem(client.get("/api/v1/programs/", HTTP_ACCEPT_LANGUAGE="en"), 401)
    assert body["title"] == "Not authenticated"
    assert "credentials" in body["detail"].lower()


def test_the_detail_follows_the_language_chosen_in_orienta(client, coordinator):
    UserProfile.objects.update_or_create(user=coordinator, defaults={"language": "en"})
    client.force_login(coordinator)  # the saved language goes into the session, as at sign-in
    body = _problem(
        client.get("/api/v1/monthly-report/", {"month": "2025-13"}, HTTP_ACCEPT_LANGUAGE="es"), 400
    )
    assert body["errors"]["month"][0].startswith("Enter a month")


def test_a_tokens_user_gets_their_saved_language(client, token_for, coordinator):
    header = {"HTTP_AUTHORIZATION": f"Bearer {token_for(coordinator)}"}
    body = _problem(client.get("/api/v1/monthly-report/", {"month": "x"}, **header), 400)
    assert body["title"] == "Solicitud no válida"
    UserProfile.objects.update_or_create(user=coordinator, defaults={"language": "en"})
    body = _problem(client.get("/api/v1/monthly-report/", {"month": "x"}, **header), 400)
    assert body["title"] == "Invalid request"


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/monthly-report/", {}, "month"),
        ("/api/v1/monthly-report/", {"month": "2025-13"}, "month"),
        ("/api/v1/monthly-report/", {"month": "marzo"}, "month"),
        ("/api/v1/monthly-report/", {"month": "2025-03\n"}, "month"),
        ("/api/v1/monthly-report/", {"month": "1899-01"}, "month"),
        ("/api/v1/monthly-report/", {"month": "2025-03", "program": "PAO;DROP"}, "program"),
        ("/api/v1/targets/", {"month": "x"}, "month"),
        ("/api/v1/targets/", {"indicator": "a" * 41}, "indicator"),
        ("/api/v1/indicators/", {"page": "0"}, "page"),
        ("/api/v1/indicators/", {"page": "abc"}, "page"),
        ("/api/v1/programs/", {"page": "99999999999999999999"}, "page"),
        ("/api/v1/people/", {"population_type": "alien"}, "population_type"),
        ("/api/v1/people/", {"q": "x" * 101}, "q"),
        ("/api/v1/people/", {"site": "\x00"}, "site"),
        ("/api/v1/people/", {"site": ""}, "site"),
        ("/api/v1/targets/", {"program": ""}, "program"),
        ("/api/v1/people/", {"population_type": ""}, "population_type"),
        ("/api/v1/sites/", {"page": ""}, "page"),
    ],
)
def test_bad_query_parameters_are_a_400_naming_the_parameter(api_get, admin_user, url, params, field):
    body = _problem(api_get(admin_user, url, params), 400)
    assert field in body["errors"]
    assert field in body["detail"]


def test_a_spanish_message_for_a_bad_month(api_get, admin_user):
    body = _problem(api_get(admin_user, "/api/v1/monthly-report/", {"month": "2025-13"}), 400)
    assert body["errors"]["month"] == ["Ingrese un mes como AAAA-MM, por ejemplo 2025-03."]


@pytest.mark.parametrize("pk", ["0", "abc", "-1", "99999999999999999999999", "１２"])
def test_a_bad_person_id_is_a_404(api_get, admin_user, pk):
    _problem(api_get(admin_user, f"/api/v1/people/{pk}/"), 404)


def test_a_page_past_the_end_is_a_404(api_get, admin_user):
    _problem(api_get(admin_user, "/api/v1/programs/", {"page": "50"}), 404)


def test_a_write_is_a_405(client, token_for, admin_user):
    response = client.post(
        "/api/v1/programs/",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(admin_user)}",
    )
    _problem(response, 405)


def test_a_refused_role_gets_a_403_problem(api_get, caseworker):
    body = _problem(api_get(caseworker, "/api/v1/monthly-report/", {"month": "2025-03"}), 403)
    assert body["title"] == "Prohibido"


@override_settings(API_THROTTLE_RATES={"user": "3/minute", "anon": "2/minute"})
def test_too_many_requests_is_a_429_with_retry_after(client, token_for, coordinator):
    header = {"HTTP_AUTHORIZATION": f"Bearer {token_for(coordinator)}"}
    for _ in range(3):
        assert client.get("/api/v1/programs/", **header).status_code == 200
    response = client.get("/api/v1/programs/", **header)
    body = _problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert body["retry_after"] == int(response["Retry-After"])
    assert body["title"] == "Demasiadas solicitudes"


@override_settings(API_THROTTLE_RATES={"user": "3/minute", "anon": "2/minute"})
def test_anonymous_callers_are_throttled_by_address(client):
    for _ in range(2):
        assert client.get("/api/v1/programs/").status_code == 401
    _problem(client.get("/api/v1/programs/"), 429)
