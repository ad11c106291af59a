"""The floor: one hand-written PostgreSQL statement per indicator that computes a month's figures.

Written from docs/counting.md alone, apart from the reports app, so that it can both time the
least work the database must do and cross-check the project's numbers.

For an indicator (program, event kind, areas or activities) and a month M, a qualifying event is
- service_received: a direct service (its delivered date) or a completed referral (its completion
  date), of a service type in the indicator's areas (any area when none are listed);
- referral_made: a referral in any status but cancelled (its referral date), same area filter;
- attendance: present at a sport session (the session's date), in the indicator's activities (any
  when none are listed);
and only events of the indicator's program, dated from the program's start, count.

- reached: people with an event in M, described by their earliest event in M;
- new: people whose first-ever event is in M, described by that event;
- cumulative: people with an event from the program's start to the end of M, described by their
  first-ever event;
- new_in_year / cumulative_in_year: the same two within M's reporting year (from the first day of
  the program's reporting-year start month on or before M, or the program's start if later),
  described by the person's first event of that year.
On a tie of dates the event recorded first wins: the earlier creation time (attendance: the time
the row was recorded), then direct services before referrals, then the lower id.
Age band: completed years on the reference event's date (born 29 February: a year older on 1
March), ``unknown`` without a birth date; population type: the one stamped on the reference event.

One statement per indicator returns every count of the five measures and their breakdowns (by
sex, age band, sex x age band, population type, nationality) through GROUPING SETS.
"""

from __future__ import annotations

import calendar
from datetime import date

MEASURES = ("reached", "new", "cumulative", "new_in_year", "cumulative_in_year")
BREAKDOWNS = ("by_sex", "by_age_band", "by_sex_age", "by_population_type", "by_nationality")

# Qualifying events of each kind: (person, date, recorded at, record kind, id, population type).
_DIRECT = """
    SELECT d.person_id, d.delivered_on AS day, d.created_at AS rec, 0 AS src, d.id, d.population_type AS pop
    FROM services_directservice d {area_join}
    WHERE d.program_id = %(program)s AND d.delivered_on BETWEEN %(lo)s AND %(hi)s {area_where}"""
_COMPLETED = """
    SELECT r.person_id, r.completed_on AS day, r.created_at AS rec, 1 AS src, r.id, r.population_type AS pop
    FROM services_referral r {area_join}
    WHERE r.program_id = %(program)s AND r.status = 'completed'
      AND r.completed_on BETWEEN %(lo)s AND %(hi)s {area_where}"""
_REFERRED = """
    SELECT r.person_id, r.referred_on AS day, r.created_at AS rec, 1 AS src, r.id, r.population_type AS pop
    FROM services_referral r {area_join}
    WHERE r.program_id = %(program)s AND r.status <> 'cancelled'
      AND r.referred_on BETWEEN %(lo)s AND %(hi)s {area_where}"""
_ATTENDED = """
    SELECT a.person_id, s.date AS day, a.recorded_at AS rec, 2 AS src, a.id, a.population_type AS pop
    FROM services_attendance a JOIN services_sportsession s ON s.id = a.session_id
    WHERE s.program_id = %(program)s AND a.present AND s.date BETWEEN %(lo)s AND %(hi)s {activity_where}"""

_STATEMENT = """
WITH first_ever AS (
    SELECT DISTINCT ON (person_id) person_id, day, pop
    FROM ({history}) ev
    ORDER BY person_id, day, rec, src, id
), first_in_month AS (
    SELECT DISTINCT ON (person_id) person_id, day, pop
    FROM ({month}) ev
    ORDER BY person_id, day, rec, src, id
), first_in_year AS (
    SELECT DISTINCT ON (person_id) person_id, day, pop
    FROM ({year}) ev
    ORDER BY person_id, day, rec, src, id
), reference_events AS (
    SELECT 'reached' AS measure, person_id, day, pop FROM first_in_month
    UNION ALL
    SELECT 'cumulative', person_id, day, pop FROM first_ever
    UNION ALL
    SELECT 'new', person_id, day, pop FROM first_ever WHERE day >= %(month_first)s
    UNION ALL
    SELECT 'cumulative_in_year', person_id, day, pop FROM first_in_year
    UNION ALL
    SELECT 'new_in_year', person_id, day, pop FROM first_in_year WHERE day >= %(month_first)s
), described AS (
    SELECT e.measure, p.sex, p.nationality, e.pop,
           CASE
               WHEN p.birth_date IS NULL THEN 'unknown'
               WHEN age.years < 0 THEN 'unknown'
               WHEN age.years <= 4 THEN '0-4'
               WHEN age.years <= 11 THEN '5-11'
               WHEN age.years <= 17 THEN '12-17'
               WHEN age.years <= 59 THEN '18-59'
               ELSE '60+'
           END AS band
    FROM reference_events e
    JOIN cases_person p ON p.id = e.person_id
    CROSS JOIN LATERAL (
        SELECT (EXTRACT(YEAR FROM e.day) - EXTRACT(YEAR FROM p.birth_date))::int
               - CASE WHEN (EXTRACT(MONTH FROM e.day), EXTRACT(DAY FROM e.day))
                           < (EXTRACT(MONTH FROM p.birth_date), EXTRACT(DAY FROM p.birth_date))
                      THEN 1 ELSE 0 END AS years
    ) age
)
SELECT measure, GROUPING(sex, band, pop, nationality) AS grouped, sex, band, pop, nationality, COUNT(*)
FROM described
GROUP BY GROUPING SETS (
    (measure), (measure, sex), (measure, band), (measure, sex, band), (measure, pop), (measure, nationality)
)
"""

