"""The scale generator (seeds/scale.py, ``generate_demo``) on the suite's database (SQLite or
PostgreSQL), and the benchmark's floor (bench/floor.py) against a hand-computed month (PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from bench import floor
from cases.models import Consent, Intake, Person
from orientation.dates import add_months
from orientation.models import Program, Site
from seeds import scale
from services.models import DirectService, Referral, ReferralTransition, ServiceType
from services.sport.models import Attendance, SportSession
from tests.factories import (
    AttendanceFactory,
    DirectServiceFactory,
    PersonFactory,
    ReferralFactory,
    SportSessionFactory,
    service_type,
)

PEOPLE, EVENTS, MONTHS = 1200, 6000, 36

pytestmark = pytest.mark.django_db(transaction=True)


def _generate(**kwargs):
    options = {"people": PEOPLE, "events": EVENTS, "months": MONTHS, "seed": 5, "verbosity": 0} | kwargs
    call_command("generate_demo", **options)


def _last_month() -> tuple[date, date]:
    first_of_this = timezone.localdate().replace(day=1)
    last = first_of_this - timedelta(days=1)
    return last.replace(day=1), last


def _first_month() -> date:
    first, _last = _last_month()
    return add_months(first, -(MONTHS - 1))


@pytest.fixture
def generated(ref):
    _generate()


def test_exact_sizes_and_constraints(generated):
    assert Person.objects.count() == PEOPLE
    events = DirectService.objects.count() + Referral.objects.count() + Attendance.objects.count()
    assert events == EVENTS
    # Unique slip codes and one attendance per session and person (the constraints hold; recount).
    assert Referral.objects.values("code").distinct().count() == Referral.objects.count()
    assert Attendance.objects.values("session", "person").distinct().count() == Attendance.objects.count()
    # Completed referrals have a completion date on or after the referral; others have none.
    completed = Referral.objects.filter(status="completed")
    assert not completed.filter(completed_on__isnull=True).exists()
    assert not completed.filter(completed_on__lt=F("referred_on")).exists()
    assert not Referral.objects.exclude(status="completed").filter(completed_on__isnull=False).exists()
    # Every event on or after its person's registration, every birth date on or before it.
    assert not DirectService.objects.filter(delivered_on__lt=F("person__registered_on")).exists()
    assert not Referral.objects.filter(referred_on__lt=F("person__registered_on")).exists()
    assert not Attendance.objects.filter(session__date__lt=F("person__registered_on")).exists()
    assert not Person.objects.filter(birth_date__gt=F("registered_on")).exists()
    # Generated rows are bulk-loaded: no history rows (documented in seeds/scale.py).
    assert Person.history.count() == 0 and DirectService.history.count() == 0


def test_people_distributions(generated):
    nationalities = Counter(Person.objects.values_list("nationality", flat=True))
    ranking = [code for code, _n in nationalities.most_common()]
    assert ranking[:2] == ["VE", "PE"]
    assert {"CO", "EC"} <= set(ranking[2:4]) and len(ranking) > 4
    assert nationalities["VE"] > PEOPLE / 2
    assert set(Person.objects.values_list("sex", flat=True)) == {"F", "M", "X"}
    assert set(Person.objects.values_list("population_type", flat=True)) == {
        "destination",
        "transit",
        "pendular",
        "host",
        "returnee",
    }
    assert (
        Person.objects.filter(nationality="PE").exclude(population_type__in=["host", "returnee"]).count() == 0
    )
    assert 0 < Person.objects.filter(birth_date__isnull=True).count() < PEOPLE * 0.1
    assert Person.objects.filter(birth_date__month=2, birth_date__day=29).exists()
    # Children and adults: ages on the registration day across every band.
    bands = Counter(p.age_band(p.registered_on) for p in Person.objects.only("birth_date", "registered_on"))
    assert {"0-4", "5-11", "12-17", "18-59", "60+", "unknown"} <= set(bands)
    assert bands["18-59"] > bands["60+"] > 0
    # Spread over the three sites; names searchable.
    by_site = dict(Person.objects.values_list("site__code").annotate(n=Count("id")))
    assert set(by_site) == {"PAO-LS", "SCH-01", "SCH-02"}
    assert not Person.objects.filter(search_name="").exists()
    person = Person.objects.filter(given_names="José").first() or Person.objects.first()
    assert person.search_name == scale._normalize(f"{person.given_names} {person.family_names}")
    # Consents, intakes alongside.
    assert Consent.objects.filter(purpose="data_processing").count() == PEOPLE
    assert (
        Intake.objects.count() == Person.objects.filter(site__code="PAO-LS", is_light_profile=False).count()
    )


def test_events_distributions(generated):
    first, (_m, last) = _first_month(), _last_month()
    programs = {p.code: p for p in Program.objects.all()}
    for code in ("PAO", "SALUD"):
        span = DirectService.objects.filter(program=programs[code]).aggregate(
            a=Min("delivered_on"), b=Max("delivered_on")
        )
        assert span["a"] >= max(programs[code].start_date, first) and span["b"] <= last
        span = Referral.objects.filter(program=programs[code]).aggregate(a=Min("referred_on"))
        assert span["a"] is None or span["a"] >= programs[code].start_date
    sessions = SportSession.objects.aggregate(a=Min("date"), b=Max("date"))
    assert sessions["a"] >= first and sessions["b"] <= last
    assert not SportSession.objects.exclude(program=programs["BALON"]).exists()
    # Every service type of the catalog, protection included, and every referral status.
    used = set(DirectService.objects.values_list("service_type__code", flat=True)) | set(
        Referral.objects.values_list("service_type__code", flat=True)
    )
    assert used == set(ServiceType.objects.values_list("code", flat=True))
    assert "protection" in set(DirectService.objects.values_list("service_type__area", flat=True))
    assert set(Referral.objects.values_list("status", flat=True)) == {
        "pending",
        "accepted",
        "completed",
        "declined",
        "no_show",
        "cancelled",
    }
    later = [r for r in Referral.objects.filter(status="completed") if (r.completed_on.year, r.completed_on.month) > (r.referred_on.year, r.referred_on.month)]  # fmt: skip
    assert later, "some referrals are completed in a later month"
    assert Referral.objects.filter(is_overdue=True, status__in=["pending", "accepted"]).exists()
    # Every transition kept: each referral created pending, then moved (some through accepted) to its status.
    assert (
        ReferralTransition.objects.filter(from_status="", to_status="pending").count()
        == Referral.objects.count()
    )
    last = {
        t.referral_id: t.to_status for t in ReferralTransition.objects.order_by("referral_id", "at", "id")
    }
    assert last == dict(Referral.objects.values_list("id", "status"))
    assert ReferralTransition.objects.filter(from_status="accepted", to_status="completed").exists()
    assert set(Attendance.objects.values_list("present", flat=True)) == {True, False}
    assert set(SportSession.objects.values_list("activity", flat=True)) == {
        "soccer_clinic",
        "leadership_workshop",
        "community_activity",
    }
    # Events in every month of the window; some people change population type between contacts.
    months = {d.replace(day=1) for d in SportSession.objects.values_list("date", flat=True)}
    assert len(months) == MONTHS
    stamps = (
        DirectService.objects.values("person")
        .annotate(kinds=Count("population_type", distinct=True))
        .filter(kinds__gt=1)
    )
    assert stamps.exists()
    # Stamps agree with the person's type unless they changed: the current type is the latest stamp.
    changed = Person.objects.filter(
        Q(direct_services__population_type="transit") | Q(direct_services__population_type="pendular"),
        population_type="destination",
    )
    assert changed.exists()


def test_refuses_non_empty_people_table_then_resets_and_repeats(generated):
    def fingerprint():
        people = list(
            Person.objects.order_by("id").values_list(
                "given_names", "family_names", "birth_date", "nationality"
            )[:200]
        )
        services = list(DirectService.objects.order_by("id").values_list("person_id", "delivered_on", "service_type__code")[:500])  # fmt: skip
        attendance = list(
            Attendance.objects.order_by("id").values_list("person_id", "session__date", "present")[:500]
        )
        return people, services, attendance

    before = fingerprint()
    with pytest.raises(CommandError, match="not empty"):
        _generate()
    assert Person.objects.count() == PEOPLE
    _generate(reset=True)
    assert Person.objects.count() == PEOPLE
    assert fingerprint() == before, "the same seed gives the same data"
    _generate(reset=True, seed=6, people=300, events=1500, months=12)
    assert Person.objects.count() == 300
    assert fingerprint() != before


def test_refused_under_production_settings(ref, settings):
    settings.ORIENTA_DEMO = False
    with pytest.raises(CommandError, match="refused in production"):
        _generate(people=10, events=10, months=2)
    assert not Person.objects.exists()


def test_new_rows_after_generation_get_fresh_ids(generated):
    """Sequences were moved past the copied ids (PostgreSQL); the ORM keeps working on SQLite too."""
    person = PersonFactory(site=Site.objects.get(code="PAO-LS"))
    assert person.pk > PEOPLE
    referral = ReferralFactory(person=person)
    assert referral.pk > Referral.objects.exclude(pk=referral.pk).aggregate(m=Max("id"))["m"]
    AttendanceFactory(person=person, session=SportSession.objects.first())


def test_first_events_are_built_with_the_data_and_changes_stamped_as_they_happened(generated):
    """A fresh data set is on the fast path at once: every indicator's first events are built,
    equal to a rebuild from the history, and no change is left waiting; each event's last change
    is its own day (a referral's: its last transition), not the moment of generation."""
    from reports.actions import first_events_rebuild
    from reports.models import EventChange, FirstEvent, FirstEventState, Indicator

    assert FirstEventState.objects.count() == Indicator.objects.filter(active=True).count()
    assert not EventChange.objects.exists()
    if connection.vendor == "postgresql":
        # vacuumed after the build, so that the month's index-only probes need not read the table
        # (how many pages VACUUM can mark depends on the other transactions running meanwhile)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = %s", [FirstEvent._meta.db_table]
            )
            assert cursor.fetchone()[0] >= 1
    stored = set(FirstEvent.objects.values_list("indicator_id", "person_id", "first_on", "population_type"))
    first_events_rebuild()
    assert set(FirstEventState.objects.values_list("differences", flat=True)) == {0}
    assert (
        set(FirstEvent.objects.values_list("indicator_id", "person_id", "first_on", "population_type"))
        == stored
    )
    today = timezone.localdate()
    for service in DirectService.objects.order_by("?")[:50]:
        assert timezone.localtime(service.updated_at).date() == service.delivered_on
    for referral in Referral.objects.exclude(status="pending").order_by("?")[:50]:
        last = referral.transitions.order_by("-at", "-id").first()
        assert referral.updated_at.date() >= referral.referred_on
        assert referral.updated_at.date() <= today
        if last is not None:
            assert referral.updated_at == last.at


