"""Writes for reports: computing a month's figures, requesting a run, rebuilding first events.

A month's computation is one transaction under the month's lock, so a run killed at any point
leaves either the old snapshots or the new ones, never a mix:

- PostgreSQL: ``pg_advisory_xact_lock`` on the month, then on each program whose first events it
  maintains (in program order, so runs of different months never deadlock); released at commit.
- SQLite: the write transaction itself (its first statement is a write, so a second writer waits).

Runs are coalesced: a run that gets the lock after another run *started* computing the same
figures (``MonthlyFigure.computed_at`` at or after this run was requested) has nothing to add,
since that computation already saw every event committed before this run was requested. It ends
``skipped``. So five runs requested together compute once, and a run requested while another is
halfway through still computes (that other run may have missed the latest events).

Live progress goes to the cache (the transaction's own writes are invisible until it commits);
the run's row gets its status and final counts in the same transaction as the figures. Then, still
in that transaction, ``month_computed`` (reports/signals.py) tells the apps built on the figures,
which queue their own work through the outbox (it leaves only if the figures are committed).
"""

from __future__ import annotations

import logging
import zlib
from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from orientation import roles
from orientation.dates import first_of_month
from orientation.models import OutboxMessage, Program
from orientation.outbox import enqueue
from services.models import ServiceType

from . import counting
from .keys import progress_key
from .models import (
    MEASURES,
    FirstEvent,
    FirstEventCount,
    FirstEventState,
    Indicator,
    MonthlyFigure,
    ReportRun,
    YearFirstEvent,
    YearFirstEventCount,
)
from .signals import month_computed

logger = logging.getLogger(__name__)

COMPUTE_TASK = "reports.tasks.monthly_figures_compute_task"
FILL_TASK = "reports.tasks.monthly_figures_fill_task"
# A program's missing months are queued at most once in this time (the dashboard asks on every view).
FILL_AGAIN_AFTER = timedelta(minutes=10)
# A note of a write without a date (its sport session already gone) may touch any month.
ANY_MONTH = date(1900, 1, 1)
_LOCK_MONTH = zlib.crc32(b"orienta.reports.month") & 0x7FFFFFFF
_LOCK_PROGRAM = zlib.crc32(b"orienta.reports.program") & 0x7FFFFFFF


def _progress_set(run: ReportRun, done: int, total: int) -> None:
    try:
        cache.set(progress_key(run), [done, total], timeout=6 * 3600)
    except Exception:  # progress is a nicety: a cache outage must not fail the computation
        logger.warning("report run %s: progress not stored", run.pk)


def _lock_month(month: date, run: ReportRun) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_MONTH, month.year * 100 + month.month]
            )
    else:
        # SQLite: the first write takes the database's write lock until the transaction ends.
        ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.RUNNING)


def _lock_programs(program_ids) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for program_id in sorted(set(program_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_PROGRAM, program_id])


def _indicators(program: Program | None) -> list[Indicator]:
    qs = Indicator.objects.filter(active=True).select_related("program")
    if program is not None:
        qs = qs.filter(program=program)
    return list(qs.order_by("program__code", "sort_order", "code"))


def _figures(indicators: list[Indicator], month: date) -> list[MonthlyFigure]:
    return list(
        MonthlyFigure.objects.filter(indicator__in=indicators, month=month)
        .select_related("indicator__program", "run")
        .order_by("indicator__program__code", "indicator__sort_order", "indicator__code")
    )


def _already_computed(run: ReportRun, indicators: list[Indicator], month: date) -> bool:
    """Another run started computing every one of these figures after this run was requested."""
    fresh = MonthlyFigure.objects.filter(
        indicator__in=indicators, month=month, computed_at__gte=run.created_at
    ).count()
    return bool(indicators) and fresh == len(indicators)


