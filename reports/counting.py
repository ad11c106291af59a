"""The counting contract (docs/counting.md), in SQL: the only place where people are counted.

Everything happens in the database, in set-based statements that give the same results on SQLite
and PostgreSQL (only the spelling of "first row per group", of date parts and of null-safe
equality differs). One definition serves one month and any span of months (``Counter``): a month
is the span of length one.

1. **Stored first events.** ``new`` and ``cumulative`` describe each person by their first-ever
   event; ``new_in_year`` and ``cumulative_in_year`` by their first event of the reporting year.
   Rather than rescanning the history, Orienta keeps each person's first event of each indicator
   (``FirstEvent``) and their first event of each reporting year they were reached in
   (``YearFirstEvent``, a row per person and year), each with the person's sex, nationality and
   age on its date, and, for each month, how many of those fall in it by sex, age band,
   population type and nationality (``FirstEventCount``, ``YearFirstEventCount``). Both are built
   from the history in one statement each ("first row per person", or per person and year),
   ordered by date, then by the moment the event was recorded, then by id.
2. **Kept by the writes.** Database triggers note each person whose events of a program were
   inserted, changed, moved or deleted, or who was corrected (``EventChange``, in the writing
   transaction). Before counting, the computation recomputes those people's first events (ever
   and of every year) from their own events and stores those that changed, taking the old rows
   out of the counts and putting the new ones in, in the same transaction
   (``Counter._changes_apply``): the cost of the people written. The nightly rebuild
   (``first_events_rebuild``) re-derives everything from the history and reports any difference,
   which would be a write the triggers missed. An indicator never built, or whose definition
   changed (program, its start or reporting year, event kind, areas or activities, or the areas
   of service types), is built from the history before it is counted.
3. **The measures of months M1..M2.** ``reached``: each person's earliest event of each month
   ("first row per person and month" over the span's qualifying events, read once through the
   ``(program, date)`` indexes), grouped by month, sex, age, population type and nationality.
   ``new`` is M's row of the counts, ``cumulative`` the sum of the counts up to M;
   ``new_in_year`` and ``cumulative_in_year`` the same over the yearly counts, from the first
   month of M's reporting year. The age is in completed years on the reference event's date: the
   year difference, minus one when the event's (month, day) comes before the birthday's, so a
   birthday on the event day counts and a 29 February birthday turns a year older on 1 March in
   common years. The groups are rolled up into the breakdowns of docs/report-json.md (a few
   hundred groups, never events), so every breakdown sums to its total.

So a month costs its own events and one index probe per person it reached, whatever the length
of the history or of the year so far, and a span of months costs its events once.
All of it runs inside the caller's transaction (see ``reports.actions``).
"""

# The SQL here is assembled from table and column names taken from the models' metadata and from
# this module's constants; every value (ids, dates, codes) is passed as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.choices import AGE_BANDS as AGE_BAND_LIMITS
from cases.choices import AgeBand, PopulationType, Sex
from cases.models import Person
from orientation.dates import add_months, month_end, reporting_year_start
from services.models import DirectService, Referral, ServiceType
from services.sport.models import Attendance, SportSession

from .models import (
    EventChange,
    FirstEvent,
    FirstEventCount,
    FirstEventState,
    Indicator,
    YearFirstEvent,
    YearFirstEventCount,
)

# Bump when the counting SQL changes meaning: every indicator's first events are then rebuilt.
COUNTING_VERSION = 2

AGE_BANDS = [b.value for b in AgeBand]
SEXES = [s.value for s in Sex]
POPULATION_TYPES = list(PopulationType.values)
BREAKDOWNS = ["by_sex", "by_age_band", "by_sex_age", "by_population_type", "by_nationality"]

CHANGE_TABLE = "reports_month_change"
YEAR_CHANGE_TABLE = "reports_month_year_change"
TAKEN_TABLE = "reports_month_taken"
_TEMP_TABLES = {
    # The first events to replace (first_on null: the person has none left).
    CHANGE_TABLE: "person_id bigint PRIMARY KEY, first_on date, pt varchar(20), sex varchar(1), nat varchar(2), age integer",
    # The same for first events of the reporting year, one row per person and year.
    YEAR_CHANGE_TABLE: (
        "person_id bigint NOT NULL, year integer NOT NULL, first_on date, pt varchar(20), sex varchar(1),"
        " nat varchar(2), age integer, PRIMARY KEY (person_id, year)"
    ),
    # The event changes a computation took (reports.models.EventChange), deleted once applied.
    TAKEN_TABLE: "id bigint PRIMARY KEY, person_id bigint NOT NULL, day date",
}
# PostgreSQL memory for the sorts of one statement, set for the computation's transaction only.
WORK_MEM = getattr(settings, "REPORTS_WORK_MEM", "64MB")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _in_list(column: str, values) -> tuple[str, list]:
    values = list(values)
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _temp_schema() -> str:
    return "pg_temp" if _is_postgres() else "temp"


# --- Dialect: the only SQL that differs between PostgreSQL and SQLite ---------------------------


def age_sql(day: str, birth: str) -> str:
    """Completed years on ``day`` for a person born on ``birth`` (NULL without a birth date):
    the year difference, minus one when (month, day) of ``day`` comes before the birthday's."""
    if _is_postgres():
        year = "date_part('year', {})::int"
        month_day = "(date_part('month', {0}) * 100 + date_part('day', {0}))"
    else:
        year = "CAST(strftime('%%Y', {}) AS INTEGER)"
        month_day = "CAST(strftime('%%m%%d', {0}) AS INTEGER)"
    return (
        f"({year.format(day)} - {year.format(birth)}"
        f" - CASE WHEN {month_day.format(day)} < {month_day.format(birth)} THEN 1 ELSE 0 END)"
    )