def test_plan_like_keeps_the_last_month(ref):
    full = scale.plan_months(people=1_000_000, events=5_000_000, months=36)
    people, events = scale.plan_like(people=1_000_000, events=5_000_000, months=36, fewer_months=7)
    short = scale.plan_months(people=people, events=events, months=7)
    last_full = sum(n for (m, _p), n in full.events.items() if m == 35)
    last_short = sum(n for (m, _p), n in short.events.items() if m == 6)
    assert abs(last_full - last_short) <= 2
    assert short.total_events == events and events < 5_000_000 / 3


# --- The floor -----------------------------------------------------------------------------------

MARCH = date(2026, 3, 1)


def measure(*people):
    """A measure from each counted person's (sex, age band, population type, nationality)."""
    out = {"total": len(people)}
    for name, key in (
        ("by_sex", lambda p: p[0]),
        ("by_age_band", lambda p: p[1]),
        ("by_sex_age", lambda p: f"{p[0]}:{p[1]}"),
        ("by_population_type", lambda p: p[2]),
        ("by_nationality", lambda p: p[3]),
    ):
        out[name] = dict(Counter(key(p) for p in people))
    return out


def _tiny_month():
    """A hand-made month (March 2026) whose figures are worked out below by hand."""
    pao, salud = Program.objects.get(code="PAO"), Program.objects.get(code="SALUD")
    ana = PersonFactory(
        sex="F", birth_date=date(2014, 3, 15), nationality="VE", population_type="destination"
    )
    DirectServiceFactory(person=ana, delivered_on=date(2026, 1, 5), population_type="transit")
    DirectServiceFactory(person=ana, service_type=service_type("doc-cpp"), delivered_on=date(2026, 3, 10), population_type="destination")  # fmt: skip
    DirectServiceFactory(person=ana, service_type=service_type("doc-cpp"), delivered_on=date(2026, 3, 20), population_type="returnee")  # fmt: skip
    # Born 29 Feb 2008: 17 on 20 Feb 2026, 18 on 1 Mar 2026.
    beto = PersonFactory(sex="M", birth_date=date(2008, 2, 29), nationality="PE", population_type="host")
    ReferralFactory(person=beto, service_type=service_type("doc-refugee"), referred_on=date(2026, 2, 20), status="completed", completed_on=date(2026, 3, 1))  # fmt: skip
    # No birth date; two services the same day: the one recorded first describes her.
    carla = PersonFactory(sex="X", birth_date=None, nationality="CO", population_type="pendular")
    DirectServiceFactory(person=carla, service_type=service_type("phc-consultation"), delivered_on=date(2026, 3, 5), population_type="pendular")  # fmt: skip
    DirectServiceFactory(person=carla, service_type=service_type("mhpss-pfa"), delivered_on=date(2026, 3, 5), population_type="destination")  # fmt: skip
    dino = PersonFactory(sex="M", birth_date=date(1960, 3, 31), nationality="PE", population_type="returnee")
    ReferralFactory(person=dino, service_type=service_type("phc-sis"), referred_on=date(2026, 3, 2), status="cancelled")  # fmt: skip
    ReferralFactory(person=dino, service_type=service_type("prot-legal"), referred_on=date(2026, 3, 3), status="pending")  # fmt: skip
    eva = PersonFactory(sex="F", birth_date=date(1990, 6, 1), nationality="VE", population_type="destination")
    DirectServiceFactory(person=eva, delivered_on=date(2026, 4, 2))
    DirectServiceFactory(person=eva, program=salud, service_type=service_type("phc-consultation"), delivered_on=date(2026, 3, 15))  # fmt: skip
    DirectServiceFactory(person=eva, program=pao, service_type=service_type("doc-orientation"), delivered_on=date(2024, 7, 31))  # fmt: skip
    school = Site.objects.get(code="SCH-01")
    fito = PersonFactory(sex="M", birth_date=date(2016, 3, 10), nationality="VE", population_type="transit", site=school)  # fmt: skip
    gina = PersonFactory(
        sex="F", birth_date=date(2012, 7, 7), nationality="PE", population_type="host", site=school
    )
    clinic = SportSessionFactory(date=date(2026, 3, 12), activity="soccer_clinic")
    workshop = SportSessionFactory(date=date(2026, 3, 19), activity="leadership_workshop")
    december = SportSessionFactory(date=date(2025, 12, 10), activity="community_activity")
    AttendanceFactory(session=clinic, person=fito, population_type="transit")
    AttendanceFactory(session=workshop, person=fito, present=False)
    AttendanceFactory(session=december, person=fito, population_type="pendular")
    AttendanceFactory(session=clinic, person=gina, population_type="host")


