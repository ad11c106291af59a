"""Coordinators read the people of their programs (site and data), and write nothing but targets
unless an admin grants them the data-steward permission (data requests, anonymization, imports)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cases.arco.models import ArcoRequest
from cases.models import CaseNote
from tests.factories import (
    AttendanceFactory,
    CaseNoteFactory,
    DirectServiceFactory,
    PersonFactory,
    SportGroupFactory,
    SportSessionFactory,
    program,
    service_type,
    site,
)


@pytest.fixture
def balon(make_user):
    """A coordinator of the sport program only (its sites include the orientation point)."""
    return make_user("coordinator", programs=["BALON"], steward=False)


@pytest.fixture
def orientation_case(ref):
    """Someone at the orientation point with PAO services only, a general note and an access request."""
    person = PersonFactory()
    DirectServiceFactory(person=person, program=program("PAO"))
    note = CaseNoteFactory(person=person, kind=CaseNote.Kind.GENERAL, text="Vive con su tía")
    request_obj = ArcoRequest.objects.create(person=person, kind="access", due_on=date(2025, 4, 1))
    return person, note, request_obj


def test_a_sport_coordinator_does_not_open_the_orientation_points_case_files(
    client_for, balon, orientation_case
):
    person, note, request_obj = orientation_case
    client = client_for(balon)
    assert client.get(reverse("cases:person_detail", args=[person.pk])).status_code == 403
    assert client.get(reverse("cases:case_note_detail", args=[note.pk])).status_code == 403
    assert client.get(reverse("arco:arco_request_detail", args=[request_obj.pk])).status_code == 403
    assert client.get(reverse("arco:arco_request_export_json", args=[request_obj.pk])).status_code == 403
    listed = client.get(reverse("cases:person_list")).context["page_obj"].paginator.count
    assert listed == 0
    assert (
        client.get(reverse("arco:arco_request_list"), {"status": "all"}).context["page_obj"].paginator.count
        == 0
    )


def test_a_sport_coordinator_reads_the_people_of_the_sport_program(client_for, balon, ref):
    player = PersonFactory(site=site("PAO-LS"))
    AttendanceFactory(
        person=player, session=SportSessionFactory(site=site("PAO-LS"), program=program("BALON"))
    )
    pupil = PersonFactory(site=site("SCH-01"))
    AttendanceFactory(person=pupil)
    client = client_for(balon)
    for person in (player, pupil):
        assert client.get(reverse("cases:person_detail", args=[person.pk])).status_code == 200
    assert client.get(reverse("cases:person_list")).context["page_obj"].paginator.count == 2


def test_a_coordinator_sees_only_their_programs_services_of_a_person(client_for, balon, ref):
    player = PersonFactory(site=site("PAO-LS"))
    AttendanceFactory(
        person=player, session=SportSessionFactory(site=site("PAO-LS"), program=program("BALON"))
    )
    health = DirectServiceFactory(
        person=player, program=program("SALUD"), service_type=service_type("phc-consultation")
    )
    services = (
        client_for(balon).get(reverse("services:person_services", args=[player.pk])).context["services"]
    )
    assert health.pk not in [s.pk for s in services]


@pytest.mark.parametrize("steward", [False, True])
def test_write_powers_need_the_data_steward_permission(client_for, make_user, orientation_case, steward):
    person, _note, request_obj = orientation_case
    coordinator = make_user("coordinator", programs=["PAO"], steward=steward)
    client = client_for(coordinator)
    cancellation = ArcoRequest.objects.create(person=person, kind="cancellation", due_on=date(2025, 4, 1))
    refused_or = (lambda ok: ok) if steward else (lambda ok: 403)
    assert client.get(reverse("arco:arco_request_detail", args=[request_obj.pk])).status_code == 200
    update = client.post(
        reverse("arco:arco_request_update", args=[request_obj.pk]), {"status": "done", "resolution": "x"}
    )
    assert update.status_code == refused_or(302)
    assert client.get(reverse("arco:arco_request_export_json", args=[request_obj.pk])).status_code == (
        refused_or(200)
    )
    assert client.get(reverse("arco:arco_request_anonymize", args=[cancellation.pk])).status_code == (
        refused_or(200)
    )
    assert client.get(reverse("arco:arco_request_create", args=[person.pk])).status_code == refused_or(200)
    assert client.get(reverse("imports:import_upload")).status_code == refused_or(200)
    request_obj.refresh_from_db()
    assert (request_obj.status == "done") is steward


def test_coordinators_do_not_set_sport_groups_up(client_for, make_user, ref):
    coordinator = make_user("coordinator")
    group = SportGroupFactory()
    client = client_for(coordinator)
    assert client.get(reverse("sport:sport_group_detail", args=[group.pk])).status_code == 200
    assert client.get(reverse("sport:sport_group_edit", args=[group.pk])).status_code == 403
    assert client.get(reverse("sport:sport_group_create")).status_code == 403