def age_band_sql(age: str) -> str:
    """The contract's band for an age column (``unknown`` when null or negative)."""
    cases = " ".join(f"WHEN {age} <= {high} THEN '{code}'" for _low, high, code in AGE_BAND_LIMITS)
    return f"CASE WHEN {age} IS NULL OR {age} < 0 THEN 'unknown' {cases} ELSE 'unknown' END"


def month_of_sql(day: str) -> str:
    if _is_postgres():
        return f"CAST(date_trunc('month', {day}) AS date)"
    return f"date({day}, 'start of month')"


def person_join_sql(person_ref: str) -> str:
    """Join the person ``person_ref`` as ``p`` (columns sex, nationality, birth_date under their
    column names). On PostgreSQL an index probe per row, by a lateral subquery the planner cannot
    flatten (``OFFSET 0``): joined plainly, it prefers to read the whole person table in id order
    (a merge join), which costs the population, not the month's people. SQLite probes anyway."""
    person = _table(Person)
    if not _is_postgres():
        return f" JOIN {person} p ON p.id = {person_ref}"
    columns = ", ".join(f"x.{_column(Person, f)}" for f in ("sex", "nationality", "birth_date"))
    return f" CROSS JOIN LATERAL (SELECT {columns} FROM {person} x WHERE x.id = {person_ref} OFFSET 0) p"  # nosec B608 (table and column names)


def same_sql(a: str, b: str) -> str:
    """Null-safe equality."""
    if _is_postgres():
        return f"{a} IS NOT DISTINCT FROM {b}"
    return f"{a} IS {b}"


def first_per_person_sql(
    events_sql: str, order: str, *, extra: tuple[str, ...] = (), per: str | None = None
) -> str:
    """Each person's first event of ``events_sql`` by ``order``: columns person_id, d, pt (and
    the ``extra`` columns of the events, such as ``site_id``). With ``per`` (SQL of the column
    ``y.d``: its reporting year, see ``year_key_sql``, or its month), each person's first event
    of each year or month instead, that period in the column ``period``."""
    partition = "e.person_id"
    if per is not None:
        events_sql = f"SELECT y.*, {per} AS period FROM ({events_sql}) y"  # nosec B608
        extra, partition = ("period", *extra), "e.person_id, e.period"
    columns = ", ".join(f"e.{c}" for c in ("person_id", "d", "pt", *extra))
    if _is_postgres():
        return (
            f"SELECT DISTINCT ON ({partition}) {columns} FROM ({events_sql}) e"  # nosec B608
            f" ORDER BY {partition}, {order}"
        )
    outer = ", ".join(f"x.{c}" for c in ("person_id", "d", "pt", *extra))
    return (
        f"SELECT {outer} FROM ("  # nosec B608
        f"SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {order}) AS rn"
        f" FROM ({events_sql}) e) x WHERE x.rn = 1"
    )


def year_key_sql(day: str, *, start_month: int) -> str:
    """The reporting year containing the date column ``day``, as the calendar year it begins in
    (a year starting in ``start_month``; ``orientation.dates.reporting_year_start``). The start
    month is inlined (an int, never text from a user)."""
    start_month = int(start_month)
    if _is_postgres():
        return f"(CAST(date_part('year', {day}) AS int) - CASE WHEN date_part('month', {day}) < {start_month} THEN 1 ELSE 0 END)"
    return (
        f"(CAST(strftime('%%Y', {day}) AS INTEGER)"
        f" - CASE WHEN CAST(strftime('%%m', {day}) AS INTEGER) < {start_month} THEN 1 ELSE 0 END)"
    )


# --- An indicator's qualifying events --------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What an indicator counts, resolved to ids and codes."""

    indicator_id: int
    program_id: int
    program_start: date
    kind: str
    service_type_ids: tuple[int, ...] | None  # None: any service type
    activities: tuple[str, ...] | None  # None: any activity
    # The month the program's reporting year starts in (1: the calendar year): where the first
    # events of each year (``YearFirstEvent``) begin, so part of the signature.
    year_start_month: int = 1

    def year_start(self, month: date) -> date:
        """The first day of the reporting year containing ``month``, or the program's start if later."""
        return reporting_year_start(month, start_month=self.year_start_month, not_before=self.program_start)

    def year_of(self, day: str) -> str:
        """SQL: the reporting year containing the date column ``day`` (the year it begins in)."""
        return year_key_sql(day, start_month=self.year_start_month)

    @property
    def signature(self) -> str:
        return (
            f"v{COUNTING_VERSION}|{self.kind}|{self.program_id}|{self.program_start.isoformat()}"
            f"|{','.join(map(str, self.service_type_ids)) if self.service_type_ids is not None else '*'}"
            f"|{','.join(self.activities) if self.activities is not None else '*'}|y{self.year_start_month}"
        )[:500]

    @property
    def order(self) -> str:
        """Earliest first; on a tie, the event recorded first (attendance: the row recorded first)."""
        if self.kind == Indicator.EventKind.ATTENDANCE:
            return "e.d, e.eid"
        return "e.d, e.rec, e.src, e.eid"


