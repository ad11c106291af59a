"""Nothing twice: every create form carries a one-time key; sending it again (a double tap, the back
button and resend) returns the first record instead of creating a second one.

The probe posts every create form 20 times with the same key (any database), and on PostgreSQL
twice at the same instant from two threads, 20 rounds per form (SAVES_REPEATS)."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.arco.models import ArcoRequest
from cases.models import CaseNote, Consent, IdentityDocument, Intake, Person, RegularizationStatus
from orientation.models import Program, SubmissionKey
from reception.models import Appointment
from services.models import DirectService, PsychosocialSession, Referral, ReferralFollowUp
from services.sport.models import HeadCount, SportGroup
from tests.factories import (
    ConsentFactory,
    PartnerFactory,
    PersonFactory,
    SportGroupFactory,
    SportSessionFactory,
    program,
    service_type,
    site,
)

from .conftest import key_in, postgres_only, run_together

TODAY = timezone.localdate()
# Each race is run this many times (two posts at the same instant); CI runs fewer (.ci/run).
REPEATS = int(os.environ.get("SAVES_REPEATS", "20"))


def years_ago(n: int) -> date:
    return TODAY.replace(year=TODAY.year - n, month=1, day=1)


class World:
    """The people and records the create forms of the probe write to."""

    def __init__(self, make_user):
        self.caseworker = make_user("caseworker")
        self.psychosocial = make_user("psychosocial")
        self.facilitator = make_user("facilitator", sites=["SCH-01"])
        self.person = PersonFactory(given_names="Yusmary Andreína", family_names="Rojas Pérez")
        ConsentFactory(person=self.person)
        self.partner = PartnerFactory(code="cs-probe", name="Centro de Salud", areas=["primary_care"])
        self.group = SportGroupFactory(name="Sub-12 probe", age_min=6, age_max=12)
        self.group.facilitators.add(self.facilitator)
        self.session = SportSessionFactory(
            group=self.group, site=self.group.site, program=self.group.program, date=TODAY
        )
        self.community = SportSessionFactory(
            group=self.group,
            site=self.group.site,
            program=self.group.program,
            date=TODAY,
            activity="community_activity",
        )
        from services.actions import referral_create

        self.referral = referral_create(
            user=self.caseworker,
            person=self.person,
            partner=self.partner,
            service_type=service_type("phc-consultation"),
            program=program("PAO"),
            referred_on=date(2025, 3, 10),
            follow_up_due=None,
            responsible=self.caseworker,
            reason="",
            allowed_programs=Program.objects.filter(code="PAO"),
        )


GIVEN = "Aurora Benjamín Celeste Dorian Esmeralda Fabricio Gisela Horacio Ingrid Julián Kiara Leopoldo Marisol Nicanor Olga Patricio Quimey Rigoberto Soledad Teodoro".split()
FAMILY = "Zambrano Yupanqui Villacorta Ugarte Tello Salazar Quispe Pizarro Ñahui Montoya Llerena Kuong Jáuregui Huamán Gamarra Farfán Echevarría Dávila Cordero Bustamante".split()


def _name(n: int, salt: int) -> str:
    """Given or family name of round n: far from the names of other rounds (no sound-alike match)."""
    return (GIVEN if salt == 1 else FAMILY)[n % 20]


def _registration(w: World, n: int = 0):
    return {
        "person-given_names": "Génesis Andreína" if n == 0 else _name(n, 1),
        "person-family_names": "Colmenares Ortega" if n == 0 else _name(n, 2),
        "person-sex": "F",
        "person-birth_date": (date(1994, 3, 2) + timedelta(days=40 * n)).isoformat(),
        "person-nationality": "VE",
        "person-population_type": "destination",
        "person-phone": "",
        "person-site": str(site().pk),
        "person-registered_on": TODAY.isoformat(),
        "household-mode": "none",
        "consent-purposes": ["data_processing"],
        "consent-method": "verbal",
        "consent-given_by": "self",
    }


# name -> (user attribute, url, data, model to count)
def create_forms(w: World) -> dict:
    p = w.person.pk
    return {
        "registration": ("caseworker", reverse("cases:person_register"), _registration(w), Person),
        "intake": (
            "caseworker",
            reverse("cases:intake_create", args=[p]),
            {
                "date": TODAY.isoformat(),
                "site": site().pk,
                "priority": "medium",
                "population_type": "transit",
                "need_documentation": "on",
                "need_documentation_detail": "CPP",
                "notes": "Llegó ayer.",
            },
            Intake,
        ),
        "case note": (
            "caseworker",
            reverse("cases:case_note_create", args=[p]),
            {"note-kind": "general", "note-text": "Llamó por su cita."},
            CaseNote,
        ),
        "consent": (
            "caseworker",
            reverse("cases:consent_create", args=[p]),
            {"purpose": "image_use", "method": "written", "given_on": TODAY.isoformat(), "given_by": "self"},
            Consent,
        ),
        "document": (
            "caseworker",
            reverse("cases:document_create", args=[p]),
            {"doc_type": "passport", "number": "P1234567", "issuing_country": "VE", "expires_on": ""},
            IdentityDocument,
        ),
        "migratory status": (
            "caseworker",
            reverse("cases:status_create", args=[p]),
            {"status": "asylum_seeker", "since": "2025-01-10", "expires_on": "", "notes": ""},
            RegularizationStatus,
        ),
        "ARCO request": (
            "caseworker",
            reverse("arco:arco_request_create", args=[p]),
            {"kind": "access", "received_on": TODAY.isoformat()},
            ArcoRequest,
        ),
        "direct service": (
            "caseworker",
            reverse("services:direct_service_create", args=[p]),
            {
                "service_type": service_type("doc-orientation").pk,
                "program": program("PAO").pk,
                "delivered_on": TODAY.isoformat(),
                "notes": "",
            },
            DirectService,
        ),
        "referral": (
            "caseworker",
            reverse("services:referral_create", args=[p]),
            {
                "service_type": service_type("phc-consultation").pk,
                "partner": w.partner.pk,
                "program": program("PAO").pk,
                "referred_on": TODAY.isoformat(),
                "follow_up_due": "",
                "responsible": w.caseworker.pk,
                "reason": "Consulta.",
            },
            Referral,
        ),
        "referral follow-up": (
            "caseworker",
            reverse("services:referral_follow_up", args=[w.referral.pk]),
            {"note": "Llamé; la cita es el viernes.", "next_due": ""},
            ReferralFollowUp,
        ),
        "psychosocial session": (
            "psychosocial",
            reverse("services:psychosocial_session_create", args=[p]),
            {
                "kind": "individual",
                "service_type": service_type("mhpss-individual").pk,
                "date": TODAY.isoformat(),
                "program": program("SALUD").pk,
                "duration_minutes": "45",
                "confidential_note": "Nota.",
            },
            PsychosocialSession,
        ),
        "sport group": (
            "facilitator",
            reverse("sport:sport_group_create"),
            {
                "program": program("BALON").pk,
                "site": site("SCH-01").pk,
                "name": "Sub-14 mixto",
                "age_min": 11,
                "age_max": 14,
                "facilitators": [],
            },
            SportGroup,
        ),
        "light profile": (
            "facilitator",
            reverse("sport:sport_light_profile_create", args=[w.session.pk]),
            {
                "given_names": "Valentina",
                "family_names": "Rojas Pérez",
                "sex": "F",
                "birth_date": years_ago(9).isoformat(),
                "nationality": "VE",
                "population_type": "destination",
                "school": "",
                "guardian_name": "Yusmary Pérez",
                "guardian_relationship": "Madre",
                "guardian_phone": "987 654 321",
                "consent_method": "written",
                "data_consent": "on",
            },
            Person,
        ),
        "head count": (
            "facilitator",
            reverse("sport:sport_head_count", args=[w.community.pk]),
            {"hc_F_5_11": "7", "hc_M_12_17": "3"},
            HeadCount,
        ),
        "appointment": (
            "caseworker",
            reverse("reception:appointment_book", args=[p]),
            {
                "site": w.person.site_id,
                "area": "documentation",
                "staff": w.caseworker.pk,
                "day": (TODAY + timedelta(days=1)).strftime("%d/%m/%Y"),
                "time": "09:00",
            },
            Appointment,
        ),
    }


FORM_NAMES = [
    "registration",
    "intake",
    "case note",
    "consent",
    "document",
    "migratory status",
    "ARCO request",
    "direct service",
    "referral",
    "referral follow-up",
    "psychosocial session",
    "sport group",
    "light profile",
    "head count",
    "appointment",
]
# Forms posted from another page: the key is read where the form is shown.
FORM_PAGES = {
    "case note": lambda w: reverse("cases:person_detail", args=[w.person.pk]),
    "referral follow-up": lambda w: reverse("services:referral_detail", args=[w.referral.pk]),
    "head count": lambda w: reverse("sport:sport_attendance", args=[w.community.pk]),
}


@pytest.fixture
def world(make_user):
    return World(make_user)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_probe_covers_every_create_form(world):
    assert sorted(create_forms(world)) == sorted(FORM_NAMES)


def _round_data(world, name: str, data: dict, n: int) -> dict:
    """Each round of the threaded probe is a new submission of a different record (a form whose
    record must be unique would otherwise refuse the second round for a good reason)."""
    if name == "registration":
        return _registration(world, n)
    if name == "document":
        return {**data, "number": f"P{1234567 + n}"}
    if name == "sport group":
        return {**data, "name": f"Sub-14 mixto {n}"}
    if name == "appointment":
        return {**data, "time": f"09:{n:02d}"}  # the staff member's next free slot
    if name == "light profile":
        return {**data, "given_names": _name(n, 1), "family_names": _name(n, 2)}
    return data


def _errors(response):
    context = response.context or {}
    if "forms" in context:
        return [f.errors for f in context["forms"].all], [c.person for c in context.get("candidates", [])]
    return context["form"].errors if "form" in context else response.status_code


def _probe_sequential(world, name):
    role, url, data, model = create_forms(world)[name]
    client = _client(getattr(world, role))
    page = FORM_PAGES.get(name, lambda w: url)(world)
    key = key_in(client.get(page))
    before = model.objects.count()
    locations = set()
    for _ in range(REPEATS):
        response = client.post(url, {**data, "submission_key": key})
        assert response.status_code == 302, (name, response.context and response.context["form"].errors)
        locations.add(response["Location"])
    created = model.objects.count() - before
    return created, locations


@pytest.mark.parametrize("name", FORM_NAMES)
def test_a_form_sent_twenty_times_saves_once(world, name):
    created, locations = _probe_sequential(world, name)
    expected = 2 if name == "head count" else 1  # the head count stores one row per filled cell
    assert created == expected, f"{name}: {created} records from {REPEATS} posts of one form"
    assert len(locations) == 1, f"{name}: the repeats did not lead back to the first record"
    assert SubmissionKey.objects.count() == 1


def test_a_repeat_says_it_was_already_saved(world):
    client = _client(world.caseworker)
    url = reverse("cases:intake_create", args=[world.person.pk])
    data = {**create_forms(world)["intake"][2], "submission_key": key_in(client.get(url))}
    client.post(url, data, follow=True)
    response = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in response.context["messages"]] == [
        "This form had already been sent: it was saved once, here it is."
    ]
    assert Intake.objects.count() == 1


def test_a_corrected_form_keeps_its_key_and_a_new_form_gets_a_new_one(world):
    client = _client(world.caseworker)
    url = reverse("cases:intake_create", args=[world.person.pk])
    key = key_in(client.get(url))
    assert key_in(client.get(url)) != key
    bad = {**create_forms(world)["intake"][2], "date": "", "submission_key": key}
    assert key_in(client.post(url, bad)) == key  # nothing saved: the same submission continues
    assert Intake.objects.count() == 0 and SubmissionKey.objects.count() == 0


def test_the_key_is_per_user(world, make_user):
    """Another caseworker who sends the same key (a shared tablet, a copied page) saves their own."""
    url = reverse("cases:case_note_create", args=[world.person.pk])
    data = {"note-kind": "general", "note-text": "Llamó.", "submission_key": "k" * 32}
    _client(world.caseworker).post(url, data)
    _client(make_user("caseworker")).post(url, data)
    assert CaseNote.objects.count() == 2


def test_a_light_profile_saved_at_the_pitch_gives_a_fresh_key_for_the_next_child(world):
    client = _client(world.facilitator)
    role, url, data, model = create_forms(world)["light profile"]
    key = key_in(client.get(url))
    response = client.post(url, {**data, "submission_key": key}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert key_in(response) != key


@pytest.mark.parametrize("name", FORM_NAMES)
@postgres_only
def test_two_posts_of_one_form_at_the_same_instant_save_once(world, name):
    role, url, data, model = create_forms(world)[name]
    page = FORM_PAGES.get(name, lambda w: url)(world)
    user = getattr(world, role)
    before = model.objects.count()
    for _round in range(REPEATS):
        key = key_in(_client(user).get(page))
        data = _round_data(world, name, data, _round)
        clients = [_client(user), _client(user)]
        body = {**data, "submission_key": key}
        responses = run_together(*[lambda c=c, body=body: c.post(url, body) for c in clients])
        assert [r.status_code for r in responses] == [302, 302], (
            name,
            _round,
            [_errors(r) for r in responses],
        )
        assert responses[0]["Location"] == responses[1]["Location"]
    created = model.objects.count() - before
    per_round = 2 if name == "head count" else 1
    # Each round is a new submission (a new key): one record per round, never two. The head count
    # is set, not added: the same cells each round.
    expected = per_round if name == "head count" else REPEATS
    assert created == expected, f"{name}: {created} records from {REPEATS} double posts"


@postgres_only
def test_two_caseworkers_registering_one_person_at_the_same_instant_make_one_record(world, make_user):
    """Two posts with different keys (two desks, one family): the duplicate check cannot be passed
    by both. One person is registered; the other caseworker is shown them as a possible duplicate."""
    other = make_user("caseworker")
    url = reverse("cases:person_register")
    created = 0
    for n in range(REPEATS):
        data = _registration(world, n)
        clients = [_client(world.caseworker), _client(other)]
        bodies = [{**data, "submission_key": key_in(c.get(url))} for c in clients]
        before = Person.objects.count()
        responses = run_together(
            *[lambda c=c, b=b: c.post(url, b) for c, b in zip(clients, bodies, strict=True)]
        )
        assert sorted(r.status_code for r in responses) == [200, 302], _errors(responses[0])
        shown = next(r for r in responses if r.status_code == 200)
        assert shown.context["candidates"], "the second caseworker must see the first person"
        created += Person.objects.count() - before
    assert created == REPEATS


@pytest.mark.parametrize(
    ("name", "views_module"), [("document", "cases.views"), ("sport group", "services.sport.views")]
)
def test_a_twin_post_checked_after_the_first_saved_leads_to_the_first_record(
    world, name, views_module, monkeypatch
):
    """Two posts of one form at once: the second passes the first look for its key before the first
    post commits, then its form finds the first post's record (a document number, a group name
    already taken). It leads to the first record instead of showing that error."""
    import importlib

    module = importlib.import_module(views_module)
    role, url, data, model = create_forms(world)[name]
    page = FORM_PAGES.get(name, lambda w: url)(world)
    user = getattr(world, role)
    client = _client(user)
    body = {**_round_data(world, name, data, 99), "submission_key": key_in(client.get(page))}
    first = client.post(url, body)
    assert first.status_code == 302
    real, calls = module.submission_repeated, []

    def late(request):  # the look before the form sees nothing yet, as in the race
        calls.append(request.path)
        return None if len(calls) == 1 else real(request)

    monkeypatch.setattr(module, "submission_repeated", late)
    second = _client(user).post(url, body)
    assert len(calls) == 2, "the view did not look for the key again after the form's error"
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert (
        model.objects.filter(
            **({"number": body["number"]} if name == "document" else {"name": body["name"]})
        ).count()
        == 1
    )
