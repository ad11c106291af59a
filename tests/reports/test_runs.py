"""Snapshots: recomputed in place, one transaction per month, runs coalesced under the lock."""

import threading
from datetime import date

import pytest
from django.db import connection

from orientation.health import health_status
from orientation.models import Program
from reports import counting
from reports.actions import first_events_rebuild, monthly_figures_compute, report_run_create
from reports.models import FirstEvent, FirstEventCount, MonthlyFigure, ReportRun
from reports.selectors import report_run_last_successful
from tests.factories import DirectServiceFactory, PersonFactory, service_type

from . import dataset

MARCH = date(2025, 3, 1)


def _values(month=MARCH):
    return {
        f.indicator.code: (f.pk, f.reached, f.new, f.cumulative, f.computed_at, f.run_id)
        for f in MonthlyFigure.objects.filter(month=month).select_related("indicator")
    }


def _run(program_code=None, trigger="manual"):
    return report_run_create(
        month=MARCH, program=Program.objects.get(code=program_code) if program_code else None, trigger=trigger
    )


@pytest.fixture
def march(ref):
    people = dataset.build()
    first_events_rebuild()
    monthly_figures_compute(month=MARCH)
    return people


def test_recomputing_updates_each_snapshot_in_place(march):
    before = _values()
    DirectServiceFactory(person=PersonFactory(), service_type=service_type("doc-cpp"), delivered_on=MARCH)
    run = _run()
    monthly_figures_compute(month=MARCH, run=run)
    after = _values()
    assert MonthlyFigure.objects.count() == 10
    assert {code: v[0] for code, v in after.items()} == {code: v[0] for code, v in before.items()}
    assert after["PAO-DOC"][1]["total"] == before["PAO-DOC"][1]["total"] + 1
    assert all(v[5] == run.pk and v[4] > before[code][4] for code, v in after.items())
    run.refresh_from_db()
    assert (run.status, run.progress, run.total) == ("done", 10, 10)
    assert run.started_at == after["PAO-ANY"][4] and run.finished_at >= run.started_at
    assert report_run_last_successful() == run
    assert health_status()["last_report_run"] == run.finished_at.isoformat()


def test_a_run_that_fails_halfway_leaves_the_old_snapshots(march, monkeypatch):
    before = _values()
    first_events = set(
        FirstEvent.objects.values_list("person_id", "indicator_id", "first_on", "population_type")
    )
    counts = set(FirstEventCount.objects.values_list("indicator_id", "month", "sex", "age_band", "count"))
    # A new person makes every PAO service indicator change, and the 6th indicator fails.
    DirectServiceFactory(person=PersonFactory(), service_type=service_type("doc-cpp"), delivered_on=MARCH)
    real, calls = counting.Counter.measures, []

    def failing(self, indicator):
        calls.append(indicator.code)
        if len(calls) == 6:
            raise RuntimeError("worker killed")
        return real(self, indicator)

    monkeypatch.setattr(counting.Counter, "measures", failing)
    run = _run()
    with pytest.raises(RuntimeError):
        monthly_figures_compute(month=MARCH, run=run)
    assert _values() == before
    assert set(
        FirstEvent.objects.values_list("person_id", "indicator_id", "first_on", "population_type")
    ) == (first_events)
    assert (
        set(FirstEventCount.objects.values_list("indicator_id", "month", "sex", "age_band", "count"))
        == counts
    )
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "RuntimeError")
    assert report_run_last_successful() != run


def test_a_run_requested_before_another_started_has_nothing_left_to_do(march):
    waiting, first = _run(), _run()
    monthly_figures_compute(month=MARCH, run=first)
    figures = monthly_figures_compute(month=MARCH, run=waiting)
    waiting.refresh_from_db()
    assert waiting.status == ReportRun.Status.SKIPPED
    assert {f.run_id for f in figures} == {first.pk}
    # A run requested after that computation started computes again.
    later = _run()
    monthly_figures_compute(month=MARCH, run=later)
    later.refresh_from_db()
    assert later.status == ReportRun.Status.DONE


def test_a_run_of_one_program_does_not_cover_the_others(march):
    everything, pao = _run(), _run("PAO")
    monthly_figures_compute(month=MARCH, program_code="PAO", run=pao)
    monthly_figures_compute(month=MARCH, run=everything)
    everything.refresh_from_db()
    assert everything.status == ReportRun.Status.DONE
    assert {f.run_id for f in MonthlyFigure.objects.filter(month=MARCH)} == {everything.pk}


def test_an_unknown_program_is_refused(ref):
    with pytest.raises(Program.DoesNotExist):
        monthly_figures_compute(month=MARCH, program_code="NOPE")
    assert not MonthlyFigure.objects.exists()


def test_any_day_stands_for_its_month(march):
    figures = monthly_figures_compute(month=date(2025, 3, 17), program_code="PAO")
    assert {f.month for f in figures} == {MARCH}


@pytest.mark.django_db(transaction=True)
def test_five_runs_started_together_compute_once(ref):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: concurrent computations are not meaningful there")
    dataset.build()
    runs = [_run() for _ in range(5)]
    barrier, errors = threading.Barrier(5), []

    def compute(run):
        try:
            barrier.wait(timeout=30)
            monthly_figures_compute(month=MARCH, run=run)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=compute, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    statuses = sorted(ReportRun.objects.filter(pk__in=[r.pk for r in runs]).values_list("status", flat=True))
    assert statuses == ["done", "skipped", "skipped", "skipped", "skipped"]
    done = ReportRun.objects.get(pk__in=[r.pk for r in runs], status="done")
    assert set(MonthlyFigure.objects.filter(month=MARCH).values_list("run_id", flat=True)) == {done.pk}
    assert MonthlyFigure.objects.filter(month=MARCH).count() == 10
