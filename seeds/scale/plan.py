"""The plan: how many events and registrations each month, at constant monthly rates per program."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from orientation.dates import add_months, first_of_month, month_end

from .distributions import ADULT_PROGRAMS, PROGRAM_WEIGHTS, YOUTH_PROGRAMS, YOUTH_SHARE


def reference_programs() -> dict[str, tuple[date, date | None]]:
    from seeds.reference import PROGRAMS

    return {code: (start, None) for code, _name, _donor, start, _sites in PROGRAMS}


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder)."""
    mass = sum(weights)
    if total <= 0 or mass <= 0:
        return [0] * len(weights)
    shares = [total * w / mass for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class Plan:
    """Months (first days), the day range each program runs in each month, and the counts."""

    months: list[date]
    ranges: dict[tuple[int, str], tuple[date, date]]  # (month index, program) -> first/last day
    events: dict[tuple[int, str], int]  # (month index, program) -> contact rows
    registrations: dict[tuple[int, str], int]  # (month index, "adult"|"youth") -> new people

    @property
    def total_events(self) -> int:
        return sum(self.events.values())

    @property
    def total_people(self) -> int:
        return sum(self.registrations.values())


def _program_ranges(
    months: list[date], programs, yesterday: date
) -> dict[tuple[int, str], tuple[date, date]]:
    ranges = {}
    for m, first in enumerate(months):
        last = min(month_end(first), yesterday)
        for code in PROGRAM_WEIGHTS:
            start, end = programs[code]
            lo, hi = max(first, start), min(last, end or last)
            if lo <= hi:
                ranges[(m, code)] = (lo, hi)
    return ranges


def _pool_weights(months: list[date], ranges) -> dict[tuple[int, str], float]:
    """Registration weight of each pool in each month: its programs' weights while they run."""
    weights = {}
    for m in range(len(months)):
        adult = sum(PROGRAM_WEIGHTS[p] for p in ADULT_PROGRAMS if (m, p) in ranges)
        youth = sum(PROGRAM_WEIGHTS[p] for p in YOUTH_PROGRAMS if (m, p) in ranges)
        if adult and youth:
            weights[(m, "adult")], weights[(m, "youth")] = 1 - YOUTH_SHARE, YOUTH_SHARE
        elif adult or youth:
            weights[(m, "adult" if adult else "youth")] = YOUTH_SHARE if youth else 1 - YOUTH_SHARE
    return weights


def plan_months(
    *, people: int, events: int, months: int = 36, end: date | None = None, programs=None
) -> Plan:
    """Counts per month for ``people`` and ``events`` over the ``months`` ending with ``end``'s month
    (default: last month), in proportion to the programs running in each month."""
    programs = programs or reference_programs()
    today = timezone.localdate()
    end = end or add_months(today, -1)
    last_first = first_of_month(end)
    month_list = [add_months(last_first, i - months + 1) for i in range(months)]
    yesterday = min(month_end(last_first), today - timedelta(days=1))
    ranges = _program_ranges(month_list, programs, yesterday)
    cells = sorted(ranges)
    counts = _allocate(events, [PROGRAM_WEIGHTS[p] for _m, p in cells])
    pool_w = _pool_weights(month_list, ranges)
    pool_cells = sorted(pool_w)
    regs = _allocate(people, [pool_w[c] for c in pool_cells])
    return Plan(
        month_list, ranges, dict(zip(cells, counts, strict=True)), dict(zip(pool_cells, regs, strict=True))
    )


def plan_like(
    *, people: int, events: int, months: int, fewer_months: int, end: date | None = None, programs=None
) -> tuple[int, int]:
    """(people, events) for ``fewer_months`` months at the same monthly rates as the full plan, so
    the last month has the same number of events (give or take one)."""
    programs = programs or reference_programs()
    full = plan_months(people=people, events=events, months=months, end=end, programs=programs)
    cut = months - fewer_months
    ev = sum(n for (m, _p), n in full.events.items() if m >= cut)
    ppl = sum(n for (m, _p), n in full.registrations.items() if m >= cut)
    return ppl, ev