def _expected():
    ana_m, ana_first = ("F", "5-11", "destination", "VE"), ("F", "5-11", "transit", "VE")
    beto_m = ("M", "18-59", "host", "PE")
    carla_phc, carla_mh = ("X", "unknown", "pendular", "CO"), ("X", "unknown", "destination", "CO")
    dino = ("M", "60+", "returnee", "PE")
    eva = ("F", "18-59", "destination", "VE")
    fito_m, fito_first = ("M", "5-11", "transit", "VE"), ("M", "5-11", "pendular", "VE")
    gina = ("F", "12-17", "host", "PE")
    none = measure()
    # The year-to-date measures (calendar years: March 2026's year began on 1 January 2026) equal
    # new and cumulative where nobody had an event of the indicator before 2026; below they differ.
    in_year = {
        "PAO-ANY": (measure(beto_m, carla_phc), measure(ana_first, beto_m, carla_phc)),
        "PAO-DOC": (measure(beto_m), measure(ana_first, beto_m)),
        "PAO-PHC": (measure(carla_phc), measure(carla_phc)),
        "PAO-MHPSS": (measure(carla_mh), measure(carla_mh)),
        "PAO-REF": (measure(dino), measure(dino, ("M", "12-17", "host", "PE"))),
        "SALUD-PHC": (measure(eva), measure(eva)),
        "SALUD-MHPSS": (none, none),
        # Fito's December 2025 session belongs to the year before: in 2026 his first is 12 March.
        "BALON-YOUTH": (measure(fito_m, gina), measure(fito_m, gina)),
        "BALON-LEAD": (none, none),
        "BALON-COMM": (none, none),
    }
    figures = {
        "PAO-ANY": {
            "reached": measure(ana_m, beto_m, carla_phc),
            "new": measure(beto_m, carla_phc),
            "cumulative": measure(ana_first, beto_m, carla_phc),
        },  # fmt: skip
        "PAO-DOC": {
            "reached": measure(ana_m, beto_m),
            "new": measure(beto_m),
            "cumulative": measure(ana_first, beto_m),
        },  # fmt: skip
        "PAO-PHC": {
            "reached": measure(carla_phc),
            "new": measure(carla_phc),
            "cumulative": measure(carla_phc),
        },
        "PAO-MHPSS": {
            "reached": measure(carla_mh),
            "new": measure(carla_mh),
            "cumulative": measure(carla_mh),
        },
        # Beto's referral was made on 20 February, when he was 17.
        "PAO-REF": {
            "reached": measure(dino),
            "new": measure(dino),
            "cumulative": measure(dino, ("M", "12-17", "host", "PE")),
        },  # fmt: skip
        "SALUD-PHC": {"reached": measure(eva), "new": measure(eva), "cumulative": measure(eva)},
        "SALUD-MHPSS": {"reached": none, "new": none, "cumulative": none},
        "BALON-YOUTH": {
            "reached": measure(fito_m, gina),
            "new": measure(gina),
            "cumulative": measure(fito_first, gina),
        },  # fmt: skip
        "BALON-LEAD": {"reached": none, "new": none, "cumulative": none},
        "BALON-COMM": {"reached": none, "new": none, "cumulative": measure(fito_first)},
    }
    return {
        code: {**measures, "new_in_year": in_year[code][0], "cumulative_in_year": in_year[code][1]}
        for code, measures in figures.items()
    }


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the floor is PostgreSQL SQL (run the suite with DATABASE_URL=postgres://...)")


def test_floor_equals_the_hand_computed_month(ref, postgres_only):
    _tiny_month()
    with connection.cursor() as cursor:
        figures = floor.month_report(cursor, MARCH)
    expected = _expected()
    assert set(figures) == set(expected)
    for code, measures in expected.items():
        for name, value in measures.items():
            assert floor.normalise(figures[code][name]) == floor.normalise(value), (code, name)


def test_floor_counts_the_year_from_the_programs_own_start_month(ref, postgres_only):
    """BALON's reporting year starts in December: March 2026 belongs to the year from 1 Dec 2025."""
    Program.objects.filter(code="BALON").update(reporting_year_start_month=12)
    _tiny_month()
    with connection.cursor() as cursor:
        figures = floor.month_report(cursor, MARCH)
    fito_first, gina = ("M", "5-11", "pendular", "VE"), ("F", "12-17", "host", "PE")
    youth, comm = figures["BALON-YOUTH"], figures["BALON-COMM"]
    assert floor.normalise(youth["new_in_year"]) == floor.normalise(measure(gina))
    assert floor.normalise(youth["cumulative_in_year"]) == floor.normalise(measure(fito_first, gina))
    assert floor.normalise(comm["new_in_year"]) == floor.normalise(measure())
    assert floor.normalise(comm["cumulative_in_year"]) == floor.normalise(measure(fito_first))
    # The calendar-year programs are unchanged.
    assert floor.normalise(figures["PAO-REF"]["new_in_year"]) == floor.normalise(
        measure(("M", "60+", "returnee", "PE"))
    )


@pytest.mark.parametrize("december", [False, True], ids=["calendar-year", "balon-from-december"])
def test_the_one_pass_floor_equals_the_hand_computed_month_and_the_month_floor(ref, postgres_only, december):
    """bench/floor.py's span statement (every month of a span from one pass over the history) gives
    the hand-computed March and, for each month from December to April, what the one-month
    statement gives."""
    if december:
        Program.objects.filter(code="BALON").update(reporting_year_start_month=12)
    _tiny_month()
    months = [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), MARCH, date(2026, 4, 1)]
    with connection.cursor() as cursor:
        span = floor.span_report(cursor, months)
        for month in months:
            one = floor.month_report(cursor, month)
            for code, measures in one.items():
                for name, value in measures.items():
                    assert floor.normalise(span[month][code][name]) == floor.normalise(value), (
                        month,
                        code,
                        name,
                    )
    if not december:
        for code, measures in _expected().items():
            for name, value in measures.items():
                assert floor.normalise(span[MARCH][code][name]) == floor.normalise(value), (code, name)


