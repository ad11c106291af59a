"""``make bench``: measure Orienta at national scale on PostgreSQL and write BENCHMARKS.md.

    python bench/run.py                       # every section
    python bench/run.py --only floor,growth   # some sections; the others keep their last results
    python bench/run.py --runs 7              # repetitions behind each median

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/orienta_bench),
BENCH_PEOPLE (1000000), BENCH_EVENTS (5000000), BENCH_MONTHS (36), BENCH_SEED (1), BENCH_PORT
(8107), BENCH_REDIS_URL (redis://127.0.0.1:6379/7). The data set is generated once
(``generate_demo``) and kept; it is generated again only when absent or of another size. The
growth data sets live in the databases named like the bench database plus ``_1m`` and ``_2m5``,
the import runs in a fresh ``_import`` database.

Sections (each figure goes next to its target in BENCHMARKS.md):
  month    one month's report, all indicators: the project's code vs the floor (bench/floor.py),
           medians of warm runs, the numbers cross-checked
  months   all months recomputed: total time, same ratio, every month cross-checked
  growth   the same month with 1M, 2.5M and 5M events in total (the month's own events constant)
  memory   peak memory of the report job in a separate process
  load     pages on gunicorn (2 workers, production settings) at 20 concurrent users
  import   100,000 people through ``manage.py import_data`` (time and peak memory)
Heavy work runs in child processes (``--child``) so each is measured on its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
SECTIONS = ["dataset", "month", "months", "growth", "memory", "load", "import"]

TARGETS = {
    "ratio": 1.5,  # project / floor
    "memory_mb": 300,
    "p95_ms": 300,
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
    result = run_measured([PY, str(Path(__file__)), "--child", task, *args], child_env(url), timeout)
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


# --- Children: the measured work ------------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings.base")
    import django

    django.setup()


def project_api():
    """(monthly_figures_compute, monthly_report) from the reports app, or None if not there yet."""
    try:
        from reports.actions import monthly_figures_compute
        from reports.selectors import monthly_report
    except ImportError:
        return None
    return monthly_figures_compute, monthly_report


def _project_rebuild():
    """The reports app's rebuild of its derived state from the whole history, if it has one."""
    try:
        from reports.actions import first_events_rebuild
    except ImportError:
        return None
    return first_events_rebuild


def _month_of(text: str) -> date:
    return datetime.strptime(text, "%Y-%m").date()


def _emit(data: dict) -> None:
    print(json.dumps(data, default=str), flush=True)


def child_month(args) -> None:
    """Floor and project for one month: warm up, then ``runs`` timed runs of each; cross-check."""
    _django()
    from django.db import connection

    from bench import floor

    month = _month_of(args.month)
    out: dict = {"month": args.month, "runs": args.runs}
    with connection.cursor() as cursor:
        floor_report = floor.month_report(cursor, month)  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            floor_report = floor.month_report(cursor, month)
            times.append(time.perf_counter() - started)
        out["floor_seconds"] = times
        out["floor_totals"] = {
            code: {m: f[m]["total"] for m in floor.MEASURES} for code, f in floor_report.items()
        }
        out["month_events"] = month_events(cursor, month)
    api = project_api()
    if api is None:
        out["project"] = NOT_PRESENT
        _emit(out)
        return
    compute, report = api
    started = time.perf_counter()
    compute(month=month)  # warm-up (builds whatever state the project keeps; timed apart)
    out["project_first_run_seconds"] = time.perf_counter() - started
    rebuild = _project_rebuild()
    if rebuild is not None:
        started = time.perf_counter()
        rebuild()
        out["project_rebuild_seconds"] = time.perf_counter() - started
        compute(month=month)
    compute_times, report_times = [], []
    project_report = None
    for _ in range(args.runs):
        started = time.perf_counter()
        compute(month=month)
        middle = time.perf_counter()
        project_report = report(month=month)
        compute_times.append(middle - started)
        report_times.append(time.perf_counter() - middle)
    out["project_compute_seconds"] = compute_times
    out["project_report_seconds"] = report_times
    out["differences"] = floor.differences(project_report, floor_report)
    _emit(out)