def scope_for(indicator: Indicator, *, service_areas: dict[int, str] | None = None) -> Scope:
    """The indicator's scope; ``service_areas`` (id → area) saves a query per indicator."""
    if service_areas is None:
        service_areas = dict(ServiceType.objects.values_list("pk", "area"))
    type_ids = None
    activities = None
    if indicator.event_kind == Indicator.EventKind.ATTENDANCE:
        if indicator.activities:
            activities = tuple(sorted(set(indicator.activities)))
    elif indicator.areas:
        wanted = set(indicator.areas)
        type_ids = tuple(sorted(pk for pk, area in service_areas.items() if area in wanted))
    return Scope(
        indicator_id=indicator.pk,
        program_id=indicator.program_id,
        program_start=indicator.program.start_date,
        kind=indicator.event_kind,
        service_type_ids=type_ids,
        activities=activities,
        year_start_month=indicator.program.reporting_year_start_month or 1,
    )


@dataclass(frozen=True)
class _Source:
    """One table of qualifying events and how to select them."""

    table: str
    alias: str
    joins: str
    person: str
    day: str
    population: str
    recorded: str
    source: int
    ident: str
    conditions: tuple[tuple[str, tuple], ...]
    site: str

    def where(self, date_from: date | None, date_to: date | None) -> tuple[list[str], list]:
        clauses, params = [], []
        for clause, values in self.conditions:
            clauses.append(clause)
            params.extend(values)
        if date_from is not None:
            clauses.append(f"{self.day} >= %s")
            params.append(date_from)
        if date_to is not None:
            clauses.append(f"{self.day} <= %s")
            params.append(date_to)
        return clauses, params

    def select(self, date_from=None, date_to=None, persons: tuple[str, list] | None = None):
        clauses, params = self.where(date_from, date_to)
        if persons is not None:
            clauses.append(f"{self.person} IN ({persons[0]})")
            params.extend(persons[1])
        sql = (
            f"SELECT {self.person} AS person_id, {self.day} AS d, {self.population} AS pt,"  # nosec B608
            f" {self.recorded} AS rec, {self.source} AS src, {self.ident} AS eid, {self.site} AS site_id"
            f" FROM {self.table} {self.alias}{self.joins} WHERE {' AND '.join(clauses)}"
        )
        return sql, params


def _sources(scope: Scope) -> list[_Source]:
    q = connection.ops.quote_name
    if scope.kind == Indicator.EventKind.ATTENDANCE:
        conditions = [
            (f"s.{_column(SportSession, 'program')} = %s", (scope.program_id,)),
            (f"a.{_column(Attendance, 'present')} = %s", (True,)),
        ]
        if scope.activities is not None:
            clause, values = _in_list(f"s.{_column(SportSession, 'activity')}", scope.activities)
            conditions.append((clause, tuple(values)))
        return [
            _Source(
                table=_table(Attendance),
                alias="a",
                joins=f" JOIN {_table(SportSession)} s ON s.{q('id')} = a.{_column(Attendance, 'session')}",
                person=f"a.{_column(Attendance, 'person')}",
                day=f"s.{_column(SportSession, 'date')}",
                population=f"a.{_column(Attendance, 'population_type')}",
                recorded=f"a.{_column(Attendance, 'recorded_at')}",
                source=3,
                ident=f"a.{q('id')}",
                conditions=tuple(conditions),
                site=f"s.{_column(SportSession, 'site')}",
            )
        ]

    def type_filter(alias, model):
        if scope.service_type_ids is None:
            return []
        clause, values = _in_list(f"{alias}.{_column(model, 'service_type')}", scope.service_type_ids)
        return [(clause, tuple(values))]

    status = f"r.{_column(Referral, 'status')}"
    referral_program = [(f"r.{_column(Referral, 'program')} = %s", (scope.program_id,))]
    if scope.kind == Indicator.EventKind.REFERRAL_MADE:
        return [
            _Source(
                table=_table(Referral),
                alias="r",
                joins="",
                person=f"r.{_column(Referral, 'person')}",
                day=f"r.{_column(Referral, 'referred_on')}",
                population=f"r.{_column(Referral, 'population_type')}",
                recorded=f"r.{_column(Referral, 'created_at')}",
                source=2,
                ident=f"r.{q('id')}",
                conditions=tuple(
                    referral_program
                    + [(f"{status} <> %s", (Referral.Status.CANCELLED,))]
                    + type_filter("r", Referral)
                ),
                site=f"r.{_column(Referral, 'site')}",
            )
        ]
    return [
        _Source(
            table=_table(DirectService),
            alias="ds",
            joins="",
            person=f"ds.{_column(DirectService, 'person')}",
            day=f"ds.{_column(DirectService, 'delivered_on')}",
            population=f"ds.{_column(DirectService, 'population_type')}",
            recorded=f"ds.{_column(DirectService, 'created_at')}",
            source=1,
            ident=f"ds.{q('id')}",
            conditions=tuple(
                [(f"ds.{_column(DirectService, 'program')} = %s", (scope.program_id,))]
                + type_filter("ds", DirectService)
            ),
            site=f"ds.{_column(DirectService, 'site')}",
        ),
        _Source(
            table=_table(Referral),
            alias="r",
            joins="",
            person=f"r.{_column(Referral, 'person')}",
            day=f"r.{_column(Referral, 'completed_on')}",
            population=f"r.{_column(Referral, 'population_type')}",
            recorded=f"r.{_column(Referral, 'created_at')}",
            source=2,
            ident=f"r.{q('id')}",
            conditions=tuple(
                referral_program
                + [(f"{status} = %s", (Referral.Status.COMPLETED,))]
                + type_filter("r", Referral)
            ),
            site=f"r.{_column(Referral, 'site')}",
        ),
    ]


