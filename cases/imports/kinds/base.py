"""What every kind of import shares: reading one cell into a checked value.

A kind defines ``parse`` (one row, no database), ``check_chunk`` (the checks that need the database,
a chunk of rows at a time) and ``write_chunk`` (bulk writes of a chunk, with change history).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import ClassVar

from ..errors import ErrorSink
from ..lookups import Lookups, ProgramInfo, Spellings, choice_spellings
from ..validators import EARLIEST, BadDate, date_parse

# Rows written per bulk statement.
BATCH_SIZE = 500


class Stats(dict):
    """``stats["people"]["created"] += 1`` without declaring anything first."""

    def __missing__(self, key):
        value = self[key] = Counter()
        return value

    def as_dict(self) -> dict:
        return {entity: dict(counts) for entity, counts in self.items()}


class Importer:
    kind: ClassVar[str]
    label: ClassVar[str]  # what the upload page calls it
    columns: ClassVar[tuple[str, ...]]
    required_columns: ClassVar[frozenset[str]]
    # Columns whose values are personal: errors never repeat them.
    private_columns: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *, lookups: Lookups, errors: ErrorSink, user=None, today: date, reason: str = ""):
        self.lookups = lookups
        self.errors = errors
        self.user = user
        self.today = today
        self.reason = reason
        self.present: set[str] = set(self.columns)

    # --- building blocks for parse() ------------------------------------------------------------

    def error(self, row: int, column: str, code: str, **params) -> None:
        self.errors.add(row, column, code, **params)

    def text(
        self, row: int, values: dict, column: str, *, required: bool = False, max_length: int | None = None
    ) -> str:
        value = values.get(column, "")
        if required and not value:
            self.error(row, column, "required")
        elif max_length is not None and len(value) > max_length:
            self.error(row, column, "too_long", max=max_length)
        return value

    def choice(self, row: int, values: dict, column: str, choices, *, required: bool = False) -> str:
        """A code of a TextChoices class, or its label in Spanish or English, any case, with or
        without accents → the stored value ('' when empty, unknown or ambiguous)."""
        return self.spelled(row, values, column, choice_spellings(choices), required=required)

    def spelled(
        self, row: int, values: dict, column: str, spellings: Spellings, *, required: bool = False
    ) -> str:
        value = self.text(row, values, column, required=required)
        if not value:
            return ""
        found, could_be = spellings.match(value)
        if found is not None:
            return found
        if could_be:
            self.error(row, column, "ambiguous_code", value=value, options=", ".join(could_be))
        else:
            self.error(row, column, "unknown_code", value=value, allowed=", ".join(spellings.codes))
        return ""

    def reference(self, row: int, values: dict, column: str, table: dict, code: str, *, required: bool):
        """A code from one of the lookups → its (id, code), or None."""
        value = self.text(row, values, column, required=required)
        if not value:
            return None
        found = table.get(value.lower())
        if found is None:
            self.error(row, column, code, value=value)
        return found

    def day(
        self, row: int, values: dict, column: str, *, required: bool = False, not_future: bool = True
    ) -> date | None:
        value = self.text(row, values, column, required=required)
        private = column in self.private_columns
        try:
            day = date_parse(value)
        except BadDate:
            if private:
                self.error(row, column, "bad_date_private")
            else:
                self.error(row, column, "bad_date", value=value)
            return None
        if day is None:
            return None
        if day < EARLIEST:
            self.error(row, column, "date_too_early", value=value if not private else "")
            return None
        if not_future and day > self.today:
            if private:
                self.error(row, column, "future_date_private")
            else:
                self.error(row, column, "future_date", value=day.isoformat())
            return None
        return day

    def site(self, row: int, values: dict, column: str = "site") -> int | None:
        found = self.reference(row, values, column, self.lookups.sites, "unknown_site", required=True)
        if found is None:
            return None
        site_id, code = found
        if not self.lookups.site_visible(site_id):
            self.error(row, column, "site_forbidden", value=code)
            return None
        return site_id

    def program(self, row: int, values: dict, column: str = "program") -> ProgramInfo | None:
        value = self.text(row, values, column, required=True)
        if not value:
            return None
        program = self.lookups.programs.get(value.lower())
        if program is None:
            self.error(row, column, "unknown_program", value=value)
            return None
        if not self.lookups.program_visible(program.id):
            self.error(row, column, "program_forbidden", value=program.code)
            return None
        return program

    def in_program(self, row: int, column: str, program: ProgramInfo | None, day: date | None) -> None:
        """An event dated outside its program's start and end is rejected."""
        if program is None or day is None:
            return
        if day < program.start:
            start = program.start.isoformat()
            self.error(
                row, column, "before_program", value=day.isoformat(), program=program.code, start=start
            )
        elif program.end is not None and day > program.end:
            end = program.end.isoformat()
            self.error(row, column, "after_program", value=day.isoformat(), program=program.code, end=end)

    def site_in_program(self, row: int, site_id: int | None, program: ProgramInfo | None) -> None:
        if site_id is None or program is None or site_id in program.site_ids:
            return
        code = next(c for pk, c in self.lookups.sites.values() if pk == site_id)
        self.error(row, "site", "site_not_in_program", value=code, program=program.code)

    # --- what each kind defines -------------------------------------------------------------------

    def parse(self, row: int, values: dict) -> dict | None:
        raise NotImplementedError

    def check_chunk(self, chunk: list[tuple[int, dict]]) -> None:
        """Checks that need the database, for rows that passed ``parse``."""

    def write_chunk(self, chunk: list[tuple[int, dict]], stats: Stats) -> None:
        raise NotImplementedError

    def event_written(self, program_id: int, day: date | None) -> None:
        """Note an event's date, so the program's figures are recomputed from its month."""
        if day is not None and (
            program_id not in self.lookups.earliest_event or day < self.lookups.earliest_event[program_id]
        ):
            self.lookups.earliest_event[program_id] = day

    def plan(self) -> dict:
        """What a checked file will create besides its rows (shown before it is imported)."""
        return {}