def child_months(args) -> None:
    """Every month of the data set: the floor's total, the project's total, each month checked."""
    _django()
    from django.db import connection

    from bench import floor

    months = [_month_of(m) for m in args.months.split(",")]
    out: dict = {"months": len(months)}
    floors = {}
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for month in months:
            floors[month] = floor.month_report(cursor, month)
        out["floor_seconds"] = time.perf_counter() - started
    api = project_api()
    if api is None:
        out["project"] = NOT_PRESENT
        _emit(out)
        return
    compute, report = api
    started = time.perf_counter()
    for month in months:
        compute(month=month)
    out["project_seconds"] = time.perf_counter() - started
    problems = []
    for month in months:
        for problem in floor.differences(report(month=month), floors[month]):
            problems.append(f"{month:%Y-%m} {problem}")
    out["differences"] = problems
    _emit(out)


def child_job(args) -> None:
    """The report job alone (a month, all indicators), for its peak memory."""
    _django()
    api = project_api()
    if api is None:
        _emit({"project": NOT_PRESENT})
        return
    compute, report = api
    started = time.perf_counter()
    compute(month=_month_of(args.month))
    report(month=_month_of(args.month))
    seconds = time.perf_counter() - started
    hwm = None
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                hwm = round(int(line.split()[1]) / 1024, 1)
    _emit({"seconds": seconds, "vmhwm_mb": hwm})


def child_baseline(args) -> None:
    """Django set up and connected, nothing else: the floor under the job's memory."""
    _django()
    from django.db import connection

    connection.ensure_connection()
    _emit({})


def month_events(cursor, month: date) -> int:
    from bench.floor import month_bounds

    first, last = month_bounds(month)
    cursor.execute(
        """SELECT (SELECT count(*) FROM services_directservice WHERE delivered_on BETWEEN %(a)s AND %(b)s)
                + (SELECT count(*) FROM services_referral WHERE referred_on BETWEEN %(a)s AND %(b)s)
                + (SELECT count(*) FROM services_attendance a JOIN services_sportsession s ON s.id = a.session_id
                   WHERE s.date BETWEEN %(a)s AND %(b)s)""",
        {"a": first, "b": last},
    )
    return cursor.fetchone()[0]