def events_sql(scope: Scope, *, date_from=None, date_to=None, persons=None) -> tuple[str, list]:
    """The indicator's qualifying events dated in [date_from, date_to] (never before the program's
    start), optionally only those of the people selected by ``persons`` (sql, params)."""
    date_from = max(date_from or scope.program_start, scope.program_start)
    parts, params = [], []
    for source in _sources(scope):
        sql, values = source.select(date_from, date_to, persons)
        parts.append(sql)
        params.extend(values)
    return " UNION ALL ".join(parts), params


# --- Keeping first events and their counts together ------------------------------------------


@dataclass(frozen=True)
class _Store:
    """One kind of stored first event, with its monthly counts and its change table: since the
    program's start (``FirstEvent``: ``new`` and ``cumulative``) or of each reporting year
    (``YearFirstEvent``: ``new_in_year`` and ``cumulative_in_year``). Both are kept by the same
    statements; a yearly row is keyed by the person and the calendar year its reporting year begins
    in (``year``)."""

    rows: type
    counts: type
    change: str
    yearly: bool

    @property
    def key(self) -> str:
        return "person_id, year" if self.yearly else "person_id"

    @property
    def change_key(self) -> str:
        return "person_id, year" if self.yearly else "person_id"

    def match(self, stored: str, change: str) -> str:
        """SQL: the stored row ``stored`` is the one the change-table row ``change`` replaces."""
        same_person = f"{stored}.person_id = {change}.person_id"
        return f"{same_person} AND {stored}.year = {change}.year" if self.yearly else same_person


EVER = _Store(FirstEvent, FirstEventCount, CHANGE_TABLE, yearly=False)
YEARLY = _Store(YearFirstEvent, YearFirstEventCount, YEAR_CHANGE_TABLE, yearly=True)
STORES = (EVER, YEARLY)


def _counts_add(cursor, scope: Scope, store: _Store, rows_sql: str, params: list, *, sign: int) -> None:
    """Add (sign 1) or take out (sign -1) first-event rows (columns first_on, sex, age, pt, nat)
    from the indicator's monthly counts."""
    counts = _table(store.counts)
    cursor.execute(
        f"INSERT INTO {counts} (indicator_id, month, sex, age_band, population_type, nationality, count)"  # nosec B608
        f" SELECT %s, {month_of_sql('r.first_on')}, r.sex, {age_band_sql('r.age')}, r.pt, r.nat, %s * COUNT(*)"
        f" FROM ({rows_sql}) r WHERE 1 = 1"
        f" GROUP BY {month_of_sql('r.first_on')}, r.sex, {age_band_sql('r.age')}, r.pt, r.nat"
        " ON CONFLICT (indicator_id, month, sex, age_band, population_type, nationality)"
        f" DO UPDATE SET count = {counts}.count + excluded.count",
        [scope.indicator_id, sign, *params],
    )


def _apply_changes(cursor, scope: Scope, store: _Store) -> None:
    """Replace the stored first events of the rows of the store's change table, counts included."""
    rows, counts, change = _table(store.rows), _table(store.counts), store.change
    changed = f"({store.key}) IN (SELECT {store.change_key} FROM {change})"  # nosec B608
    year_column = ", year" if store.yearly else ""
    _counts_add(
        cursor,
        scope,
        store,
        f"SELECT first_on, sex, age, population_type AS pt, nationality AS nat FROM {rows}"  # nosec B608
        f" WHERE indicator_id = %s AND {changed}",
        [scope.indicator_id],
        sign=-1,
    )
    cursor.execute(f"DELETE FROM {rows} WHERE indicator_id = %s AND {changed}", [scope.indicator_id])  # nosec B608
    cursor.execute(
        f"INSERT INTO {rows} (person_id, indicator_id{year_column}, first_on, population_type, sex, nationality, age)"  # nosec B608
        f" SELECT person_id, %s{year_column}, first_on, pt, sex, nat, age FROM {change} WHERE first_on IS NOT NULL",
        [scope.indicator_id],
    )
    _counts_add(
        cursor,
        scope,
        store,
        f"SELECT first_on, sex, age, pt, nat FROM {change} WHERE first_on IS NOT NULL",  # nosec B608
        [],
        sign=1,
    )
    cursor.execute(f"DELETE FROM {counts} WHERE indicator_id = %s AND count = 0", [scope.indicator_id])  # nosec B608


FRESH_TABLE = "reports_rebuild_fresh"


def first_events_rebuild(scope: Scope, *, cursor) -> int | None:
    """Rebuild an indicator's first events (ever and of each reporting year) and their counts from
    its whole history.

    When first events were stored for the same definition, this is also the check of the
    bookkeeping: returns how many people's stored first events (date and population type, ever
    or of any reporting year) differed from their history, not counting the people whose changes are still
    waiting in ``EventChange`` (they are applied by the next computation anyway). Anything else is
    a write the triggers missed: a bug. Returns None when nothing was stored to compare with."""
    now = timezone.now()
    state = FirstEventState.objects.filter(pk=scope.indicator_id).first()
    compare = state is not None and state.signature == scope.signature
    differences = set().union(
        *(_store_rebuild(scope, store, cursor=cursor, compare=compare) for store in STORES)
    )
    FirstEventState.objects.update_or_create(
        indicator_id=scope.indicator_id,
        defaults={
            "signature": scope.signature,
            "built_at": now,
            "people_checked_at": now,
            "checked_at": now,
            "differences": len(differences) if compare else None,
        },
    )
    return len(differences) if compare else None


