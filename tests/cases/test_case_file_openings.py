"""Every opening of a case file is in the access log; the timeline of a person in psychosocial care
tells caseworkers only that a specialist follows them."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from orientation.models import AccessLog
from services.models import DirectService, PsychosocialSession
from tests.factories import DirectServiceFactory, PersonFactory, program, service_type


def _session_service(person):
    session = PsychosocialSession.objects.create(
        site=person.site,
        program=program("SALUD"),
        service_type=service_type("mhpss-individual"),
        date=date(2025, 3, 11),
        confidential_note="Nota",
    )
    return DirectService.objects.create(
        person=person,
        site=person.site,
        program=session.program,
        service_type=session.service_type,
        delivered_on=session.date,
        population_type=person.population_type,
        psychosocial_session=session,
    )


@pytest.mark.parametrize("role", ["caseworker", "psychosocial", "coordinator", "admin"])
def test_every_opening_of_a_case_file_is_logged(client_for, make_user, ref, role):
    person = PersonFactory()
    DirectServiceFactory(person=person)  # a PAO service: the PAO coordinator reads the file
    user = make_user(role, programs=["PAO"]) if role == "coordinator" else make_user(role)
    client = client_for(user)
    for _ in range(2):
        assert client.get(reverse("cases:person_detail", args=[person.pk])).status_code == 200
    logged = AccessLog.objects.filter(user=user, object_type="cases.person", object_id=str(person.pk))
    assert list(logged.values_list("action", flat=True)) == ["view", "view"]


def test_a_refused_opening_is_not_logged_as_a_view(client_for, make_user, ref):
    person = PersonFactory()
    client_for(make_user("facilitator", sites=["SCH-01"])).get(
        reverse("cases:person_detail", args=[person.pk])
    )
    assert not AccessLog.objects.filter(action="view").exists()


@pytest.mark.parametrize(
    ("role", "sees_sessions", "sees_marker"),
    [("caseworker", False, True), ("psychosocial", True, False), ("coordinator", False, False)],
)
def test_psychosocial_care_shows_to_caseworkers_only_as_a_specialist_following(
    client_for, make_user, ref, role, sees_sessions, sees_marker
):
    person = PersonFactory()
    care = _session_service(person)
    documentation = DirectServiceFactory(person=person)
    user = make_user(role, programs=["PAO", "SALUD"]) if role == "coordinator" else make_user(role)
    client = client_for(user)
    response = client.get(reverse("cases:person_detail", args=[person.pk]))
    shown = [e.obj.pk for e in response.context["timeline"] if e.kind == "service"]
    assert documentation.pk in shown
    assert (care.pk in shown) is sees_sessions
    page = response.content.decode()
    assert ('data-testid="specialist-follows"' in page) is sees_marker
    assert ("mhpss-individual" in page or care.service_type.name in page) is sees_sessions
    services = client.get(reverse("services:person_services", args=[person.pk])).context["services"]
    assert (care.pk in [s.pk for s in services]) is sees_sessions


def test_no_marker_without_psychosocial_care(client_for, caseworker, ref):
    person = PersonFactory()
    DirectServiceFactory(person=person)
    page = client_for(caseworker).get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    assert 'data-testid="specialist-follows"' not in page
