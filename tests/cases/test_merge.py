"""Merging two records of one person (cases/merging.py) and undoing it: every record moves to the
survivor, the tombstone leads to it, the figures count the person once, an unmerge restores both."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.arco.models import ArcoRequest
from cases.merging import person_merge, person_unmerge
from cases.models import (
    CaseNote,
    CaseStatusChange,
    Consent,
    Household,
    IdentityDocument,
    Intake,
    Person,
    PersonMerge,
    PlanAction,
    RegularizationStatus,
    Vulnerability,
    survivor_value,
)
from field.models import FieldSubmission
from orientation.models import AccessLog, OutboxMessage
from reception.models import Appointment, Reminder, Visit
from services.models import DirectService, PsychosocialSession, Referral
from services.sport.models import Attendance, GroupParticipant
from tests.factories import (
    AttendanceFactory,
    CaseNoteFactory,
    ConsentFactory,
    DirectServiceFactory,
    IdentityDocumentFactory,
    IntakeFactory,
    PersonFactory,
    PlanActionFactory,
    ReferralFactory,
    RegularizationStatusFactory,
    SportGroupFactory,
    SportSessionFactory,
    UserFactory,
    program,
    service_type,
    site,
)

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)


def _twins():
    """Two records of one woman, registered twice at the orientation point."""
    first = PersonFactory(
        given_names="Yuleisy",
        family_names="Rojas Pérez",
        birth_date=date(1991, 2, 3),
        phone="987654321",
        ref="OR-1",
    )
    second = PersonFactory(
        given_names="Yulesy",
        family_names="Rojas Perez",
        birth_date=date(1991, 2, 3),
        phone="912345678",
        ref="OR-2",
    )
    return first, second


def _every_record(person, *, group, session):
    """One record of every kind on ``person``; returns them by model."""
    psy_session = PsychosocialSession.objects.create(
        site=person.site,
        program=program("PAO"),
        service_type=service_type("mhpss-individual"),
        date=date(2025, 3, 5),
    )
    staff = UserFactory()
    appointment = Appointment.objects.create(
        person=person,
        site=person.site,
        area="documentation",
        staff=staff,
        date=date(2025, 3, 6),
        time=time(9),
    )
    return {
        IdentityDocument: IdentityDocumentFactory(person=person),
        Consent: ConsentFactory(person=person),
        RegularizationStatus: RegularizationStatusFactory(person=person),
        Intake: IntakeFactory(person=person),
        CaseNote: CaseNoteFactory(person=person, kind="psychosocial", text="Confidencial."),
        DirectService: DirectServiceFactory(person=person, psychosocial_session=psy_session),
        Referral: ReferralFactory(person=person),
        GroupParticipant: GroupParticipant.objects.create(
            group=group, person=person, joined_on=date(2025, 2, 1)
        ),
        Attendance: AttendanceFactory(person=person, session=session),
        CaseStatusChange: CaseStatusChange.objects.create(
            person=person, from_status="open", to_status="closed", reason="lost_contact"
        ),
        ArcoRequest: ArcoRequest.objects.create(
            person=person, kind="access", received_on=date(2025, 3, 3), due_on=date(2025, 3, 31)
        ),
        Appointment: appointment,
        Visit: Visit.objects.create(
            site=person.site,
            person=person,
            day=date(2025, 3, 6),
            number=person.pk,
            ticket=f"D-{person.pk}",
            area="documentation",
            appointment=appointment,
        ),
        Reminder: Reminder.objects.create(
            person=person, appointment=appointment, to="912345678", body="Cita."
        ),
        FieldSubmission: FieldSubmission.objects.create(
            key=uuid.uuid4(), kind=FieldSubmission.Kind.OUTREACH, user=staff, person=person
        ),
        PlanAction: PlanActionFactory(person=person),
    }


def _state(*people):
    """Everything about these people a merge touches, to compare before and after."""
    ids = [p.pk for p in people]
    rows = {
        model.__name__: sorted(model.objects.filter(person_id__in=ids).values_list("pk", "person_id"))
        for model in (
            IdentityDocument,
            Consent,
            RegularizationStatus,
            Intake,
            CaseNote,
            DirectService,
            Referral,
            GroupParticipant,
            Attendance,
            CaseStatusChange,
            ArcoRequest,
            Appointment,
            Visit,
            Reminder,
            FieldSubmission,
            PlanAction,
        )
    }
    fields = {
        p.pk: {k: v for k, v in Person.objects.filter(pk=p.pk).values()[0].items() if k != "updated_at"}
        for p in people
    }
    vulnerabilities = {p.pk: sorted(p.vulnerabilities.values_list("pk", flat=True)) for p in people}
    return rows, fields, vulnerabilities


def test_every_record_moves_to_the_survivor(caseworker):
    first, second = _twins()
    group = SportGroupFactory(site=site("PAO-LS"))
    shared_session = SportSessionFactory(site=site("PAO-LS"), group=group)
    household = Household.objects.create(code="H-1", site=site("PAO-LS"))
    second.household = household
    second.relationship = "head"
    second.save()
    vulnerabilities = list(Vulnerability.objects.all()[:2])
    first.vulnerabilities.add(vulnerabilities[0])
    second.vulnerabilities.add(*vulnerabilities)
    _every_record(first, group=group, session=shared_session)
    second_records = _every_record(second, group=group, session=shared_session)
    own_session = SportSessionFactory(site=site("PAO-LS"), group=group, date=date(2025, 3, 19))
    second_only = AttendanceFactory(person=second, session=own_session)

    merge = person_merge(
        user=caseworker,
        survivor_id=first.pk,
        merged_id=second.pk,
        keep={"phone": "merged", "given_names": "survivor"},
    )

    first.refresh_from_db()
    second.refresh_from_db()
    for model, row in second_records.items():
        if model in (GroupParticipant, Attendance):
            # both were in the same group and session: the survivor's one row stays
            assert not model.objects.filter(pk=row.pk).exists()
            assert model.objects.filter(person=first).exists()
        else:
            row.refresh_from_db()
            assert row.person_id == first.pk, model
    assert Attendance.objects.get(pk=second_only.pk).person_id == first.pk
    assert not any(
        model.objects.filter(person=second).exists()
        for model in (
            IdentityDocument,
            Consent,
            Intake,
            CaseNote,
            DirectService,
            Referral,
            Attendance,
            Appointment,
            Visit,
            Reminder,
            FieldSubmission,
        )
    )
    assert first.phone == "912345678" and first.given_names == "Yuleisy"
    assert first.household_id == household.pk and first.relationship == "head"
    assert set(first.vulnerabilities.all()) == set(vulnerabilities)
    assert second.merged_into_id == first.pk and second.archived_at is not None
    assert merge.survivor_id == first.pk
    # in the change history of both, in the access log
    assert first.history.first().history_user == caseworker
    assert second.history.first().merged_into_id == first.pk
    assert AccessLog.objects.filter(action="merge", object_id=str(second.pk)).exists()
    # the figures of both programs are queued for recomputation
    queued = OutboxMessage.objects.filter(task_name="reports.tasks.monthly_figures_fill_task")
    assert {m.kwargs["program_id"] for m in queued} == {program("PAO").pk, program("BALON").pk}
    assert all(m.kwargs["recompute"] and m.kwargs["trigger"] == "late" for m in queued)


def test_the_tombstone_leads_to_the_survivor(caseworker, client_for):
    first, second = _twins()
    person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    response = client_for(caseworker).get(reverse("cases:person_detail", args=[second.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:person_detail", args=[first.pk])
    # its reference names the survivor (imports, partner links)
    found = dict(Person.objects.filter(ref__in=["OR-1", "OR-2"]).values_list("ref", survivor_value("pk")))
    assert found == {"OR-1": first.pk, "OR-2": first.pk}


def test_an_import_naming_the_merged_record_lands_on_the_survivor(caseworker, coordinator, tmp_path):
    from django.core.management import call_command

    first, second = _twins()
    person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    path = tmp_path / "services.csv"
    path.write_text(
        "ref,person_ref,program,service_type,kind,date,status,completed_on,partner,population_type,site\n"
        "S-1,OR-2,PAO,doc-orientation,direct,2025-03-12,,,,,PAO-LS\n",
        encoding="utf-8",
    )
    call_command("import_data", "--kind", "services", str(path))
    assert DirectService.objects.get(ref="S-1").person_id == first.pk


def test_an_older_tombstone_follows(caseworker):
    first, second = _twins()
    third = PersonFactory(given_names="Yuleisy", family_names="Rojas", birth_date=date(1991, 2, 3))
    person_merge(user=caseworker, survivor_id=second.pk, merged_id=third.pk)
    person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    third.refresh_from_db()
    assert third.merged_into_id == first.pk


def test_the_month_reached_drops_by_one(caseworker):
    from reports.actions import monthly_figures_compute

    first, second = _twins()
    DirectServiceFactory(person=first, delivered_on=date(2025, 3, 4))
    DirectServiceFactory(person=second, delivered_on=date(2025, 3, 20))

    def reached():
        figures = {f.indicator.code: f for f in monthly_figures_compute(month=MARCH, program_code="PAO")}
        return figures["PAO-DOC"].reached["total"]

    assert reached() == 2
    person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    assert reached() == 1


def test_merge_refused_outside_the_users_sites(caseworker, make_user):
    first, second = _twins()
    other = PersonFactory(site=site("SCH-02"), given_names="Yulesy", family_names="Rojas Perez")
    with pytest.raises(PermissionDenied):
        person_merge(user=caseworker, survivor_id=first.pk, merged_id=other.pk)
    facilitator = make_user("facilitator", sites=["PAO-LS"])
    with pytest.raises(PermissionDenied):
        person_merge(user=facilitator, survivor_id=first.pk, merged_id=second.pk)
    assert not PersonMerge.objects.exists()


def test_a_pair_is_merged_once(caseworker):
    first, second = _twins()
    person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    with pytest.raises(ValidationError):
        person_merge(user=caseworker, survivor_id=second.pk, merged_id=first.pk)
    assert PersonMerge.objects.count() == 1


def test_values_that_do_not_fit_together_are_refused(caseworker):
    first, second = _twins()
    second.birth_date = date(2025, 1, 10)
    second.save()
    first.registered_on = date(2024, 12, 1)
    first.save()
    with pytest.raises(ValidationError):
        person_merge(
            user=caseworker, survivor_id=first.pk, merged_id=second.pk, keep={"birth_date": "merged"}
        )
    second.refresh_from_db()
    assert second.merged_into_id is None


def test_unmerge_restores_both_records_exactly(caseworker, admin_user):
    first, second = _twins()
    group = SportGroupFactory(site=site("PAO-LS"))
    shared_session = SportSessionFactory(site=site("PAO-LS"), group=group)
    first.vulnerabilities.add(Vulnerability.objects.first())
    second.vulnerabilities.add(Vulnerability.objects.last())
    _every_record(first, group=group, session=shared_session)
    _every_record(second, group=group, session=shared_session)
    before = _state(first, second)

    merge = person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk, keep={"phone": "merged"})
    assert _state(first, second) != before
    with pytest.raises(PermissionDenied):
        person_unmerge(user=caseworker, merge_id=merge.pk)
    person_unmerge(user=admin_user, merge_id=merge.pk)

    assert _state(first, second) == before
    merge.refresh_from_db()
    assert merge.unmerged_by == admin_user
    with pytest.raises(ValidationError):
        person_unmerge(user=admin_user, merge_id=merge.pk)


def test_unmerge_only_within_the_period(caseworker, admin_user, settings):
    settings.MERGE_UNDO_DAYS = 30
    first, second = _twins()
    merge = person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    PersonMerge.objects.filter(pk=merge.pk).update(merged_at=timezone.now() - timedelta(days=31))
    with pytest.raises(ValidationError):
        person_unmerge(user=admin_user, merge_id=merge.pk)
    second.refresh_from_db()
    assert second.merged_into_id == first.pk


def test_a_people_file_naming_the_merged_record_updates_the_survivor(caseworker, tmp_path):
    from django.core.management import call_command

    first, second = _twins()
    IdentityDocumentFactory(person=second, doc_type="cedula_ve", number="23456789")
    person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    path = tmp_path / "people.csv"
    path.write_text(
        "ref,given_names,family_names,sex,birth_date,nationality,population_type,document_type,document_number,"
        "phone,district,site,registered_on\n"
        "OR-2,Yuleisy,Rojas Pérez,F,1991-02-03,VE,transit,cedula_ve,23456789,,,PAO-LS,2025-01-15\n",
        encoding="utf-8",
    )
    call_command("import_data", "--kind", "people", str(path))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.population_type == "transit"
    assert second.population_type == "destination"
    assert IdentityDocument.objects.filter(number="23456789").get().person_id == first.pk


def test_every_affected_month_equals_a_fresh_computation(caseworker):
    """February and March computed before the merge; computed again after it, through the first
    events the database noted, they equal a computation from scratch."""
    from reports.actions import first_events_rebuild, monthly_figures_compute

    first, second = _twins()
    DirectServiceFactory(person=first, delivered_on=date(2025, 2, 10))
    DirectServiceFactory(person=second, delivered_on=date(2025, 3, 4))
    months = [date(2025, 2, 1), MARCH]

    def figures():
        found = {}
        for month in months:
            for f in monthly_figures_compute(month=month, program_code="PAO"):
                found[(f.indicator.code, month)] = {
                    m: getattr(f, m)
                    for m in ("reached", "new", "cumulative", "new_in_year", "cumulative_in_year")
                }
        return found

    before = figures()
    assert before[("PAO-DOC", MARCH)]["new"]["total"] == 1
    person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    after = figures()
    assert after[("PAO-DOC", MARCH)]["new"].get("total", 0) == 0
    assert after[("PAO-DOC", MARCH)]["cumulative"]["total"] == 1
    first_events_rebuild()
    assert figures() == after


def test_anonymizing_the_survivor_erases_the_merged_record_too(caseworker, admin_user):
    from cases.arco.actions import person_anonymize

    first, second = _twins()
    merge = person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    person_anonymize(person=first, user=admin_user, reason="ARCO cancellation #1")
    second.refresh_from_db()
    merge.refresh_from_db()
    assert second.anonymized_at is not None and second.given_names != "Yulesy"
    assert merge.undo is None
    with pytest.raises(ValidationError):
        person_unmerge(user=admin_user, merge_id=merge.pk)


@pytest.mark.parametrize(
    ("survivor_status", "merged_status", "after"),
    [("closed", "open", "open"), ("open", "closed", "open"), ("closed", "closed", "closed")],
)
def test_the_survivor_is_open_if_either_record_was(
    caseworker, admin_user, survivor_status, merged_status, after
):
    from cases.case_status import case_close

    first, second = _twins()
    for person, status in ((first, survivor_status), (second, merged_status)):
        if status == "closed":
            case_close(user=caseworker, person=person, reason="needs_met")
    case_reopen_rows = CaseStatusChange.objects.filter(person=second).count()
    before = _state(first, second)

    merge = person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)

    first.refresh_from_db()
    assert first.case_status == after
    # the status rows of both are the survivor's now
    assert (
        CaseStatusChange.objects.filter(person=first).count()
        == (survivor_status == "closed") + case_reopen_rows
    )
    assert not CaseStatusChange.objects.filter(person=second).exists()
    person_unmerge(user=admin_user, merge_id=merge.pk)
    assert _state(first, second) == before
    assert (Person.objects.get(pk=first.pk).case_status, Person.objects.get(pk=second.pk).case_status) == (
        survivor_status,
        merged_status,
    )
