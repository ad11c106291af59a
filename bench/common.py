"""Shared by the benchmark's modules: settings, process helpers, databases and data sets."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
SECTIONS = ["dataset", "month", "late", "months", "growth", "memory", "load", "import", "offline"]
# Sections that make their own small data set and do not need the national one.
STANDALONE = {"offline"}

TARGETS = {
    "ratio": 1.5,  # project / floor
    "months_ratio": 1.0,  # all months recomputed: project / the floor's one pass over the history
    "month_s": 1.5,  # one month, all indicators, every measure (seconds)
    "late_vs_steady": 1.1,  # a month right after a late write, or after generate_demo, vs its steady state
    "memory_mb": 300,
    "p95_ms": 300,
    "offline_open_s": 1.0,  # the field screens' attendance list opened from the phone's cache
    "offline_sync_s": 10.0,  # 200 queued submissions sent once the connection returns (slow 3G)
}
NOT_PRESENT = "reports code not present"


# --- Small helpers ------------------------------------------------------------------------------


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def bench_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/orienta_bench")


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def say(text: str) -> None:
    print(text, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def child_env(url: str, **extra) -> dict:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="orientation.settings.base")
    env.pop("REDIS_URL", None)  # report jobs are timed in-process, without a broker
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_measured(cmd: list[str], env: dict, timeout: float | None = None) -> dict:
    """Run a command; its exit code, output, wall time and peak memory (its own rusage, by wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err)
        started = time.monotonic()
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout and time.monotonic() - started > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise RuntimeError(f"{' '.join(cmd[:4])} took more than {timeout:.0f}s")
            time.sleep(0.05)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "returncode": proc.returncode,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
            "seconds": seconds,
            "maxrss_mb": round(usage.ru_maxrss / 1024, 1),
        }


def run_child(task: str, url: str, *args: str, timeout: float | None = None) -> tuple[dict, dict]:
    """Run ``bench/run.py --child task`` on the database ``url``; return its JSON and its usage."""
    result = run_measured(
        [PY, str(ROOT / "bench" / "run.py"), "--child", task, *args], child_env(url), timeout
    )
    if result["returncode"] != 0:
        raise RuntimeError(f"child {task} failed ({result['returncode']}): {result['stderr'][-2000:]}")
    last = [line for line in result["stdout"].splitlines() if line.startswith("{")][-1]
    return json.loads(last), result


def manage(url: str, *args: str, timeout: float | None = None, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=child_env(url, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def psql_admin(url: str):
    import psycopg

    return psycopg.connect(with_db(url, "postgres"), autocommit=True)


def ensure_database(url: str, *, fresh: bool = False) -> None:
    name = db_name(url)
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing an unusual database name: {name!r}")
    with psql_admin(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def migrate(url: str) -> None:
    result = manage(url, "migrate", "--noinput", timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed on {db_name(url)}: {result.stderr[-2000:]}")


# --- Data sets ------------------------------------------------------------------------------------


def describe(url: str) -> dict | None:
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        from seeds.scale import dataset_description

        description = dataset_description(cursor)
        if description is None:
            return None
        try:
            people = cursor.execute("SELECT count(*) FROM cases_person").fetchone()[0]
        except psycopg.Error:
            return None
        return description if people == description["people"] else None


def ensure_dataset(url: str, *, people: int, events: int, months: int, seed: int) -> dict:
    """Create, migrate and fill the database unless it already holds exactly this data set."""
    ensure_database(url)
    migrate(url)
    from seeds.scale import GENERATOR_VERSION

    wanted = {
        "people": people,
        "events": events,
        "months": months,
        "seed": seed,
        "version": GENERATOR_VERSION,
    }
    current = describe(url)
    if current and all(current.get(k) == v for k, v in wanted.items()):
        say(f"  {db_name(url)}: data set present ({people:,} people, {events:,} events)")
        return current | {"generated_now": False}
    say(f"  {db_name(url)}: generating {people:,} people and {events:,} events over {months} months")
    started = time.monotonic()
    result = manage(
        url,
        "generate_demo",
        f"--people={people}",
        f"--events={events}",
        f"--months={months}",
        f"--seed={seed}",
        "--reset",
        timeout=3600,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"generate_demo failed: {result.stdout[-2000:]} {result.stderr[-2000:]}")
    say("    " + result.stdout.strip().replace("\n", "\n    "))
    current = describe(url) or {}
    return current | {"generated_now": True, "wall_seconds": round(seconds, 1)}