# GROUPING(sex, band, pop, nationality): a bit is 1 where the column is rolled up.
_SETS = {0b1111: None, 0b0111: "by_sex", 0b1011: "by_age_band", 0b0011: "by_sex_age"}
_SETS |= {0b1101: "by_population_type", 0b1110: "by_nationality"}


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _events_sql(event_kind: str, areas: list[str], activities: list[str], lo: str, hi: str) -> str:
    """The indicator's qualifying events dated from ``lo`` to ``hi`` (parameter names)."""
    area_join = "JOIN services_servicetype st ON st.id = {alias}.service_type_id" if areas else ""
    area_where = "AND st.area = ANY(%(areas)s)" if areas else ""
    activity_where = "AND s.activity = ANY(%(activities)s)" if activities else ""
    if event_kind == "service_received":
        parts = [
            _DIRECT.format(area_join=area_join.format(alias="d"), area_where=area_where),
            _COMPLETED.format(area_join=area_join.format(alias="r"), area_where=area_where),
        ]
    elif event_kind == "referral_made":
        parts = [_REFERRED.format(area_join=area_join.format(alias="r"), area_where=area_where)]
    elif event_kind == "attendance":
        parts = [_ATTENDED.format(activity_where=activity_where)]
    else:
        raise ValueError(f"unknown event kind {event_kind!r}")
    sql = "\n    UNION ALL".join(parts)
    return sql.replace("%(lo)s", lo).replace("%(hi)s", hi)


def indicator_sql(event_kind: str, areas: list[str], activities: list[str]) -> str:
    """The statement for one indicator's definition (parameters: program, lo, hi, month_first...)."""

    def events(lo: str, hi: str) -> str:
        return _events_sql(event_kind, areas, activities, lo, hi)

    return _STATEMENT.format(
        history=events("%(program_start)s", "%(month_last)s"),
        month=events("%(month_first)s", "%(month_last)s"),
        year=events("%(year_first)s", "%(month_last)s"),
    )


def _empty_measure() -> dict:
    return {"total": 0, **{name: {} for name in BREAKDOWNS}}


def year_start(month: date, start_month: int) -> date:
    """The first day of the reporting year that contains ``month``."""
    year = month.year if month.month >= start_month else month.year - 1
    return date(year, start_month, 1)


def indicator_figures(cursor, indicator: dict, month: date) -> dict:
    """{"reached": {...}, "new": {...}, ...} (every measure) for one indicator, in the contract's shape."""
    first, last = month_bounds(month)
    cursor.execute(
        indicator_sql(indicator["event_kind"], indicator["areas"], indicator["activities"]),
        {
            "program": indicator["program_id"],
            "program_start": indicator["program_start"],
            "month_first": max(first, indicator["program_start"]),
            "year_first": max(year_start(first, indicator["year_start_month"]), indicator["program_start"]),
            "month_last": min(last, indicator["program_end"] or last),
            "areas": list(indicator["areas"]),
            "activities": list(indicator["activities"]),
        },
    )
    out = {measure: _empty_measure() for measure in MEASURES}
    for measure, grouped, sex, band, pop, nationality, count in cursor.fetchall():
        kind = _SETS[grouped]
        target = out[measure]
        if kind is None:
            target["total"] = count
        elif kind == "by_sex":
            target[kind][sex] = count
        elif kind == "by_age_band":
            target[kind][band] = count
        elif kind == "by_sex_age":
            target[kind][f"{sex}:{band}"] = count
        elif kind == "by_population_type":
            target[kind][pop] = count
        else:
            target[kind][nationality] = count
    return out