def child_pages(args) -> None:
    """Bench users and the page paths to load, resolved by URL name (skipped with a note if absent)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.urls import NoReverseMatch, reverse

    from cases.models import Person
    from orientation.models import Program, ProgramMembership, Site, SiteMembership
    from orientation.roles import ensure_role_groups

    ensure_role_groups()
    User = get_user_model()
    password = args.password
    users = {}
    for username, role in (("bench-caseworker", "caseworker"), ("bench-coordinator", "coordinator")):
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if role == "caseworker":
            for site in Site.objects.filter(code="PAO-LS"):
                SiteMembership.objects.get_or_create(user=user, site=site)
        else:
            for program in Program.objects.all():
                ProgramMembership.objects.get_or_create(user=user, program=program)
        users[role] = username
    rng = random.Random(7)
    site = Site.objects.get(code="PAO-LS")
    top = Person.objects.filter(site=site).order_by("-id").values_list("id", flat=True).first() or 0
    sample_ids = sorted({rng.randint(1, max(1, top)) for _ in range(200)})
    people = list(
        Person.objects.filter(site=site, id__in=sample_ids).values_list("id", "given_names", "family_names")
    )
    pages: dict[str, dict] = {}

    def resolve(key: str, user: str, candidates: list[tuple[str, dict]], query: list[str] | None = None):
        for name, kwargs in candidates:
            try:
                base = reverse(name, kwargs=kwargs or None)
            except NoReverseMatch:
                continue
            paths = [base] if not query else [f"{base}?q={q}" for q in query]
            pages[key] = {"user": user, "url_name": name, "paths": paths}
            return
        pages[key] = {"skipped": "no URL named " + " or ".join(n for n, _ in candidates) + " yet"}

    resolve("home page (reference)", users["caseworker"], [("home", {})])
    resolve("people list", users["caseworker"], [("cases:person_list", {})])
    misspelled = [
        misspell(f"{given.split()[0]} {family.split()[0]}", rng) for _pid, given, family in people[:40]
    ]
    resolve("search (misspelled name)", users["caseworker"], [("cases:person_list", {})], query=misspelled)
    detail = []
    for pid, _given, _family in people[:40]:
        try:
            detail.append(reverse("cases:person_detail", args=[pid]))
        except NoReverseMatch:
            break
    if detail:
        pages["person page"] = {
            "user": users["caseworker"],
            "url_name": "cases:person_detail",
            "paths": detail,
        }
    else:
        pages["person page"] = {"skipped": "no URL named cases:person_detail yet"}
    resolve(
        "referral queue",
        users["caseworker"],
        [("services:overdue_queue", {}), ("services:followups", {})],
    )
    resolve("dashboard", users["coordinator"], [("reports:dashboard", {})])
    _emit({"pages": pages})


def misspell(name: str, rng: random.Random) -> str:
    """A typo a caseworker might make: s/z, y/i, v/b, a dropped letter, no accents."""
    from urllib.parse import quote_plus

    swaps = [("z", "s"), ("s", "z"), ("y", "i"), ("i", "y"), ("v", "b"), ("b", "v"), ("ll", "y"), ("h", "")]
    text = name.lower()
    for a, b in rng.sample(swaps, len(swaps)):
        if a in text:
            text = text.replace(a, b, 1)
            break
    else:
        i = rng.randrange(1, max(2, len(text) - 1))
        text = text[:i] + text[i + 1 :]
    for accented, plain in zip("áéíóúñ", "aeioun", strict=True):
        text = text.replace(accented, plain)
    return quote_plus(text)


CHILDREN = {
    "month": child_month,
    "months": child_months,
    "job": child_job,
    "baseline": child_baseline,
    "pages": child_pages,
}


# --- Sections -------------------------------------------------------------------------------------


def section_dataset(ctx) -> dict:
    info = ensure_dataset(ctx["url"], **ctx["size"])
    return {"database": db_name(ctx["url"]), **info}


def _ratio(project: float | None, floor_: float | None) -> float | None:
    if not project or not floor_:
        return None
    return round(project / floor_, 2)


def section_month(ctx) -> dict:
    month = ctx["month"]
    data, _usage = run_child("month", ctx["url"], "--month", month, "--runs", str(ctx["runs"]))
    out = {"month": month, "runs": ctx["runs"], "month_events": data["month_events"]}
    out["floor_median_s"] = round(median(data["floor_seconds"]), 3)
    out["floor_all_s"] = [round(x, 3) for x in data["floor_seconds"]]
    out["floor_totals"] = data["floor_totals"]
    if data.get("project") == NOT_PRESENT:
        out["project"] = NOT_PRESENT
        return out
    total = [
        a + b for a, b in zip(data["project_compute_seconds"], data["project_report_seconds"], strict=True)
    ]
    out["project_median_s"] = round(median(total), 3)
    out["project_compute_median_s"] = round(median(data["project_compute_seconds"]), 3)
    out["project_report_median_s"] = round(median(data["project_report_seconds"]), 3)
    out["project_all_s"] = [round(x, 3) for x in total]
    if "project_first_run_seconds" in data:
        out["project_first_run_s"] = round(data["project_first_run_seconds"], 2)
    if "project_rebuild_seconds" in data:
        out["project_rebuild_s"] = round(data["project_rebuild_seconds"], 2)
    out["ratio"] = _ratio(out["project_median_s"], out["floor_median_s"])
    out["differences"] = data["differences"]
    return out


def section_months(ctx) -> dict:
    months = ctx["months"]
    data, _usage = run_child("months", ctx["url"], "--months", ",".join(months), timeout=6 * 3600)
    out = {"months": len(months), "first": months[0], "last": months[-1]}
    out["floor_total_s"] = round(data["floor_seconds"], 2)
    if data.get("project") == NOT_PRESENT:
        out["project"] = NOT_PRESENT
        return out
    out["project_total_s"] = round(data["project_seconds"], 2)
    out["ratio"] = _ratio(data["project_seconds"], data["floor_seconds"])
    out["differences"] = data["differences"]
    return out


GROWTH = [("_1m", 0.2), ("_2m5", 0.5)]  # share of the full data set's events: 1M and 2.5M of 5M


def section_growth(ctx) -> dict:
    from seeds.scale import plan_like

    size = ctx["size"]
    rows = []
    for suffix, share in GROWTH:
        target = size["events"] * share
        best = min(
            range(1, size["months"] + 1),
            key=lambda k: abs(
                plan_like(
                    people=size["people"], events=size["events"], months=size["months"], fewer_months=k
                )[1]
                - target
            ),
        )
        people, events = plan_like(
            people=size["people"], events=size["events"], months=size["months"], fewer_months=best
        )
        url = with_db(ctx["url"], db_name(ctx["url"]) + suffix)
        ensure_dataset(url, people=people, events=events, months=best, seed=size["seed"])
        rows.append((url, people, events, best))
    rows.append((ctx["url"], size["people"], size["events"], size["months"]))
    out = {"month": ctx["month"], "datasets": []}
    for url, people, events, months in rows:
        data, _usage = run_child(
            "month", url, "--month", ctx["month"], "--runs", str(max(3, ctx["runs"] // 2))
        )
        row = {
            "database": db_name(url),
            "people": people,
            "events": events,
            "months": months,
            "month_events": data["month_events"],
            "floor_median_s": round(median(data["floor_seconds"]), 3),
        }
        if data.get("project") != NOT_PRESENT:
            total = [
                a + b
                for a, b in zip(data["project_compute_seconds"], data["project_report_seconds"], strict=True)
            ]
            row["project_median_s"] = round(median(total), 3)
            row["ratio"] = _ratio(row["project_median_s"], row["floor_median_s"])
            row["differences"] = data["differences"]
        else:
            row["project"] = NOT_PRESENT
        out["datasets"].append(row)
    return out


def section_memory(ctx) -> dict:
    base, base_usage = run_child("baseline", ctx["url"])
    data, usage = run_child("job", ctx["url"], "--month", ctx["month"], timeout=3600)
    out = {"month": ctx["month"], "baseline_mb": base_usage["maxrss_mb"]}
    if data.get("project") == NOT_PRESENT:
        out["project"] = NOT_PRESENT
        return out
    out["peak_mb"] = usage["maxrss_mb"]
    out["vmhwm_mb"] = data["vmhwm_mb"]
    out["seconds"] = round(data["seconds"], 2)
    return out


def _wait_http(port: int, deadline: float) -> None:
    import http.client

    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/", headers={"Host": f"127.0.0.1:{port}"})
            if conn.getresponse().status in (200, 302):
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer in time")


def section_load(ctx) -> dict:
    password = secrets.token_urlsafe(18)
    data, _usage = run_child("pages", ctx["url"], "--password", password)
    pages = data["pages"]
    port = env_int("BENCH_PORT", 8107)
    secret = secrets.token_urlsafe(60)
    env = child_env(
        ctx["url"],
        DJANGO_SETTINGS_MODULE="orientation.settings.production",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        OTP_REQUIRED_ROLES="none",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        LOG_LEVEL="WARNING",
    )
    gunicorn = str(Path(PY).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "orientation.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    out = {"workers": 2, "concurrency": 20, "think_s": THINK_SECONDS, "pages": {}}
    try:
        _wait_http(port, time.monotonic() + 60)
        for key, page in pages.items():
            if "skipped" in page:
                out["pages"][key] = {"skipped": page["skipped"]}
                say(f"  {key}: skipped ({page['skipped']})")
                continue
            figures = {"url_name": page["url_name"]}
            for mode, think in (("capacity", 0.0), ("users", THINK_SECONDS)):
                cmd = [PY, str(ROOT / "bench" / "load.py"), "--base", f"http://127.0.0.1:{port}"]
                cmd += ["--user", page["user"], "--password", password, "--concurrency", "20"]
                cmd += [
                    "--duration",
                    str(ctx["load_seconds"]),
                    "--max-requests",
                    "4000",
                    "--think",
                    str(think),
                ]
                for path in page["paths"]:
                    cmd += ["--path", path]
                load_before = loadavg()
                result = subprocess.run(
                    cmd,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=ctx["load_seconds"] + 120,
                    check=False,
                )
                if result.returncode != 0:
                    figures[mode] = {"failed": result.stderr.strip()[-500:]}
                    say(f"  {key} ({mode}): load generator failed: {result.stderr.strip()[-300:]}")
                    continue
                figures[mode] = json.loads(result.stdout.strip().splitlines()[-1]) | {
                    "load_before": load_before
                }
                f = figures[mode]
                say(f"  {key} ({mode}): {f['rps']} req/s, p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, "
                    f"{f['errors']} errors")  # fmt: skip
            out["pages"][key] = figures
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return out


IMPORT_ROWS = 100_000
THINK_SECONDS = 1.0


def write_people_csv(path: Path, rows: int) -> None:
    """People rows in the import contract's columns (DESIGN section 6)."""
    from seeds.scale import FAMILY, GIVEN_F, GIVEN_M

    rng = random.Random(11)
    today = date.today()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["ref", "given_names", "family_names", "sex", "birth_date", "nationality", "population_type",
             "document_type", "document_number", "phone", "district", "site", "registered_on"]
        )  # fmt: skip
        for i in range(rows):
            sex = rng.choice("FFFMMX")
            given = rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
            nationality = rng.choice(["VE"] * 7 + ["PE", "CO", "EC"])
            registered = today - timedelta(days=rng.randint(1, 700))
            birth = (
                ""
                if rng.random() < 0.03
                else (registered - timedelta(days=rng.randint(365, 70 * 365))).isoformat()
            )
            pop = rng.choice(["host", "returnee"]) if nationality == "PE" else rng.choice(
                ["destination", "destination", "transit", "pendular"]
            )  # fmt: skip
            if nationality == "PE":
                doc = "dni"
            else:
                doc = rng.choice(
                    ["cedula_ve", "cpp", "passport"] if nationality == "VE" else ["cpp", "passport"]
                )
            writer.writerow(
                [f"IMP-{i + 1:06d}", given, f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}", sex, birth, nationality,
                 pop, doc, f"{70000000 + i}" if doc in ("dni", "cedula_ve") else f"{doc[0].upper()}{i:09d}",
                 f"9{rng.randint(10000000, 99999999)}", "150133", "PAO-LS", registered.isoformat()]
            )  # fmt: skip


