"""Choices of records by id that never overflow the database.

Django's ``ModelChoiceField`` and ``ModelMultipleChoiceField`` look a posted id up as it is: a
number beyond the database's integer range ("9223372036854775808") makes SQLite raise
``OverflowError`` and PostgreSQL an out-of-range error, an HTTP 500 instead of "not one of the
choices". ``install()`` (called once, from ``OrientationConfig.ready``) makes every such field of
every form, the admin's included, treat an out-of-range number as a wrong choice first.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .params import MAX_ID


def _integer_key(field) -> bool:
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    return isinstance(key, models.IntegerField | models.AutoField)


def _out_of_range(value) -> bool:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False  # not a number: Django refuses it as a wrong choice already
    return not -MAX_ID - 1 <= number <= MAX_ID


def install() -> None:
    if getattr(forms.ModelChoiceField, "_orienta_range_checked", False):
        return
    to_python = forms.ModelChoiceField.to_python
    check_values = forms.ModelMultipleChoiceField._check_values

    def checked_to_python(self, value):
        if value not in self.empty_values and _integer_key(self) and _out_of_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return to_python(self, value)

    def checked_values(self, value):
        if _integer_key(self):
            for pk in value or ():
                if _out_of_range(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return check_values(self, value)

    forms.ModelChoiceField.to_python = checked_to_python
    forms.ModelMultipleChoiceField._check_values = checked_values
    forms.ModelChoiceField._orienta_range_checked = True
