"""First events kept by the writes themselves (docs/counting.md, "Late writes").

Database triggers record, in the writing transaction, each person whose events of a program were
written (``EventChange``); the next computation recomputes those people's first events from their
own events. After every kind of late write the stored first events equal a full rebuild, the month
computed next equals the contract read in Python, and the other stored months it can change are
recomputed, each run telling what moved.
"""

import csv
import random
import zlib
from datetime import date, timedelta

import pytest
from django.db import connection

from cases.imports.engine import file_import
from cases.imports.errors import ErrorSink
from reports.actions import first_events_rebuild, monthly_figures_compute
from reports.models import EventChange, FirstEvent, FirstEventCount, FirstEventState, ReportRun
from services.actions import partner_feedback_record, partner_link_create, referral_transition
from services.import_kinds import ServicesImporter
from services.models import DirectService, Referral, ServiceType
from services.sport.models import Attendance
from tests.factories import (
    AttendanceFactory,
    DirectServiceFactory,
    PersonFactory,
    ReferralFactory,
    SportSessionFactory,
    program,
)
from tests.reports.test_oracle import MONTHS, POP, _expected, _populate, _stored

MARCH = MONTHS[-1]


def _changes() -> set[tuple]:
    return set(EventChange.objects.values_list("program_id", "person_id", "day"))


# --- The triggers ---------------------------------------------------------------------------------


def test_each_write_of_an_event_is_recorded_with_its_program_person_and_date(ref):
    pao, balon = program("PAO"), program("BALON")
    ana, beto = PersonFactory(), PersonFactory()
    service = DirectServiceFactory(person=ana, program=pao, delivered_on=date(2025, 2, 10))
    assert _changes() == {(pao.pk, ana.pk, date(2025, 2, 10))}

    EventChange.objects.all().delete()
    service.notes = "Trajo su pasaporte."
    service.save()
    assert _changes() == set(), "a change that cannot move a first event records nothing"

    service.delivered_on = date(2025, 1, 5)
    service.save()
    assert _changes() == {(pao.pk, ana.pk, date(2025, 2, 10)), (pao.pk, ana.pk, date(2025, 1, 5))}

    EventChange.objects.all().delete()
    DirectService.objects.filter(pk=service.pk).update(person=beto)  # a merge moves it
    assert {(p, person) for p, person, _d in _changes()} == {(pao.pk, ana.pk), (pao.pk, beto.pk)}

    EventChange.objects.all().delete()
    service.delete()
    assert _changes() == {(pao.pk, beto.pk, date(2025, 1, 5))}

    EventChange.objects.all().delete()
    referral = ReferralFactory(person=ana, program=pao, referred_on=date(2025, 3, 3), status="pending")
    EventChange.objects.all().delete()
    Referral.objects.filter(pk=referral.pk).update(status="completed", completed_on=date(2025, 3, 20))
    assert _changes() == {(pao.pk, ana.pk, date(2025, 3, 3))}

    EventChange.objects.all().delete()
    session = SportSessionFactory(program=balon, date=date(2025, 2, 1))
    attendance = AttendanceFactory(session=session, person=beto, present=True)
    Attendance.objects.filter(pk=attendance.pk).update(present=False)
    assert _changes() == {(balon.pk, beto.pk, date(2025, 2, 1))}

    EventChange.objects.all().delete()
    session.date = date(2025, 1, 25)
    session.save()
    assert _changes() == {(balon.pk, beto.pk, date(2025, 2, 1)), (balon.pk, beto.pk, date(2025, 1, 25))}

    EventChange.objects.all().delete()
    Attendance.objects.filter(session=session).delete()
    assert _changes() == {(balon.pk, beto.pk, date(2025, 1, 25))}


def test_a_correction_of_who_a_person_is_notes_them_in_each_program_from_their_first_event(ref):
    pao, balon = program("PAO"), program("BALON")
    ana = PersonFactory(sex="F")
    DirectServiceFactory(person=ana, program=pao, delivered_on=date(2025, 2, 10))
    DirectServiceFactory(person=ana, program=pao, delivered_on=date(2025, 1, 4))
    AttendanceFactory(session=SportSessionFactory(program=balon, date=date(2025, 3, 1)), person=ana)
    EventChange.objects.all().delete()
    ana.phone = "987654321"
    ana.save()
    assert _changes() == set(), "a change that counts nowhere notes nothing"
    ana.sex = "X"
    ana.save()
    assert _changes() == {(pao.pk, ana.pk, date(2025, 1, 4)), (balon.pk, ana.pk, date(2025, 3, 1))}


