"""Services and attendance imports: keys, referral transitions, stamped population types, history."""

from datetime import date

import pytest

from services.models import DirectService, Referral, ReferralTransition
from services.sport.models import Attendance, SportSession
from tests.factories import PersonFactory, SportGroupFactory, site

from .conftest import attendance_row, referral_row, service_row, write_csv


@pytest.fixture
def people(ref):
    return {
        "P-0001": PersonFactory(ref="P-0001", population_type="transit"),
        "P-0002": PersonFactory(ref="P-0002", site=site("SCH-01"), population_type="host"),
    }


def services_snapshot():
    return {
        "direct": sorted(
            DirectService.objects.values_list(
                "ref",
                "person__ref",
                "program__code",
                "service_type__code",
                "delivered_on",
                "population_type",
                "site__code",
            )
        ),
        "referrals": sorted(
            Referral.objects.values_list(
                "ref",
                "code",
                "person__ref",
                "status",
                "referred_on",
                "completed_on",
                "partner__code",
                "population_type",
            )
        ),
        "transitions": ReferralTransition.objects.count(),
        "history": (DirectService.history.count(), Referral.history.count()),
    }


def test_direct_services_and_referrals_are_created(run_import, tmp_path, people, admin_user):
    rows = [
        service_row(1),
        service_row(2, population_type="destination"),
        referral_row(3, status="completed", completed_on="2025-03-20"),
        referral_row(4, partner="", person_ref="P-0002"),
    ]
    outcome = run_import("services", write_csv(tmp_path / "s.csv", rows), user=admin_user)
    assert outcome.ok, outcome.messages()
    assert outcome.stats == {
        "direct_services": {"created": 2},
        "referrals": {"created": 2},
        "referral_transitions": {"created": 2},
    }
    first = DirectService.objects.get(ref="S-0001")
    assert (first.person.ref, first.delivered_on, first.population_type) == (
        "P-0001",
        date(2025, 3, 10),
        "transit",
    )
    assert DirectService.objects.get(ref="S-0002").population_type == "destination"
    completed = Referral.objects.get(ref="S-0003")
    assert (completed.status, completed.completed_on, completed.partner.code) == (
        "completed",
        date(2025, 3, 20),
        "cs-jose-galvez",
    )
    assert completed.code.startswith("R-") and completed.code != Referral.objects.get(ref="S-0004").code
    assert Referral.objects.get(ref="S-0004").partner is None
    transition = completed.transitions.get()
    assert (transition.from_status, transition.to_status, transition.by) == ("", "completed", admin_user)
    assert completed.history.get().history_user == admin_user
    assert first.history.get().history_type == "+"


def test_importing_the_same_services_twice_changes_nothing(run_import, tmp_path, people):
    path = write_csv(
        tmp_path / "s.csv", [service_row(1), referral_row(2), referral_row(3, status="accepted")]
    )
    assert run_import("services", path).ok
    before = services_snapshot()
    outcome = run_import("services", path)
    assert outcome.stats == {"direct_services": {"unchanged": 1}, "referrals": {"unchanged": 2}}
    assert services_snapshot() == before


def test_a_corrected_file_moves_a_referral_and_records_the_transition(
    run_import, tmp_path, people, coordinator
):
    assert run_import("services", write_csv(tmp_path / "s.csv", [service_row(1), referral_row(2)])).ok
    referral = Referral.objects.get(ref="S-0002")
    code = referral.code
    corrected = [
        service_row(1, service_type="doc-cpp"),
        referral_row(2, status="completed", completed_on="2025-04-02"),
    ]
    outcome = run_import("services", write_csv(tmp_path / "s2.csv", corrected), user=coordinator)
    assert outcome.ok, outcome.messages()
    assert outcome.stats == {
        "direct_services": {"updated": 1},
        "referrals": {"updated": 1},
        "referral_transitions": {"created": 1},
    }
    referral.refresh_from_db()
    assert (referral.status, referral.completed_on, referral.code) == ("completed", date(2025, 4, 2), code)
    last = referral.transitions.order_by("id").last()
    assert (last.from_status, last.to_status, last.by) == ("pending", "completed", coordinator)
    assert [h.history_type for h in referral.history.order_by("history_id")] == ["+", "~"]
    assert DirectService.objects.get(ref="S-0001").service_type.code == "doc-cpp"


def test_an_empty_population_type_keeps_what_was_stamped(run_import, tmp_path, people):
    assert run_import("services", write_csv(tmp_path / "s.csv", [service_row(1)])).ok
    people["P-0001"].population_type = "destination"
    people["P-0001"].save()
    outcome = run_import("services", tmp_path / "s.csv")
    assert outcome.stats == {"direct_services": {"unchanged": 1}}
    assert DirectService.objects.get().population_type == "transit"


def test_attendance_creates_sessions_once_and_attendance_per_person(run_import, tmp_path, people, admin_user):
    group = SportGroupFactory(name="Sub-12 mixto")
    rows = [
        attendance_row(person_ref="P-0002"),
        attendance_row(person_ref="P-0001", present="0", population_type="pendular"),
        attendance_row(person_ref="P-0002", group="sub-12 mixto"),
        attendance_row(person_ref="P-0002", activity="leadership_workshop"),
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    outcome = run_import("attendance", path, user=admin_user)
    assert outcome.ok, outcome.messages()
    assert outcome.stats == {"sport_sessions": {"created": 3}, "attendance": {"created": 4}}
    plain = SportSession.objects.get(group=None, activity="soccer_clinic")
    assert (plain.program.code, plain.site.code, plain.date, plain.created_by) == (
        "BALON",
        "SCH-01",
        date(2025, 3, 12),
        admin_user,
    )
    assert SportSession.objects.get(group=group).attendances.get().person.ref == "P-0002"
    absent = Attendance.objects.get(person__ref="P-0001")
    assert (absent.present, absent.population_type, absent.session) == (False, "pendular", plain)
    assert Attendance.objects.filter(person__ref="P-0002", session=plain).get().population_type == "host"
    assert absent.history.get().history_user == admin_user

    before = (SportSession.objects.count(), Attendance.objects.count(), Attendance.history.count())
    assert run_import("attendance", path).stats == {"attendance": {"unchanged": 4}}
    assert (SportSession.objects.count(), Attendance.objects.count(), Attendance.history.count()) == before

    rows[1]["present"] = "1"
    outcome = run_import("attendance", write_csv(tmp_path / "a2.csv", rows))
    assert outcome.stats == {"attendance": {"updated": 1, "unchanged": 3}}
    absent.refresh_from_db()
    assert absent.present is True
    assert absent.history.count() == 2


def test_attendance_joins_a_session_recorded_on_the_tablet(run_import, tmp_path, people):
    session = SportSession.objects.create(
        program_id=people["P-0002"].site.programs.get(code="BALON").pk,
        site=site("SCH-01"),
        date=date(2025, 3, 12),
        activity="soccer_clinic",
    )
    outcome = run_import("attendance", write_csv(tmp_path / "a.csv", [attendance_row(person_ref="P-0002")]))
    assert outcome.stats == {"attendance": {"created": 1}}
    assert Attendance.objects.get().session == session
