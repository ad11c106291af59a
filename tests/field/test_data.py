"""What a device may keep offline, and the pages of the installable app."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Person
from orientation.models import Site
from services.sport.models import GroupParticipant
from tests.factories import AttendanceFactory, SportSessionFactory
from tests.sport.factories import ChildFactory, GroupParticipantFactory

pytestmark = pytest.mark.django_db

PERSON_KEYS = {"id", "given_names", "family_names", "age", "light", "updated"}


def test_data_holds_only_the_users_groups_and_the_minimum_about_each_child(
    client, facilitator, group, session, kids, far_group, other_facilitator
):
    today = timezone.localdate()
    far_kid = GroupParticipantFactory(group=far_group, person=ChildFactory(site=far_group.site)).person
    left = GroupParticipantFactory(
        group=group, person=ChildFactory(), left_on=today - timedelta(days=3)
    ).person
    Person.objects.filter(pk=kids[4].pk).update(anonymized_at=timezone.now())
    upcoming = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=today + timedelta(days=3)
    )
    SportSessionFactory(group=group, site=group.site, program=group.program, date=today + timedelta(days=30))
    SportSessionFactory(group=group, site=group.site, program=group.program, date=today - timedelta(days=1))
    AttendanceFactory(session=session, person=kids[0], present=True)
    client.force_login(facilitator)

    response = client.get(reverse("field:field_data"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["user"] == facilitator.pk and data["expires_in_days"] == 7 and data["csrf_token"]
    assert [g["id"] for g in data["groups"]] == [group.pk]
    assert sorted(data["groups"][0]["participants"]) == sorted(k.pk for k in kids[:4])
    assert {p["id"] for p in data["people"]} == {k.pk for k in kids[:4]}
    assert all(set(p) == PERSON_KEYS for p in data["people"])
    assert {p["age"] for p in data["people"]} == {10}
    assert [s["id"] for s in data["sessions"]] == [session.pk, upcoming.pk]
    assert data["marks"] == [{"session": session.pk, "person": kids[0].pk, "present": True}]
    text = response.content.decode()
    for secret in [kids[0].guardian_phone, kids[0].guardian_name, far_kid.family_names, left.family_names]:
        assert secret not in text


def test_a_caseworker_gets_the_sites_of_their_outreach_registrations(client, caseworker, facilitator):
    client.force_login(caseworker)
    assert [s["name"] for s in client.get(reverse("field:field_data")).json()["outreach_sites"]] == [
        Site.objects.get(code="PAO-LS").name
    ]
    client.force_login(facilitator)
    assert client.get(reverse("field:field_data")).json()["outreach_sites"] == []


def test_the_offline_window_is_a_setting(client, facilitator, group, settings):
    settings.FIELD_OFFLINE_DAYS = 2
    today = timezone.localdate()
    inside = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=today + timedelta(days=2)
    )
    SportSessionFactory(group=group, site=group.site, program=group.program, date=today + timedelta(days=3))
    client.force_login(facilitator)
    data = client.get(reverse("field:field_data")).json()
    assert data["expires_in_days"] == 2
    assert [s["id"] for s in data["sessions"]] == [inside.pk]


def test_the_lists_travel_compressed_to_a_phone_that_accepts_it(client, facilitator, group, session):
    for _ in range(30):
        GroupParticipantFactory(group=group, person=ChildFactory())
    client.force_login(facilitator)
    plain = client.get(reverse("field:field_data"))
    packed = client.get(reverse("field:field_data"), HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    data = json.loads(gzip.decompress(packed.content))
    assert len(data["people"]) == len(plain.json()["people"]) == 30
    assert len(packed.content) * 3 < len(plain.content)


@pytest.mark.parametrize("rows", [2, 12])
def test_data_queries_do_not_grow_with_rows(client, facilitator, group, session, page_queries, rows):
    for _ in range(rows):
        kid = GroupParticipantFactory(group=group, person=ChildFactory()).person
        AttendanceFactory(session=session, person=kid)
    client.force_login(facilitator)
    # session, user, roles, the groups, the participants, the sessions, the marks
    page_queries(client, reverse("field:field_data"), 7)


@pytest.mark.parametrize("rows", [0, 8])
def test_the_app_shell_holds_no_personal_data(client, facilitator, group, page_queries, rows):
    kids = [GroupParticipantFactory(group=group, person=ChildFactory()).person for _ in range(rows)]
    client.force_login(facilitator)
    response = page_queries(client, reverse("field:field_app"), 4)
    html = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert 'rel="manifest"' in html and "field-store.js" in html and "dexie.min.js" in html
    assert all(k.family_names not in html for k in kids)


def test_the_manifest_speaks_spanish_and_english(client, settings):
    response = client.get(reverse("field:field_manifest"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["lang"] == "es" and manifest["name"] == "Orienta: pantallas de campo"
    assert manifest["scope"] == manifest["start_url"] == reverse("field:field_app")
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    english = json.loads(client.get(reverse("field:field_manifest") + "?lang=en").content)
    assert english["lang"] == "en" and english["name"] == "Orienta field screens"
    assert json.loads(client.get(reverse("field:field_manifest") + "?lang=xx").content)["lang"] == "es"


def test_the_service_worker_is_served_at_the_scope_root(client, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("field:field_service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == reverse("field:field_app")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert 'const SCOPE = "/field/"' in body and "workbox-sw.js" in body
    assert "googleapis" not in body and "cdn" not in body.lower()


def test_everything_but_static_files_is_no_store(client, facilitator, group, kids):
    client.force_login(facilitator)
    person = kids[0]
    for url in [reverse("cases:person_detail", kwargs={"pk": person.pk}), reverse("sport:sport_group_list")]:
        assert client.get(url)["Cache-Control"] == "no-store"
    assert GroupParticipant.objects.count() == 5
