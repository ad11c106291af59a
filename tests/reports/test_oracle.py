"""The SQL counting against a plain-Python reading of docs/counting.md, on random data that
changes between computations (events deleted, back-dated, referrals cancelled or completed later,
attendance unticked, birth dates corrected): the stored first events must never drift."""

import random
from datetime import date, timedelta

import pytest

from cases.choices import age_band
from cases.models import Person
from orientation.dates import add_months
from orientation.models import Program
from reports.actions import first_events_rebuild, monthly_figures_compute
from reports.counting import age_band_of, rollup
from reports.models import (
    MEASURES,
    EventChange,
    FirstEvent,
    FirstEventCount,
    FirstEventState,
    Indicator,
    MonthlyFigure,
    YearFirstEvent,
    YearFirstEventCount,
)
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

MONTHS = [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
POP = ["destination", "transit", "pendular", "host", "returnee"]


def _events(indicator: Indicator) -> list[tuple]:
    """The indicator's qualifying events as (person id, date, population type, order key), read
    with the ORM straight from the contract's table."""
    start = indicator.program.start_date
    areas = set(indicator.areas)
    events = []
    if indicator.event_kind == "attendance":
        for a in Attendance.objects.filter(session__program=indicator.program, present=True).select_related(
            "session"
        ):
            if (
                not indicator.activities or a.session.activity in indicator.activities
            ) and a.session.date >= start:
                events.append((a.person_id, a.session.date, a.population_type, (a.session.date, a.pk)))
        return events
    types = {t.pk: t.area for t in ServiceType.objects.all()}
    if indicator.event_kind == "service_received":
        for s in DirectService.objects.filter(program=indicator.program):
            if (not areas or types[s.service_type_id] in areas) and s.delivered_on >= start:
                events.append(
                    (s.person_id, s.delivered_on, s.population_type, (s.delivered_on, s.created_at, 1, s.pk))
                )
        for r in Referral.objects.filter(program=indicator.program, status="completed"):
            if (not areas or types[r.service_type_id] in areas) and r.completed_on >= start:
                events.append(
                    (r.person_id, r.completed_on, r.population_type, (r.completed_on, r.created_at, 2, r.pk))
                )
    else:
        for r in Referral.objects.filter(program=indicator.program).exclude(status="cancelled"):
            if (not areas or types[r.service_type_id] in areas) and r.referred_on >= start:
                events.append(
                    (r.person_id, r.referred_on, r.population_type, (r.referred_on, r.created_at, 2, r.pk))
                )
    return events


def reporting_year_start(program, month: date) -> date:
    """Read from the contract: the calendar year unless the program sets another start month;
    the year of M is the one containing M; never before the program's start."""
    start_month = program.reporting_year_start_month
    year = month.year if month.month >= start_month else month.year - 1
    return max(date(year, start_month, 1), program.start_date)


def oracle(indicator: Indicator, month: date) -> dict:
    end = add_months(month, 1) - timedelta(days=1)
    year_start = reporting_year_start(indicator.program, month)
    people = {p.pk: p for p in Person.objects.all()}
    first, first_in_month, first_in_year = {}, {}, {}
    for person_id, day, pt, _key in sorted(_events(indicator), key=lambda e: e[3]):
        first.setdefault(person_id, (day, pt))
        if month <= day <= end:
            first_in_month.setdefault(person_id, (day, pt))
        if year_start <= day <= end:
            first_in_year.setdefault(person_id, (day, pt))

    def groups(refs):
        return rollup(
            [
                (people[pid].sex, age_band(people[pid].birth_date, day), pt, str(people[pid].nationality), 1)
                for pid, (day, pt) in refs.items()
            ]
        )

    return {
        "reached": groups(first_in_month),
        "new": groups({pid: ref for pid, ref in first.items() if month <= ref[0] <= end}),
        "cumulative": groups({pid: ref for pid, ref in first.items() if ref[0] <= end}),
        "new_in_year": groups({pid: ref for pid, ref in first_in_year.items() if month <= ref[0]}),
        "cumulative_in_year": groups(first_in_year),
    }


def _stored(month: date) -> dict:
    return {
        f.indicator.code: {m: getattr(f, m) for m in MEASURES}
        for f in MonthlyFigure.objects.filter(month=month).select_related("indicator")
    }


def _expected(month: date) -> dict:
    return {i.code: oracle(i, month) for i in Indicator.objects.filter(active=True).select_related("program")}


def _random_day(rng) -> date:
    return date(2024, 11, 1) + timedelta(days=rng.randint(0, 150))


def _populate(rng, people: int = 30, events: int = 160):
    pao, salud, balon = program("PAO"), program("SALUD"), program("BALON")
    types = list(ServiceType.objects.all())
    folks = []
    for _ in range(people):
        birth = None if rng.random() < 0.15 else date(rng.choice([1950, 1990, 2008, 2012, 2016, 2020]), 2, 28)
        if birth and rng.random() < 0.5:
            birth = birth + timedelta(days=rng.randint(1, 40))
        folks.append(
            PersonFactory(
                sex=rng.choice("FFMX"),
                birth_date=birth,
                nationality=rng.choice(["VE", "VE", "PE", "CO"]),
                population_type=rng.choice(POP),
            )
        )
    sessions = {}
    for _ in range(events):
        who = rng.choice(folks)
        kind = rng.random()
        day = _random_day(rng)
        if kind < 0.45:
            DirectServiceFactory(
                person=who,
                program=rng.choice([pao, pao, salud]),
                service_type=rng.choice(types),
                delivered_on=day,
                population_type=rng.choice(POP),
            )
        elif kind < 0.7:
            status = rng.choice(["pending", "accepted", "completed", "declined", "no_show", "cancelled"])
            ReferralFactory(
                person=who,
                program=rng.choice([pao, pao, salud]),
                service_type=rng.choice(types),
                referred_on=day,
                status=status,
                completed_on=day + timedelta(days=rng.randint(0, 40)) if status == "completed" else None,
                population_type=rng.choice(POP),
            )
        else:
            # Few session days, so a person often has two sessions on one day (ties).
            day = date(2024, 11, 2) + timedelta(days=7 * rng.randint(0, 20))
            activity = rng.choice(["soccer_clinic", "leadership_workshop", "community_activity"])
            key = (day, activity)
            if key not in sessions:
                sessions[key] = SportSessionFactory(program=balon, date=day, activity=activity)
            if not Attendance.objects.filter(session=sessions[key], person=who).exists():
                AttendanceFactory(
                    session=sessions[key],
                    person=who,
                    present=rng.random() < 0.8,
                    population_type=rng.choice(POP),
                )
    return folks


def _mutate(rng, folks):
    """What happens to data after a month was computed."""
    for s in DirectService.objects.order_by("?")[:8]:
        s.delete()
    for r in Referral.objects.exclude(status="cancelled").order_by("?")[:6]:
        r.status = "cancelled"
        r.save()
    for r in Referral.objects.filter(status__in=["pending", "accepted"]).order_by("?")[:4]:
        r.status, r.completed_on = "completed", r.referred_on + timedelta(days=rng.randint(0, 50))
        r.save()
    for a in Attendance.objects.order_by("?")[:8]:
        a.present = not a.present
        a.save()
    for _ in range(10):  # back-dated entries
        DirectServiceFactory(
            person=rng.choice(folks),
            program=program("PAO"),
            service_type=rng.choice(list(ServiceType.objects.all())),
            delivered_on=date(2024, 11, 1) + timedelta(days=rng.randint(0, 60)),
            population_type=rng.choice(POP),
        )
    for person in rng.sample(folks, 3):
        person.birth_date = date(2013, 3, 1)
        person.sex = "X"
        person.save()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_matches_the_contract_read_in_python(ref, seed, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    if seed == 3:  # a reporting year from December: the year of 2025-01 began on 2024-12-01
        Program.objects.filter(code="SALUD").update(reporting_year_start_month=12)
    if seed == 2:  # and one from February: 2025-01 still belongs to the year begun in 2024-02
        Program.objects.filter(code="PAO").update(reporting_year_start_month=2)
    folks = _populate(rng)
    # PAO's first events are built by the nightly rebuild, the others' by their first computation.
    first_events_rebuild(program_code="PAO")
    order = MONTHS[:]
    rng.shuffle(order)
    for month in order:
        monthly_figures_compute(month=month)
    for month in MONTHS:
        assert _stored(month) == _expected(month), month

    _mutate(rng, folks)
    # The nightly rebuild of one program, then one month computed: every measure of every month
    # is exact again (the writes noted the people whose first events they moved, and the months
    # they can change are recomputed after the rebuild and after the computation).
    march = MONTHS[-1]
    with django_capture_on_commit_callbacks(execute=True):
        first_events_rebuild(program_code="BALON")
        monthly_figures_compute(month=march)
    for month in MONTHS:
        assert _stored(month) == _expected(month), month


def test_rebuilding_first_events_gives_exact_cumulative_at_once(ref):
    rng = random.Random(7)
    folks = _populate(rng)
    first_events_rebuild()
    for month in MONTHS:
        monthly_figures_compute(month=month)
    _mutate(rng, folks)
    before = set(FirstEvent.objects.values_list("indicator_id", "person_id", "first_on", "population_type"))
    assert first_events_rebuild() == 10
    assert (
        set(FirstEvent.objects.values_list("indicator_id", "person_id", "first_on", "population_type"))
        != before
    )
    monthly_figures_compute(month=MONTHS[2])
    assert _stored(MONTHS[2]) == _expected(MONTHS[2])


def test_a_changed_indicator_is_rebuilt_from_the_history_before_it_is_counted(ref):
    rng = random.Random(11)
    _populate(rng)
    first_events_rebuild(program_code="PAO")
    monthly_figures_compute(month=MONTHS[-1], program_code="PAO")
    indicator = Indicator.objects.get(code="PAO-DOC")
    indicator.areas = ["documentation", "protection"]
    indicator.save()
    monthly_figures_compute(month=MONTHS[-1], program_code="PAO")
    assert _stored(MONTHS[-1])["PAO-DOC"] == oracle(Indicator.objects.get(code="PAO-DOC"), MONTHS[-1])
    first_events_rebuild(program_code="PAO")
    monthly_figures_compute(month=MONTHS[-2], program_code="PAO")
    assert _stored(MONTHS[-2])["PAO-DOC"] == oracle(Indicator.objects.get(code="PAO-DOC"), MONTHS[-2])


def test_first_event_counts_always_equal_the_first_events(ref):
    rng = random.Random(13)
    folks = _populate(rng)
    first_events_rebuild()
    for month in MONTHS:
        monthly_figures_compute(month=month)
    _mutate(rng, folks)
    for month in reversed(MONTHS):
        monthly_figures_compute(month=month)
    expected = {}
    for fe in FirstEvent.objects.all():
        key = (
            fe.indicator_id,
            fe.first_on.replace(day=1),
            fe.sex,
            age_band_of(fe.age),
            fe.population_type,
            fe.nationality,
        )
        expected[key] = expected.get(key, 0) + 1
    stored = {
        (c.indicator_id, c.month, c.sex, c.age_band, c.population_type, c.nationality): c.count
        for c in FirstEventCount.objects.all()
    }
    assert stored == expected

    # The same for the first events of each reporting year, which also equal a rebuild.
    def year_rows():
        return set(
            YearFirstEvent.objects.values_list(
                "indicator_id",
                "person_id",
                "year",
                "first_on",
                "population_type",
                "sex",
                "nationality",
                "age",
            )
        )

    expected = {}
    start_months = dict(Indicator.objects.values_list("pk", "program__reporting_year_start_month"))
    for indicator_id, _p, year, first_on, pt, sex, nat, age in year_rows():
        year_start = date(year, start_months[indicator_id], 1)
        assert year_start <= first_on < add_months(year_start, 12)
        key = (indicator_id, first_on.replace(day=1), sex, age_band_of(age), pt, nat)
        expected[key] = expected.get(key, 0) + 1
    stored = {
        (c.indicator_id, c.month, c.sex, c.age_band, c.population_type, c.nationality): c.count
        for c in YearFirstEventCount.objects.all()
    }
    assert stored == expected
    kept = year_rows()
    assert kept
    first_events_rebuild()
    assert year_rows() == kept


def test_months_after_the_data_and_before_the_program(ref):
    rng = random.Random(5)
    _populate(rng, people=10, events=40)
    for month in [date(2019, 1, 1), date(2024, 2, 1), add_months(MONTHS[-1], 3)]:
        monthly_figures_compute(month=month)
        assert _stored(month) == _expected(month), month


@pytest.mark.parametrize("seed", [21, 22])
def test_imported_attendance_with_new_groups_is_counted_as_the_contract_says(ref, tmp_path, seed):
    """The facilitators' spreadsheets, groups and all, imported into a program that already has
    attendance: the figures of every month equal the contract read in Python, and importing the
    same file again changes none of them."""
    import csv

    from cases.imports.engine import file_import
    from cases.imports.errors import ErrorSink
    from services.sport.import_kinds import AttendanceImporter
    from services.sport.models import SportGroup

    rng = random.Random(seed)
    folks = _populate(rng, people=20, events=60)
    for n, person in enumerate(folks):
        person.ref = f"IMP-{n:03d}"
        person.save()
    rows, seen = [], set()
    for _ in range(120):
        who = rng.choice(folks)
        day = date(2024, 11, 2) + timedelta(days=7 * rng.randint(0, 20))
        activity = rng.choice(["soccer_clinic", "leadership_workshop", "community_activity"])
        group = rng.choice(["", "A", "a ", "Sub-12", "Sub-14 mixto"])
        site_code = rng.choice(["SCH-01", "SCH-02"])
        key = (site_code, day, activity, group.strip().lower(), who.ref)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            [
                who.ref,
                "BALON",
                site_code,
                day.isoformat(),
                activity,
                group,
                rng.choice("110"),
                rng.choice(POP),
            ]
        )
    path = tmp_path / "asistencia-historica.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(AttendanceImporter.columns)
        writer.writerows(rows)

    def run():
        errors = ErrorSink(keep=None)
        result = file_import(
            open_file=lambda: open(path, "rb"), name=path.name, kind="attendance", errors=errors
        )
        assert result.ok, [str(e) for e in errors.errors]
        return result

    result = run()
    assert result.stats["sport_groups"]["created"] == SportGroup.objects.count() > 0
    first_events_rebuild(program_code="BALON")
    for month in MONTHS:
        monthly_figures_compute(month=month, program_code="BALON")
    balon = {code for code in Indicator.objects.filter(program__code="BALON").values_list("code", flat=True)}
    for month in MONTHS:
        stored, expected = _stored(month), _expected(month)
        assert {c: stored[c] for c in balon} == {c: expected[c] for c in balon}, month

    before = {month: _stored(month) for month in MONTHS}
    assert "sport_groups" not in run().stats
    for month in MONTHS:
        monthly_figures_compute(month=month, program_code="BALON")
        assert _stored(month) == before[month], month


@pytest.mark.parametrize("seed", [31, 32])
def test_without_the_bookkeeping_the_nightly_rebuild_repairs_every_first_event(ref, seed):
    """Every write of a day missing from the bookkeeping (as if all had missed the triggers): the
    nightly rebuild finds the people whose first events (ever or of a reporting year) differ,
    repairs them, and every month computed next equals the contract."""
    rng = random.Random(seed)
    if seed == 32:
        Program.objects.filter(code="PAO").update(reporting_year_start_month=12)
    folks = _populate(rng)
    for month in MONTHS:
        monthly_figures_compute(month=month)

    def stored_rows():
        return (
            set(
                FirstEvent.objects.values_list(
                    "indicator_id", "person_id", "first_on", "population_type", "age"
                )
            ),
            set(
                YearFirstEvent.objects.values_list(
                    "indicator_id", "person_id", "year", "first_on", "population_type", "age"
                )
            ),
        )

    _mutate(rng, folks)
    EventChange.objects.all().delete()
    stale = stored_rows()
    first_events_rebuild()
    assert sum(FirstEventState.objects.values_list("differences", flat=True)) > 0
    repaired = stored_rows()
    assert repaired[0] != stale[0] and repaired[1] != stale[1]
    for month in MONTHS:
        monthly_figures_compute(month=month)
        assert _stored(month) == _expected(month), month
    first_events_rebuild()
    assert stored_rows() == repaired
    assert set(FirstEventState.objects.values_list("differences", flat=True)) == {0}
