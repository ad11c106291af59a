"""The person page, edits with history, archive, break the glass, intakes, notes and consent."""

from datetime import date, time, timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseNote, Consent, Household, IdentityDocument, Intake, Person, RegularizationStatus
from cases.selectors import break_glass_token
from orientation.models import AccessLog
from reception.models import Appointment
from tests.factories import (
    AttendanceFactory,
    CaseNoteFactory,
    ConsentFactory,
    DirectServiceFactory,
    IdentityDocumentFactory,
    IntakeFactory,
    IntakeNeedFactory,
    PersonFactory,
    PlanActionFactory,
    ReferralFactory,
    RegularizationStatusFactory,
    SportSessionFactory,
    site,
)

TODAY = timezone.localdate()


def _detail(person):
    return reverse("cases:person_detail", args=[person.pk])


def _fill_timeline(person, rows, user):
    for i in range(rows):
        intake = IntakeFactory(person=person, caseworker=user, date=date(2025, 1, 1) + timedelta(days=i))
        IntakeNeedFactory(intake=intake, area="documentation")
        IntakeNeedFactory(intake=intake, area="primary_care")
        DirectServiceFactory(person=person, staff=user)
        ReferralFactory(person=person)
        AttendanceFactory(
            person=person, session=SportSessionFactory(date=date(2024, 1, 1) + timedelta(days=i))
        )
        CaseNoteFactory(person=person, author=user)
        CaseNoteFactory(person=person, author=user, kind="psychosocial")
        IdentityDocumentFactory(person=person)
        RegularizationStatusFactory(person=person, recorded_by=user)
        ConsentFactory(person=person, recorded_by=user)
        Appointment.objects.create(
            person=person,
            site=person.site,
            area="documentation",
            staff=user,
            date=date(2025, 1, 1) + timedelta(days=i),
            time=time(9, 30),
            status="missed",
        )
        PlanActionFactory(person=person, responsible=user, need=intake.needs.first())
        person.phone = f"98765{i:04d}"
        person.save()
    person.household = Household.objects.create(code=f"H-Q{rows}", site=person.site)
    person.relationship = "head"
    person.save()
    PersonFactory.create_batch(rows, household=person.household, relationship="child")


# Queries of the person page, exact, whatever the number of rows: session and user, the person and
# their sites, one query per section (documents, statuses, consents, intakes and needs, services,
# referrals, attendance, appointments, notes, history, household members, vulnerabilities...), and the insert of
# the access-log row (+1: every opening of a case file is logged). Caseworkers have one more: whether
# a specialist follows the person (the sessions themselves stay off their timeline). Coordinators
# have two more: their programs, and whether the person has a record of one of them (their scope).
# The case status changes are a section of their own (one query; a closed case has more: see
# tests/cases/test_case_status.py). The case plan: one query for its actions (every reader), one
# for the intakes still without a plan (those who write).
PERSON_PAGE_QUERIES = {"caseworker": 25, "psychosocial": 24, "coordinator": 25}


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("role", ["caseworker", "psychosocial", "coordinator"])
def test_person_page_query_count_does_not_grow_with_rows(
    client_for, make_user, django_assert_num_queries, rows, role
):
    user = make_user(role, programs=["PAO"]) if role == "coordinator" else make_user(role)
    person = PersonFactory()
    _fill_timeline(person, rows, user)
    client = client_for(user)
    with django_assert_num_queries(PERSON_PAGE_QUERIES[role]):
        response = client.get(_detail(person))
    assert response.status_code == 200
    kinds = {entry.kind for entry in response.context["timeline"]}
    assert kinds >= {
        "intake",
        "service",
        "referral",
        "attendance",
        "appointment",
        "note",
        "document",
        "status",
        "consent",
        "change",
    }
    notes = [e for e in response.context["timeline"] if e.kind == "note"]
    assert len(notes) == (2 * rows if role == "psychosocial" else rows)
    assert len(response.context["members"]) == rows


