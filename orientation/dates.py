"""Month and year arithmetic on dates, shared by every app (no Django needed: the seeds and the
benchmark use it too).

A month is named by its first day (``date(2025, 3, 1)`` is March 2025), as in the reports.
"""

from __future__ import annotations

from datetime import date, timedelta


def first_of_month(day: date) -> date:
    """The first day of ``day``'s month: the month it falls in."""
    return day.replace(day=1)


def add_months(day: date, n: int) -> date:
    """The first day of the month ``n`` months after ``day``'s month (before it when ``n`` < 0)."""
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return add_months(day, 1) - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """The months from ``first``'s month to ``last``'s, both included, oldest first (none when
    ``last`` is before ``first``)."""
    months, month, last = [], first_of_month(first), first_of_month(last)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def years_before(day: date, years: int) -> date:
    """The same day ``years`` years earlier; 28 February for a 29 February that year lacks."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def reporting_year_start(month: date, *, start_month: int = 1, not_before: date | None = None) -> date:
    """The first day of the reporting year that contains ``month``, for a year that starts in
    ``start_month`` (1: the calendar year); never before ``not_before`` (a program's start):
    where the year-to-date measures start counting (docs/counting.md)."""
    year = month.year if month.month >= start_month else month.year - 1
    start = date(year, start_month, 1)
    return max(start, not_before) if not_before is not None else start
