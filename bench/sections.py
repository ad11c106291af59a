"""The sections of ``make bench``: each runs its children and returns the figures it measured."""

from __future__ import annotations

import csv
import json
import os
import random
import secrets
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from bench.common import (
    NOT_PRESENT,
    PY,
    ROOT,
    child_env,
    db_name,
    ensure_database,
    ensure_dataset,
    env_int,
    loadavg,
    manage,
    median,
    migrate,
    run_child,
    run_measured,
    say,
    with_db,
)

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
        out["first_run_after_generation"] = ctx.get("generated_now", False)
    if "project_rebuild_seconds" in data:
        out["project_rebuild_s"] = round(data["project_rebuild_seconds"], 2)
    out["ratio"] = _ratio(out["project_median_s"], out["floor_median_s"])
    out["differences"] = data["differences"]
    return out


def section_months(ctx) -> dict:
    """All months recomputed, against the floor's one pass over the history, alternating."""
    months = ctx["months"]
    runs = max(2, ctx["runs"] // 2)
    data, usage = run_child(
        "months", ctx["url"], "--months", ",".join(months), "--runs", str(runs), timeout=6 * 3600
    )
    out = {"months": len(months), "first": months[0], "last": months[-1], "runs": runs}
    out["floor_median_s"] = round(median(data["floor_seconds"]), 2)
    out["floor_all_s"] = [round(x, 2) for x in data["floor_seconds"]]
    if data.get("project") == NOT_PRESENT:
        out["project"] = NOT_PRESENT
        return out
    out["project_median_s"] = round(median(data["project_seconds"]), 2)
    out["project_all_s"] = [round(x, 2) for x in data["project_seconds"]]
    out["project_path"] = data.get("project_path")
    out["ratio"] = _ratio(out["project_median_s"], out["floor_median_s"])
    out["child_peak_mb"] = usage.get("maxrss_mb")  # floor and project, one process
    out["differences"] = data["differences"]
    return out


def section_late(ctx) -> dict:
    """A month right after a single late referral update, against the same month's steady state."""
    data, _usage = run_child("late", ctx["url"], "--month", ctx["month"], "--runs", str(ctx["runs"]))
    if data.get("project") == NOT_PRESENT:
        return {"project": NOT_PRESENT}
    steady, late = median(data["steady_seconds"]), median(data["late_seconds"])
    return {
        "month": ctx["month"],
        "late_writes": data["late_writes"],
        "steady_median_s": round(steady, 3),
        "steady_all_s": [round(x, 3) for x in data["steady_seconds"]],
        "late_median_s": round(late, 3),
        "late_all_s": [round(x, 3) for x in data["late_seconds"]],
        "late_vs_steady": _ratio(late, steady),
        "background_median_s": round(median(data["background_seconds"]), 3)
        if data["background_seconds"]
        else None,
    }


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


def _server_env(url: str) -> dict:
    """gunicorn's environment: production settings (DEBUG off), without TLS, on loopback."""
    return child_env(
        url,
        DJANGO_SETTINGS_MODULE="orientation.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        OTP_REQUIRED_ROLES="none",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        LOG_LEVEL="WARNING",
    )


@contextmanager
def gunicorn_on(url: str, port: int):
    """gunicorn (2 workers, production settings) on ``url``'s database, stopped on leaving."""
    gunicorn = str(Path(PY).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "orientation.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT,
        env=_server_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_http(port, time.monotonic() + 60)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def section_load(ctx) -> dict:
    password = secrets.token_urlsafe(18)
    data, _usage = run_child("pages", ctx["url"], "--password", password)
    pages = data["pages"]
    port = env_int("BENCH_PORT", 8107)
    out = {"workers": 2, "concurrency": 20, "think_s": THINK_SECONDS, "pages": {}}
    with gunicorn_on(ctx["url"], port):
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
    return out


IMPORT_ROWS = 100_000
THINK_SECONDS = 1.0


def write_people_csv(path: Path, rows: int) -> None:
    """People rows in the import contract's columns (docs/import.md)."""
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


OFFLINE_RUNS = 3


def section_offline(ctx) -> dict:
    """The field screens on a phone with Chromium's slow 3G profile (bench/children.py
    ``child_offline``), against gunicorn on a small data set of its own: the demo data plus two
    groups of the bench's facilitator (30 and 200 children, a session today each)."""
    url = with_db(ctx["url"], db_name(ctx["url"]) + "_offline")
    ensure_database(url)
    migrate(url)
    for command in ("load_reference_data", "load_demo_data"):
        result = manage(url, command, timeout=1800)
        if result.returncode != 0:
            raise RuntimeError(f"{command} failed: {result.stderr[-2000:]}")
    static = manage(url, "collectstatic", "--noinput", timeout=900, **_production_static_env())
    if static.returncode != 0:
        raise RuntimeError(f"collectstatic failed: {static.stderr[-2000:]}")
    password = secrets.token_urlsafe(18)
    world, _usage = run_child("offline_world", url, "--password", password)
    port = env_int("BENCH_PORT", 8107)
    runs = max(1, min(ctx["runs"], OFFLINE_RUNS))
    before = _submissions(url)
    with gunicorn_on(url, port):
        data, _usage = run_child(
            "offline",
            url,
            "--base",
            f"http://localhost:{port}",
            "--world",
            json.dumps(world | {"password": password}),
            "--runs",
            str(runs),
            timeout=1800,
        )
    received = _submissions(url) - before
    open_s, sync_s, sent_s = data["open_seconds"], data["sync_seconds"], data["sent_seconds"]
    out = {
        "database": db_name(url),
        "runs": runs,
        "viewport": data["viewport"],
        "network": data["network"],
        "children": world["children"],
        "queued": world["queued"],
        "open_median_s": round(median(open_s), 3),
        "open_all_s": [round(x, 3) for x in open_s],
        "sync_median_s": round(median(sync_s), 3),
        "sync_all_s": [round(x, 3) for x in sync_s],
        "sent_median_s": round(median(sent_s), 3),
        "received": received,
        "expected": runs * world["queued"],
        "refused": data["refused"],
    }
    say(f"  open from the cache {out['open_all_s']} s; sync of {world['queued']} {out['sync_all_s']} s; "
        f"{received} of {out['expected']} submissions received, {data['refused']} refused")  # fmt: skip
    return out


def _production_static_env() -> dict:
    """collectstatic as production runs it: gunicorn (DEBUG off) serves static files from there."""
    return {
        "DJANGO_SETTINGS_MODULE": "orientation.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "SECURE_SSL_REDIRECT": "0",
    }


def _submissions(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM field_fieldsubmission").fetchone()[0]


SECTION_FUNCS = {
    "dataset": section_dataset,
    "month": section_month,
    "months": section_months,
    "growth": section_growth,
    "late": section_late,
    "memory": section_memory,
    "load": section_load,
    "import": section_import,
    "offline": section_offline,
}
