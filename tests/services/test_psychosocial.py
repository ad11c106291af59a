"""Psychosocial sessions: counted as direct services, with a note only the psychosocial role reads
(and every reading logged)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from orientation.models import AccessLog
from services.models import DirectService, PsychosocialSession
from tests.factories import PersonFactory, program, service_type, site

NOTE = "Refiere insomnio y recuerdos intrusivos del viaje."


def _data(**over):
    data = {
        "kind": "individual",
        "service_type": service_type("mhpss-individual").pk,
        "date": "2025-03-10",
        "program": program("SALUD").pk,
        "duration_minutes": "45",
        "confidential_note": NOTE,
    }
    data.update(over)
    return data


def _url(person):
    return reverse("services:psychosocial_session_create", args=[person.pk])


def test_individual_session_is_one_counted_service(person, psychosocial, client_for):
    response = client_for(psychosocial).post(_url(person), _data())
    session = PsychosocialSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("services:psychosocial_session_detail", args=[session.pk])
    service = DirectService.objects.get()
    assert (service.person, service.service_type.code, service.delivered_on, service.program.code) == (
        person,
        "mhpss-individual",
        date(2025, 3, 10),
        "SALUD",
    )
    assert service.psychosocial_session == session
    assert service.population_type == "transit"
    assert service.notes == ""  # the note never leaves the session
    assert session.confidential_note == NOTE and session.staff == psychosocial


def test_group_session_counts_each_participant(person, psychosocial, client_for):
    others = [PersonFactory(population_type="host"), PersonFactory(population_type="destination")]
    response = client_for(psychosocial).post(
        _url(person),
        _data(
            kind="group",
            service_type=service_type("mhpss-group").pk,
            participants=[others[0].pk, others[1].pk, others[1].pk],
        ),
    )
    assert response.status_code == 302
    session = PsychosocialSession.objects.get()
    rows = DirectService.objects.filter(psychosocial_session=session)
    assert {(s.person_id, s.population_type) for s in rows} == {
        (person.pk, "transit"),
        (others[0].pk, "host"),
        (others[1].pk, "destination"),
    }
    assert {s.service_type.code for s in rows} == {"mhpss-group"}


def test_participant_out_of_reach_is_refused(person, psychosocial, client_for):
    outsider = PersonFactory(site=site("SCH-01"))
    response = client_for(psychosocial).post(_url(person), _data(kind="group", participants=[outsider.pk]))
    assert response.status_code == 200
    assert "participants" in response.context["form"].errors
    assert not PsychosocialSession.objects.exists() and not DirectService.objects.exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"participants": ["999999"]}, "participants"),
        ({"participants": ["abc"]}, "participants"),
        ({"service_type": "doc-cpp"}, "service_type"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "2024-02-01"}, "date"),  # before SALUD started
        ({"kind": "individual", "participants": "other"}, "participants"),
    ],
)
def test_bad_input_saves_nothing(person, psychosocial, client_for, over, field):
    if over.get("service_type"):
        over["service_type"] = service_type(over["service_type"]).pk
    if over.get("participants") == "other":
        over["participants"] = [PersonFactory().pk]
    response = client_for(psychosocial).post(_url(person), _data(**over))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not PsychosocialSession.objects.exists() and not DirectService.objects.exists()


def test_only_psychosocial_services_are_offered(person, psychosocial, client_for):
    form = client_for(psychosocial).get(_url(person)).context["form"]
    codes = {st.code for st in form.fields["service_type"].queryset}
    assert codes == {"mhpss-pfa", "mhpss-individual", "mhpss-group"}
    assert form.initial["service_type"] == service_type("mhpss-individual").pk


def test_participant_search(person, psychosocial, client_for):
    match = PersonFactory(given_names="Génesis", family_names="Bermúdez Acosta")
    PersonFactory(given_names="Génesis", family_names="Colmenares", site=site("SCH-01"))
    url = reverse("services:psychosocial_participant_search", args=[person.pk])
    response = client_for(psychosocial).get(url, {"q": "genesis"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert list(response.context["people"]) == [match]
    assert f'value="{match.pk}"' in response.content.decode()
    assert client_for(psychosocial).get(url, {"q": "g"}).context["people"] == []


def _session(person, psychosocial, client_for):
    client_for(psychosocial).post(_url(person), _data())
    return PsychosocialSession.objects.get()


def test_note_is_never_on_the_other_pages(person, psychosocial, caseworker, coordinator, client_for):
    session = _session(person, psychosocial, client_for)
    detail = client_for(psychosocial).get(reverse("services:psychosocial_session_detail", args=[session.pk]))
    assert detail.status_code == 200
    assert NOTE not in detail.content.decode()
    for user in (psychosocial, caseworker, coordinator):
        page = client_for(user).get(reverse("services:person_services", args=[person.pk]))
        assert page.status_code == 200
        assert NOTE not in page.content.decode()
    assert not AccessLog.objects.exists()


def test_every_opening_of_the_note_is_logged(person, psychosocial, client_for):
    session = _session(person, psychosocial, client_for)
    client = client_for(psychosocial)
    url = reverse("services:psychosocial_note", args=[session.pk])
    full = client.get(url)
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert NOTE in full.content.decode() and NOTE in partial.content.decode()
    assert "<html" not in partial.content.decode()
    logs = AccessLog.objects.filter(action=AccessLog.Action.VIEW, object_type="services.psychosocialsession")
    assert logs.count() == 2
    assert {(log.user_id, log.object_id) for log in logs} == {(psychosocial.pk, str(session.pk))}
    assert all(NOTE not in (log.reason + log.path) for log in logs)


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "facilitator"])
def test_others_cannot_open_the_note_or_the_session(person, psychosocial, client_for, make_user, role):
    session = _session(person, psychosocial, client_for)
    client = client_for(make_user(role))
    for name in ("services:psychosocial_note", "services:psychosocial_session_detail"):
        response = client.get(reverse(name, args=[session.pk]))
        assert response.status_code == 403
        assert NOTE not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_psychosocial_of_another_site_cannot_open_it(person, psychosocial, client_for, make_user):
    session = _session(person, psychosocial, client_for)
    other = make_user("psychosocial", sites=["SCH-01"])
    for name in ("services:psychosocial_note", "services:psychosocial_session_detail"):
        assert client_for(other).get(reverse(name, args=[session.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_person_page_lists_sessions_for_the_psychosocial_role_only(
    person, psychosocial, caseworker, client_for
):
    session = _session(person, psychosocial, client_for)
    url = reverse("services:person_services", args=[person.pk])
    psy_page = client_for(psychosocial).get(url)
    assert list(psy_page.context["sessions"]) == [session]
    cw_page = client_for(caseworker).get(url)
    assert cw_page.context["sessions"] is None
    assert reverse("services:psychosocial_session_detail", args=[session.pk]) not in cw_page.content.decode()


def test_person_page_counts_every_participant_of_a_group(person, psychosocial, client_for):
    others = [PersonFactory(), PersonFactory()]
    client_for(psychosocial).post(
        _url(others[0]),
        _data(
            kind="group", service_type=service_type("mhpss-group").pk, participants=[person.pk, others[1].pk]
        ),
    )
    page = client_for(psychosocial).get(reverse("services:person_services", args=[person.pk]))
    assert [s.participant_count for s in page.context["sessions"]] == [3]


def test_caseworkers_record_sessions_only_through_the_psychosocial_role(
    person, caseworker, psychosocial, client_for
):
    url = reverse("services:direct_service_create", args=[person.pk])
    cw_codes = {
        st.code for st in client_for(caseworker).get(url).context["form"].fields["service_type"].queryset
    }
    assert "mhpss-pfa" in cw_codes and not {"mhpss-individual", "mhpss-group"} & cw_codes
    psy_codes = {
        st.code for st in client_for(psychosocial).get(url).context["form"].fields["service_type"].queryset
    }
    assert {"mhpss-individual", "mhpss-group"} <= psy_codes
