"""``make bench``: measure Orienta at national scale on PostgreSQL and write BENCHMARKS.md.

    python bench/run.py                       # every section
    python bench/run.py --only floor,growth   # some sections; the others keep their last results
    python bench/run.py --runs 7              # repetitions behind each median
    python bench/run.py --render              # BENCHMARKS.md again from bench/results.json + NOTES.md

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/orienta_bench),
BENCH_PEOPLE (1000000), BENCH_EVENTS (5000000), BENCH_MONTHS (36), BENCH_SEED (1), BENCH_PORT
(8107), BENCH_REDIS_URL (redis://127.0.0.1:6379/7), BENCH_LOAD_PAGES (the load section measures
only the pages whose name holds one of these comma-separated words, e.g. ``reception,display``). The data set is generated once
(``generate_demo``) and kept; it is generated again only when absent or of another size. The
growth data sets live in the databases named like the bench database plus ``_1m`` and ``_2m5``,
the import runs in a fresh ``_import`` database.

Sections (each figure goes next to its target in BENCHMARKS.md):
  month    one month's report, all indicators: the project's code vs the floor (bench/floor.py),
           medians of warm runs, the numbers cross-checked
  months   all months recomputed: total time, same ratio, every month cross-checked
  growth   the same month with 1M, 2.5M and 5M events in total (the month's own events constant)
  memory   peak memory of the report job in a separate process
  load     pages on gunicorn (2 workers, production settings) at 20 concurrent users, among them
           the reception queue and the waiting-room display on a day of 240 visits at PAO-LS
  import   100,000 people through ``manage.py import_data`` (time and peak memory)
  offline  the field screens on a phone (Playwright, Chromium's slow 3G profile): the attendance
           list opened from the cache, 200 queued submissions synced; on a small data set of its
           own (the demo data in a database named like the bench database plus ``_offline``)
Heavy work runs in child processes (``--child``) so each is measured on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.children import CHILDREN  # noqa: E402
from bench.common import (  # noqa: E402
    ROOT,
    SECTIONS,
    STANDALONE,
    bench_url,
    db_name,
    env_int,
    loadavg,
    say,
    utc_now,
)
from bench.report import machine, render  # noqa: E402
from bench.sections import SECTION_FUNCS, section_dataset  # noqa: E402
from orientation.dates import add_months  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Orienta's benchmark: writes BENCHMARKS.md")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ",".join(SECTIONS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--output", type=Path, default=ROOT, help="where BENCHMARKS.md and results.json go")
    parser.add_argument(
        "--render",
        action="store_true",
        help="only write BENCHMARKS.md again from results.json (and NOTES.md)",
    )
    parser.add_argument("--child")
    parser.add_argument("--month")
    parser.add_argument("--months")
    parser.add_argument("--password")
    parser.add_argument("--base")
    parser.add_argument("--world")
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
    if args.render:
        report_path.write_text(render(results))
        say(f"wrote {report_path} from {results_path}")
        return 0
    results["errors"] = {}

    say(f"Orienta benchmark on {db_name(url)} (load {loadavg()})")
    months = []
    end = None
    if set(wanted) - STANDALONE:  # the national data set, for every section but the standalone ones
        say("dataset")
        started_at = utc_now()
        load_before = loadavg()
        dataset = section_dataset({"url": url, "size": size})
        if "dataset" in wanted or dataset.get("generated_now"):
            results["sections"]["dataset"] = {"at": started_at, "load": load_before, "data": dataset}
        end = dataset.get("end")
        last = datetime.strptime(end, "%Y-%m").date()
        months = [add_months(last, -i) for i in range(size["months"] - 1, -1, -1)]

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
        # Whether this run generated the data set: only then is the month section's first
        # computation the one right after ``generate_demo``.
        "generated_now": bool(months) and bool(dataset.get("generated_now")),
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
        if name == "load" and os.environ.get("BENCH_LOAD_PAGES") and "load" in results["sections"]:
            # A run of some pages only: the other pages keep their last figures, with their date.
            previous = results["sections"]["load"]
            for key, page in previous["data"]["pages"].items():
                if key not in data["pages"]:
                    page.setdefault("measured_at", previous["at"])
                    data["pages"][key] = page
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


if __name__ == "__main__":
    sys.exit(main())
