"""Time and peak memory of the bulk import (issue 7): N people rows, then N service rows.

    .venv/bin/python bench/import_bench.py --rows 100000                       # SQLite (a scratch file)
    DATABASE_URL=postgres://... .venv/bin/python bench/import_bench.py --rows 100000

Each import runs in a process of its own, so its peak resident memory (ru_maxrss) is its own; the
figure before the import (Django loaded, nothing read) is printed beside it. Every file is imported
twice: the second run must change nothing. The database is flushed first and at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings.base")
    import django

    django.setup()


def write_files(directory: Path, rows: int) -> tuple[Path, Path]:
    rng = random.Random(7)
    people = directory / "people.csv"
    services = directory / "services.csv"
    with open(people, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ref", "given_names", "family_names", "sex", "birth_date", "nationality", "population_type",
                    "document_type", "document_number", "phone", "district", "site", "registered_on"])  # fmt: skip
        for n in range(rows):
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(25000))
            w.writerow([
                f"B-{n:07d}", rng.choice(["María José", "Luis", "Yusmary", "Carlos"]),
                rng.choice(["Pérez Rojas", "González Díaz", "Quispe Mamani"]), rng.choice("FMX"),
                born.isoformat(), rng.choice(["VE", "VE", "PE", "CO"]),
                rng.choice(["destination", "transit", "host"]), "cedula_ve", f"V{10000000 + n}",
                f"9{n:08d}", "150133", "PAO-LS", "2025-01-15",
            ])  # fmt: skip
    with open(services, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ref", "person_ref", "program", "service_type", "kind", "date", "status", "completed_on",
                    "partner", "population_type", "site"])  # fmt: skip
        for n in range(rows):
            day = date(2025, 1, 1) + timedelta(days=rng.randrange(150))
            person = f"B-{rng.randrange(rows):07d}"
            if n % 3 == 0:
                status = rng.choice(["pending", "accepted", "completed"])
                done = (day + timedelta(days=5)).isoformat() if status == "completed" else ""
                w.writerow([f"BS-{n:07d}", person, "PAO", "phc-consultation", "referral", day.isoformat(), status,
                            done, "cs-jose-galvez", "", "PAO-LS"])  # fmt: skip
            else:
                w.writerow([f"BS-{n:07d}", person, "PAO", "doc-orientation", "direct", day.isoformat(), "", "",
                            "", "", "PAO-LS"])  # fmt: skip
    return people, services


def child(kind: str, path: str) -> None:
    """One import, measured: prints a JSON line."""
    setup()
    from contextlib import contextmanager

    from cases.imports.engine import file_import
    from cases.imports.errors import ErrorSink

    @contextmanager
    def open_file():
        with open(path, "rb") as fh:
            yield fh

    before = rss_mb()
    errors = ErrorSink(keep=20)
    cpu = time.process_time()
    started = time.perf_counter()
    result = file_import(open_file=open_file, name=Path(path).name, kind=kind, errors=errors, reason="bench")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    print(json.dumps({
        "kind": kind, "ok": result.ok, "rows": result.check.rows, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
        "rss_before_mb": round(before), "rss_peak_mb": round(rss_mb()), "stats": result.stats,
        "errors": [str(e) for e in errors.errors],
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.gettempdir()) / "orienta-import-bench.sqlite3"
        scratch.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    setup()
    from django.core.management import call_command
    from django.db import connection

    from seeds.reference import load_reference_data

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    load_reference_data()
    print(f"database: {connection.vendor}; rows per file: {args.rows}")
    with tempfile.TemporaryDirectory() as tmp:
        people, services = write_files(Path(tmp), args.rows)
        for kind, path in [
            ("people", people),
            ("services", services),
            ("people", people),
            ("services", services),
        ]:
            done = subprocess.run(
                [sys.executable, __file__, "--child", kind, str(path)],
                capture_output=True, text=True, env=os.environ.copy(), cwd=ROOT, check=True,
            )  # fmt: skip
            print(done.stdout.strip().splitlines()[-1])
    call_command("flush", interactive=False, verbosity=0)
    if scratch is not None:
        scratch.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