def indicators(cursor, program_code: str | None = None) -> list[dict]:
    """Active indicators with their program's dates, read straight from the tables."""
    import json

    cursor.execute(
        """
        SELECT i.code, i.name, i.event_kind, i.areas, i.activities, p.id, p.code, p.start_date, p.end_date,
               p.reporting_year_start_month
        FROM reports_indicator i JOIN orientation_program p ON p.id = i.program_id
        WHERE i.active AND (%(program)s::text IS NULL OR p.code = %(program)s)
        ORDER BY p.code, i.sort_order, i.code
        """,
        {"program": program_code},
    )
    rows = []
    for code, name, kind, areas, activities, pid, pcode, start, end, year_month in cursor.fetchall():
        areas = json.loads(areas) if isinstance(areas, str) else areas
        activities = json.loads(activities) if isinstance(activities, str) else activities
        rows.append(
            {
                "code": code,
                "name": name,
                "event_kind": kind,
                "areas": areas or [],
                "activities": activities or [],
                "program_id": pid,
                "program": pcode,
                "program_start": start,
                "program_end": end,
                "year_start_month": year_month or 1,
            }
        )
    return rows


def month_report(cursor, month: date, program_code: str | None = None) -> dict:
    """The month's figures of every active indicator: {code: {"reached":..., "new":..., "cumulative":...}}.

    An indicator whose program had not started (or had ended) by the month has no figures.
    """
    first, last = month_bounds(month)
    out = {}
    for indicator in indicators(cursor, program_code):
        if indicator["program_start"] > last or (
            indicator["program_end"] and indicator["program_end"] < first
        ):
            out[indicator["code"]] = {measure: _empty_measure() for measure in MEASURES}
            continue
        out[indicator["code"]] = indicator_figures(cursor, indicator, month)
    return out


# --- Comparing with the project's report --------------------------------------------------------


def normalise(measure: dict | None) -> dict:
    """A measure without zero counts, keys as strings: the shape both sides are compared in."""
    measure = measure or {}
    out = {"total": int(measure.get("total") or 0)}
    for name in BREAKDOWNS:
        out[name] = {str(k): int(v) for k, v in (measure.get(name) or {}).items() if v}
    return out


def differences(project: dict, floor: dict) -> list[str]:
    """Every place where the project's report (the docs/report-json.md JSON) and the floor disagree."""
    problems = []
    by_code = {item["code"]: item for item in project.get("indicators", [])}
    for code, figures in floor.items():
        item = by_code.get(code)
        if item is None:
            if any(figures[measure]["total"] for measure in MEASURES):
                problems.append(f"{code}: missing from the project's report")
            continue  # an indicator with nothing to count (its program had not started) may be left out
        for measure in MEASURES:
            mine, theirs = normalise(figures[measure]), normalise(item.get(measure))
            if mine["total"] != theirs["total"]:
                problems.append(f"{code} {measure} total: project {theirs['total']} != floor {mine['total']}")
            for name in BREAKDOWNS:
                for key in sorted(set(mine[name]) | set(theirs[name])):
                    a, b = theirs[name].get(key, 0), mine[name].get(key, 0)
                    if a != b:
                        problems.append(f"{code} {measure} {name}[{key}]: project {a} != floor {b}")
    for code in by_code:
        if code not in floor:
            problems.append(f"{code}: in the project's report but not an active indicator for the floor")
    return problems


# --- Every month in one pass ---------------------------------------------------------------------
#
# The same contract for a span of months, written the way a hand-written report over the whole
# history would be: one statement per indicator reads the events from the program's start once,
# keeps each person's earliest event of each month (their reference event for ``reached``), marks
# the person's first month ever and first month of each reporting year with window functions (the
# earliest event of that month is then their first event ever, or of the year), and counts by
# month. ``cumulative`` and ``cumulative_in_year`` are running sums of those counts.