def test_bulk_writes_are_recorded_too(ref):
    pao = program("PAO")
    people = [PersonFactory() for _ in range(3)]
    service_type = ServiceType.objects.first()
    DirectService.objects.bulk_create(
        DirectService(
            person=p,
            program=pao,
            site=p.site,
            service_type=service_type,
            delivered_on=date(2025, 1, 10 + n),
            population_type="destination",
        )
        for n, p in enumerate(people)
    )
    assert {(person, day) for _p, person, day in _changes()} == {
        (p.pk, date(2025, 1, 10 + n)) for n, p in enumerate(people)
    }


# --- After every kind of late write ---------------------------------------------------------------


def _first_events() -> tuple[set, set]:
    return (
        set(
            FirstEvent.objects.values_list(
                "indicator_id", "person_id", "first_on", "population_type", "sex", "nationality", "age"
            )
        ),
        set(
            FirstEventCount.objects.values_list(
                "indicator_id", "month", "sex", "age_band", "population_type", "nationality", "count"
            )
        ),
    )


def _late_completion(rng, folks, make_user, tmp_path):
    for referral in Referral.objects.filter(status__in=["pending", "accepted"]).order_by("pk")[:3]:
        referral_transition(
            referral=referral,
            user=make_user("caseworker"),
            to_status="completed",
            completed_on=referral.referred_on + timedelta(days=2),
        )


def _late_cancellation(rng, folks, make_user, tmp_path):
    user = make_user("caseworker")
    for referral in Referral.objects.filter(status__in=["pending", "accepted"]).order_by("pk")[:3]:
        referral_transition(
            referral=referral, user=user, to_status="cancelled", comment="Registro duplicado."
        )


def _late_partner_answer(rng, folks, make_user, tmp_path):
    user = make_user("caseworker")
    for referral in Referral.objects.filter(status__in=["pending", "accepted"]).order_by("pk")[:3]:
        link, _token = partner_link_create(referral=referral, user=user)
        partner_feedback_record(link_id=link.pk, to_status="completed", completed_on=referral.referred_on)


def _late_import(rng, folks, make_user, tmp_path):
    """Last year's paper forms: services dated in the first months, for people already served."""
    for n, person in enumerate(folks):
        person.ref = f"LATE-{n:03d}"
        person.save()
    path = tmp_path / "servicios-atrasados.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ServicesImporter.columns)
        for n in range(12):
            person = rng.choice(folks)
            day = date(2024, 11, 1) + timedelta(days=rng.randint(0, 45))
            writer.writerow(
                [
                    f"SRV-LATE-{n:03d}", person.ref, "PAO", "doc-orientation", "direct", day.isoformat(),
                    "", "", "", rng.choice(POP), "PAO-LS",
                ]
            )  # fmt: skip
    errors = ErrorSink(keep=None)
    result = file_import(open_file=lambda: open(path, "rb"), name=path.name, kind="services", errors=errors)
    assert result.ok, [str(e) for e in errors.errors]


def _late_merge(rng, folks, make_user, tmp_path):
    """Two records of one person joined: every event of the second moves to the first."""
    keep, gone = folks[0], folks[1]
    DirectService.objects.filter(person=gone).update(person=keep)
    Referral.objects.filter(person=gone).update(person=keep)
    for attendance in Attendance.objects.filter(person=gone):
        if Attendance.objects.filter(session=attendance.session, person=keep).exists():
            attendance.delete()
        else:
            attendance.person = keep
            attendance.save()


def _late_deletion(rng, folks, make_user, tmp_path):
    for service in DirectService.objects.order_by("delivered_on", "pk")[:6]:
        service.delete()
    for attendance in Attendance.objects.order_by("pk")[:4]:
        attendance.delete()


def _late_correction(rng, folks, make_user, tmp_path):
    """A caseworker corrects who three people are (sex, birth date, nationality)."""
    for person in folks[:3]:
        person.sex, person.birth_date, person.nationality = "X", date(2013, 3, 1), "CO"
        person.save()


LATE_WRITES = {
    "person-correction": _late_correction,
    "completion": _late_completion,
    "cancellation": _late_cancellation,
    "partner-answer": _late_partner_answer,
    "import-of-an-earlier-month": _late_import,
    "merge": _late_merge,
    "deletion": _late_deletion,
}