def section_import(ctx) -> dict:
    check = manage(ctx["url"], "help", "import_data", timeout=120)
    if check.returncode != 0:
        return {"skipped": "no import_data command yet (imports app not merged)"}
    url = with_db(ctx["url"], db_name(ctx["url"]) + "_import")
    ensure_database(url, fresh=True)
    migrate(url)
    ref = manage(url, "load_reference_data", timeout=600)
    if ref.returncode != 0:
        raise RuntimeError(ref.stderr[-2000:])
    with tempfile.TemporaryDirectory(prefix="orienta-import-") as directory:
        path = Path(directory) / "people.csv"
        write_people_csv(path, IMPORT_ROWS)
        cmd = [PY, "manage.py", "import_data", "--kind", "people", str(path)]
        run = run_measured(cmd, child_env(url), timeout=3600)
    import psycopg

    with psycopg.connect(url) as conn:
        imported = conn.execute("SELECT count(*) FROM cases_person WHERE ref LIKE 'IMP-%%'").fetchone()[0]
    return {
        "rows": IMPORT_ROWS,
        "imported": imported,
        "seconds": round(run["seconds"], 1),
        "peak_mb": run["maxrss_mb"],
        "returncode": run["returncode"],
        "output": (run["stdout"] + run["stderr"]).strip()[-400:],
    }


