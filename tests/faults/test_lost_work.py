"""Work lost with a process, and found again.

1. Redis killed (SIGKILL) while the worker is busy running and acknowledging urgent intakes' triage
   tasks, and started again with an empty memory (no persistence: the queue and the unacknowledged
   messages are gone). The worker keeps running, and the outbox re-sends what was published but
   never completed: every urgent intake's psychosocial specialist is told, once.
2. The worker killed in the middle of an import: within seconds of its heartbeat stopping the page
   says it failed (no beat running), nothing of the file is in the database, and "Try again" imports
   it whole.
3. A backup (scripts/backup.py) restored into a new database holds the same records and the same
   monthly figures.

ACK_LOSS_ROUNDS (default 2) and IMPORT_KILLS (default 2) repeat the faults; the reliability
figures in the README come from ACK_LOSS_ROUNDS=10 IMPORT_KILLS=5."""

import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .harness import ROOT, Browser, Server, Worker, manage, sql, wait_for
from .test_redis_outage import intakes_tagged, save_intake

ROUNDS = int(os.environ.get("ACK_LOSS_ROUNDS", "2"))
BURST = 30  # intakes saved while the worker is paused, then run in one burst
REDELIVER_AFTER = 3  # seconds: the outbox re-sends a published task not completed by then
IMPORT_KILLS = int(os.environ.get("IMPORT_KILLS", "2"))
IMPORT_ROWS = 6000
DEAD_AFTER = 5  # seconds without a heartbeat before a run counts as dead (60 in production)


@pytest.fixture(scope="module")
def ack_env(stack_env):
    media = tempfile.mkdtemp(prefix="orienta-media-")
    return {
        **stack_env,
        "OUTBOX_REDELIVER_AFTER": str(REDELIVER_AFTER),
        "IMPORT_HEARTBEAT_SECONDS": "1",
        "IMPORT_DEAD_AFTER_SECONDS": str(DEAD_AFTER),
        "MEDIA_ROOT": media,
    }


@pytest.fixture(scope="module")
def people(ack_env, own_postgres):
    return sql(
        own_postgres.url,
        "SELECT p.id, p.site_id, p.population_type FROM cases_person p "
        "JOIN orientation_site s ON s.id = p.site_id WHERE s.code = 'PAO-LS' ORDER BY p.id",
    )


def outbox_rows(url: str, intake_ids) -> list[tuple]:
    return sql(
        url,
        "SELECT (kwargs->>'intake_id')::int, sent_at, completed_at FROM orientation_outboxmessage "
        "WHERE task_name = 'cases.tasks.intake_triage_task' AND (kwargs->>'intake_id')::int = ANY(%s)",
        (list(intake_ids),),
    )


def told(url: str, intake_ids) -> dict[int, int]:
    keys = [f"intake-triage:{pk}" for pk in intake_ids]
    rows = sql(
        url,
        "SELECT key, count(*) FROM orientation_notification WHERE key = ANY(%s) GROUP BY key",
        (keys,),
    )
    return {int(key.split(":")[1]): count for key, count in rows}