def test_person_page_shows_the_story(client_for, caseworker):
    person = PersonFactory(given_names="Daniela", family_names="Ortega Salas")
    intake = IntakeFactory(person=person, caseworker=caseworker, notes="Llegó con su hija")
    IntakeNeedFactory(intake=intake, area="protection", detail="orientación legal")
    RegularizationStatusFactory(person=person, status="cpp", expires_on=TODAY + timedelta(days=10))
    response = client_for(caseworker).get(_detail(person))
    html = response.content.decode()
    assert "Llegó con su hija" in html and "orientación legal" in html
    assert response.context["current_status"].status == "cpp"
    assert len(response.context["expiring_soon"]) == 1


def test_edit_keeps_history_with_user_and_reason(client_for, caseworker):
    person = PersonFactory(phone="987000111", given_names="Ana")
    client = client_for(caseworker)
    url = reverse("cases:person_edit", args=[person.pk])
    form = client.get(url).context["form"]
    data = {f"person-{k}": v for k, v in form.initial.items() if v is not None and k != "vulnerabilities"}
    data.update(
        {
            "person-phone": "+51 987 000 222",
            "person-nationality": "VE",
            "person-change_reason": "nuevo número",
            "household-mode": "none",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.phone == "987000222"
    latest = person.history.first()
    assert latest.history_user == caseworker
    assert latest.history_change_reason == "nuevo número"
    changes = client.get(_detail(person)).context["changes"]
    phone_label = str(Person._meta.get_field("phone").verbose_name)
    assert [(str(c.label), c.old, c.new) for c in changes[0].changes] == [
        (phone_label, "987000111", "987000222")
    ]


def test_edit_with_bad_data_changes_nothing(client_for, caseworker):
    person = PersonFactory(birth_date=date(1990, 1, 1))
    client = client_for(caseworker)
    url = reverse("cases:person_edit", args=[person.pk])
    data = {f"person-{k}": v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    data.pop("person-vulnerabilities", None)
    data.update({"person-birth_date": (TODAY + timedelta(days=3)).isoformat(), "household-mode": "none"})
    assert client.post(url, data).status_code == 200
    person.refresh_from_db()
    assert person.birth_date == date(1990, 1, 1)


def test_archive_instead_of_delete(client_for, caseworker):
    person = PersonFactory()
    client = client_for(caseworker)
    url = reverse("cases:person_archive", args=[person.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"archive-reason": ""})
    person.refresh_from_db()
    assert person.archived_at is None
    client.post(url, {"archive-reason": "Registrada dos veces"})
    person.refresh_from_db()
    assert person.archived_at is not None and person.archive_reason == "Registrada dos veces"
    assert Person.objects.filter(pk=person.pk).exists()
    assert person.pk not in [p.pk for p in client.get(reverse("cases:person_list")).context["people"]]
    client.post(reverse("cases:person_restore", args=[person.pk]))
    person.refresh_from_db()
    assert person.archived_at is None


def test_break_the_glass(client_for, caseworker):
    other = PersonFactory(site=site("SCH-01"))
    client = client_for(caseworker)
    wanted = reverse("cases:intake_create", args=[other.pk])
    response = client.get(wanted)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:break_glass", args=[other.pk]))
    # An address with the id opens nothing: the glass is broken from a search result's signed link.
    assert client.get(response["Location"]).status_code == 403
    glass = reverse("cases:break_glass_open", args=[break_glass_token(caseworker, other.pk)])
    page = client.get(glass)
    assert page.status_code == 200 and "person" not in page.context
    response = client.post(glass, {"reason": "corta"})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert not AccessLog.objects.filter(action="break_glass").exists()
    response = client.post(glass, {"reason": "Atención de urgencia en el PAO", "next": wanted})
    assert response.status_code == 302 and response["Location"] == wanted
    log = AccessLog.objects.get(action="break_glass")
    assert (log.user, log.object_type, log.object_id, log.reason) == (
        caseworker,
        "cases.person",
        str(other.pk),
        "Atención de urgencia en el PAO",
    )
    assert client.get(wanted).status_code == 200
    assert client.get(_detail(other)).status_code == 200


def test_break_the_glass_refuses_outside_redirects(client_for, caseworker):
    other = PersonFactory(site=site("SCH-01"))
    response = client_for(caseworker).post(
        reverse("cases:break_glass_open", args=[break_glass_token(caseworker, other.pk)]),
        {"reason": "Atención de urgencia en el PAO", "next": "https://evil.example/"},
    )
    assert response["Location"] == _detail(other)


def test_htmx_requests_are_sent_to_the_glass_with_a_header(client_for, caseworker):
    other = PersonFactory(site=site("SCH-01"))
    response = client_for(caseworker).get(_detail(other), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("cases:break_glass", args=[other.pk]))


def test_intake_updates_the_current_population_type(client_for, caseworker):
    person = PersonFactory(population_type="transit")
    client = client_for(caseworker)
    url = reverse("cases:intake_create", args=[person.pk])
    response = client.post(
        url,
        {
            "date": TODAY.isoformat(),
            "site": site().pk,
            "priority": "high",
            "population_type": "destination",
            "need_documentation": "on",
            "need_documentation_detail": "CPP",
            "need_psychosocial_detail": "duelo migratorio",
            "notes": "",
        },
    )
    assert response.status_code == 302
    intake = Intake.objects.get(person=person)
    assert (intake.caseworker, intake.population_type, intake.priority) == (caseworker, "destination", "high")
    assert dict(intake.needs.values_list("area", "detail")) == {
        "documentation": "CPP",
        "psychosocial": "duelo migratorio",
    }
    person.refresh_from_db()
    assert person.population_type == "destination"

    # A late entry of an older visit keeps its own population type but does not undo the newer one.
    client.post(
        url,
        {
            "date": (TODAY - timedelta(days=30)).isoformat(),
            "site": site().pk,
            "priority": "low",
            "population_type": "transit",
            "need_other": "on",
        },
    )
    person.refresh_from_db()
    assert person.population_type == "destination"
    assert Intake.objects.filter(person=person, population_type="transit").count() == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_today_list(client_for, caseworker, django_assert_num_queries, rows):
    for person in PersonFactory.create_batch(rows):
        intake = IntakeFactory(person=person, date=TODAY, caseworker=caseworker)
        IntakeNeedFactory(intake=intake)
    IntakeFactory(person=PersonFactory(), date=TODAY - timedelta(days=1))
    IntakeFactory(person=PersonFactory(site=site("SCH-01")), date=TODAY)
    client = client_for(caseworker)
    with django_assert_num_queries(9):
        response = client.get(reverse("cases:intake_today"))
    assert response.context["page_obj"].paginator.count == rows
    assert len(response.context["intakes"]) == min(rows, 25)


def test_today_list_empty_state(client_for, caseworker):
    assert b"empty-state" in client_for(caseworker).get(reverse("cases:intake_today")).content


def test_home_widget_counts_todays_intakes_at_the_users_sites(caseworker, facilitator):
    for person in PersonFactory.create_batch(7):
        IntakeFactory(person=person, date=TODAY)
    IntakeFactory(person=PersonFactory(site=site("SCH-01")), date=TODAY)
    template = Template("{% load cases_tags %}{% today_intakes_widget %}")
    request = RequestFactory().get("/")
    request.user = caseworker
    html = template.render(Context({"request": request}))
    assert 'data-testid="today-intakes-widget"' in html
    assert '<span class="badge text-bg-primary">7</span>' in html
    assert html.count("/people/") == 5 + 1  # the last five, and the link to the whole list
    request.user = facilitator
    assert "today-intakes-widget" not in template.render(Context({"request": request}))


def test_notes_and_consent(client_for, psychosocial):
    person = PersonFactory(birth_date=TODAY - timedelta(days=365 * 10))
    client = client_for(psychosocial)
    client.post(
        reverse("cases:case_note_create", args=[person.pk]), {"note-kind": "general", "note-text": "Llamar"}
    )
    assert CaseNote.objects.get().author == psychosocial

    url = reverse("cases:consent_create", args=[person.pk])
    data = {"purpose": "image_use", "method": "written", "given_on": TODAY.isoformat(), "given_by": "self"}
    response = client.post(url, data)
    assert response.status_code == 200 and "given_by" in response.context["form"].errors
    data.update({"given_by": "guardian", "guardian_name": "Rosa Ortega", "guardian_relationship": "madre"})
    assert client.post(url, data).status_code == 302
    consent = Consent.objects.get()
    assert (consent.recorded_by, consent.guardian_name) == (psychosocial, "Rosa Ortega")

    withdraw = reverse("cases:consent_withdraw", args=[consent.pk])
    client.post(withdraw, {"withdrawn_on": (consent.given_on - timedelta(days=1)).isoformat()})
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    client.post(withdraw, {"withdrawn_on": TODAY.isoformat()})
    consent.refresh_from_db()
    assert (consent.withdrawn_on, consent.withdrawn_by) == (TODAY, psychosocial)
    assert not consent.is_active


def test_documents_and_status(client_for, caseworker):
    person = PersonFactory()
    client = client_for(caseworker)
    url = reverse("cases:document_create", args=[person.pk])
    assert client.post(url, {"doc_type": "dni", "number": "1234"}).status_code == 200
    assert client.post(url, {"doc_type": "dni", "number": "4512 3456"}).status_code == 302
    assert IdentityDocument.objects.get().number == "45123456"
    status_url = reverse("cases:status_create", args=[person.pk])
    bad = {"status": "cpp", "since": "2025-02-01", "expires_on": "2025-01-01"}
    assert client.post(status_url, bad).status_code == 200
    assert (
        client.post(
            status_url, {"status": "cpp", "since": "2025-02-01", "expires_on": "2029-02-01"}
        ).status_code
        == 302
    )
    assert RegularizationStatus.objects.get().recorded_by == caseworker


def test_expiry_reminders_are_sent_once_to_the_sites_case_workers(make_user):
    from cases.tasks import expiry_reminders_task
    from orientation.models import Notification

    here = make_user("caseworker", sites=["PAO-LS"])
    psy = make_user("psychosocial", sites=["PAO-LS"])
    make_user("caseworker", sites=["SCH-01"])
    make_user("facilitator", sites=["PAO-LS"])
    person = PersonFactory()
    soon = IdentityDocumentFactory(person=person, expires_on=TODAY + timedelta(days=10))
    IdentityDocumentFactory(person=person, expires_on=TODAY + timedelta(days=90))
    # An older status that expires soon is superseded by the current one: no reminder for it.
    RegularizationStatusFactory(person=person, since=date(2024, 1, 1), expires_on=TODAY + timedelta(days=5))
    current = RegularizationStatusFactory(
        person=person, since=date(2025, 1, 1), expires_on=TODAY + timedelta(days=20)
    )
    expiry_reminders_task.delay()
    notes = Notification.objects.order_by("user_id", "key")
    assert {n.user_id for n in notes} == {here.pk, psy.pk}
    assert notes.count() == 4  # the document and the current status, for two people at the site
    assert all(n.url == reverse("cases:person_detail", args=[person.pk]) for n in notes)
    assert {n.key for n in notes} == {
        f"expiry:document:{soon.pk}:{soon.expires_on.isoformat()}",
        f"expiry:status:{current.pk}:{current.expires_on.isoformat()}",
    }
    expiry_reminders_task.delay()
    assert Notification.objects.count() == 4