@pytest.mark.parametrize("kind", LATE_WRITES)
def test_after_a_late_write_first_events_equal_a_rebuild_and_every_month_the_contract(
    ref, make_user, tmp_path, django_capture_on_commit_callbacks, kind
):
    rng = random.Random(zlib.crc32(kind.encode()))  # the same data on every run
    folks = _populate(rng, people=25, events=140)
    for month in MONTHS:
        monthly_figures_compute(month=month)
    assert not EventChange.objects.exists(), "a computation takes the changes it applies"
    before = {month: _stored(month) for month in MONTHS}

    LATE_WRITES[kind](rng, folks, make_user, tmp_path)
    assert EventChange.objects.exists()

    # The next computation of any month carries the late writes into the first events...
    with django_capture_on_commit_callbacks(execute=True):
        monthly_figures_compute(month=MARCH)
    assert not EventChange.objects.exists()
    assert _stored(MARCH) == _expected(MARCH)
    kept = _first_events()
    assert first_events_rebuild() == 10
    assert _first_events() == kept, "the first events kept by the writes equal a rebuild"
    assert set(FirstEventState.objects.values_list("differences", flat=True)) == {0}

    # ... and the other stored months it can change were recomputed (the queued job ran).
    for month in MONTHS:
        assert _stored(month) == _expected(month), month
    late_runs = ReportRun.objects.filter(trigger=ReportRun.Trigger.LATE, status=ReportRun.Status.DONE)
    moved = {(run.month, c["indicator"], c["measure"]) for run in late_runs for c in run.changes}
    expected_moves = {
        (month, code, measure)
        for month in MONTHS
        if month != MARCH
        for code, measures in before[month].items()
        for measure, value in measures.items()
        if value != _stored(month)[code][measure]
    }
    assert moved == expected_moves
    assert expected_moves or kind in ("cancellation", "partner-answer", "completion")


def test_a_month_computed_twice_without_writes_records_no_change(ref):
    _populate(random.Random(3), people=10, events=40)
    monthly_figures_compute(month=MARCH)
    monthly_figures_compute(month=MARCH)
    assert ReportRun.objects.filter(status=ReportRun.Status.DONE).first().changes == []
    assert not ReportRun.objects.filter(trigger=ReportRun.Trigger.LATE).exists()


def test_the_nightly_check_finds_and_repairs_a_write_the_bookkeeping_missed(ref, caplog):
    rng = random.Random(21)
    folks = _populate(rng, people=15, events=60)
    monthly_figures_compute(month=MARCH)
    # A write that left no trace (as if written with the triggers off): a service before
    # everyone's first one.
    DirectServiceFactory(
        person=folks[0], program=program("PAO"), delivered_on=date(2024, 10, 1), population_type="host"
    )
    EventChange.objects.all().delete()
    with caplog.at_level("ERROR", logger="reports.actions"):
        first_events_rebuild(program_code="PAO")
    differences = dict(FirstEventState.objects.values_list("indicator__code", "differences"))
    assert differences["PAO-DOC"] == differences["PAO-ANY"] == 1, differences
    assert differences["PAO-PHC"] == differences["PAO-REF"] == 0
    assert "differed from the history" in caplog.text
    monthly_figures_compute(month=MARCH)
    assert _stored(MARCH) == _expected(MARCH)


def test_a_new_indicator_is_built_from_the_history_when_first_counted(ref):
    _populate(random.Random(4), people=10, events=50)
    assert not FirstEventState.objects.exists()
    monthly_figures_compute(month=MARCH)
    assert FirstEventState.objects.count() == 10
    assert _stored(MARCH) == _expected(MARCH)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the switch is PostgreSQL's (generate_demo)")
@pytest.mark.django_db(transaction=True)
def test_the_bookkeeping_can_be_switched_off_for_one_transaction(ref):
    from django.db import transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('orienta.event_changes', 'off', true)")
        DirectServiceFactory(person=PersonFactory(), program=program("PAO"))
    assert not EventChange.objects.exists()
    DirectServiceFactory(person=PersonFactory(), program=program("PAO"))
    assert EventChange.objects.count() == 1


def test_the_dashboard_lists_the_months_recomputed_after_late_entries(
    ref, settings, coordinator, client_for, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"
    pao = program("PAO")
    ana = PersonFactory()
    DirectServiceFactory(person=ana, program=pao, delivered_on=date(2025, 2, 10))
    for month in (date(2025, 1, 1), date(2025, 2, 1), MARCH):
        monthly_figures_compute(month=month, program_code="PAO")
    # Typed in late: a January service for someone else, and Ana's first visit was in January too.
    DirectServiceFactory(person=PersonFactory(), program=pao, delivered_on=date(2025, 1, 20))
    DirectServiceFactory(person=ana, program=pao, delivered_on=date(2025, 1, 8))
    with django_capture_on_commit_callbacks(execute=True):
        monthly_figures_compute(month=MARCH, program_code="PAO")
    january = ReportRun.objects.get(trigger=ReportRun.Trigger.LATE, month=date(2025, 1, 1))
    assert {"indicator": "PAO-DOC", "measure": "reached", "before": 0, "after": 2} in january.changes
    february = ReportRun.objects.get(trigger=ReportRun.Trigger.LATE, month=date(2025, 2, 1))
    assert {"indicator": "PAO-DOC", "measure": "new", "before": 1, "after": 0} in february.changes

    response = client_for(coordinator).get("/reports/", {"program": "PAO", "month": "2025-03"})
    panel = response.content.decode()
    assert 'data-testid="late-recomputations"' in panel
    assert "Months recomputed after late entries" in panel
    assert "January 2025" in panel and "February 2025" in panel
    assert "new 1 → 0" in panel
