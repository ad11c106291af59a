"""ARCO: the request register, the subject access export, anonymization and retention."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from cases.arco.actions import person_anonymize, retention_anonymize
from cases.arco.dates import add_business_days, arco_due_on, easter_sunday
from cases.arco.export import person_export
from cases.arco.models import ArcoRequest
from cases.arco.policy import POLICY, classifiable_fields, person_linked_models
from cases.arco.tasks import retention_anonymize_task
from cases.choices import age_band
from cases.models import CaseNote, Household, IdentityDocument, Intake, Person
from orientation.models import AccessLog
from services.models import DirectService, Referral
from services.sport.models import Attendance
from tests.factories import (
    AttendanceFactory,
    DirectServiceFactory,
    HouseholdFactory,
    IntakeFactory,
    PersonFactory,
    ReferralFactory,
    site,
)

from .arco_data import SECRETS, person_with_everything

# --- Due dates -----------------------------------------------------------------------------------


def test_easter_and_business_days():
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert add_business_days(date(2025, 3, 3), 20) == date(2025, 3, 31)
    # Holy Thursday and Good Friday 2025 (17 and 18 April) are not business days.
    assert add_business_days(date(2025, 4, 16), 1) == date(2025, 4, 21)
    # 28 and 29 July (national holidays) are skipped.
    assert add_business_days(date(2025, 7, 25), 1) == date(2025, 7, 30)


def test_due_date_is_configurable(settings):
    assert arco_due_on(date(2025, 3, 3)) == date(2025, 3, 31)
    settings.ARCO_RESPONSE_BUSINESS_DAYS = 10
    assert arco_due_on(date(2025, 3, 3)) == date(2025, 3, 17)
    settings.ARCO_RESPONSE_CALENDAR_DAYS = 30
    assert arco_due_on(date(2025, 3, 3)) == date(2025, 4, 2)


# --- The register ------------------------------------------------------------------------------


def test_caseworker_registers_and_follows_a_request(client, make_user, ref):
    user = make_user("caseworker", sites=["PAO-LS"])
    person = PersonFactory()
    client.force_login(user)
    url = reverse("arco:arco_request_create", kwargs={"person_pk": person.pk})
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"kind": "rectification", "received_on": tomorrow})
    assert response.status_code == 200 and not ArcoRequest.objects.exists()
    response = client.post(url, {"kind": "rectification", "received_on": "2025-03-03"})
    request_obj = ArcoRequest.objects.get()
    assert response.status_code == 302
    assert (request_obj.due_on, request_obj.handled_by, request_obj.status) == (
        date(2025, 3, 31),
        user,
        "received",
    )

    update = reverse("arco:arco_request_update", kwargs={"pk": request_obj.pk})
    assert client.post(update, {"status": "rejected", "resolution": ""}).status_code == 200
    request_obj.refresh_from_db()
    assert request_obj.status == "received"
    assert client.post(update, {"status": "done", "resolution": "Teléfono corregido."}).status_code == 302
    request_obj.refresh_from_db()
    assert request_obj.status == "done" and request_obj.closed_on == timezone.localdate()
    assert request_obj.history.count() == 2


def _arco_requests(n, site_code="PAO-LS", **kwargs):
    for _ in range(n):
        person = PersonFactory(site=site(site_code))
        DirectServiceFactory(person=person)  # a PAO service: the PAO coordinator's scope
        ArcoRequest.objects.create(
            person=person,
            kind=kwargs.get("kind", "access"),
            received_on=date(2025, 3, 3),
            due_on=kwargs.get("due_on", date(2099, 1, 1)),
            status=kwargs.get("status", "received"),
        )


@pytest.mark.parametrize("rows", [3, 30])
def test_the_request_list_query_count_does_not_grow(client, make_user, ref, django_assert_num_queries, rows):
    client.force_login(make_user("coordinator", programs=["PAO"]))
    url = reverse("arco:arco_request_list")
    assert "empty-state" in client.get(url).content.decode()
    _arco_requests(rows)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["page_obj"].object_list) == min(rows, 25)  # paginated


def test_request_list_filters(client, make_user, ref):
    client.force_login(make_user("coordinator", programs=["PAO"]))
    url = reverse("arco:arco_request_list")
    _arco_requests(30)
    _arco_requests(2, site_code="SCH-02")  # another program's site: not listed
    _arco_requests(1, status="done")
    _arco_requests(1, kind="cancellation", due_on=date(2025, 3, 31))
    page = lambda **q: client.get(url, q).context["page_obj"].paginator.count  # noqa: E731
    assert page() == 31
    assert page(status="done") == 1
    assert page(status="all") == 32
    assert page(kind="cancellation") == 1
    assert page(overdue="on") == 1
    assert page(overdue="on", kind="access") == 0
    assert page(status="nonsense", kind="cancellation") == 31  # a value out of place: no filter


# --- The subject access export ------------------------------------------------------------------


def models_reaching_person() -> set[str]:
    """Independently of cases.arco.policy: models with a chain of foreign keys to Person."""
    reached = {Person}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models(include_auto_created=True):
            if model in reached or issubclass(model, HistoricalChanges):
                continue
            # Foreign keys only: a many-to-many link is a row of its through model (auto-created ones
            # included), which has the foreign key.
            if any(f.is_relation and f.related_model in reached for f in model._meta.concrete_fields):
                reached.add(model)
                grew = True
    return {m._meta.label_lower for m in reached}


def test_the_export_covers_every_model_linked_to_a_person(ref, make_user):
    person = person_with_everything()
    data = person_export(person=person, user=make_user("admin"))
    exported = set(data["records"]) | {"cases.person"}
    missing = models_reaching_person() - exported
    assert not missing, f"models linked to a person missing from the ARCO export: {missing}"
    assert "cases.household" in exported


def test_every_linked_model_is_classified_field_by_field():
    problems = []
    for linked in person_linked_models():
        policy = POLICY.get(linked.label)
        if policy is None:
            problems.append(f"{linked.label}: no entry in cases.arco.policy.POLICY")
            continue
        fields = set(classifiable_fields(linked.model))
        both = policy.erase & policy.keep
        unclassified = fields - policy.erase - policy.keep
        unknown = (policy.erase | policy.keep) - fields
        if both or unclassified or unknown:
            problems.append(f"{linked.label}: in both {both}, unclassified {unclassified}, unknown {unknown}")
    assert not problems, "\n".join(problems)


def test_every_row_of_the_person_is_in_the_export_and_nobody_elses(ref, make_user):
    person = person_with_everything()
    other = PersonFactory(given_names="Otra")
    IntakeFactory(person=other)
    # A specialist's export: the only one that holds every row, psychosocial notes included.
    data = person_export(person=person, user=make_user("psychosocial"))
    for linked in person_linked_models():
        if linked.model is Person:
            continue
        expected = set(linked.rows_of(person).values_list("pk", flat=True))
        assert expected, f"the test data has no {linked.label} row"
        rows = data["records"][linked.label]
        if linked.model._meta.pk.name == "id":
            assert {row["id"] for row in rows} == expected, linked.label
        else:  # a composite primary key (reports.firstevent): one exported row per stored row
            assert len(rows) == len(expected), linked.label
    text = json.dumps(data, ensure_ascii=False)
    assert SECRETS["document"] in text and SECRETS["address"] in text and "Otra" not in text
    assert data["person"]["given_names"] == SECRETS["given"]


@pytest.mark.parametrize(
    ("role", "sees_notes"), [("psychosocial", True), ("admin", False), ("coordinator", False)]
)
def test_psychosocial_notes_only_in_an_export_made_by_a_psychosocial_reader(ref, make_user, role, sees_notes):
    person = person_with_everything()
    data = person_export(
        person=person, user=make_user(role, programs=["PAO"] if role == "coordinator" else None)
    )
    text = json.dumps(data, ensure_ascii=False)
    assert SECRETS["general_note"] in text
    assert (SECRETS["psy_note"] in text) is sees_notes
    assert (SECRETS["session_note"] in text) is sees_notes
    withheld = {"cases.casenote": 1, "services.psychosocialsession": 1}
    assert data["withheld"] == ({} if sees_notes else withheld)


def test_export_downloads_are_logged_without_personal_data(client, make_user, ref):
    person = person_with_everything()
    request_obj = ArcoRequest.objects.get(person=person)
    client.force_login(make_user("psychosocial", sites=["PAO-LS"]))
    response = client.get(reverse("arco:arco_request_export_json", kwargs={"pk": request_obj.pk}))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["person"]["phone"] == SECRETS["phone"]
    page = client.get(reverse("arco:arco_request_export_print", kwargs={"pk": request_obj.pk}))
    html = page.content.decode()
    assert SECRETS["psy_note"] in html and SECRETS["document"] in html and "data-print" in html
    logs = list(AccessLog.objects.order_by("pk").values_list("action", "object_type", "object_id"))
    assert logs == [("export", "cases.person", str(person.pk)), ("print", "cases.person", str(person.pk))]


def test_export_is_for_access_requests_only(client, make_user, ref):
    person = PersonFactory()
    request_obj = ArcoRequest.objects.create(person=person, kind="opposition", due_on=date(2025, 4, 1))
    client.force_login(make_user("admin"))
    assert (
        client.get(reverse("arco:arco_request_export_json", kwargs={"pk": request_obj.pk})).status_code == 404
    )


# --- Anonymization -------------------------------------------------------------------------------


def contact_counts() -> Counter:
    """People counted by contact kind, sex, age band on the event date, nationality and the
    population type stamped on the contact: what monthly figures are made of."""
    counts = Counter()
    sources = [
        (DirectService.objects, "delivered_on"),
        (Referral.objects, "referred_on"),
        (Referral.objects.filter(status="completed"), "completed_on"),
        (Attendance.objects.filter(present=True), "session__date"),
        (Intake.objects, "date"),
    ]
    for qs, day in sources:
        rows = qs.values_list(
            "person_id", "person__sex", "person__birth_date", "person__nationality", "population_type", day
        )
        for person_id, sex, birth, nationality, population, when in rows.order_by("pk"):
            counts[
                (
                    qs.model.__name__,
                    day,
                    when.strftime("%Y-%m"),
                    sex,
                    age_band(birth, when),
                    str(nationality),
                    population,
                )
            ] += 1
            counts[("people", when.strftime("%Y-%m"), person_id)] = 1
    return counts


def text_values_everywhere() -> str:
    """Every text column of every live and history table, for a leak search."""
    chunks = []
    for model in apps.get_models(include_auto_created=True):
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if f.get_internal_type() in ("CharField", "TextField")
        ]
        if columns and model._meta.app_label in (
            "cases",
            "arco",
            "imports",
            "services",
            "sport",
            "orientation",
        ):
            for row in model._default_manager.values_list(*columns):
                chunks.extend(str(v) for v in row if v)
    return "\n".join(chunks)


def test_anonymization_erases_everywhere_and_keeps_the_figures(ref, make_user):
    person = person_with_everything()
    bystander = PersonFactory(given_names="Testigo", phone="955555555")
    DirectServiceFactory(person=bystander)
    user = make_user("coordinator", programs=["PAO"])
    assert all(secret in text_values_everywhere() for secret in SECRETS.values())
    before = contact_counts()

    person_anonymize(person=person, user=user, reason="ARCO cancellation #1")

    everything = text_values_everywhere()
    leaked = [key for key, secret in SECRETS.items() if secret in everything]
    assert not leaked, f"still stored after anonymization: {leaked}"
    person.refresh_from_db()
    assert (person.given_names, person.family_names, person.phone) == ("Anonimizado", "Anonimizado", "")
    assert person.anonymized_at is not None and person.search_name == "anonimizado anonimizado"
    assert (person.sex, person.birth_date, str(person.nationality), person.population_type) == (
        "F",
        date(2009, 6, 1),
        "VE",
        "transit",
    )
    assert not person.vulnerabilities.exists() and person.district is None and person.arrived_on is None
    assert not IdentityDocument.objects.filter(person=person).exists()
    assert Household.objects.get(pk=person.household_id).address == ""
    assert CaseNote.objects.filter(person=person).count() == 2  # kept, without their text
    assert contact_counts() == before
    bystander.refresh_from_db()
    assert (bystander.given_names, bystander.phone) == ("Testigo", "955555555")
    log = AccessLog.objects.get(action="anonymize")
    assert (log.object_type, log.object_id, log.user, log.reason) == (
        "cases.person",
        str(person.pk),
        user,
        "ARCO cancellation #1",
    )
    # The history says who anonymized and when, without the old values.
    latest = person.history.first()
    assert latest.history_user == user and latest.given_names == "Anonimizado"


def test_anonymization_is_idempotent(ref, make_user):
    person = person_with_everything()
    user = make_user("admin")
    person_anonymize(person=person, user=user, reason="retention")
    stamp = Person.objects.get(pk=person.pk).anonymized_at
    person_anonymize(person=person, user=user, reason="retention")
    assert Person.objects.get(pk=person.pk).anonymized_at == stamp
    assert AccessLog.objects.filter(action="anonymize").count() == 1


def test_a_shared_household_keeps_its_address_for_the_other_members(ref, make_user):
    household = HouseholdFactory(address="Jr. Los Pinos 123")
    first, second = PersonFactory(household=household), PersonFactory(household=household)
    person_anonymize(person=first, user=make_user("admin"), reason="test")
    household.refresh_from_db()
    assert household.address == "Jr. Los Pinos 123"
    person_anonymize(person=second, user=None, reason="test")
    household.refresh_from_db()
    assert household.address == ""
    assert not household.history.filter(address="Jr. Los Pinos 123").exists()


def test_coordinator_anonymizes_through_a_cancellation_request(client, make_user, ref):
    person = person_with_everything()
    request_obj = ArcoRequest.objects.create(person=person, kind="cancellation", due_on=date(2025, 4, 1))
    client.force_login(make_user("coordinator", programs=["PAO"]))
    url = reverse("arco:arco_request_anonymize", kwargs={"pk": request_obj.pk})
    assert "confirm" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200
    assert Person.objects.get(pk=person.pk).anonymized_at is None
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    request_obj.refresh_from_db()
    assert request_obj.status == "done" and request_obj.closed_on is not None
    assert Person.objects.get(pk=person.pk).given_names == "Anonimizado"
    assert client.get(url).status_code == 302  # already done


# --- Retention ------------------------------------------------------------------------------------


def test_retention_anonymizes_people_without_contact_for_the_configured_years(ref, settings):
    settings.RETENTION_YEARS = 5
    today = timezone.localdate()
    long_ago = today - timedelta(days=5 * 366 + 10)
    old = PersonFactory(registered_on=long_ago, given_names="Antigua")
    IntakeFactory(person=old, date=long_ago)
    recent_service = PersonFactory(registered_on=long_ago)
    DirectServiceFactory(person=recent_service, delivered_on=today - timedelta(days=30))
    recent_referral = PersonFactory(registered_on=long_ago)
    ReferralFactory(
        person=recent_referral,
        referred_on=long_ago,
        status="completed",
        completed_on=today - timedelta(days=3),
    )
    recent_sport = PersonFactory(registered_on=long_ago, site=site("SCH-01"))
    AttendanceFactory(person=recent_sport, session__date=today - timedelta(days=3))
    recent_intake = PersonFactory(registered_on=long_ago)
    IntakeFactory(person=recent_intake, date=today - timedelta(days=400))
    registered_recently = PersonFactory(registered_on=today - timedelta(days=100))

    assert retention_anonymize_task.apply().get() == 1
    anonymized = set(Person.objects.filter(anonymized_at__isnull=False).values_list("pk", flat=True))
    assert anonymized == {old.pk}
    assert not Person.history.filter(given_names="Antigua").exists()
    assert AccessLog.objects.get(action="anonymize").user is None
    assert retention_anonymize_task.apply().get() == 0  # a rerun changes nothing
    for kept in [recent_service, recent_referral, recent_sport, recent_intake, registered_recently]:
        assert Person.objects.get(pk=kept.pk).anonymized_at is None

    settings.RETENTION_YEARS = 10
    assert retention_anonymize() == 0


def test_a_merged_record_is_anonymized_with_its_survivor_never_before(ref, settings):
    settings.RETENTION_YEARS = 5
    today = timezone.localdate()
    long_ago = today - timedelta(days=5 * 366 + 10)
    survivor = PersonFactory(registered_on=long_ago)
    service = DirectServiceFactory(person=survivor, delivered_on=today - timedelta(days=30))
    tombstone = PersonFactory(registered_on=long_ago, given_names="Duplicada")
    Person.objects.filter(pk=tombstone.pk).update(merged_into=survivor, archived_at=timezone.now())

    assert retention_anonymize() == 0  # the survivor was seen last month: the tombstone waits
    assert Person.objects.get(pk=tombstone.pk).anonymized_at is None

    type(service).objects.filter(pk=service.pk).update(delivered_on=long_ago)
    assert retention_anonymize() == 1  # the survivor, and with it its tombstone
    assert set(Person.objects.filter(anonymized_at__isnull=False).values_list("pk", flat=True)) == {
        survivor.pk,
        tombstone.pk,
    }


def test_retention_runs_never_overlap(ref, settings):
    from django.core.cache import cache

    from cases.arco.actions import RETENTION_LOCK

    settings.RETENTION_YEARS = 1
    PersonFactory(registered_on=date(2015, 1, 1))
    cache.add(RETENTION_LOCK, "1", timeout=60)
    try:
        assert retention_anonymize() == 0
    finally:
        cache.delete(RETENTION_LOCK)
    assert retention_anonymize() == 1


def test_retention_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "cases.arco.tasks.retention_anonymize_task" in tasks
    from orientation.celery import app

    app.loader.import_default_modules()
    assert "cases.arco.tasks.retention_anonymize_task" in app.tasks


def test_on_postgresql_history_stays_append_only_after_anonymization(ref, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("append-only triggers exist on PostgreSQL only")
    from django.db import DatabaseError, transaction

    person = person_with_everything()
    person_anonymize(person=person, user=make_user("admin"), reason="test")
    with pytest.raises(DatabaseError), transaction.atomic():
        Person.history.filter(id=person.pk).update(given_names="Rewritten")