SECTION_FUNCS = {
    "dataset": section_dataset,
    "month": section_month,
    "months": section_months,
    "growth": section_growth,
    "memory": section_memory,
    "load": section_load,
    "import": section_import,
}


# --- Machine and report ---------------------------------------------------------------------------


def machine(url: str) -> dict:
    import psycopg

    mem_kb = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = dict(
            conn.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
                "('shared_buffers', 'work_mem', 'effective_cache_size', 'jit', 'max_parallel_workers_per_gather')"
            ).fetchall()
        )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "postgresql": version,
        "postgresql_settings": settings,
        "commit": commit,
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def verdict(value, target, *, lower_is_better=True) -> str:
    if value is None:
        return "—"
    ok = value <= target if lower_is_better else value >= target
    return "✅ met" if ok else "❌ missed"


def fmt_s(value) -> str:
    return "—" if value is None else f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def render(results: dict) -> str:
    m = results.get("machine", {})
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py) from the values it measured; do not edit by hand.",
        "Raw figures: bench/results.json. Query plans and index decisions: bench/PLANS.md.",
        "",
        "## Machine",
        "",
        f"- {m.get('cores')} cores ({m.get('cpu')}), {m.get('memory_gib')} GiB memory; Python {m.get('python')}",
        f"- PostgreSQL {m.get('postgresql')}; settings {m.get('postgresql_settings')}",
        f"- commit {m.get('commit')}; written {results.get('written')}",
        "- Other work may share the machine: each section gives the load average (1, 5, 15 min) when it started.",
        "",
    ]
    missing = _partial(results)
    if missing:
        lines += ["**Partial results.** Not measured yet:", ""] + [f"- {m}" for m in missing] + [""]
    sections = results.get("sections", {})
    ds = sections.get("dataset")
    if ds:
        d = ds["data"]
        lines += ["## Data set", "", f"Measured {ds['at']} (load {ds['load']}).", ""]
        counts = d.get("counts", {})
        lines += [
            f"- database `{d.get('database')}`: {d.get('people', 0):,} people, {d.get('events', 0):,} events "
            f"({counts.get('direct_services', 0):,} direct services, {counts.get('referrals', 0):,} referrals, "
            f"{counts.get('attendance', 0):,} attendance rows) over {d.get('months')} months ending {d.get('end')}, "
            f"seed {d.get('seed')}",
            f"- generated by `generate_demo` in **{d.get('seconds', '?')} s** (target: minutes) "
            f"{'in this run' if d.get('generated_now') else 'when the data set was made (' + str(d.get('generated_on')) + '); kept since'}"
            + (f", load average then {d['load']}" if d.get("load") else ""),
            "",
        ]
    sec = sections.get("month")
    if sec:
        d = sec["data"]
        lines += [
            "## 1. One month's report, all indicators",
            "",
            f"Measured {sec['at']} (load {sec['load']}).",
            "",
        ]
        lines += [
            f"Month {d['month']} ({d['month_events']:,} events that month); median of {d['runs']} warm runs.",
            "",
            "| what | median | target |",
            "|---|---|---|",
            f"| floor (bench/floor.py, one statement per indicator) | {fmt_s(d['floor_median_s'])} | |",
        ]
        if d.get("project") == NOT_PRESENT:
            lines += ["", f"Project: **{NOT_PRESENT}** (reports.actions.monthly_figures_compute, "
                      "reports.selectors.monthly_report); only the floor was measured.", ""]  # fmt: skip
        else:
            lines += [
                f"| project: monthly_figures_compute + monthly_report | {fmt_s(d['project_median_s'])} "
                f"(compute {fmt_s(d['project_compute_median_s'])}, read {fmt_s(d['project_report_median_s'])}) | |",
                f"| ratio project / floor | **{d['ratio']}** | ≤ {TARGETS['ratio']} {verdict(d['ratio'], TARGETS['ratio'])} |",
                "",
            ]
            if d.get("project_first_run_s") is not None:
                lines += [
                    f"The project's first run on this data set (untimed warm-up above): {fmt_s(d['project_first_run_s'])}."
                ]
            if d.get("project_rebuild_s") is not None:
                lines += [
                    f"Its full rebuild of derived state (`reports.actions.first_events_rebuild`): {fmt_s(d['project_rebuild_s'])}."
                ]
            lines += [""] + _differences(d.get("differences"))
    sec = sections.get("months")
    if sec:
        d = sec["data"]
        lines += ["## 2. All months recomputed", "", f"Measured {sec['at']} (load {sec['load']}).", ""]
        lines += [
            f"{d['months']} months, {d['first']} to {d['last']}.",
            "",
            "| what | total | target |",
            "|---|---|---|",
            f"| floor | {fmt_s(d['floor_total_s'])} | |",
        ]
        if d.get("project") == NOT_PRESENT:
            lines += ["", f"Project: **{NOT_PRESENT}**.", ""]
        else:
            lines += [
                f"| project | {fmt_s(d['project_total_s'])} | |",
                f"| ratio project / floor | **{d['ratio']}** | ≤ {TARGETS['ratio']} {verdict(d['ratio'], TARGETS['ratio'])} |",
                "",
            ]
            lines += _differences(d.get("differences"))
    sec = sections.get("growth")
    if sec:
        d = sec["data"]
        lines += [
            "## 3. How a month's cost grows with history",
            "",
            f"Measured {sec['at']} (load {sec['load']}).",
            "",
        ]
        lines += [
            f"The same month ({d['month']}) with more history: the smaller data sets cover fewer months at the "
            "same monthly rates, so the month's own events stay the same.",
            "",
            "| data set | events in total | months | events in the month | floor | project | project / floor | floor vs smallest | project vs smallest |",
            "|---|---|---|---|---|---|---|---|---|",
        ]  # fmt: skip
        rows = d["datasets"]
        f0 = rows[0]["floor_median_s"] if rows else None
        p0 = rows[0].get("project_median_s") if rows else None
        for r in rows:
            p = r.get("project_median_s")
            lines.append(
                f"| `{r['database']}` | {r['events']:,} | {r['months']} | {r['month_events']:,} | "
                f"{fmt_s(r['floor_median_s'])} | {fmt_s(p) if p else NOT_PRESENT} | {r.get('ratio') or '—'} | "
                f"{_times(r['floor_median_s'], f0)} | {_times(p, p0)} |"
            )
        lines.append("")
        for r in rows:
            if r.get("differences"):
                lines += [f"`{r['database']}`:"] + _differences(r["differences"])
    sec = sections.get("memory")
    if sec:
        d = sec["data"]
        lines += [
            "## 4. Peak memory of the report job",
            "",
            f"Measured {sec['at']} (load {sec['load']}).",
            "",
        ]
        if d.get("project") == NOT_PRESENT:
            lines += [f"Project: **{NOT_PRESENT}**. Django alone, connected: {d['baseline_mb']} MB.", ""]
        else:
            lines += [
                "| what | peak RSS | target |",
                "|---|---|---|",
                f"| the month's report job ({d['month']}, all indicators, separate process, {d['seconds']} s) | "
                f"**{d['peak_mb']} MB** (VmHWM {d['vmhwm_mb']} MB) | ≤ {TARGETS['memory_mb']} MB "
                f"{verdict(d['peak_mb'], TARGETS['memory_mb'])} |",
                f"| Django alone, connected | {d['baseline_mb']} MB | |",
                "",
            ]
    sec = sections.get("load")
    if sec:
        d = sec["data"]
        lines += ["## 5. Pages under load", "", f"Measured {sec['at']} (load {sec['load']}).", ""]
        lines += [
            f"gunicorn, {d['workers']} workers, production settings (DEBUG off), {d['concurrency']} concurrent "
            "signed-in users from a second process (bench/load.py) on loopback, each page twice: **users**, "
            f"each waiting {d.get('think_s', 1.0)} s on average between pages (the target), and **capacity**, "
            "each asking again as soon as answered (throughput; latency there is queueing behind 2 workers).",
            "",
            "| page | URL name | users: requests | users: p50 | users: p95 | capacity: req/s | capacity: p95 | errors | target: users p95 ≤ 300 ms, no errors |",
            "|---|---|---|---|---|---|---|---|---|",
        ]  # fmt: skip
        for key, r in d["pages"].items():
            if "skipped" in r:
                lines.append(f"| {key} | | | | | | | | skipped: {r['skipped']} |")
                continue
            users, cap = r.get("users") or {}, r.get("capacity") or {}
            if "requests" not in users or "requests" not in cap:
                lines.append(
                    f"| {key} | `{r['url_name']}` | | | | | | | failed: {users.get('failed') or cap.get('failed')} |"
                )
                continue
            errors = users["errors"] + cap["errors"]
            kinds = {**cap.get("error_kinds", {}), **users.get("error_kinds", {})}
            ok = users["p95_ms"] <= TARGETS["p95_ms"] and errors == 0
            lines.append(
                f"| {key} | `{r['url_name']}` | {users['requests']:,} | {users['p50_ms']} ms | **{users['p95_ms']} ms** | "
                f"{cap['rps']} | {cap['p95_ms']} ms | {errors} {kinds or ''} | {'✅ met' if ok else '❌ missed'} |"
            )
        lines.append("")
    sec = sections.get("import")
    if sec:
        d = sec["data"]
        lines += ["## 6. Import of 100,000 people", "", f"Measured {sec['at']} (load {sec['load']}).", ""]
        if "skipped" in d:
            lines += [f"Skipped: {d['skipped']}.", ""]
        else:
            lines += [
                f"`manage.py import_data --kind people` of {d['rows']:,} rows into a fresh database: "
                f"{d['imported']:,} imported in **{d['seconds']} s**, peak memory **{d['peak_mb']} MB** "
                f"(exit code {d['returncode']}).",
                "",
            ]
    errors = results.get("errors") or {}
    if errors:
        lines += ["## Sections that failed in the last run", ""]
        lines += [f"- {k}: `{v}`" for k, v in errors.items()] + [""]
    lines += [
        "## How to reproduce",
        "",
        "```",
        "make bench                                  # every section; generates the data set once",
        "python bench/run.py --only month,memory     # some sections",
        "BENCH_DATABASE_URL=postgres://user@host:5432/orienta_bench BENCH_PEOPLE=1000000 BENCH_EVENTS=5000000 make bench",
        "```",
        "",
        "The data set: `python manage.py generate_demo --people 1000000 --events 5000000 --months 36 --seed 1`.",
        "",
    ]
    return "\n".join(lines)


