"""Small import files made in the tests, and a way to run them through the import engine."""

from __future__ import annotations

import csv
from contextlib import contextmanager
from pathlib import Path

import pytest

from cases.import_kinds import PeopleImporter
from cases.imports.engine import file_import
from cases.imports.errors import ErrorSink
from services.import_kinds import ServicesImporter
from services.sport.import_kinds import AttendanceImporter

PEOPLE_COLUMNS = list(PeopleImporter.columns)
SERVICE_COLUMNS = list(ServicesImporter.columns)
ATTENDANCE_COLUMNS = list(AttendanceImporter.columns)


def person_row(n: int = 1, **values) -> dict:
    row = {
        "ref": f"P-{n:04d}",
        "given_names": "María José",
        "family_names": f"Pérez González {n}",
        "sex": "F",
        "birth_date": "1990-05-17",
        "nationality": "VE",
        "population_type": "destination",
        "document_type": "cedula_ve",
        "document_number": f"{20000000 + n}",
        "phone": f"9{n:08d}",
        "district": "150133",
        "site": "PAO-LS",
        "registered_on": "2025-01-15",
    }
    row.update(values)
    return row


def service_row(n: int = 1, **values) -> dict:
    row = {
        "ref": f"S-{n:04d}",
        "person_ref": "P-0001",
        "program": "PAO",
        "service_type": "doc-orientation",
        "kind": "direct",
        "date": "2025-03-10",
        "status": "",
        "completed_on": "",
        "partner": "",
        "population_type": "",
        "site": "PAO-LS",
    }
    row.update(values)
    return row


def referral_row(n: int = 1, **values) -> dict:
    defaults = {
        "kind": "referral",
        "service_type": "phc-consultation",
        "status": "pending",
        "partner": "cs-jose-galvez",
    }
    return service_row(n, **{**defaults, **values})


def attendance_row(**values) -> dict:
    row = {
        "person_ref": "P-0001",
        "program": "BALON",
        "site": "SCH-01",
        "session_date": "2025-03-12",
        "activity": "soccer_clinic",
        "group": "",
        "present": "1",
        "population_type": "",
    }
    row.update(values)
    return row


def write_csv(path: Path, rows: list[dict], *, columns=None, delimiter=",", bom=False) -> Path:
    columns = columns or list(rows[0].keys())
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def write_xlsx(path: Path, rows: list[dict], *, columns=None, cells=None) -> Path:
    """``cells`` may turn a value into a typed cell: ``{"birth_date": date.fromisoformat}``."""
    import openpyxl

    columns = columns or list(rows[0].keys())
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([(cells or {}).get(c, lambda v: v)(row.get(c, "")) for c in columns])
    workbook.save(path)
    return path


class Outcome:
    def __init__(self, result, errors: ErrorSink):
        self.ok = result.ok
        self.rows = result.check.rows
        self.stats = result.stats
        self.errors = errors.errors

    def messages(self) -> list[tuple[int | None, str, str]]:
        return [(e.row, e.column, e.message) for e in self.errors]

    def codes(self) -> list[tuple[int | None, str, str]]:
        return [(e.row, e.column, e.code) for e in self.errors]


@pytest.fixture
def run_import(ref):
    """``run_import("people", path, user=None)`` → an Outcome (ok, rows, stats, errors)."""

    def _run(kind: str, path: Path, *, user=None, today=None) -> Outcome:
        @contextmanager
        def open_file():
            with open(path, "rb") as fh:
                yield fh

        errors = ErrorSink(keep=None)
        result = file_import(
            open_file=open_file, name=path.name, kind=kind, errors=errors, user=user, today=today
        )
        return Outcome(result, errors)

    return _run


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english(settings):
    """English pages for a signed-in user: the default language copied into the session at
    sign-in (a browser's Accept-Language never chooses it)."""
    settings.LANGUAGE_CODE = "en"
