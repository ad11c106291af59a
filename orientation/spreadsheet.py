"""Cells of every CSV and XLSX file Orienta writes: text that a spreadsheet would run as a formula
is written as text.

A cell starting with = + - @ (or a tab or carriage return) can be run by Excel or LibreOffice as a
formula (``=HYPERLINK(...)`` sends the reader to another site). Such text gets a leading apostrophe,
which spreadsheets read as "this is text" and which the people import removes again. Numbers,
dates and empty cells are written as they are: -3 stays a number.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value, *, xlsx: bool = False):
    """The value to write in an exported cell.

    In CSV every cell is read as typed, so all of FORMULA_START is guarded. In XLSX text cells are
    stored as text; only a leading "=" would be turned into a formula by the writer (openpyxl).
    """
    if not isinstance(value, str):
        return value
    starts = ("=",) if xlsx else FORMULA_START
    return "'" + value if value[:1] in starts else value


def spreadsheet_row(values, *, xlsx: bool = False) -> list:
    return [spreadsheet_cell(value, xlsx=xlsx) for value in values]