def _partial(results: dict) -> list[str]:
    """What the last runs could not measure (code of other apps not merged yet, sections not run)."""
    sections = results.get("sections", {})
    out = []
    for name in SECTIONS:
        sec = sections.get(name)
        if sec is None:
            out.append(f"{name}: not run yet")
            continue
        data = sec["data"]
        if data.get("project") == NOT_PRESENT or any(
            r.get("project") == NOT_PRESENT for r in data.get("datasets", [])
        ):
            what = (
                "only Django's baseline is measured" if name == "memory" else "the floor's side is measured"
            )
            out.append(f"{name}: the project's side ({NOT_PRESENT}); {what}")
        if "skipped" in data:
            out.append(f"{name}: {data['skipped']}")
        for key, page in (data.get("pages") or {}).items():
            if "skipped" in page:
                out.append(f"load, {key}: {page['skipped']}")
    return out


def _times(value, base) -> str:
    if not value or not base:
        return "—"
    return f"×{value / base:.2f}"


def _differences(problems) -> list[str]:
    if problems is None:
        return []
    if not problems:
        return [
            "Cross-check: the project's numbers equal the floor's, every indicator, measure and breakdown.",
            "",
        ]
    head = [f"**MISMATCH: {len(problems)} differences between the project and the floor** (first 30):", ""]
    return head + [f"- {p}" for p in problems[:30]] + [""]


