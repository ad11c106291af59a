"""Monthly figures computed by a worker that keeps dying: its child SIGKILLed mid-computation, or
the whole worker SIGKILLed (the message then comes back after the broker's visibility timeout).
The final snapshots equal a clean run's, one per indicator; five simultaneous runs compute once."""

import os
import random
import time

import pytest
from celery import Celery

from .harness import Worker, sql, wait_for

if not hasattr(pytest.importorskip("reports.actions"), "monthly_figures_compute"):
    pytest.skip("the reports app is not merged yet", allow_module_level=True)

# Enough events that a month takes about a second to compute (generate_demo, from seeds).
SCALE_DATA = ("--people", "6000", "--events", "60000", "--months", "6", "--reset")

VISIBILITY = 10  # seconds: how long Redis keeps a dead worker's message before handing it out again
KILLS = int(os.environ.get("REPORT_KILLS", "20"))  # CI sets 10 to stay within its time
WHOLE_WORKER_EVERY = 5  # every 5th kill takes the whole worker down (4 of 20)
TERMINAL = ("done", "skipped")


@pytest.fixture(scope="module")
def report_env(stack_env):
    return {**stack_env, "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY)}


@pytest.fixture(scope="module")
def month(report_env, own_postgres):
    """The busiest month of the demo data."""
    return sql(
        own_postgres.url,
        "SELECT date_trunc('month', delivered_on)::date AS m FROM services_directservice "
        "GROUP BY m ORDER BY count(*) DESC, m DESC LIMIT 1",
    )[0][0]


@pytest.fixture(scope="module")
def producer(own_redis):
    app = Celery("fault-test-producer", broker=own_redis.url)
    app.conf.broker_transport_options = {"visibility_timeout": VISIBILITY}
    yield app
    app.close()


def request_run(url: str, producer: Celery, month) -> int:
    """What the recompute button does: a queued ReportRun and its job on the broker."""
    (run_id,) = sql(
        url,
        "INSERT INTO reports_reportrun (month, status, trigger, created_at, progress, total, error, changes) "
        "VALUES (%s, 'queued', 'manual', now(), 0, 0, '', '[]') RETURNING id",
        (month,),
    )[0]
    producer.send_task(
        "reports.tasks.monthly_figures_compute_task", kwargs={"run_id": run_id}, ignore_result=True
    )
    return run_id


def snapshots(url: str, month) -> list[tuple]:
    return sql(
        url,
        "SELECT indicator_id, reached::text, new::text, cumulative::text FROM reports_monthlyfigure "
        "WHERE month = %s ORDER BY indicator_id",
        (month,),
    )


def statuses(url: str, ids) -> dict[int, str]:
    return dict(sql(url, "SELECT id, status FROM reports_reportrun WHERE id = ANY(%s)", (list(ids),)))


def computing(url: str) -> bool:
    """A computation holds the month's advisory lock inside its transaction."""
    return sql(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")[0][0] > 0


def all_finished(url: str, ids) -> bool:
    return all(status in TERMINAL for status in statuses(url, ids).values())


def test_worker_killed_20_times_while_computing_leaves_exact_snapshots(
    report_env, own_postgres, own_redis, producer, month
):
    url = own_postgres.url
    worker = Worker(report_env, concurrency=1)
    worker.start()
    workers = [worker]
    try:
        # The clean run, timed (how long the month's lock is held): the kills land at random
        # points inside such a computation.
        clean_run = request_run(url, producer, month)
        wait_for(lambda: computing(url), 60, interval=0.02, what="the clean run to start")
        started = time.monotonic()
        wait_for(lambda: not computing(url), 120, interval=0.02, what="the clean run")
        duration = time.monotonic() - started
        wait_for(lambda: all_finished(url, [clean_run]), 30, what="the clean run to finish")
        clean = snapshots(url, month)
        indicators = sql(url, "SELECT count(*) FROM reports_indicator WHERE active")[0][0]
        assert statuses(url, [clean_run]) == {clean_run: "done"} and len(clean) == indicators > 0

        rng = random.Random(20261122)
        runs = []
        mid_computation = whole = 0
        recoveries = []
        for kill in range(1, KILLS + 1):
            if not runs or all_finished(url, runs):
                runs.append(request_run(url, producer, month))
            wait_for(lambda: computing(url), 60, interval=0.05, what="a computation to start")
            time.sleep(rng.uniform(0.0, duration * 0.9))
            mid_computation += computing(url)
            if kill % WHOLE_WORKER_EVERY == 0:
                worker.kill()
                whole += 1
                worker = Worker(report_env, concurrency=1)
                worker.start()
                workers.append(worker)
            else:
                assert worker.kill_child(), "the worker had no child to kill"
        killed_at = time.monotonic()
        wait_for(lambda: all_finished(url, runs) and not computing(url), 180, what="every run to finish")
        recoveries.append(time.monotonic() - killed_at)
        time.sleep(1)
        final = snapshots(url, month)
        assert final == clean, "snapshots differ from the clean run's"
        assert (
            sql(url, "SELECT count(*) FROM reports_monthlyfigure WHERE month = %s", (month,))[0][0]
            == indicators
        )
        assert set(statuses(url, runs).values()) <= set(TERMINAL)
        failures = [
            line
            for w in workers
            for line in w.output().splitlines()
            if "raised unexpected" in line and "WorkerLostError" not in line
        ]
        assert not failures, failures[:3]
        print(
            f"\nReport worker kills: clean month {duration:.2f}s, {KILLS} kills ({whole} whole worker, "
            f"{KILLS - whole} child; {mid_computation} mid-computation), {len(runs)} runs all finished, "
            f"snapshots equal the clean run ({indicators} indicators), recovered {recoveries[0]:.1f}s after the last kill"
        )
    finally:
        for w in workers:
            w.stop()


def test_five_simultaneous_runs_of_a_month_compute_once(report_env, own_postgres, producer, month):
    url = own_postgres.url
    before = snapshots(url, month)
    worker = Worker(report_env, concurrency=5)
    worker.start()
    try:
        # Requested together: the five rows in one statement (one creation time), then the jobs.
        # (A run requested after another started computing rightly computes again.)
        runs = [
            run_id
            for (run_id,) in sql(
                url,
                "INSERT INTO reports_reportrun (month, status, trigger, created_at, progress, total, error, changes) "
                "SELECT %s, 'queued', 'manual', now(), 0, 0, '', '[]' FROM generate_series(1, 5) RETURNING id",
                (month,),
            )
        ]
        for run_id in runs:
            producer.send_task(
                "reports.tasks.monthly_figures_compute_task", kwargs={"run_id": run_id}, ignore_result=True
            )
        wait_for(lambda: all_finished(url, runs), 120, what="the five runs")
        final = statuses(url, runs)
        done = [pk for pk, status in final.items() if status == "done"]
        assert len(done) == 1 and sorted(final.values()) == ["done"] + ["skipped"] * 4, final
        after = snapshots(url, month)
        assert after == before and after
        owners = sql(url, "SELECT DISTINCT run_id FROM reports_monthlyfigure WHERE month = %s", (month,))
        assert owners == [(done[0],)]
        print(
            f"\nFive simultaneous runs: 1 computed, 4 skipped, snapshots identical ({len(after)} indicators)"
        )
    finally:
        worker.stop()
