"""``python manage.py export_dhis2 --month YYYY-MM [--program CODE] --format json|csv --output FILE``

Writes the month's DHIS2 data value set (docs/dhis2.md): DHIS2's JSON ``dataValueSet`` or the CSV
of its import app. Without ``--program``, every program with a DHIS2 mapping. When the set cannot
be made (a missing mapping), it writes nothing, prints every problem and exits with status 2.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orientation.models import Program
from reports.dhis2.datavalues import data_value_set_build
from reports.management.commands.monthly_report import parse_month


class Command(BaseCommand):
    help = "Write the month's DHIS2 data value set (JSON dataValueSet or DHIS2's CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--program", help="A program code (default: every program with a DHIS2 mapping)")
        parser.add_argument("--format", choices=["json", "csv"], default="json", help="json (default) or csv")
        parser.add_argument("--output", required=True, help="The file to write")

    def handle(self, *args, **options):
        month = parse_month(options["month"])
        code = options.get("program")
        if code and not Program.objects.filter(code=code).exists():
            known = ", ".join(Program.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"Unknown program {code!r}. Programs: {known}.")
        built = data_value_set_build(month=month, program_code=code)
        if not built.ok:
            for problem in built.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError("The DHIS2 data value set was not written.", returncode=2)
        if options["format"] == "csv":
            text = built.as_csv()
        else:
            text = json.dumps(built.as_json(), ensure_ascii=False, indent=2) + "\n"
        Path(options["output"]).write_text(text, encoding="utf-8")
        self.stdout.write(
            f"{len(built.values)} data values (period {built.period}) written to {options['output']}"
        )