def test_redis_killed_while_the_worker_acknowledges_every_urgent_notification_is_sent_once(
    ack_env, own_redis, own_postgres, people
):
    url = own_postgres.url
    server = Server(ack_env)
    worker = Worker(ack_env, concurrency=2)
    server.start()
    worker.start()
    rng = random.Random(20261203)
    browser = Browser(server.url, timeout=30)  # CI runs it beside another suite
    browser.login("caseworker", "orienta-demo")
    urgent_ids: set[int] = set()
    recoveries = []
    try:
        for round_ in range(ROUNDS):
            # Pause the worker so the burst piles up in Redis, then let it run them all at once.
            os.killpg(worker.proc.pid, signal.SIGSTOP)
            try:
                for i in range(BURST):
                    save_intake(browser, people[i % len(people)], f"ack{round_:02d}-{i:02d}", urgent=True)
            finally:
                os.killpg(worker.proc.pid, signal.SIGCONT)
            saved = intakes_tagged(url, f"ack{round_:02d}-")
            assert len(saved) == BURST
            ids = {pk for pk, _needs in saved.values()}
            urgent_ids |= ids
            # Kill Redis in the middle of the burst, while tasks end and are acknowledged.
            time.sleep(rng.uniform(0.05, 0.4))
            own_redis.proc.send_signal(signal.SIGKILL)
            own_redis.proc.wait(10)
            time.sleep(1)
            own_redis.start()  # empty: no RDB, no AOF
            back = time.monotonic()

            def all_delivered(ids=ids):
                manage(ack_env, "outbox_sweep")  # what beat does every minute
                rows = outbox_rows(url, ids)
                return len(rows) == BURST and all(completed for _pk, _sent, completed in rows)

            wait_for(all_delivered, 300, interval=1, what=f"round {round_}: every task completed")
            recoveries.append(time.monotonic() - back)
            assert worker.proc.poll() is None, "the worker exited:\n" + worker.output()[-3000:]
        time.sleep(2)  # a late duplicate would show here
        counts = told(url, urgent_ids)
        missing = urgent_ids - set(counts)
        assert not missing, f"{len(missing)} urgent intakes never reached the specialist"
        assert set(counts.values()) == {1}
        assert "Unrecoverable error" not in worker.output()
        assert "Internal Server Error" not in server.output()
        print(
            f"\nRedis killed {ROUNDS}x while the worker acknowledged ({BURST} urgent intakes each): "
            f"{len(urgent_ids)}/{len(urgent_ids)} notifications sent, each once; worker never exited; "
            f"every task completed {min(recoveries):.1f}-{max(recoveries):.1f}s after Redis came back"
        )
    finally:
        worker.stop()
        server.stop()


PEOPLE_COLUMNS = [
    "ref", "given_names", "family_names", "sex", "birth_date", "nationality", "population_type",
    "document_type", "document_number", "phone", "district", "site", "registered_on",
]  # fmt: skip


def people_csv(path: Path, rows: int, prefix: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(PEOPLE_COLUMNS)
        for n in range(1, rows + 1):
            writer.writerow([
                f"{prefix}{n:05d}", "María José", f"Pérez González {n}", "F", "1990-05-17", "VE",
                "destination", "cedula_ve", f"{30000000 + n}", f"9{n:08d}", "150133", "PAO-LS",
                "2025-01-15",
            ])  # fmt: skip
    return path


def batch_state(url: str, pk: int) -> tuple[str, dict]:
    status, summary = sql(url, "SELECT status, summary FROM cases_importbatch WHERE id = %s", (pk,))[0]
    return status, summary


def writing(url: str, pk: int) -> bool:
    return sql(url, "SELECT processed_rows > 0 FROM cases_importbatch WHERE id = %s", (pk,))[0][0]


def imported(url: str, prefix: str) -> int:
    return sql(url, "SELECT count(*) FROM cases_person WHERE ref LIKE %s", (prefix + "%",))[0][0]


def test_worker_killed_during_an_import_is_seen_failed_within_seconds_and_try_again_imports_it(
    ack_env, own_postgres, tmp_path
):
    url = own_postgres.url
    server = Server(ack_env)
    server.start()
    workers = [Worker(ack_env, concurrency=1)]
    workers[0].start()
    browser = Browser(server.url, timeout=20)
    browser.login("coordinator", "orienta-demo")
    rng = random.Random(20261204)
    prefix = "KILL-"
    path = people_csv(tmp_path / "people.csv", IMPORT_ROWS, prefix)
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from cases.imports.actions import import_batch_create\n"
        "user = get_user_model().objects.get(username='coordinator')\n"
        f"upload = SimpleUploadedFile('people.csv', open({str(path)!r}, 'rb').read())\n"
        "print(import_batch_create(user=user, kind='people', upload=upload).pk)\n"
    )
    pk = int(manage(ack_env, "shell", "-c", script).split()[-1])
    try:
        wait_for(lambda: batch_state(url, pk)[0] == "ready", 180, interval=0.5, what="the file to be checked")
        detections, mid_write = [], 0
        for kill in range(IMPORT_KILLS):
            status, body, _headers = browser.post(f"/people/import/{pk}/confirm/", {})
            assert status == 302, body[:300]
            wait_for(lambda: batch_state(url, pk)[0] == "running", 60, interval=0.05, what="the run to start")
            if kill % 2:  # every other kill lands while rows are being written, the others before
                wait_for(lambda: writing(url, pk), 60, interval=0.05, what="the rows to be written")
            time.sleep(rng.uniform(0.1, 0.6))
            assert batch_state(url, pk)[0] == "running", "the import ended before the kill: make it bigger"
            mid_write += writing(url, pk)
            if kill % 3 == 1:  # and some kills take the whole worker down
                workers[-1].kill()
                killed_at = time.monotonic()
                workers.append(Worker(ack_env, concurrency=1))
                workers[-1].start()
            else:
                assert workers[-1].kill_child(), "the worker had no child to kill"
                killed_at = time.monotonic()

            def page_says_failed():
                code, page, headers = browser.request("GET", f"/people/import/{pk}/progress/")
                return code == 302 or headers.get("HX-Refresh") == "true"

            wait_for(page_says_failed, DEAD_AFTER + 30, interval=1, what="the page to see the dead run")
            detections.append(time.monotonic() - killed_at)
            status, summary = batch_state(url, pk)
            assert (status, summary.get("failure")) == ("failed", "worker_lost"), (status, summary)
            assert imported(url, prefix) == 0, "part of the file was written"
            code, page, _headers = browser.get(f"/people/import/{pk}/")
            assert code == 200 and 'data-testid="import-retry"' in page

        status, body, _headers = browser.post(f"/people/import/{pk}/confirm/", {})  # Try again
        assert status == 302
        wait_for(lambda: batch_state(url, pk)[0] != "queued", 60, interval=0.05, what="the last run")
        started = time.monotonic()
        wait_for(lambda: batch_state(url, pk)[0] == "done", 300, interval=0.2, what="the import to end")
        duration = time.monotonic() - started
        assert imported(url, prefix) == IMPORT_ROWS
        assert "Internal Server Error" not in server.output()
        print(
            f"\nImport worker killed {IMPORT_KILLS}x ({mid_write} while writing): seen failed by its page "
            f"{min(detections):.1f}-{max(detections):.1f}s after the kill (heartbeat {DEAD_AFTER}s), "
            f"0 rows written each time; Try again imported all {IMPORT_ROWS} rows ({duration:.1f}s)"
        )
    finally:
        for worker in workers:
            worker.stop()
        server.stop()