def _run_update(run: ReportRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    ReportRun.objects.filter(pk=run.pk).update(**fields)


def monthly_figures_compute(
    *, month: date, program_code: str | None = None, run: ReportRun | None = None
) -> list[MonthlyFigure]:
    """Compute and store the snapshots of every active indicator (of one program, or all) for a
    month; return them. The same code serves the Celery jobs, the page and the command.

    Raises ``Program.DoesNotExist`` for an unknown program code.
    """
    month = first_of_month(month)
    program = Program.objects.get(code=program_code) if program_code else None
    if run is None:
        run = ReportRun.objects.create(month=month, program=program, trigger=ReportRun.Trigger.API)
    indicators = _indicators(program)
    _run_update(
        run,
        status=ReportRun.Status.RUNNING,
        total=len(indicators),
        progress=0,
        error="",
        started_at=timezone.now(),
        finished_at=None,
    )
    _progress_set(run, 0, len(indicators))
    try:
        with transaction.atomic():
            _lock_month(month, run)
            if _already_computed(run, indicators, month):
                _run_update(
                    run, status=ReportRun.Status.SKIPPED, finished_at=timezone.now(), progress=len(indicators)
                )
                return _figures(indicators, month)
            _lock_programs(ind.program_id for ind in indicators)
            as_of = timezone.now()
            snapshots = []
            before = {
                f.indicator_id: f for f in MonthlyFigure.objects.filter(indicator__in=indicators, month=month)
            }
            with counting.Counter(month) as counter:
                for done, indicator in enumerate(indicators, start=1):
                    snapshots.append(
                        MonthlyFigure(
                            indicator=indicator,
                            month=month,
                            computed_at=as_of,
                            run=run,
                            **counter.measures(indicator),
                        )
                    )
                    _progress_set(run, done, len(indicators))
            for program_id, late in counter.late.items():
                _late_months_queue(program_id=program_id, months_from=late.months_from, computed=month)
            MonthlyFigure.objects.bulk_create(
                snapshots,
                update_conflicts=True,
                unique_fields=["indicator", "month"],
                update_fields=[*MEASURES, "computed_at", "run"],
            )
            _run_update(
                run,
                status=ReportRun.Status.DONE,
                started_at=as_of,
                finished_at=timezone.now(),
                progress=len(indicators),
                changes=_changes(before, snapshots),
            )
            _month_computed_send(run=run, month=month, program=program)
    except Exception as exc:
        try:
            _run_update(
                run, status=ReportRun.Status.FAILED, finished_at=timezone.now(), error=exc.__class__.__name__
            )
        except Exception:  # the database itself is gone: the task's retry will try again
            logger.warning("report run %s: could not record the failure", run.pk)
        raise
    return _figures(indicators, month)


def monthly_figures_compute_span(
    *, months, program_code: str | None = None, trigger: str = ReportRun.Trigger.SCHEDULE
) -> dict[date, list[MonthlyFigure]]:
    """Compute several months of every active indicator (of one program, or all) in one pass and
    one transaction: what a history import, a merge, late entries and the backfill of months never
    computed need. Each month gets its own run (its progress, its changes, ``month_computed``);
    the figures are those ``monthly_figures_compute`` gives month by month
    (``counting.Counter.measures_span``), at the cost of the span's events read once.

    Locks: every month of the span, oldest first, then the programs, as a single month does, so
    a span and single months never wait on each other in a cycle. Returns the snapshots by month.
    """
    months = sorted({first_of_month(m) for m in months})
    program = Program.objects.get(code=program_code) if program_code else None
    indicators = _indicators(program)
    runs = {month: report_run_create(month=month, program=program, trigger=trigger) for month in months}
    started = timezone.now()
    for run in runs.values():
        _run_update(
            run, status=ReportRun.Status.RUNNING, total=len(indicators), progress=0, started_at=started
        )
        _progress_set(run, 0, len(indicators))
    try:
        with transaction.atomic():
            for month in months:
                _lock_month(month, runs[month])
            _lock_programs(ind.program_id for ind in indicators)
            as_of = timezone.now()
            before: dict[date, dict[int, MonthlyFigure]] = {month: {} for month in months}
            for figure in MonthlyFigure.objects.filter(indicator__in=indicators, month__in=months):
                before[figure.month][figure.indicator_id] = figure
            snapshots: dict[date, list[MonthlyFigure]] = {month: [] for month in months}
            with counting.Counter(months[0]) as counter:
                for done, indicator in enumerate(indicators, start=1):
                    span = counter.measures_span(indicator, months[-1])
                    for month in months:
                        snapshots[month].append(
                            MonthlyFigure(
                                indicator=indicator,
                                month=month,
                                computed_at=as_of,
                                run=runs[month],
                                **span[month],
                            )
                        )
                        _progress_set(runs[month], done, len(indicators))
            for program_id, late in counter.late.items():
                _late_months_queue(program_id=program_id, months_from=late.months_from, computed=months)
            MonthlyFigure.objects.bulk_create(
                [figure for month in months for figure in snapshots[month]],
                update_conflicts=True,
                unique_fields=["indicator", "month"],
                update_fields=[*MEASURES, "computed_at", "run"],
            )
            finished = timezone.now()
            for month in months:
                _run_update(
                    runs[month],
                    status=ReportRun.Status.DONE,
                    started_at=as_of,
                    finished_at=finished,
                    progress=len(indicators),
                    changes=_changes(before[month], snapshots[month]),
                )
                _month_computed_send(run=runs[month], month=month, program=program)
    except Exception as exc:
        for run in runs.values():
            try:
                _run_update(
                    run,
                    status=ReportRun.Status.FAILED,
                    finished_at=timezone.now(),
                    error=exc.__class__.__name__,
                )
            except Exception:
                logger.warning("report run %s: could not record the failure", run.pk)
        raise
    return snapshots


def _changes(before: dict[int, MonthlyFigure], after: list[MonthlyFigure]) -> list[dict]:
    """The measures a computation changed (their totals, or only their breakdowns): what the
    coordinator sees for a recomputed month."""
    changes = []
    for figure in after:
        old = before.get(figure.indicator_id)
        if old is None:
            continue
        for measure in MEASURES:
            if getattr(old, measure) == getattr(figure, measure):
                continue
            # The total, or only how it splits (by sex, age, population type or nationality).
            was, now = getattr(old, measure).get("total", 0), getattr(figure, measure).get("total", 0)
            changes.append(
                {"indicator": figure.indicator.code, "measure": measure, "before": was, "after": now}
            )
    return changes


def _late_months_queue(*, program_id: int, months_from: date | None, computed) -> None:
    """A computation carried late writes into the first events (``counting.Counter.late``): queue
    the program's other stored months from the first one they can change, so every stored month
    is right again; each such run records what moved (``ReportRun.changes``). Through the outbox:
    the job leaves only if this computation commits."""
    if months_from is None:
        return
    months = sorted(
        set(
            MonthlyFigure.objects.filter(indicator__program_id=program_id, month__gte=months_from)
            .exclude(month__in=computed if isinstance(computed, list) else [computed])
            .values_list("month", flat=True)
        )
    )
    if months:
        enqueue(
            FILL_TASK,
            program_id=program_id,
            months=[m.isoformat() for m in months],
            recompute=True,
            trigger=ReportRun.Trigger.LATE,
        )


def _month_computed_send(*, run: ReportRun, month: date, program: Program | None) -> None:
    """Tell the apps built on the figures (reports/signals.py); their errors never fail the run."""
    for receiver, response in month_computed.send_robust(
        sender=ReportRun, run=run, month=month, program=program
    ):
        if isinstance(response, Exception):
            logger.error("report run %s: month_computed receiver %r failed: %r", run.pk, receiver, response)


@transaction.atomic
def report_run_request(*, user, month: date, program: Program | None) -> ReportRun:
    """A coordinator asks for a month to be recomputed; returns the run that will do it.

    A run of that month and program still waiting in the queue serves: it will see every event when
    it starts, so there is no need for two. Otherwise (none, or the waiting one stalled) a new run is
    recorded and its job queued."""
    roles.require(user, roles.REPORT_READERS)
    month = first_of_month(month)
    waiting = ReportRun.objects.filter(month=month, program=program, status=ReportRun.Status.QUEUED).first()
    if waiting is not None and not waiting.is_stalled:
        return waiting
    run = ReportRun(month=month, program=program, trigger=ReportRun.Trigger.MANUAL, requested_by=user)
    run.full_clean()
    run.save()
    enqueue(COMPUTE_TASK, run_id=run.pk)
    return run


def report_run_create(*, month: date, program: Program | None = None, trigger: str) -> ReportRun:
    run = ReportRun(month=first_of_month(month), program=program, trigger=trigger)
    run.full_clean()
    run.save()
    return run


def first_events_rebuild(*, program_code: str | None = None) -> int:
    """Rebuild every active indicator's first events from the whole history: the nightly check of
    the bookkeeping the writes keep (``EventChange``). A person whose stored first event differs
    from their history, other than by a change still waiting, is a write the triggers missed: it
    is repaired here, counted in ``FirstEventState.differences`` and logged as an error.

    One transaction per program, under that program's lock; the program's waiting changes are
    taken first and deleted after (those committed meanwhile stay for the next computation).
    Returns the indicators rebuilt.
    """
    programs = Program.objects.order_by("pk")
    if program_code:
        programs = programs.filter(code=program_code)
    rebuilt = 0
    service_areas = dict(ServiceType.objects.values_list("pk", "area"))
    for program in programs:
        with transaction.atomic():
            _lock_programs([program.pk])
            counting.temp_tables_create()
            with connection.cursor() as cursor:
                people, earliest = counting.changes_take(cursor, program.pk)
                for indicator in _indicators(program):
                    scope = counting.scope_for(indicator, service_areas=service_areas)
                    differences = counting.first_events_rebuild(scope, cursor=cursor)
                    if differences:
                        logger.error(
                            "first events of indicator %s differed from the history for %d people: repaired",
                            indicator.code,
                            differences,
                        )
                    rebuilt += 1
                # Indicators switched off are not kept: rebuilt when they are counted again.
                FirstEventState.objects.filter(indicator__program=program, indicator__active=False).delete()
                counting.changes_done(cursor)
                if people:  # the months those writes can change, as a computation would queue them
                    _late_months_queue(
                        program_id=program.pk,
                        months_from=first_of_month(earliest or ANY_MONTH),
                        computed=None,
                    )
            counting.temp_tables_drop()
    first_events_tables_vacuum()
    return rebuilt


def first_events_tables_vacuum() -> None:
    """On PostgreSQL, ``VACUUM (ANALYZE)`` the first-events tables after a rebuild.

    A rebuild that wrote many rows (the first build after a data load, ``generate_demo``) leaves
    them without a visibility map until autovacuum passes, and until then every probe of a month's
    people into ``FirstEvent`` reads the table besides its index: the first month computed after
    ``generate_demo`` cost a fifth more than the next (BENCHMARKS.md, section 1b). Cheap when little
    changed. ``VACUUM`` cannot run inside a transaction: skipped there.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in (FirstEvent, FirstEventCount, YearFirstEvent, YearFirstEventCount, FirstEventState):
            cursor.execute(f'VACUUM (ANALYZE, INDEX_CLEANUP ON) "{model._meta.db_table}"')  # nosec B608 (table names)


def first_events_forget(*, indicator: Indicator) -> None:
    """Make the next computation rebuild the indicator's first events."""
    FirstEventState.objects.filter(indicator=indicator).delete()


# --- Months never computed ----------------------------------------------------------------------
#
# No page or export shows a month that was never computed as zeros: the dashboard and the import
# queue the computation of the months a program is missing (through the outbox, so a save never
# waits on the broker), and the export computes or refuses. Each month is computed by
# ``monthly_figures_compute`` under its lock, oldest first (a month's cumulative builds on the
# first events of the months before it); a month computed meanwhile is skipped.


def months_not_computed(*, program: Program, months) -> list[date]:
    """Of these months, those (from the program's start to this month) in which an active indicator
    of the program has no stored figure. Two queries."""
    start = first_of_month(program.start_date)
    this_month = first_of_month(timezone.localdate())
    wanted = sorted({first_of_month(m) for m in months if start <= first_of_month(m) <= this_month})
    if not wanted:
        return []
    indicators = set(Indicator.objects.filter(program=program, active=True).values_list("pk", flat=True))
    if not indicators:
        return []
    have: dict[date, set[int]] = {}
    for indicator_id, month in MonthlyFigure.objects.filter(
        indicator__in=indicators, month__in=wanted
    ).values_list("indicator_id", "month"):
        have.setdefault(month, set()).add(indicator_id)
    return [m for m in wanted if have.get(m, set()) != indicators]


def monthly_figures_fill_request(*, program: Program, months, recompute: bool = False) -> bool:
    """Queue the computation of a program's months in the background. Without ``recompute`` only
    the months still missing when the job runs are computed, and a request is not repeated while
    one made in the last ``FILL_AGAIN_AFTER`` is pending. Returns whether a job was queued."""
    months = sorted({first_of_month(m) for m in months})
    if not months:
        return False
    if not recompute:
        recent = OutboxMessage.objects.filter(
            task_name=FILL_TASK,
            kwargs__program_id=program.pk,
            kwargs__recompute=False,
            created_at__gte=timezone.now() - FILL_AGAIN_AFTER,
        )
        if recent.exists():
            return False
    with transaction.atomic():
        enqueue(FILL_TASK, program_id=program.pk, months=[m.isoformat() for m in months], recompute=recompute)
    return True


def monthly_figures_fill(
    *, program_id: int, months: list[date], recompute: bool = False, trigger: str = ReportRun.Trigger.SCHEDULE
) -> int:
    """Compute a program's months, oldest first (each under its lock); without ``recompute`` only
    those still missing. Returns how many months were computed."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return 0
    months = sorted({first_of_month(m) for m in months})
    if not recompute:
        months = months_not_computed(program=program, months=months)
    if months:
        monthly_figures_compute_span(months=months, program_code=program.code, trigger=trigger)
    return len(months)
