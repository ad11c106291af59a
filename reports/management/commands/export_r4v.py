"""``python manage.py export_r4v --month YYYY-MM [--program CODE] --output FILE.xlsx``

Writes the month's R4V file (docs/r4v.md). When the file cannot be made as R4V expects it (a
missing mapping, people without a birth date, a failed check), it writes nothing, prints every
problem and exits with status 2.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orientation.models import Program
from reports.management.commands.monthly_report import parse_month
from reports.r4v import r4v_build, r4v_xlsx


class Command(BaseCommand):
    help = "Write the month's R4V file (29 columns, one row per program, place and indicator)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--program", help="A program code (default: every program)")
        parser.add_argument("--output", required=True, help="The .xlsx file to write")

    def handle(self, *args, **options):
        month = parse_month(options["month"])
        code = options.get("program")
        if code and not Program.objects.filter(code=code).exists():
            known = ", ".join(Program.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"Unknown program {code!r}. Programs: {known}.")
        r4v = r4v_build(month=month, program_code=code)
        if not r4v.ok:
            for problem in r4v.problems:
                self.stderr.write(f"- {problem}")
            for pk, ref, site in r4v.unknown_age:
                self.stderr.write(f"  {ref} (site {site}, /people/{pk}/)")
            raise CommandError("The R4V file was not written.", returncode=2)
        Path(options["output"]).write_bytes(r4v_xlsx(r4v))
        self.stdout.write(f"{len(r4v.rows)} rows written to {options['output']}")
