"""The coordinator's numbers of reception, per day, site and service area: people checked in,
waiting time (median and 90th percentile), left without service, appointments kept and missed.

Counted in SQL: counts by ORM aggregation, the percentiles by one query with window functions (the
same on PostgreSQL and SQLite). ``reception_figures`` takes site ids and no user, so ``reports``
can call it (it sits above ``reception``); ``reception_figures_for`` scopes it to a user.

Waiting time: from arrival to the (last) call to a desk, for the visits that were called; a visit
that left without being called has no waiting time. Percentiles by the nearest rank: the median is
the ceil(n/2)-th smallest wait, the 90th percentile the ceil(0.9 n)-th.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Q

from orientation import roles
from orientation.selectors import site_ids_visible_to

from .models import Appointment, Visit


@dataclass
class FigureRow:
    day: date
    site_id: int
    area: str
    checked_in: int = 0
    left: int = 0
    called: int = 0
    wait_median: float | None = None  # minutes
    wait_p90: float | None = None  # minutes
    kept: int = 0
    missed: int = 0
    site_code: str = ""
    area_label: str = ""


@dataclass
class Figures:
    rows: list[FigureRow] = field(default_factory=list)

    def by_day(self) -> list[dict]:
        """Totals per day (for the chart): checked in, left, appointments kept and missed."""
        days: dict[date, dict] = {}
        for row in self.rows:
            total = days.setdefault(
                row.day, {"day": row.day, "checked_in": 0, "left": 0, "kept": 0, "missed": 0}
            )
            for key in ("checked_in", "left", "kept", "missed"):
                total[key] += getattr(row, key)
        return [days[d] for d in sorted(days)]


def _wait_seconds_sql() -> str:
    if connection.vendor == "postgresql":
        return "EXTRACT(EPOCH FROM (called_at - arrived_at))"
    return "((julianday(called_at) - julianday(arrived_at)) * 86400.0)"


def _percentiles(site_ids: list[int], start: date, end: date) -> dict[tuple, tuple[int, float, float]]:
    """(day, site, area) -> (visits called, median wait, 90th percentile wait), in seconds."""
    if not site_ids:
        return {}
    table = Visit._meta.db_table
    wait = _wait_seconds_sql()
    marks = ", ".join(["%s"] * len(site_ids))
    sql = f"""
        WITH w AS (
            SELECT day, site_id, area, {wait} AS wait,
                   ROW_NUMBER() OVER (PARTITION BY day, site_id, area ORDER BY {wait}, id) AS rn,
                   COUNT(*) OVER (PARTITION BY day, site_id, area) AS n
            FROM {table}
            WHERE day >= %s AND day <= %s AND site_id IN ({marks}) AND called_at IS NOT NULL
        )
        SELECT day, site_id, area, MAX(n),
               MAX(CASE WHEN rn = (n + 1) / 2 THEN wait END),
               MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN wait END)
        FROM w GROUP BY day, site_id, area
    """  # noqa: S608  # nosec B608 (table name from the model; every value is a parameter)
    with connection.cursor() as cursor:
        adapt = connection.ops.adapt_datefield_value
        cursor.execute(sql, [adapt(start), adapt(end), *site_ids])
        rows = cursor.fetchall()
    result = {}
    for day, site_id, area, n, median, p90 in rows:
        day = date.fromisoformat(day) if isinstance(day, str) else day
        result[(day, site_id, area)] = (int(n), float(median), float(p90))
    return result


def reception_figures(*, site_ids: list[int], start: date, end: date) -> Figures:
    """The figures of these sites from ``start`` to ``end`` (both included)."""
    from cases.models import Area
    from orientation.models import Site

    rows: dict[tuple, FigureRow] = {}

    def row(day, site_id, area) -> FigureRow:
        key = (day, site_id, area)
        if key not in rows:
            rows[key] = FigureRow(day=day, site_id=site_id, area=area)
        return rows[key]

    visits = (
        Visit.objects.filter(site_id__in=site_ids, day__range=(start, end))
        .order_by()
        .values("day", "site_id", "area")
        .annotate(n=Count("pk"), left=Count("pk", filter=Q(status=Visit.Status.LEFT)))
    )
    for v in visits:
        r = row(v["day"], v["site_id"], v["area"])
        r.checked_in, r.left = v["n"], v["left"]
    appointments = (
        Appointment.objects.filter(
            site_id__in=site_ids,
            date__range=(start, end),
            status__in=[Appointment.Status.KEPT, Appointment.Status.MISSED],
        )
        .order_by()
        .values("date", "site_id", "area")
        .annotate(
            kept=Count("pk", filter=Q(status=Appointment.Status.KEPT)),
            missed=Count("pk", filter=Q(status=Appointment.Status.MISSED)),
        )
    )
    for a in appointments:
        r = row(a["date"], a["site_id"], a["area"])
        r.kept, r.missed = a["kept"], a["missed"]
    for key, (called, median, p90) in _percentiles(site_ids, start, end).items():
        r = row(*key)
        r.called, r.wait_median, r.wait_p90 = called, round(median / 60, 1), round(p90 / 60, 1)
    codes = dict(Site.objects.filter(pk__in={k[1] for k in rows}).values_list("pk", "code"))
    labels = dict(Area.choices)
    for r in rows.values():
        r.site_code, r.area_label = codes.get(r.site_id, ""), str(labels.get(r.area, r.area))
    ordered = sorted(rows.values(), key=lambda r: (r.day, r.site_code, r.area))
    return Figures(rows=ordered)


def reception_figure_site_ids(user) -> list[int]:
    """Sites whose reception figures the user reads: a coordinator's (their programs' sites and
    their own), every site for an admin."""
    if not roles.has_role(user, roles.REPORT_READERS):
        return []
    if roles.has_role(user, roles.ADMIN):
        from orientation.models import Site

        return list(Site.objects.values_list("pk", flat=True))
    return list(site_ids_visible_to(user))


def reception_figures_for(user, *, start: date, end: date, site_id: int | None = None) -> Figures:
    site_ids = reception_figure_site_ids(user)
    if site_id:
        site_ids = [s for s in site_ids if s == site_id]
    return reception_figures(site_ids=site_ids, start=start, end=end)


@dataclass
class MonthSummary:
    """A month of reception at some sites, for the coordinator's dashboard: totals, the waiting
    time over every visit called in the month, and the checked in and left of each day."""

    start: date
    end: date
    checked_in: int = 0
    left: int = 0
    called: int = 0
    wait_median: float | None = None  # minutes
    wait_p90: float | None = None  # minutes
    kept: int = 0
    missed: int = 0
    days: list[dict] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.checked_in or self.kept or self.missed)


def reception_month_summary(*, site_ids: list[int], start: date, end: date) -> MonthSummary:
    """The dashboard's panel in one query: visits per day (checked in, left), appointments per day
    (kept, missed) and the month's waiting time (median and 90th percentile by the nearest rank, as
    on the figures page), as three kinds of rows of one UNION ALL."""
    from datetime import timedelta

    summary = MonthSummary(start=start, end=end)
    span = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    per_day = {day: {"day": day, "checked_in": 0, "left": 0, "kept": 0, "missed": 0} for day in span}
    summary.days = list(per_day.values())
    if not site_ids:
        return summary
    visits, appointments = Visit._meta.db_table, Appointment._meta.db_table
    wait = _wait_seconds_sql()
    marks = ", ".join(["%s"] * len(site_ids))
    sql = f"""
        WITH v AS (
            SELECT id, day, status, {wait} AS wait FROM {visits}
            WHERE day >= %s AND day <= %s AND site_id IN ({marks})
        ), w AS (
            SELECT wait, ROW_NUMBER() OVER (ORDER BY wait, id) AS rn, COUNT(*) OVER () AS n
            FROM v WHERE wait IS NOT NULL
        )
        SELECT 'v', day, COUNT(*), SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
               CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC)
        FROM v GROUP BY day
        UNION ALL
        SELECT 'a', date, SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = %s THEN 1 ELSE 0 END), CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC)
        FROM {appointments}
        WHERE date >= %s AND date <= %s AND site_id IN ({marks}) AND status IN (%s, %s)
        GROUP BY date
        UNION ALL
        SELECT 'w', NULL, MAX(n), 0,
               MAX(CASE WHEN rn = (n + 1) / 2 THEN wait END),
               MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN wait END)
        FROM w
    """  # noqa: S608  # nosec B608 (table names from the models; every value is a parameter)
    adapt = connection.ops.adapt_datefield_value
    kept, missed = Appointment.Status.KEPT, Appointment.Status.MISSED
    params = [adapt(start), adapt(end), *site_ids, Visit.Status.LEFT, kept, missed]
    params += [adapt(start), adapt(end), *site_ids, kept, missed]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, day, a, b, median, p90 in rows:
        if kind == "w":
            if a:
                summary.called = int(a)
                summary.wait_median = round(float(median) / 60, 1)
                summary.wait_p90 = round(float(p90) / 60, 1)
            continue
        day = date.fromisoformat(day) if isinstance(day, str) else day
        entry = per_day.get(day)
        if entry is None:
            continue
        if kind == "v":
            entry["checked_in"], entry["left"] = int(a), int(b or 0)
        else:
            entry["kept"], entry["missed"] = int(a or 0), int(b or 0)
    for key in ("checked_in", "left", "kept", "missed"):
        setattr(summary, key, sum(d[key] for d in summary.days))
    return summary


def reception_month_summary_for(user, *, start: date, end: date) -> MonthSummary:
    return reception_month_summary(site_ids=reception_figure_site_ids(user), start=start, end=end)