# --- Main -----------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Orienta's benchmark: writes BENCHMARKS.md")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ",".join(SECTIONS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--output", type=Path, default=ROOT, help="where BENCHMARKS.md and results.json go")
    parser.add_argument("--child")
    parser.add_argument("--month")
    parser.add_argument("--months")
    parser.add_argument("--password")
    args = parser.parse_args(argv)
    if args.child:
        CHILDREN[args.child](args)
        return 0

    os.environ["DATABASE_URL"] = bench_url()
    url = bench_url()
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        raise SystemExit("The benchmark runs on PostgreSQL: set BENCH_DATABASE_URL to a postgres:// URL.")
    size = {
        "people": env_int("BENCH_PEOPLE", 1_000_000),
        "events": env_int("BENCH_EVENTS", 5_000_000),
        "months": env_int("BENCH_MONTHS", 36),
        "seed": env_int("BENCH_SEED", 1),
    }
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections: {', '.join(sorted(unknown))}")
    results_path = args.output / ("bench/results.json" if args.output == ROOT else "results.json")
    report_path = args.output / "BENCHMARKS.md"
    results = json.loads(results_path.read_text()) if results_path.exists() else {"sections": {}}
    results.setdefault("sections", {})
    results["errors"] = {}

    say(f"Orienta benchmark on {db_name(url)} (load {loadavg()})")
    say("dataset")
    started_at = utc_now()
    load_before = loadavg()
    dataset = section_dataset({"url": url, "size": size})
    if "dataset" in wanted or dataset.get("generated_now"):
        results["sections"]["dataset"] = {"at": started_at, "load": load_before, "data": dataset}
    end = dataset.get("end")
    last = datetime.strptime(end, "%Y-%m").date()
    months = [_add_months(last, -i) for i in range(size["months"] - 1, -1, -1)]

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings.base")
    django.setup()
    ctx = {
        "url": url,
        "size": size,
        "month": end,
        "months": [f"{m:%Y-%m}" for m in months],
        "runs": args.runs,
        "load_seconds": args.load_seconds,
    }
    for name in wanted:
        if name == "dataset":
            continue
        say(name)
        at = utc_now()
        load = loadavg()
        try:
            data = SECTION_FUNCS[name](ctx)
        except Exception as exc:
            traceback.print_exc()
            results["errors"][name] = f"{type(exc).__name__}: {str(exc)[:300]}"
            continue
        results["sections"][name] = {"at": at, "load": load, "data": data}
        for problem in data.get("differences") or []:
            say(f"  MISMATCH {problem}")
        if data.get("differences"):
            say(f"  !!! {len(data['differences'])} differences between the project and the floor !!!")
        say(
            "  "
            + json.dumps({k: v for k, v in data.items() if k not in ("floor_totals", "differences")})[:600]
        )

    results["machine"] = machine(url)
    results["written"] = utc_now()
    results_path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    report_path.write_text(render(results))
    say(f"wrote {report_path}")
    mismatched = any(
        (sec.get("data") or {}).get("differences")
        or any(r.get("differences") for r in (sec.get("data") or {}).get("datasets", []))
        for sec in results["sections"].values()
    )
    return 1 if mismatched or results["errors"] else 0


def _add_months(day: date, n: int) -> date:
    month = day.month - 1 + n
    return date(day.year + month // 12, month % 12 + 1, 1)


if __name__ == "__main__":
    sys.exit(main())