_SPAN_STATEMENT = """
WITH person_months AS (
    SELECT DISTINCT ON (person_id, month) person_id, month, day, pop
    FROM (SELECT ev.*, date_trunc('month', ev.day)::date AS month FROM ({history}) ev) e
    ORDER BY person_id, month, day, rec, src, id
), flagged AS (
    SELECT pm.person_id, pm.month, pm.day, pm.pop, y.ys,
           ROW_NUMBER() OVER (PARTITION BY pm.person_id ORDER BY pm.month) = 1 AS first_ever,
           ROW_NUMBER() OVER (PARTITION BY pm.person_id, y.ys ORDER BY pm.month) = 1 AS first_in_year
    FROM person_months pm
    CROSS JOIN LATERAL (
        SELECT GREATEST(
            make_date(EXTRACT(YEAR FROM pm.month)::int
                      - CASE WHEN EXTRACT(MONTH FROM pm.month) < %(year_start_month)s THEN 1 ELSE 0 END,
                      %(year_start_month)s, 1),
            %(program_start)s::date) AS ys
    ) y
)
SELECT f.month, f.ys, f.first_ever, f.first_in_year, p.sex,
       CASE
           WHEN p.birth_date IS NULL THEN 'unknown'
           WHEN age.years < 0 THEN 'unknown'
           WHEN age.years <= 4 THEN '0-4'
           WHEN age.years <= 11 THEN '5-11'
           WHEN age.years <= 17 THEN '12-17'
           WHEN age.years <= 59 THEN '18-59'
           ELSE '60+'
       END AS band,
       f.pop, p.nationality, COUNT(*)
FROM flagged f
JOIN cases_person p ON p.id = f.person_id
CROSS JOIN LATERAL (
    SELECT (EXTRACT(YEAR FROM f.day) - EXTRACT(YEAR FROM p.birth_date))::int
           - CASE WHEN (EXTRACT(MONTH FROM f.day), EXTRACT(DAY FROM f.day))
                       < (EXTRACT(MONTH FROM p.birth_date), EXTRACT(DAY FROM p.birth_date))
                  THEN 1 ELSE 0 END AS years
) age
WHERE f.month >= %(span_first)s OR f.first_ever OR f.first_in_year
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""


def _measure(groups: dict[tuple, int]) -> dict:
    out = _empty_measure()
    for (sex, band, pop, nationality), count in groups.items():
        if not count:
            continue
        out["total"] += count
        for name, key in (
            ("by_sex", sex),
            ("by_age_band", band),
            ("by_sex_age", f"{sex}:{band}"),
            ("by_population_type", pop),
            ("by_nationality", nationality),
        ):
            out[name][key] = out[name].get(key, 0) + count
    return out


def _span_sql(indicator: dict) -> str:
    history = _events_sql(
        indicator["event_kind"],
        indicator["areas"],
        indicator["activities"],
        "%(program_start)s",
        "%(month_last)s",
    )
    return _SPAN_STATEMENT.format(history=history)


def span_report(cursor, months: list[date], program_code: str | None = None) -> dict[date, dict]:
    """Every month of ``months`` (consecutive, oldest first) for every active indicator, one
    statement per indicator over its history: {month: {code: {"reached": ..., ...}}}."""
    first, last = months[0], month_bounds(months[-1])[1]
    out: dict[date, dict] = {month: {} for month in months}
    for indicator in indicators(cursor, program_code):
        empty = {measure: _empty_measure() for measure in MEASURES}
        if indicator["program_start"] > last:
            for month in months:
                out[month][indicator["code"]] = empty
            continue
        cursor.execute(
            _span_sql(indicator),
            {
                "program": indicator["program_id"],
                "program_start": indicator["program_start"],
                "month_last": min(last, indicator["program_end"] or last),
                "span_first": first,
                "year_start_month": indicator["year_start_month"],
                "areas": list(indicator["areas"]),
                "activities": list(indicator["activities"]),
            },
        )
        by_month: dict[date, list] = {}
        for row in cursor.fetchall():
            by_month.setdefault(row[0], []).append(row[1:])
        ever: dict[tuple, int] = {}
        year: dict[date, dict[tuple, int]] = {}
        for month in sorted(set(by_month) | set(months)):
            reached, new, new_in_year = {}, {}, {}
            for ys, first_ever, first_in_year, sex, band, pop, nationality, count in by_month.get(month, []):
                key = (sex, band, pop, str(nationality) if nationality else "unknown")
                reached[key] = reached.get(key, 0) + count
                if first_ever:
                    new[key] = new.get(key, 0) + count
                    ever[key] = ever.get(key, 0) + count
                if first_in_year:
                    new_in_year[key] = new_in_year.get(key, 0) + count
                    in_year = year.setdefault(ys, {})
                    in_year[key] = in_year.get(key, 0) + count
            if month not in out:
                continue
            if indicator["program_start"] > month_bounds(month)[1]:
                out[month][indicator["code"]] = {measure: _empty_measure() for measure in MEASURES}
                continue
            ys = max(year_start(month, indicator["year_start_month"]), indicator["program_start"])
            out[month][indicator["code"]] = {
                "reached": _measure(reached),
                "new": _measure(new),
                "cumulative": _measure(ever),
                "new_in_year": _measure(new_in_year),
                "cumulative_in_year": _measure(year.get(ys, {})),
            }
    return out