def test_floor_cross_check_reports_every_difference(ref, postgres_only):
    _tiny_month()
    with connection.cursor() as cursor:
        figures = floor.month_report(cursor, MARCH)
    project = {"month": "2026-03", "indicators": [{"code": c, **m} for c, m in _expected().items()]}
    assert floor.differences(project, figures) == []
    project["indicators"][1]["reached"]["by_nationality"] = {"VE": 2}
    project["indicators"].pop()
    problems = floor.differences(project, figures)
    assert "PAO-DOC reached by_nationality[PE]: project 0 != floor 1" in problems
    assert "PAO-DOC reached by_nationality[VE]: project 2 != floor 1" in problems
    assert "BALON-COMM: missing from the project's report" in problems


def test_floor_on_generated_data_adds_up(ref, postgres_only):
    _generate(people=400, events=2000, months=12)
    first, _last = _last_month()
    with connection.cursor() as cursor:
        figures = floor.month_report(cursor, first)
    youth = figures["BALON-YOUTH"]
    assert youth["reached"]["total"] > 0 and youth["cumulative"]["total"] >= youth["new"]["total"] > 0
    for code, measures in figures.items():
        for name, value in measures.items():
            for breakdown in floor.BREAKDOWNS:
                assert sum(value[breakdown].values()) == value["total"], (code, name, breakdown)
    present = Attendance.objects.filter(present=True, session__program__code="BALON")
    assert youth["cumulative"]["total"] == present.values("person").distinct().count()
