"""Due dates of ARCO requests: business days in Peru (Monday to Friday, national holidays off)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings

# Peru's national holidays on fixed dates (Ley 27735 and later laws).
FIXED_HOLIDAYS = {
    (1, 1),
    (5, 1),
    (6, 7),
    (6, 29),
    (7, 23),
    (7, 28),
    (7, 29),
    (8, 6),
    (8, 30),
    (10, 8),
    (11, 1),
    (12, 8),
    (12, 9),
    (12, 25),
}


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def holidays_of(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    moving = {easter - timedelta(days=3), easter - timedelta(days=2)}  # Holy Thursday, Good Friday
    return frozenset({date(year, m, d) for m, d in FIXED_HOLIDAYS} | moving)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays_of(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (counting from the next day)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def arco_due_on(received_on: date) -> date:
    if settings.ARCO_RESPONSE_CALENDAR_DAYS:
        return received_on + timedelta(days=settings.ARCO_RESPONSE_CALENDAR_DAYS)
    return add_business_days(received_on, settings.ARCO_RESPONSE_BUSINESS_DAYS)
