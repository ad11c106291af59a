"""Confidential psychosocial notes: only psychosocial specialists read them, anywhere, and a group
session's note reaches neither another site's specialist (without breaking the glass for every
participant) nor one participant's subject-access export."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.arco.export import person_export, person_export_sections
from cases.arco.models import ArcoRequest
from cases.models import CaseNote
from orientation.actions import access_log_record
from orientation.models import AccessLog
from services.models import DirectService, PsychosocialSession
from tests.factories import CaseNoteFactory, PersonFactory, program, second_orientation_site, service_type

PSY_NOTE = "Refiere pesadillas desde el cruce por Tumbes"
GROUP_NOTE = "En grupo, Ana habló del abuso que sufrió en el camino"
INDIVIDUAL_NOTE = "Duelo migratorio, llanto al hablar de su madre"


def _session(people, *, kind="group", note=GROUP_NOTE):
    session = PsychosocialSession.objects.create(
        kind=kind,
        site=people[0].site,
        program=program("SALUD"),
        service_type=service_type("mhpss-group" if kind == "group" else "mhpss-individual"),
        date=date(2025, 3, 11),
        confidential_note=note,
    )
    for person in people:
        DirectService.objects.create(
            person=person,
            site=person.site,
            program=session.program,
            service_type=session.service_type,
            delivered_on=session.date,
            population_type=person.population_type,
            psychosocial_session=session,
        )
    return session


# --- Item: admins administer accounts, not clinical content ---------------------------------------


@pytest.mark.parametrize("name", ["services:psychosocial_note", "services:psychosocial_session_detail"])
def test_an_admin_cannot_open_a_psychosocial_session_or_its_note(client_for, make_user, ref, name):
    session = _session([PersonFactory()], kind="individual", note=INDIVIDUAL_NOTE)
    response = client_for(make_user("admin")).get(reverse(name, args=[session.pk]))
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_an_admin_cannot_open_a_confidential_case_note(client_for, make_user, ref):
    note = CaseNoteFactory(person=PersonFactory(), kind=CaseNote.Kind.PSYCHOSOCIAL, text=PSY_NOTE)
    admin_client = client_for(make_user("admin"))
    assert admin_client.get(reverse("cases:case_note_detail", args=[note.pk])).status_code == 403
    page = admin_client.get(reverse("cases:person_detail", args=[note.person_id])).content.decode()
    assert "open-psychosocial-note" not in page and PSY_NOTE not in page


def test_an_admins_arco_export_withholds_every_psychosocial_note(client_for, make_user, ref):
    person = PersonFactory()
    CaseNoteFactory(person=person, kind=CaseNote.Kind.PSYCHOSOCIAL, text=PSY_NOTE)
    _session([person], kind="individual", note=INDIVIDUAL_NOTE)
    request_obj = ArcoRequest.objects.create(person=person, kind="access", due_on=date(2025, 4, 1))
    client = client_for(make_user("admin"))
    response = client.get(reverse("arco:arco_request_export_json", args=[request_obj.pk]))
    assert response.status_code == 200
    data = json.loads(response.content)
    text = json.dumps(data, ensure_ascii=False)
    assert PSY_NOTE not in text and INDIVIDUAL_NOTE not in text
    assert data["withheld"] == {"cases.casenote": 1, "services.psychosocialsession": 1}
    page = client.get(reverse("arco:arco_request_export_print", args=[request_obj.pk])).content.decode()
    assert PSY_NOTE not in page and INDIVIDUAL_NOTE not in page and 'data-testid="withheld"' in page


def test_no_admin_page_shows_notes_or_their_history():
    """The Django admin (where admins work) registers neither notes nor sessions, nor their history."""
    shown = {model._meta.label_lower for model in admin.site._registry}
    for label in ("cases.casenote", "services.psychosocialsession"):
        assert label not in shown
        assert label.replace(".", ".historical") not in shown


# --- Item: group sessions are scoped like people ---------------------------------------------------


@pytest.fixture
def across_sites(ref, make_user):
    """A group session with a participant at PAO-LS and one at the second orientation point."""
    north = second_orientation_site()
    here = PersonFactory(given_names="Ana")
    there = PersonFactory(given_names="Berta", site=north)
    session = _session([here, there])
    specialist = make_user("psychosocial", sites=["PAO-LS"])
    return session, here, there, specialist


@pytest.mark.parametrize("name", ["services:psychosocial_note", "services:psychosocial_session_detail"])
def test_a_group_session_with_another_sites_participant_is_hidden(client_for, across_sites, name):
    session, _here, there, specialist = across_sites
    client = client_for(specialist)
    response = client.get(reverse(name, args=[session.pk]))
    assert response.status_code == 404
    assert GROUP_NOTE not in response.content.decode()
    # Once the glass is broken for the other participant (a typed, logged reason), it opens.
    access_log_record(user=specialist, action=AccessLog.Action.BREAK_GLASS, obj=there, reason="Derivación")
    assert client.get(reverse(name, args=[session.pk])).status_code == 200


def test_the_other_sites_specialist_does_not_see_it_either(client_for, make_user, across_sites):
    session, _here, _there, _specialist = across_sites
    north = make_user("psychosocial", sites=["PAO-NO"])
    response = client_for(north).get(reverse("services:psychosocial_note", args=[session.pk]))
    assert response.status_code == 404


def test_the_persons_session_list_leaves_out_group_sessions_with_hidden_participants(
    client_for, across_sites
):
    session, here, _there, specialist = across_sites
    own = _session([here], kind="individual", note=INDIVIDUAL_NOTE)
    response = client_for(specialist).get(reverse("services:person_services", args=[here.pk]))
    listed = [s.pk for s in response.context["sessions"]]
    assert listed == [own.pk]
    assert session.pk not in listed


def test_a_group_note_is_not_in_one_participants_arco_export(across_sites):
    session, here, _there, specialist = across_sites
    _session([here], kind="individual", note=INDIVIDUAL_NOTE)
    data = person_export(person=here, user=specialist)
    text = json.dumps(data, ensure_ascii=False)
    assert INDIVIDUAL_NOTE in text  # the person's own note, handed over by a specialist
    assert GROUP_NOTE not in text and "Berta" not in text
    rows = {row["id"]: row for row in data["records"]["services.psychosocialsession"]}
    assert rows[session.pk]["confidential_note"] is None  # the session is listed, its note is not
    assert data["redacted"] == {"services.psychosocialsession": 1}
    sections, _empty, _data = person_export_sections(person=here, user=specialist)
    printed = json.dumps([s["rows"] for s in sections], ensure_ascii=False)
    assert GROUP_NOTE not in printed and INDIVIDUAL_NOTE in printed
