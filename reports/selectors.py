"""Reads for reports: the stored snapshots in the contract's shape, the dashboard, runs.

Figures are only ever read from the stored snapshots (``MonthlyFigure``); nothing here counts
people. The report contract (``monthly_report``) is not scoped to a user: it serves the command
and the jobs. Pages use the ``*_for`` selectors, scoped to the programs the user may report on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases.choices import AgeBand, PopulationType, Sex
from orientation import roles
from orientation.dates import add_months, first_of_month
from orientation.models import Program
from orientation.selectors import programs_visible_to

from .counting import AGE_BANDS, POPULATION_TYPES, SEXES, empty_measure
from .keys import progress_key
from .models import MEASURES, Indicator, MonthlyFigure, ReportRun, Target

ADULT_BANDS = {"18-59", "60+"}
MINOR_BANDS = {"0-4", "5-11", "12-17"}
SEX_AGE_GROUPS = [
    ("women", _("Women (18 and over)")),
    ("men", _("Men (18 and over)")),
    ("girls", _("Girls (under 18)")),
    ("boys", _("Boys (under 18)")),
    ("other", _("Other (sex X or age unknown)")),
]


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def default_month() -> date:
    """The month a coordinator reports on: the one that just ended."""
    return add_months(timezone.localdate(), -1)


# --- The report contract (docs/report-json.md) ----------------------------------------------------


def _figures_for_month(month: date, program_code: str | None) -> QuerySet[MonthlyFigure]:
    qs = MonthlyFigure.objects.filter(month=month, indicator__active=True).select_related(
        "indicator__program"
    )
    if program_code:
        qs = qs.filter(indicator__program__code=program_code)
    return qs.order_by("indicator__program__code", "indicator__sort_order", "indicator__code")


def _targets(indicator_ids, months) -> dict[tuple[int, date | None], int]:
    """(indicator id, month or None for the whole program) → target value."""
    rows = Target.objects.filter(indicator_id__in=list(indicator_ids)).filter(
        Q(month__in=[m for m in months if m is not None]) | Q(month__isnull=True)
    )
    return {(t.indicator_id, t.month): t.value for t in rows}


def monthly_report(*, month: date, program_code: str | None = None) -> dict:
    """The stored figures of a month in the JSON contract of docs/report-json.md.

    Every active indicator with a stored snapshot for the month, in program and indicator order;
    ``target_month`` is the indicator's target for that month and ``target_total`` its
    whole-program target (null where none is set). Zero counts are left out of the breakdowns.
    """
    month = first_of_month(month)
    figures = list(_figures_for_month(month, program_code))
    targets = _targets([f.indicator_id for f in figures], [month])
    return {
        "month": month_label(month),
        "indicators": [
            {
                "program": f.indicator.program.code,
                "code": f.indicator.code,
                "name": f.indicator.display_name,
                "target_month": targets.get((f.indicator_id, month)),
                "target_total": targets.get((f.indicator_id, None)),
                **{measure: getattr(f, measure) or empty_measure() for measure in MEASURES},
            }
            for f in figures
        ],
    }


def report_run_last_successful() -> ReportRun | None:
    """The last run that finished computing (for the health check)."""
    return (
        ReportRun.objects.filter(status=ReportRun.Status.DONE, finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )


def report_run_last_finished_at() -> str | None:
    """When the last successful run finished, for the health report (orientation/health.py)."""
    run = report_run_last_successful()
    return run.finished_at.isoformat() if run and run.finished_at else None


# --- Scoping -------------------------------------------------------------------------------------


def report_programs_for(user) -> QuerySet[Program]:
    """Programs whose figures the user may see: a coordinator's own programs; every one for admins."""
    if not roles.has_role(user, roles.REPORT_READERS):
        return Program.objects.none()
    return programs_visible_to(user).order_by("code")


def report_program_get_for(user, code: str) -> Program:
    program = report_programs_for(user).filter(code=code).first()
    if program is None:
        raise Http404
    return program


def report_run_get_for(user, pk: int) -> ReportRun:
    """A run the user may follow: one of their programs' (or, for all programs, an admin's)."""
    run = ReportRun.objects.select_related("program", "requested_by").filter(pk=pk).first()
    if run is None:
        raise Http404
    programs = report_programs_for(user)
    if run.program_id is None:
        if not roles.has_role(user, roles.ADMIN) and run.requested_by_id != user.pk:
            raise Http404
    elif not programs.filter(pk=run.program_id).exists():
        raise Http404
    return run