def _store_rebuild(scope: Scope, store: _Store, *, cursor, compare: bool) -> set[int]:
    """Rebuild one store of an indicator; with ``compare``, the people whose stored rows differed."""
    rows, counts, person = _table(store.rows), _table(store.counts), _table(Person)
    year_column = ", year" if store.yearly else ""
    cursor.execute(f"DROP TABLE IF EXISTS {_temp_schema()}.{FRESH_TABLE}", [])
    cursor.execute(
        f"CREATE TEMPORARY TABLE {FRESH_TABLE} (person_id bigint NOT NULL{', year integer NOT NULL' if store.yearly else ''},"
        " first_on date NOT NULL, pt varchar(20) NOT NULL, sex varchar(1), nat varchar(2), age integer,"
        f" PRIMARY KEY ({store.change_key}))",
        [],
    )
    sql, params = events_sql(scope)
    first = first_per_person_sql(sql, scope.order, per=scope.year_of("y.d") if store.yearly else None)
    cursor.execute(
        f"INSERT INTO {FRESH_TABLE} (person_id{year_column}, first_on, pt, sex, nat, age)"  # nosec B608
        f" SELECT f.person_id{', f.period' if store.yearly else ''}, f.d, f.pt, p.{_column(Person, 'sex')},"
        f" p.{_column(Person, 'nationality')}, {age_sql('f.d', 'p.' + _column(Person, 'birth_date'))}"
        f" FROM ({first}) f JOIN {person} p ON p.id = f.person_id",
        params,
    )
    differences: set[int] = set()
    if compare:
        waiting = f"SELECT c.person_id FROM {_table(EventChange)} c WHERE c.program_id = %s"  # nosec B608
        cursor.execute(
            "SELECT DISTINCT d.person_id FROM ("  # nosec B608
            f" SELECT f.person_id FROM {FRESH_TABLE} f WHERE NOT EXISTS (SELECT 1 FROM {rows} x"
            f" WHERE x.indicator_id = %s AND {store.match('x', 'f')} AND x.first_on = f.first_on"
            f" AND x.population_type = f.pt) AND f.person_id NOT IN ({waiting})"
            f" UNION SELECT x.person_id FROM {rows} x WHERE x.indicator_id = %s"
            f" AND NOT EXISTS (SELECT 1 FROM {FRESH_TABLE} f WHERE {store.match('x', 'f')})"
            f" AND x.person_id NOT IN ({waiting})) d",
            [scope.indicator_id, scope.program_id, scope.indicator_id, scope.program_id],
        )
        differences = {row[0] for row in cursor.fetchall()}
    cursor.execute(f"DELETE FROM {rows} WHERE indicator_id = %s", [scope.indicator_id])  # nosec B608
    cursor.execute(f"DELETE FROM {counts} WHERE indicator_id = %s", [scope.indicator_id])  # nosec B608
    cursor.execute(
        f"INSERT INTO {rows} (person_id, indicator_id{year_column}, first_on, population_type, sex, nationality, age)"  # nosec B608
        f" SELECT person_id, %s{year_column}, first_on, pt, sex, nat, age FROM {FRESH_TABLE}",
        [scope.indicator_id],
    )
    cursor.execute(f"DROP TABLE IF EXISTS {_temp_schema()}.{FRESH_TABLE}", [])
    _counts_add(
        cursor,
        scope,
        store,
        f"SELECT first_on, sex, age, population_type AS pt, nationality AS nat FROM {rows} WHERE indicator_id = %s",  # nosec B608
        [scope.indicator_id],
        sign=1,
    )
    if _is_postgres():  # the planner must know the tables' new sizes
        cursor.execute(f"ANALYZE {rows}", [])
        cursor.execute(f"ANALYZE {counts}", [])
    return differences


def changes_take(cursor, program_id: int) -> tuple[int, date | None]:
    """Take the program's waiting event changes into the taken table (created by the caller):
    returns how many people they name and the earliest date they touched. Changes committed
    later stay waiting for the next computation."""
    cursor.execute(f"DELETE FROM {TAKEN_TABLE}", [])  # nosec B608
    cursor.execute(
        f"INSERT INTO {TAKEN_TABLE} (id, person_id, day)"  # nosec B608
        f" SELECT id, person_id, day FROM {_table(EventChange)} WHERE program_id = %s",
        [program_id],
    )
    if _is_postgres():  # a handful of people, usually: the planner must know it (index probes)
        cursor.execute(f"ANALYZE {TAKEN_TABLE}", [])
    cursor.execute(f"SELECT COUNT(DISTINCT person_id), MIN(day) FROM {TAKEN_TABLE}", [])  # nosec B608
    people, earliest = cursor.fetchone()
    if isinstance(earliest, str):  # SQLite
        earliest = date.fromisoformat(earliest)
    return people, earliest


def changes_done(cursor) -> None:
    """Delete the event changes taken (all their people's first events are now right)."""
    cursor.execute(
        f"DELETE FROM {_table(EventChange)} WHERE id IN (SELECT id FROM {TAKEN_TABLE})",  # nosec B608
        [],
    )
    cursor.execute(f"DELETE FROM {TAKEN_TABLE}", [])  # nosec B608


def changes_apply(scope: Scope, cursor) -> date | None:
    """Recompute, from their own events, the first events (ever and of each reporting year) of
    the people in the taken table, and store those that differ. Returns the earliest month whose
    ``new`` or ``new_in_year`` changed (None: none did). Costs the people taken, not the history."""
    months = [_store_changes_apply(scope, store, cursor) for store in STORES]
    months = [m for m in months if m is not None]
    return min(months) if months else None