def test_a_backup_restored_into_a_new_database_has_the_same_records_and_monthly_figures(
    ack_env, own_postgres, own_redis, tmp_path
):
    url = own_postgres.url
    month = sql(
        url,
        "SELECT to_char(date_trunc('month', delivered_on), 'YYYY-MM') m FROM services_directservice "
        "GROUP BY m ORDER BY count(*) DESC LIMIT 1",
    )[0][0]
    before = manage(ack_env, "monthly_report", "--month", month, "--format", "json")
    media = Path(ack_env["MEDIA_ROOT"])
    (media / "imports").mkdir(parents=True, exist_ok=True)
    (media / "imports" / "kept.csv").write_text("ref\nP-1\n")
    env = {**ack_env, "PG_BIN": str(own_postgres.bindir)}

    def backup(*args):
        result = subprocess.run(
            [sys.executable, "scripts/backup.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip()

    started = time.monotonic()
    folder = Path(backup("dump", "--out", str(tmp_path / "backups")))
    copy_url = url.rsplit("/", 1)[0] + "/orienta_restored"
    copy_media = tmp_path / "restored-media"
    backup("restore", str(folder), "--database-url", copy_url, "--media-root", str(copy_media))
    took = time.monotonic() - started
    same = backup("compare", str(folder / "manifest.json"), copy_url)
    assert same.startswith("same:"), same
    assert backup("compare", url, copy_url).startswith("same:")
    assert (copy_media / "imports" / "kept.csv").read_text() == "ref\nP-1\n"
    # The restored copy runs on its own Redis database, never the live one's queue.
    copy_env = {**ack_env, "DATABASE_URL": copy_url, "REDIS_URL": own_redis.url.rsplit("/", 1)[0] + "/1"}
    after = manage(copy_env, "monthly_report", "--month", month, "--format", "json")
    assert json.loads(after) == json.loads(before) and json.loads(before)
    # Restoring over an existing database is refused.
    refused = subprocess.run(
        [sys.executable, "scripts/backup.py", "restore", str(folder), "--database-url", copy_url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "exists" in refused.stderr
    print(f"\nBackup and restore into a new database: {same} ({took:.1f}s)")
