"""Who may reach which page of a case file: each role, at its own site and at another site."""

import pytest
from django.urls import reverse

from cases.models import CaseNote, Person
from orientation.models import AccessLog
from tests.factories import CaseNoteFactory, ConsentFactory, DirectServiceFactory, PersonFactory, site

ROLES = ["caseworker", "psychosocial", "facilitator", "coordinator", "admin"]


@pytest.fixture
def users(make_user):
    """Every role working at PAO-LS (the coordinator through the PAO and SALUD programs only)."""
    return {
        "caseworker": make_user("caseworker", sites=["PAO-LS"]),
        "psychosocial": make_user("psychosocial", sites=["PAO-LS"]),
        "facilitator": make_user("facilitator", sites=["PAO-LS"]),
        "coordinator": make_user("coordinator", programs=["PAO", "SALUD"]),
        "admin": make_user("admin"),
    }


@pytest.fixture
def own(ref):
    person = PersonFactory(site=site("PAO-LS"))
    DirectServiceFactory(person=person)  # a PAO service: how the PAO coordinator reaches the person
    return person


@pytest.fixture
def other(ref):
    return PersonFactory(site=site("SCH-01"))


def _status(client, url, method="get", data=None):
    response = getattr(client, method)(url, data or {})
    if response.status_code == 302 and "/break-glass/" in response["Location"]:
        return "glass"
    return response.status_code


READ_EXPECTED = {
    # role: (own site, other site)
    "caseworker": (200, "glass"),
    "psychosocial": (200, "glass"),
    "facilitator": (403, 403),
    "coordinator": (200, 403),
    "admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_person_page(client_for, users, own, other, role):
    client = client_for(users[role])
    url = lambda p: reverse("cases:person_detail", args=[p.pk])  # noqa: E731
    assert (_status(client, url(own)), _status(client, url(other))) == READ_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_people_list(client_for, users, own, other, role):
    response = client_for(users[role]).get(reverse("cases:person_list"))
    if role == "facilitator":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {p.pk for p in response.context["people"]}
    assert own.pk in shown
    assert (other.pk in shown) is (role == "admin")


WRITE_URLS = [
    ("cases:person_edit", "get"),
    ("cases:person_edit", "post"),
    ("cases:person_archive", "post"),
    ("cases:person_restore", "post"),
    ("cases:intake_create", "get"),
    ("cases:intake_create", "post"),
    ("cases:case_note_create", "post"),
    ("cases:consent_create", "post"),
    ("cases:document_create", "post"),
    ("cases:status_create", "post"),
    ("cases:person_duplicates", "get"),
]


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
@pytest.mark.parametrize(("name", "method"), WRITE_URLS)
def test_facilitator_and_coordinator_cannot_write(client_for, users, own, role, name, method):
    client = client_for(users[role])
    before = Person.history.count()
    assert _status(client, reverse(name, args=[own.pk]), method, {"archive-reason": "x" * 20}) == 403
    assert Person.history.count() == before


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
def test_facilitator_and_coordinator_cannot_register(client_for, users, role):
    client = client_for(users[role])
    assert client.get(reverse("cases:person_register")).status_code == 403
    assert client.post(reverse("cases:person_register"), {}).status_code == 403
    assert client.post(reverse("cases:duplicate_check"), {}).status_code == 403
    assert client.get(reverse("cases:intake_today")).status_code == 403


def test_coordinator_sees_no_write_buttons(client_for, users, own):
    content = client_for(users["coordinator"]).get(reverse("cases:person_detail", args=[own.pk])).content
    assert b'data-testid="person-actions"' not in content
    assert (
        b'data-testid="register-person"'
        not in client_for(users["coordinator"]).get(reverse("cases:person_list")).content
    )


@pytest.mark.parametrize("role", ["caseworker", "psychosocial"])
@pytest.mark.parametrize(("name", "method"), WRITE_URLS)
def test_case_workers_need_the_glass_for_another_sites_writes(client_for, users, other, role, name, method):
    assert _status(client_for(users[role]), reverse(name, args=[other.pk]), method) == "glass"


# Admins administer accounts, not clinical content: they do not read psychosocial notes either.
PSY_EXPECTED = {"caseworker": 403, "psychosocial": 200, "facilitator": 403, "coordinator": 403, "admin": 403}


@pytest.mark.parametrize("role", ROLES)
def test_psychosocial_note(client_for, users, own, role):
    note = CaseNoteFactory(person=own, kind="psychosocial", text="Texto confidencial de la sesión")
    general = CaseNoteFactory(person=own, kind="general", text="Nota general visible")
    client = client_for(users[role])
    assert client.get(reverse("cases:case_note_detail", args=[note.pk])).status_code == PSY_EXPECTED[role]
    logged = AccessLog.objects.filter(action="view", object_type="cases.casenote", object_id=str(note.pk))
    assert logged.count() == (1 if PSY_EXPECTED[role] == 200 else 0)
    if role != "facilitator":
        page = client.get(reverse("cases:person_detail", args=[own.pk])).content.decode()
        # The note's text is never on the person page; only psychosocial readers see it exists.
        assert "Texto confidencial" not in page
        assert ("open-psychosocial-note" in page) is (role == "psychosocial")
        assert "Nota general visible" in page
    assert general.pk


def test_psychosocial_note_of_another_site_needs_the_glass(client_for, users, other):
    note = CaseNoteFactory(person=other, kind="psychosocial")
    response = client_for(users["psychosocial"]).get(reverse("cases:case_note_detail", args=[note.pk]))
    assert response.status_code == 302 and "/break-glass/" in response["Location"]
    assert not AccessLog.objects.filter(action="view").exists()


def test_only_psychosocial_readers_write_psychosocial_notes(client_for, users, own):
    url = reverse("cases:case_note_create", args=[own.pk])
    client_for(users["caseworker"]).post(url, {"note-kind": "psychosocial", "note-text": "intento"})
    assert not CaseNote.objects.filter(kind="psychosocial").exists()
    client_for(users["psychosocial"]).post(url, {"note-kind": "psychosocial", "note-text": "sesión"})
    assert CaseNote.objects.filter(kind="psychosocial").count() == 1


def test_consent_withdrawal_of_another_site_needs_the_glass(client_for, users, other):
    consent = ConsentFactory(person=other)
    response = client_for(users["caseworker"]).post(reverse("cases:consent_withdraw", args=[consent.pk]))
    assert response.status_code == 302 and "/break-glass/" in response["Location"]
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
def test_break_glass_is_for_case_workers_only(client_for, users, other, role):
    client = client_for(users[role])
    url = reverse("cases:break_glass", args=[other.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Necesito ver su expediente urgente"}).status_code == 403
    assert not AccessLog.objects.filter(action="break_glass").exists()


def test_unknown_person_is_a_404(client_for, users):
    assert (
        client_for(users["caseworker"]).get(reverse("cases:person_detail", args=[999999])).status_code == 404
    )


def test_signed_out_visitors_go_to_the_login(client, own):
    response = client.get(reverse("cases:person_detail", args=[own.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