def report_run_progress(run: ReportRun) -> tuple[int, int]:
    """(indicators done, indicators) of a run: live from the cache while it runs."""
    if run.status == ReportRun.Status.RUNNING:
        try:
            live = cache.get(progress_key(run))
        except Exception:
            live = None
        if live:
            return int(live[0]), int(live[1])
    return run.progress, run.total


def report_run_latest(*, month: date, program: Program) -> ReportRun | None:
    """The latest run covering this program's month (its own, or one for every program)."""
    return (
        ReportRun.objects.filter(Q(program=program) | Q(program__isnull=True), month=month)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
        .first()
    )


LATE_RUNS_SHOWN = 5


def late_recomputations(*, program: Program, names: dict[str, str]) -> list[dict]:
    """The program's last months recomputed because late entries changed them, newest first,
    each with the totals that moved: ``{"run", "changes": [{"indicator", "name", "measure",
    "before", "after"}]}``. ``names``: indicator code → name (the dashboard has them). One query."""
    runs = (
        ReportRun.objects.filter(
            program=program, trigger=ReportRun.Trigger.LATE, status=ReportRun.Status.DONE
        )
        .exclude(changes=[])
        .order_by("-finished_at", "-id")[:LATE_RUNS_SHOWN]
    )
    return [
        {
            "run": run,
            "changes": [{**change, "name": names.get(change["indicator"], "")} for change in run.changes],
        }
        for run in runs
    ]


# --- The dashboard -------------------------------------------------------------------------------


def _percent(value: int, target: int | None) -> int | None:
    if not target:
        return None
    return round(100 * value / target)


def sex_age_groups(by_sex_age: dict[str, int]) -> dict[str, int]:
    """Women (F 18+), men (M 18+), girls (F under 18), boys (M under 18) and other (sex X or age
    unknown), from the ``F:18-59`` style keys."""
    groups = {"women": 0, "men": 0, "girls": 0, "boys": 0, "other": 0}
    for key, count in (by_sex_age or {}).items():
        sex, _sep, band = key.partition(":")
        if sex == "F" and band in ADULT_BANDS:
            groups["women"] += count
        elif sex == "M" and band in ADULT_BANDS:
            groups["men"] += count
        elif sex == "F" and band in MINOR_BANDS:
            groups["girls"] += count
        elif sex == "M" and band in MINOR_BANDS:
            groups["boys"] += count
        else:
            groups["other"] += count
    return groups


@dataclass
class IndicatorRow:
    indicator: Indicator
    figure: MonthlyFigure | None
    target_month: int | None
    target_total: int | None
    history: list[dict] = field(default_factory=list)

    @property
    def reached(self) -> dict:
        return (self.figure.reached if self.figure else None) or empty_measure()

    @property
    def new(self) -> dict:
        return (self.figure.new if self.figure else None) or empty_measure()

    @property
    def cumulative(self) -> dict:
        return (self.figure.cumulative if self.figure else None) or empty_measure()

    @property
    def new_in_year(self) -> dict:
        return (self.figure.new_in_year if self.figure else None) or empty_measure()

    @property
    def cumulative_in_year(self) -> dict:
        return (self.figure.cumulative_in_year if self.figure else None) or empty_measure()

    @property
    def percent_month(self) -> int | None:
        return _percent(self.reached["total"], self.target_month)

    @property
    def percent_total(self) -> int | None:
        return _percent(self.cumulative["total"], self.target_total)

    def _table(self, keys: list[str], breakdown: str, labels: dict | None = None) -> list[dict]:
        labels = labels or {}
        return [
            {
                "key": key,
                "label": labels.get(key, key),
                **{m: getattr(self, m).get(breakdown, {}).get(key, 0) for m in MEASURES},
            }
            for key in keys
        ]

    @property
    def breakdown_tables(self) -> list[tuple[dict, list[dict]]]:
        return [
            ({"key": "sex_age", "label": _("Sex and age")}, self.sex_age_table),
            ({"key": "age_band", "label": _("Age band")}, self.age_band_table),
            ({"key": "population_type", "label": _("Population type")}, self.population_table),
            ({"key": "nationality", "label": _("Nationality")}, self.nationality_table),
        ]

    @property
    def sex_age_table(self) -> list[dict]:
        measures = {m: sex_age_groups(getattr(self, m).get("by_sex_age")) for m in MEASURES}
        return [
            {"key": key, "label": label, **{m: measures[m][key] for m in MEASURES}}
            for key, label in SEX_AGE_GROUPS
        ]

    @property
    def age_band_table(self) -> list[dict]:
        return self._table(AGE_BANDS, "by_age_band", dict(AgeBand.choices))

    @property
    def sex_table(self) -> list[dict]:
        return self._table(SEXES, "by_sex", dict(Sex.choices))

    @property
    def population_table(self) -> list[dict]:
        return self._table(POPULATION_TYPES, "by_population_type", dict(PopulationType.choices))

    @property
    def nationality_table(self) -> list[dict]:
        keys = set()
        for m in MEASURES:
            keys.update(getattr(self, m).get("by_nationality", {}))
        cumulative = self.cumulative.get("by_nationality", {})
        ordered = sorted(keys, key=lambda k: (-cumulative.get(k, 0), k))
        return self._table(ordered, "by_nationality", {k: countries.name(k) or k for k in ordered})


