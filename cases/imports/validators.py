"""Small value checks for imported cells.

The DNI and phone rules are the same as the registration form's; they live here until both use one
module (reported as an overlap).
"""

from __future__ import annotations

import re
from datetime import date

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DNI_RE = re.compile(r"^\d{8}$")
DOCUMENT_RE = re.compile(r"^[A-Z0-9-]{3,30}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]+$")
UBIGEO_RE = re.compile(r"^\d{6}$")
EARLIEST = date(1900, 1, 1)


class BadDate(ValueError):
    pass


def date_parse(value: str) -> date | None:
    """``YYYY-MM-DD`` → date; empty → None; anything else raises BadDate."""
    if not value:
        return None
    if not DATE_RE.match(value):
        raise BadDate(value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadDate(value) from None


def document_number_normalize(value: str) -> str:
    """As IdentityDocument.save() stores it: no spaces, upper case."""
    return "".join(value.split()).upper()


def document_number_valid(doc_type: str, number: str) -> str | None:
    """None when valid, else the error code."""
    if doc_type == "dni":
        return None if DNI_RE.match(number) else "bad_dni"
    return None if DOCUMENT_RE.match(number) else "bad_document_number"


def phone_valid(value: str) -> bool:
    if not PHONE_RE.match(value):
        return False
    digits = sum(ch.isdigit() for ch in value)
    return 6 <= digits <= 15 and "+" not in value[1:]


def ubigeo_normalize(value: str) -> str:
    """Spreadsheets drop the leading zero of codes like 010101: put it back."""
    if value.isdigit() and len(value) == 5:
        return value.zfill(6)
    return value
