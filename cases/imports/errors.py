"""Import errors: a row, a column and a reason.

Errors are kept as a code with parameters and turned into words only when shown, so a file checked
by a Celery worker is explained in the language of whoever reads the page. Parameters never hold
names, document numbers, phones or birth dates: only codes, references, event dates and numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# The engine's own reasons; each kind adds its own (registry.messages_register).
MESSAGES = {
    # The file as a whole
    "file_unreadable": _(
        "The file could not be read. Save it as CSV (UTF-8) or Excel (.xlsx) and try again."
    ),
    "file_encoding": _(
        "The file is not UTF-8 text. In Excel choose “Save as” → “CSV UTF-8 (comma delimited)”."
    ),
    "file_empty": _("The file is empty: the first row must name the columns."),
    "no_rows": _("The file has a header row but no data rows."),
    "too_many_rows": _("The file has more than %(max)s rows: split it into smaller files."),
    "too_many_columns": _("The file has more than %(max)s columns: keep only the columns of the import."),
    "file_too_large_unpacked": _(
        "Unpacked, this Excel file holds more than %(max)s MB: split it into smaller files or save it as CSV."
    ),
    # The header row
    "unknown_column": _("Unknown column “%(value)s”. Expected columns: %(allowed)s."),
    "missing_column": _("The required column “%(value)s” is missing."),
    "duplicate_column": _("The column “%(value)s” appears more than once."),
    "extra_values": _("This row has more values than the header has columns."),
    # Values
    "required": _("A value is required."),
    "too_long": _("At most %(max)s characters."),
    "unknown_code": _("Unknown code “%(value)s”. Use one of: %(allowed)s."),
    "ambiguous_code": _("“%(value)s” could mean more than one code (%(options)s): write the code."),
    "unknown_site": _("Unknown site “%(value)s”."),
    "unknown_program": _("Unknown program “%(value)s”."),
    "unknown_district": _("Unknown district “%(value)s”: use the 6-digit UBIGEO code."),
    "unknown_nationality": _(
        "Unknown nationality “%(value)s”: use the 2-letter ISO country code (VE, PE, CO…)."
    ),
    "ambiguous_nationality": _(
        "“%(value)s” could be more than one country (%(options)s): use the 2-letter ISO country code."
    ),
    "bad_date": _("“%(value)s” is not a date: write it as YYYY-MM-DD."),
    "bad_date_private": _("This is not a date: write it as YYYY-MM-DD."),
    "date_too_early": _("The date %(value)s is too far in the past."),
    "future_date": _("The date %(value)s is in the future."),
    "future_date_private": _("The date is in the future."),
    "before_program": _("The date %(value)s is before program %(program)s started (%(start)s)."),
    "after_program": _("The date %(value)s is after program %(program)s ended (%(end)s)."),
    "site_not_in_program": _("Site %(value)s is not a site of program %(program)s."),
    "birth_after_registration": _("The birth date is after the registration date."),
    "bad_phone": _("A phone has 6 to 15 digits (spaces, hyphens and a leading + are allowed)."),
    "unknown_person": _("No person with reference “%(value)s”: import the people first."),
    "duplicate_key": _("The reference “%(value)s” is already in row %(other)s."),
    "ref_not_yours": _("The reference “%(value)s” belongs to a record of a site you may not change."),
    "site_forbidden": _("You may not import records for site %(value)s."),
    "program_forbidden": _("You may not import records for program %(value)s."),
    # The write itself
    "changed_meanwhile": _(
        "The data changed while the file was being imported (another import or user). Nothing was saved: try again."
    ),
}

# Labels of parameter values, by parameter name (a kind's ``kind_changed`` names the existing kind).
VALUE_LABELS: dict[str, dict] = {}


@dataclass(frozen=True, slots=True)
class RowError:
    """One reason to reject a file. ``row`` is the spreadsheet row (the header is row 1); None for
    the file as a whole."""

    row: int | None
    column: str
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        params = dict(self.params)
        for name, labels in VALUE_LABELS.items():
            if name in params:
                params[name] = labels.get(params[name], params[name])
        template = MESSAGES.get(self.code, self.code)
        try:
            return str(template) % params if params else str(template)
        except (KeyError, TypeError, ValueError):
            return str(template)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "params": self.params}

    @classmethod
    def from_dict(cls, data: dict) -> RowError:
        return cls(
            row=data.get("row"),
            column=data.get("column", ""),
            code=data.get("code", ""),
            params=data.get("params") or {},
        )

    def __str__(self) -> str:
        where = _("file") if self.row is None else _("row %(row)s") % {"row": self.row}
        if self.column:
            return f"{where}, {self.column}: {self.message}"
        return f"{where}: {self.message}"


class ErrorSink:
    """Collects errors while a file is read: counts them all, keeps the first ``keep`` (None: all),
    and hands each to ``on_error`` (the command prints them as they come)."""

    def __init__(self, *, keep: int | None = 1000, on_error: Callable[[RowError], None] | None = None):
        self.keep = keep
        self.on_error = on_error
        self.errors: list[RowError] = []
        self.count = 0

    def add(self, row: int | None, column: str, code: str, **params) -> None:
        # A NUL in a file's text cannot be stored in PostgreSQL's JSON: shown as U+FFFD instead.
        column = (column or "").replace("\x00", "\ufffd")
        params = {k: v.replace("\x00", "\ufffd") if isinstance(v, str) else v for k, v in params.items()}
        error = RowError(row=row, column=column, code=code, params=params)
        self.count += 1
        if self.keep is None or len(self.errors) < self.keep:
            self.errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def __bool__(self) -> bool:
        return self.count > 0