@dataclass
class Dashboard:
    program: Program
    month: date
    rows: list[IndicatorRow]
    months: list[date]
    computed_at: object
    has_figures: bool

    def months_not_computed(self, *, start: date, today: date) -> list[date]:
        """The months shown (from the program's start to this month) that an active indicator has
        no figure for; from the figures already read, no query."""
        first, last = first_of_month(start), first_of_month(today)
        return [
            m
            for i, m in enumerate(self.months)
            if first <= m <= last and any(row.history[i]["reached"] is None for row in self.rows)
        ]

    @property
    def chart_data(self) -> dict:
        return {
            "labels": [month_label(m) for m in self.months],
            "indicators": [
                {
                    "code": row.indicator.code,
                    "reached": [h["reached"] for h in row.history],
                    "new": [h["new"] for h in row.history],
                    "target": [h["target"] for h in row.history],
                }
                for row in self.rows
            ],
        }


def dashboard_for(*, program: Program, month: date) -> Dashboard:
    """A program's indicators for a month against their targets, with the last 12 months.

    A fixed number of queries whatever the number of indicators, months or events.
    """
    month = first_of_month(month)
    indicators = list(Indicator.objects.filter(program=program, active=True).order_by("sort_order", "code"))
    months = [add_months(month, -i) for i in range(11, -1, -1)]
    figures = {
        (f.indicator_id, f.month): f
        for f in MonthlyFigure.objects.filter(indicator__in=indicators, month__in=months)
    }
    targets = _targets([i.pk for i in indicators], months)
    rows = []
    for indicator in indicators:
        history = []
        for m in months:
            figure = figures.get((indicator.pk, m))
            history.append(
                {
                    "month": m,
                    "reached": figure.reached.get("total", 0) if figure else None,
                    "new": figure.new.get("total", 0) if figure else None,
                    "target": targets.get((indicator.pk, m)),
                }
            )
        rows.append(
            IndicatorRow(
                indicator=indicator,
                figure=figures.get((indicator.pk, month)),
                target_month=targets.get((indicator.pk, month)),
                target_total=targets.get((indicator.pk, None)),
                history=history,
            )
        )
    computed = [row.figure.computed_at for row in rows if row.figure]
    return Dashboard(
        program=program,
        month=month,
        rows=rows,
        months=months,
        computed_at=max(computed) if computed else None,
        has_figures=bool(computed),
    )


def home_summary_for(user, *, month: date) -> list[dict]:
    """For the home page: each of the user's programs, its indicators' reached against the monthly
    target for ``month`` (from the snapshots). Three queries."""
    programs = list(report_programs_for(user))
    if not programs:
        return []
    indicators = list(
        Indicator.objects.filter(program__in=programs, active=True).order_by("sort_order", "code")
    )
    figures = {
        f.indicator_id: f.reached.get("total", 0)
        for f in MonthlyFigure.objects.filter(indicator__in=indicators, month=month).only(
            "indicator_id", "reached"
        )
    }
    targets = _targets([i.pk for i in indicators], [month])
    summary = []
    for program in programs:
        rows = []
        for indicator in indicators:
            if indicator.program_id != program.pk:
                continue
            reached = figures.get(indicator.pk)
            target = targets.get((indicator.pk, month))
            rows.append(
                {
                    "indicator": indicator,
                    "reached": reached,
                    "target": target,
                    "percent": _percent(reached, target) if reached is not None else None,
                }
            )
        summary.append({"program": program, "rows": rows})
    return summary