def _store_changes_apply(scope: Scope, store: _Store, cursor) -> date | None:
    rows, change = _table(store.rows), store.change
    taken = f"SELECT person_id FROM {TAKEN_TABLE}"  # nosec B608
    cursor.execute(f"DELETE FROM {change}", [])  # nosec B608
    key = ", year" if store.yearly else ""
    # Their first events from their own events (of each year, for the yearly store), and the
    # stored rows they have no event for any more (first_on null: to delete).
    sql, params = events_sql(scope, persons=(taken, []))
    first = first_per_person_sql(sql, scope.order, per=scope.year_of("y.d") if store.yearly else None)
    cursor.execute(
        f"INSERT INTO {change} (person_id{key}, first_on, pt)"  # nosec B608
        f" SELECT f.person_id{', f.period' if store.yearly else ''}, f.d, f.pt FROM ({first}) f",
        params,
    )
    cursor.execute(
        f"INSERT INTO {change} (person_id{key}, first_on, pt)"  # nosec B608
        f" SELECT x.person_id{', x.year' if store.yearly else ''}, NULL, NULL FROM {rows} x WHERE x.indicator_id = %s"
        f" AND x.person_id IN ({taken}) AND NOT EXISTS (SELECT 1 FROM {change} c WHERE {store.match('x', 'c')})",
        [scope.indicator_id],
    )
    _describe(cursor, store)
    # Keep only the first events that really changed (most late writes change none).
    cursor.execute(
        f"DELETE FROM {change} WHERE EXISTS (SELECT 1 FROM {rows} x WHERE x.indicator_id = %s"  # nosec B608
        f" AND {store.match('x', change)} AND x.first_on = {change}.first_on"
        f" AND x.population_type = {change}.pt AND x.sex = {change}.sex"
        f" AND x.nationality = {change}.nat AND {same_sql('x.age', change + '.age')})"
        f" OR ({change}.first_on IS NULL AND NOT EXISTS (SELECT 1 FROM {rows} x"
        f" WHERE x.indicator_id = %s AND {store.match('x', change)}))",
        [scope.indicator_id, scope.indicator_id],
    )
    cursor.execute(
        f"SELECT MIN(c.first_on), MIN(x.first_on), COUNT(*) FROM {change} c"  # nosec B608
        f" LEFT JOIN {rows} x ON x.indicator_id = %s AND {store.match('x', 'c')}",
        [scope.indicator_id],
    )
    new_first, old_first, changed = cursor.fetchone()
    if not changed:
        return None
    _apply_changes(cursor, scope, store)
    days = [date.fromisoformat(d) if isinstance(d, str) else d for d in (new_first, old_first) if d]
    return min(days).replace(day=1) if days else None


def _describe(cursor, store: _Store) -> None:
    """Each change row's person: sex, nationality and age on the row's first event."""
    birth = f"p.{_column(Person, 'birth_date')}"
    change = store.change
    cursor.execute(
        f"UPDATE {change} SET (sex, nat, age) = (SELECT p.{_column(Person, 'sex')},"  # nosec B608
        f" p.{_column(Person, 'nationality')}, {age_sql(change + '.first_on', birth)}"
        f" FROM {_table(Person)} p WHERE p.id = {change}.person_id)",
        [],
    )
    if _is_postgres():
        cursor.execute(f"ANALYZE {change}", [])


# --- Computation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateChanges:
    """What the event changes a computation took touched: how many people, the earliest event
    date written, and the earliest month whose ``new`` changed (None: no first event changed)."""

    people: int
    earliest: date | None
    first_changed: date | None

    @property
    def months_from(self) -> date | None:
        """The first month whose figures may differ: the earliest event written, or the earliest
        first event moved, whichever comes first."""
        days = [d for d in (self.earliest, self.first_changed) if d is not None]
        return min(days).replace(day=1) if days else None


def temp_tables_create() -> None:
    """The computation's temporary tables, per connection, created in the transaction (a rollback
    removes them), and created afresh if an earlier computation of this session left them."""
    with connection.cursor() as cursor:
        if _is_postgres():
            # Sorts of a month's events fit in memory; JIT costs more than it saves on these.
            cursor.execute(
                "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)", [WORK_MEM]
            )
        for table, columns in _TEMP_TABLES.items():
            cursor.execute(f"DROP TABLE IF EXISTS {_temp_schema()}.{table}", [])
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})", [])


def temp_tables_drop() -> None:
    with connection.cursor() as cursor:
        for table in _TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {_temp_schema()}.{table}", [])


