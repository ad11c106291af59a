"""``python manage.py monthly_report --month YYYY-MM [--program CODE] [--format json|table|csv]``

Computes the month through the same code as the Celery job, stores the snapshots, then prints
them in the report contract's shape (docs/report-json.md).
"""

import json
import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from orientation.models import Program
from reports import exports
from reports.actions import monthly_figures_compute, report_run_create
from reports.models import ReportRun
from reports.selectors import monthly_report

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> date:
    match = MONTH.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CommandError(f"--month must be a month as YYYY-MM (for example 2025-03), not {value!r}.")
    return date(int(match.group(1)), int(match.group(2)), 1)


class Command(BaseCommand):
    help = "Compute, store and print a month's figures for every indicator (or one program's)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--program", help="A program code (default: every program)")
        parser.add_argument("--format", choices=["json", "table", "csv"], default="json")

    def handle(self, *args, **options):
        month = parse_month(options["month"])
        code = options.get("program")
        program = None
        if code:
            program = Program.objects.filter(code=code).first()
            if program is None:
                known = ", ".join(Program.objects.order_by("code").values_list("code", flat=True))
                raise CommandError(f"Unknown program {code!r}. Programs: {known}.")
        run = report_run_create(month=month, program=program, trigger=ReportRun.Trigger.COMMAND)
        monthly_figures_compute(month=month, program_code=code, run=run)
        report = monthly_report(month=month, program_code=code)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        elif options["format"] == "csv":
            self.stdout.write(exports.to_csv(report), ending="")
        else:
            self.stdout.write(self._table(report))

    def _table(self, report: dict) -> str:
        head = [
            "program",
            "indicator",
            "reached",
            "target",
            "new",
            "cumulative",
            "target total",
            "new in year",
            "cumulative in year",
        ]
        body = [
            [
                item["program"],
                item["code"],
                str(item["reached"]["total"]),
                "" if item["target_month"] is None else str(item["target_month"]),
                str(item["new"]["total"]),
                str(item["cumulative"]["total"]),
                "" if item["target_total"] is None else str(item["target_total"]),
                str(item["new_in_year"]["total"]),
                str(item["cumulative_in_year"]["total"]),
            ]
            for item in report["indicators"]
        ]
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
        lines = [f"Monthly figures {report['month']}"]
        for row in [head, ["-" * w for w in widths], *body]:
            lines.append(
                "  ".join(
                    cell.ljust(w) if i < 2 else cell.rjust(w)
                    for i, (cell, w) in enumerate(zip(row, widths, strict=True))
                )
            )
        return "\n".join(lines)
