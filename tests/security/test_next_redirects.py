"""A ``next`` that is not a path on this site is ignored, never reversed as a view name (a 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.selectors import break_glass_token
from tests.factories import PersonFactory, site

NOT_A_PATH = [
    '"><img src=x onerror=alert(1)>',
    "home",
    "person_detail",
    "https://evil.example.org/",
    "//evil",
]


@pytest.mark.parametrize("target", NOT_A_PATH)
def test_break_glass_ignores_a_next_that_is_not_a_local_path(client, make_user, ref, target):
    person = PersonFactory(site=site("SCH-02"))
    user = make_user("caseworker", sites=["PAO-LS"])
    client.force_login(user)
    url = reverse("cases:break_glass_open", kwargs={"token": break_glass_token(user, person.pk)})
    response = client.post(url, {"reason": "Atención derivada desde otra sede hoy", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:person_detail", kwargs={"pk": person.pk})
    # Already open now: a GET with the same next goes to the person's page too.
    response = client.get(url, {"next": target})
    assert response["Location"] == reverse("cases:person_detail", kwargs={"pk": person.pk})


def test_break_glass_follows_a_local_path(client, make_user, ref):
    person = PersonFactory(site=site("SCH-02"))
    user = make_user("caseworker", sites=["PAO-LS"])
    client.force_login(user)
    target = reverse("services:person_services", kwargs={"person_pk": person.pk})
    url = reverse("cases:break_glass_open", kwargs={"token": break_glass_token(user, person.pk)})
    response = client.post(url, {"reason": "Atención derivada desde otra sede hoy", "next": target})
    assert response["Location"] == target


@pytest.mark.parametrize("target", NOT_A_PATH)
def test_services_next_is_a_local_path_or_the_default(rf, target):
    from orientation.http import next_url_safe

    assert next_url_safe(rf.post("/", {"next": target}), "/default/") == "/default/"
    assert next_url_safe(rf.post("/", {"next": "/people/1/"}), "/default/") == "/people/1/"


@pytest.mark.parametrize("target", NOT_A_PATH)
def test_mfa_verify_ignores_a_next_that_is_not_a_local_path(client, make_user, target):
    client.force_login(make_user("caseworker"))
    response = client.get(reverse("mfa:mfa_verify"), {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"