class Counter:
    """Computes indicators' measures for one month inside the caller's transaction.

    ``with Counter(month) as counter: counter.measures(indicator)``. The caller holds the locks.
    """

    def __init__(self, month: date):
        self.month = month
        self.end = month_end(month)
        self.started = timezone.now()
        self.service_areas = dict(ServiceType.objects.values_list("pk", "area"))
        self.states = {s.pk: s for s in FirstEventState.objects.all()}
        self.programs_taken: set[int] = set()
        # Per program, the late writes this computation carried into the first events:
        # {program_id: LateChanges}. The caller recomputes the other months they touch.
        self.late: dict[int, LateChanges] = {}

    def __enter__(self):
        temp_tables_create()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            temp_tables_drop()
        return False

    def measures(self, indicator: Indicator) -> dict[str, dict]:
        """``{"reached", "new", "cumulative", "new_in_year", "cumulative_in_year"}`` for the
        indicator and month, each a measure in the report's shape: the span of this one month."""
        return self.measures_span(indicator, self.month)[self.month]

    def measures_span(self, indicator: Indicator, last: date) -> dict[date, dict[str, dict]]:
        """The five measures of every month from this counter's month to ``last``, in one pass.

        The stored first events (ever and of each year) are brought up to date exactly as for one
        month (the waiting changes applied, a rebuild where never built), then ``reached`` of
        every month comes from one statement over the span's events (each person's earliest event
        of each month), and the other four measures from the stores' monthly counts, summed month
        after month. So the span costs its own events once, not once per month, and no history
        before it. The months come out as ``measures`` gives them (tests/reports/test_span.py)."""
        scope = scope_for(indicator, service_areas=self.service_areas)
        end = month_end(last)
        birth = "p." + _column(Person, "birth_date")
        with connection.cursor() as cursor:
            self._changes_apply(scope.program_id, cursor)
            state = self.states.get(indicator.pk)
            if state is None or state.signature != scope.signature:
                first_events_rebuild(scope, cursor=cursor)
                self.states[indicator.pk] = FirstEventState.objects.get(pk=indicator.pk)
            sql, params = events_sql(scope, date_from=self.month, date_to=end)
            first = first_per_person_sql(sql, scope.order, per=month_of_sql("y.d"))
            cursor.execute(
                f"SELECT f.period, p.{_column(Person, 'sex')}, {age_sql('f.d', birth)}, f.pt,"  # nosec B608
                f" p.{_column(Person, 'nationality')}, COUNT(*) FROM ({first}) f{person_join_sql('f.person_id')}"
                " GROUP BY 1, 2, 3, 4, 5",
                params,
            )
            rows = cursor.fetchall()
            reached: dict[date, list] = {}
            for month, *group in rows:
                reached.setdefault(_as_date(month), []).append(group)
            # The counts of the span's months one by one; those of the months before it (for the
            # yearly counts, from the first month of the span's first reporting year) summed in
            # one row per group (month NULL): what the running sums start from.
            counts = {}
            for store in STORES:
                since = scope.year_start(self.month).replace(day=1) if store.yearly else None
                clause, since_params = ("", []) if since is None else (" AND month >= %s", [since])
                cursor.execute(
                    "SELECT CASE WHEN month < %s THEN NULL ELSE month END,"  # nosec B608
                    " sex, age_band, population_type, nationality, SUM(count)"
                    f" FROM {_table(store.counts)} WHERE indicator_id = %s AND month <= %s{clause}"
                    " GROUP BY 1, 2, 3, 4, 5",
                    [self.month, scope.indicator_id, last, *since_params],
                )
                by_month: dict[date | None, list] = {}
                for month, *group in cursor.fetchall():
                    by_month.setdefault(_as_date(month) if month else None, []).append(group)
                counts[store] = by_month
        result = {}
        ever: dict[tuple, int] = {}
        _add(ever, counts[EVER].get(None, []))
        in_year: dict[tuple, int] = {}
        _add(in_year, counts[YEARLY].get(None, []))
        month = self.month
        while month <= last:
            if month > self.month and scope.year_start(month) >= month:
                in_year = {}  # a new reporting year begins
            _add(ever, counts[EVER].get(month, []))
            _add(in_year, counts[YEARLY].get(month, []))
            result[month] = {
                "reached": rollup_ages(reached.get(month, [])),
                "new": rollup(counts[EVER].get(month, [])),
                "cumulative": rollup([(*k, n) for k, n in ever.items()]),
                "new_in_year": rollup(counts[YEARLY].get(month, [])),
                "cumulative_in_year": rollup([(*k, n) for k, n in in_year.items()]),
            }
            month = add_months(month, 1)
        return result

    def _changes_apply(self, program_id: int, cursor) -> None:
        """Once per program and computation: carry the program's waiting event changes (late
        writes, deletions, moves) into the first events of every indicator of the program that has
        them stored, then delete them. Costs the people written, never the history."""
        if program_id in self.programs_taken:
            return
        self.programs_taken.add(program_id)
        people, earliest = changes_take(cursor, program_id)
        if not people:
            return
        first_changed = None
        for indicator in Indicator.objects.filter(program_id=program_id).select_related("program"):
            scope = scope_for(indicator, service_areas=self.service_areas)
            state = self.states.get(indicator.pk)
            if state is None or state.signature != scope.signature:
                continue  # rebuilt from the history before it is counted
            month = changes_apply(scope, cursor)
            if month is not None and (first_changed is None or month < first_changed):
                first_changed = month
        changes_done(cursor)
        # A note without a date (its sport session already gone) may touch any month.
        earliest = earliest or date(1900, 1, 1)
        self.late[program_id] = LateChanges(people=people, earliest=earliest, first_changed=first_changed)


