"""``python manage.py import_data --kind people|services|attendance FILE`` (docs/import.md).

The file is imported whole or not at all. When it is rejected every error is printed (row, column,
reason) and the command exits with a non-zero code; nothing is saved.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cases.imports.engine import figures_refresh, file_check, file_import
from cases.imports.errors import ErrorSink
from cases.imports.kinds import IMPORTERS
from cases.imports.labels import counts_display
from cases.imports.reading import file_format


class Command(BaseCommand):
    help = "Import people, services or sport attendance from a CSV or XLSX file, whole or not at all."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=sorted(IMPORTERS))
        parser.add_argument("file", help="a .csv (UTF-8, comma or semicolon) or .xlsx file")
        parser.add_argument("--user", help="username recorded as the author of the changes")
        parser.add_argument("--check", action="store_true", help="only check the file; write nothing")

    def handle(self, *args, kind: str, file: str, user: str | None, check: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        if file_format(path.name) is None:
            raise CommandError(_("Give a .csv or .xlsx file."))
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(_("No user named %(user)s.") % {"user": user})

        @contextmanager
        def open_file():
            with path.open("rb") as fileobj:
                yield fileobj

        errors = ErrorSink(keep=0, on_error=lambda e: self.stderr.write(str(e)))
        started = time.monotonic()
        common = {"open_file": open_file, "name": path.name, "kind": kind, "errors": errors}
        if check:
            result = file_check(**common)
            rows, counts, plan = result.rows, {}, result.plan
        else:
            outcome = file_import(**common, user=author, reason=f"import_data {path.name}"[:100])
            rows, counts, plan = outcome.check.rows, outcome.stats, outcome.check.plan
            figures_refresh(outcome)
        if errors:
            raise CommandError(
                _("File rejected with %(count)s errors; nothing was imported.") % {"count": errors.count},
                returncode=2,
            )
        elapsed = time.monotonic() - started
        groups = plan.get("groups_to_create", [])
        if check:
            self.stdout.write(_("%(rows)s rows checked: no errors.") % {"rows": rows})
            if groups:
                self.stdout.write(_("Sport groups the import will create:"))
                self._groups_write(groups)
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)s rows imported in %(seconds).1f s.") % {"rows": rows, "seconds": elapsed}
            )
        )
        for entity, numbers in counts_display(counts):
            self.stdout.write(f"  {entity}: " + ", ".join(f"{label} {value}" for label, value in numbers))
        if groups:
            self.stdout.write(_("Sport groups created:"))
            self._groups_write(groups)

    def _groups_write(self, groups: list[dict]) -> None:
        for group in groups:
            self.stdout.write(f"  {group['program']} · {group['site']} · {group['name']}")
