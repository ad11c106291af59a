"""Read an uploaded table one row at a time: CSV (UTF-8, with or without a byte-order mark, comma or
semicolon) or XLSX (openpyxl in read-only mode). Nothing here holds more than one row."""

from __future__ import annotations

import codecs
import csv
import itertools
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath

# Cells that a spreadsheet would run as a formula are written with a leading apostrophe by the
# export; the import takes it off again so a round trip changes nothing.
from orientation.spreadsheet import FORMULA_START

FORMATS = ("csv", "xlsx")
# An .xlsx file is a zip: a small upload can unpack to hundreds of megabytes (a "zip bomb") and
# openpyxl keeps every shared string in memory. The sizes the zip declares are checked before
# anything is parsed (Python's zipfile never unpacks more than a member declares).
XLSX_MAX_UNPACKED_MB = 64
XLSX_MAX_SHARED_STRINGS_MB = 16
# Rows and columns read from any file: a sheet of a million empty rows is refused as soon as its
# row numbers pass this, without reading the rest.
MAX_ROW_NUMBER = 250_001
MAX_COLUMNS = 100


class FileReadError(Exception):
    def __init__(self, code: str, row: int | None = None, **params):
        super().__init__(code)
        self.code = code
        self.row = row
        self.params = params


@dataclass
class Table:
    format: str
    delimiter: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


def file_format(name: str) -> str | None:
    suffix = PurePath(name or "").suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def cell_text(value) -> str:
    """A cell as the text the checks read: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_START and len(text) > 1:
        text = text[1:]
    return text


def header_name(value) -> str:
    return cell_text(value).lstrip("\ufeff").strip().lower()


def _bounded(number: int, cells) -> None:
    if number > MAX_ROW_NUMBER:
        raise FileReadError("too_many_rows", None, max=MAX_ROW_NUMBER - 1)
    if len(cells) > MAX_COLUMNS and any(c not in (None, "") for c in cells[MAX_COLUMNS:]):
        raise FileReadError("too_many_columns", number, max=MAX_COLUMNS)


def _data_rows(rows: Iterator, first_row: int) -> Iterator[tuple[int, list[str]]]:
    for number, cells in enumerate(rows, start=first_row):
        _bounded(number, cells)
        values = [cell_text(c) for c in cells[:MAX_COLUMNS]]
        if any(values):
            yield number, values


def xlsx_size_check(fileobj) -> None:
    """Refuse an .xlsx whose parts unpack to more than the limits, reading only the zip's
    directory (milliseconds, whatever the file holds). Leaves the file at its start."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileReadError("file_unreadable") from None
    finally:
        fileobj.seek(0)
    total = sum(m.file_size for m in members)
    shared = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if total > XLSX_MAX_UNPACKED_MB * 1024 * 1024 or shared > XLSX_MAX_SHARED_STRINGS_MB * 1024 * 1024:
        raise FileReadError("file_too_large_unpacked", None, max=XLSX_MAX_UNPACKED_MB)


def _decoded_lines(fileobj) -> Iterator[str]:
    """Lines of UTF-8 text (a byte-order mark is dropped), decoded one at a time so a wrong byte
    is reported on its own line."""
    for number, raw in enumerate(fileobj, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FileReadError("file_encoding", number) from None


def _csv_table(fileobj) -> Table:
    lines = _decoded_lines(fileobj)
    first = next(lines, "")
    if not first.strip():
        raise FileReadError("file_empty", 1)
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    first_cells = next(reader)
    _bounded(1, first_cells)
    header = [header_name(c) for c in first_cells[:MAX_COLUMNS]]

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                _bounded(number, cells)
                values = [cell_text(c) for c in cells[:MAX_COLUMNS]]
                if any(values):
                    yield number, values
        except csv.Error:
            raise FileReadError("file_unreadable", number + 1) from None

    return Table(format="csv", delimiter=delimiter, header=header, rows=rows())


@contextmanager
def table_open(fileobj, name: str) -> Iterator[Table]:
    """Open a binary file object as a Table; raises FileReadError when it cannot be read."""
    fmt = file_format(name)
    if fmt == "csv":
        yield _csv_table(fileobj)
        return
    if fmt != "xlsx":
        raise FileReadError("file_unreadable")
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    xlsx_size_check(fileobj)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, Exception):  # a damaged or foreign file
        raise FileReadError("file_unreadable") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size: read every row there is
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None) or ()
        _bounded(1, first)
        header = [header_name(c) for c in first[:MAX_COLUMNS]]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise FileReadError("file_empty", 1)

        def guarded() -> Iterator[tuple[int, list[str]]]:
            try:
                yield from _data_rows(rows, 2)
            except FileReadError:
                raise
            except Exception as exc:  # a damaged sheet: any parser error means the same to a person
                raise FileReadError("file_unreadable") from exc

        yield Table(format="xlsx", delimiter="", header=header, rows=guarded())
    finally:
        workbook.close()
