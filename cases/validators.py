"""Validation and normalization of phone numbers and identity document numbers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PERU_MOBILE = re.compile(r"^9\d{8}$")
INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")
DNI = re.compile(r"^\d{8}$")
DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9-]{3,30}$")

PHONE_MESSAGE = _(
    "Enter a Peruvian mobile number (9 digits starting with 9, with or without +51) "
    "or a foreign number with its country code, for example +58 412 1234567."
)


def phone_normalize(value: str) -> str:
    """'+51 987-654-321' -> '987654321'; '0058 412 1234567' -> '+584121234567'.

    Peruvian mobiles are kept as their 9 digits, foreign numbers with '+' and the country code.
    Raises ValidationError when the number is neither.
    """
    value = (value or "").strip()
    if not value:
        return ""
    compact = re.sub(r"[\s\-.()/]", "", value)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+51"):
        compact = compact[3:]
        if PERU_MOBILE.match(compact):
            return compact
        raise ValidationError(PHONE_MESSAGE, code="phone")
    if PERU_MOBILE.match(compact) or INTERNATIONAL.match(compact):
        return compact
    raise ValidationError(PHONE_MESSAGE, code="phone")


def phone_normalize_or_none(value: str) -> str | None:
    try:
        return phone_normalize(value) or None
    except ValidationError:
        return None


def validate_phone(value: str) -> None:
    if value and phone_normalize(value) != value:
        raise ValidationError(PHONE_MESSAGE, code="phone")


def document_number_normalize(value: str) -> str:
    """Spaces removed, upper case: 'v 12 345 678' -> 'V12345678'."""
    return "".join((value or "").split()).upper()


def validate_document_number(doc_type: str, number: str) -> None:
    from .choices import DocumentType

    if doc_type == DocumentType.DNI and not DNI.match(number):
        raise ValidationError(
            {"number": _("A DNI has exactly 8 digits.")},
            code="dni",
        )
    if not DOCUMENT_NUMBER.match(number):
        raise ValidationError(
            {"number": _("Use only letters, digits and hyphens (3 to 30 characters).")},
            code="document_number",
        )
