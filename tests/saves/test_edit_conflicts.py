"""Nothing overwritten: two people open the same edit form and save different changes. The second
save is refused with the first person's change shown beside theirs; saving again after seeing it
keeps their values (a decision, not an accident).

The probe runs every edit form 10 times in turn (any database), and on PostgreSQL 10 times with
both saves sent at the same instant from two threads."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.arco.models import ArcoRequest
from cases.models import Person
from services.sport.models import SportGroup
from tests.factories import PersonFactory, SportGroupFactory

from .conftest import form_with, postgres_only, run_together

ROUNDS = 10
CONFLICT = "Someone else saved changes to this record after you opened it."


class World:
    def __init__(self, make_user):
        self.ana = make_user("caseworker", username="ana")
        self.beto = make_user("caseworker", username="beto")
        self.coach = make_user("facilitator", sites=["SCH-01"], username="coach")
        self.coach2 = make_user("facilitator", sites=["SCH-01"], username="coach2")
        self.person = PersonFactory(given_names="Yusmary", family_names="Rojas Pérez", phone="")
        self.group = SportGroupFactory(name="Sub-12", age_min=6, age_max=12)
        self.group.facilitators.add(self.coach, self.coach2)
        self.arco = ArcoRequest.objects.create(
            person=self.person, kind="access", received_on=timezone.localdate(), due_on=timezone.localdate()
        )


def edit_forms(w: World) -> dict:
    """name -> (two editors, page with the form, where it posts, a field, two values, stored value)."""
    return {
        "person": (
            (w.ana, w.beto),
            reverse("cases:person_edit", args=[w.person.pk]),
            reverse("cases:person_edit", args=[w.person.pk]),
            "person-phone",
            lambda n: (f"91234{n:04d}", f"98765{n:04d}"),
            lambda: Person.objects.get(pk=w.person.pk).phone,
        ),
        "sport group": (
            (w.coach, w.coach2),
            reverse("sport:sport_group_edit", args=[w.group.pk]),
            reverse("sport:sport_group_edit", args=[w.group.pk]),
            "name",
            lambda n: (f"Sub-12 A{n}", f"Sub-12 B{n}"),
            lambda: SportGroup.objects.get(pk=w.group.pk).name,
        ),
        "ARCO request": (
            (w.ana, w.beto),
            reverse("arco:arco_request_detail", args=[w.arco.pk]),
            reverse("arco:arco_request_update", args=[w.arco.pk]),
            "resolution",
            lambda n: (f"Respondido por teléfono {n}", f"Enviado por correo {n}"),
            lambda: ArcoRequest.objects.get(pk=w.arco.pk).resolution,
        ),
    }


EDIT_FORMS = ["person", "sport group", "ARCO request"]


@pytest.fixture
def world(make_user):
    return World(make_user)


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _open(client, page) -> dict:
    response = client.get(page)
    assert response.status_code == 200
    return form_with(response, "record_version")


@pytest.mark.parametrize("name", EDIT_FORMS)
def test_the_second_of_two_editors_sees_the_first_change_and_nothing_is_overwritten(world, name):
    (first, second), page, post_url, field, values, stored = edit_forms(world)[name]
    overwrites = conflicts = 0
    for n in range(ROUNDS):
        mine, theirs = values(n)
        a, b = _client(first), _client(second)
        form_a, form_b = _open(a, page), _open(b, page)
        assert a.post(post_url, {**form_a, field: mine}).status_code == 302
        response = b.post(post_url, {**form_b, field: theirs})
        if stored() != mine:
            overwrites += 1
        if response.status_code == 200 and CONFLICT in response.content.decode():
            conflicts += 1
            conflict = response.context["form"].conflict
            assert {"theirs": mine, "yours": theirs} in [
                {"theirs": r["theirs"], "yours": r["yours"]} for r in conflict["rows"]
            ]
            assert conflict["by"] in (first, None)
            # Seen and decided: saving again from the form as shown keeps the second editor's value.
            again = form_with(response, "record_version")
            assert b.post(post_url, again).status_code == 302
            assert stored() == theirs
    assert (overwrites, conflicts) == (0, ROUNDS), f"{name}: {overwrites} silent overwrites"


def test_a_save_without_changes_by_anyone_else_is_not_a_conflict(world):
    client = _client(world.ana)
    url = reverse("cases:person_edit", args=[world.person.pk])
    form = _open(client, url)
    assert client.post(url, {**form, "person-phone": "912345678"}).status_code == 302
    form = _open(client, url)
    assert client.post(url, {**form, "person-phone": "987654321"}).status_code == 302
    assert Person.objects.get(pk=world.person.pk).phone == "987654321"


@pytest.mark.parametrize("name", EDIT_FORMS)
@postgres_only
def test_two_editors_saving_at_the_same_instant_never_overwrite(world, name):
    (first, second), page, post_url, field, values, stored = edit_forms(world)[name]
    overwrites = 0
    for n in range(ROUNDS):
        mine, theirs = values(n)
        a, b = _client(first), _client(second)
        body_a = {**_open(a, page), field: mine}
        body_b = {**_open(b, page), field: theirs}
        ra, rb = run_together(
            lambda a=a, body=body_a: a.post(post_url, body), lambda b=b, body=body_b: b.post(post_url, body)
        )
        codes = sorted([ra.status_code, rb.status_code])
        assert codes == [200, 302], (name, codes)
        winner = mine if ra.status_code == 302 else theirs
        loser = rb if ra.status_code == 302 else ra
        assert CONFLICT in loser.content.decode()
        if stored() != winner:
            overwrites += 1
    assert overwrites == 0