def _as_date(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _add(totals: dict[tuple, int], groups) -> None:
    for *key, count in groups:
        totals[tuple(key)] = totals.get(tuple(key), 0) + count


# --- By site: the month's figures split by where each person's reference event happened ---------


def by_site(
    indicator: Indicator,
    month: date,
    *,
    year_start_month: int | None = None,
    measures: tuple[str, ...] = ("reached", "new_in_year"),
) -> dict[int, dict]:
    """An indicator's month split by the site of each person's reference event, for the R4V
    file and the DHIS2 data value set: ``{site_id: {"events": n, "reached": measure,
    "new_in_year": measure}}`` (the measures asked for in ``measures``, any of ``MEASURES``).

    ``events`` counts the qualifying events of M at the site (R4V's quantity of output); each
    measure is the counting contract's, each person at the site of their reference event (for
    ``reached`` their earliest event of M; for ``new`` and ``cumulative`` their first-ever event;
    for ``new_in_year`` and ``cumulative_in_year`` their first event of the reporting year), with
    the same breakdowns. Summed over sites they equal the month's snapshot. ``reached`` reads M's
    events, the year-to-date measures at most a year of events, like the monthly computation;
    ``new`` and ``cumulative`` read the program's history (asked for only by the DHIS2 export,
    and only when mapped). ``year_start_month`` overrides the program's reporting year (R4V's
    plan year is the calendar year).
    """
    scope = _scope_with_year(scope_for(indicator), year_start_month)
    end = month_end(month)
    birth = "p." + _column(Person, "birth_date")
    who = f"p.{_column(Person, 'sex')}, {{age}}, f.pt, p.{_column(Person, 'nationality')}"
    result: dict[int, dict] = {}
    # measure → (first day of the events read, first day a reference event must fall on)
    windows = {
        "reached": (month, month),
        "new": (scope.program_start, month),
        "cumulative": (scope.program_start, scope.program_start),
        "new_in_year": (scope.year_start(month), month),
        "cumulative_in_year": (scope.year_start(month), scope.year_start(month)),
    }

    def entry(site_id):
        return result.setdefault(site_id, {"events": 0, **{m: empty_measure() for m in measures}})

    with connection.cursor() as cursor:
        month_events, params = events_sql(scope, date_from=month, date_to=end)
        cursor.execute(
            f"SELECT e.site_id, COUNT(*) FROM ({month_events}) e GROUP BY e.site_id",  # nosec B608
            params,
        )
        for site_id, count in cursor.fetchall():
            entry(site_id)["events"] = int(count)
        for measure in measures:
            date_from, reference_from = windows[measure]
            sql, params = events_sql(scope, date_from=date_from, date_to=end)
            first = first_per_person_sql(sql, scope.order, extra=("site_id",))
            cursor.execute(
                f"SELECT f.site_id, {who.format(age=age_sql('f.d', birth))}, COUNT(*)"  # nosec B608
                f" FROM ({first}) f JOIN {_table(Person)} p ON p.id = f.person_id"
                " WHERE f.d >= %s GROUP BY 1, 2, 3, 4, 5",
                [*params, reference_from],
            )
            groups: dict[int, list] = {}
            for site_id, sex, age, pt, nat, count in cursor.fetchall():
                groups.setdefault(site_id, []).append((sex, age, pt, nat, count))
            for site_id, rows in groups.items():
                entry(site_id)[measure] = rollup_ages(rows)
    return result


def _scope_with_year(scope: Scope, year_start_month: int | None) -> Scope:
    return scope if year_start_month is None else replace(scope, year_start_month=year_start_month)


def new_in_year_without_birth_date(
    indicator: Indicator, month: date, *, year_start_month: int | None = None
) -> list[int]:
    """The people counted in ``new_in_year`` of M who have no birth date (ids)."""
    scope = _scope_with_year(scope_for(indicator), year_start_month)
    sql, params = events_sql(scope, date_from=scope.year_start(month), date_to=month_end(month))
    first = first_per_person_sql(sql, scope.order)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.person_id FROM ({first}) f JOIN {_table(Person)} p ON p.id = f.person_id"  # nosec B608
            f" WHERE f.d >= %s AND p.{_column(Person, 'birth_date')} IS NULL",
            [*params, month],
        )
        return [row[0] for row in cursor.fetchall()]


# --- Rolling the groups up into the contract's breakdowns ----------------------------------------


def _ordered(counts: dict[str, int], order: list[str]) -> dict[str, int]:
    known = [k for k in order if counts.get(k)]
    rest = sorted((k for k in counts if k not in order and counts[k]), key=lambda k: (-counts[k], k))
    return {k: counts[k] for k in known + rest}


def rollup(groups) -> dict:
    """(sex, age band, population type, nationality, count) groups → one measure of docs/report-json.md.

    Only aggregated groups pass through here (a few hundred at most), never events.
    """
    total = 0
    by: dict[str, dict[str, int]] = {name: {} for name in BREAKDOWNS}
    for sex, band, pt, nat, count in groups:
        count = int(count or 0)
        if not count:
            continue
        nat = nat or "unknown"
        total += count
        for name, key in (
            ("by_sex", sex),
            ("by_age_band", band),
            ("by_sex_age", f"{sex}:{band}"),
            ("by_population_type", pt),
            ("by_nationality", nat),
        ):
            by[name][key] = by[name].get(key, 0) + count
    sex_age_order = [f"{s}:{b}" for s in SEXES for b in AGE_BANDS]
    return {
        "total": total,
        "by_sex": _ordered(by["by_sex"], SEXES),
        "by_age_band": _ordered(by["by_age_band"], AGE_BANDS),
        "by_sex_age": _ordered(by["by_sex_age"], sex_age_order),
        "by_population_type": _ordered(by["by_population_type"], POPULATION_TYPES),
        "by_nationality": _ordered(by["by_nationality"], []),
    }


def age_band_of(age: int | None) -> str:
    """The contract's band for an age in completed years (``unknown`` without one)."""
    if age is None or age < 0:
        return AgeBand.UNKNOWN.value
    for low, high, code in AGE_BAND_LIMITS:
        if low <= age <= high:
            return code
    return AgeBand.UNKNOWN.value


def rollup_ages(groups) -> dict:
    """Like ``rollup`` with the age in completed years (None: no birth date) in place of the band."""
    return rollup([(sex, age_band_of(age), pt, nat, count) for sex, age, pt, nat, count in groups])


def empty_measure() -> dict:
    return rollup([])
