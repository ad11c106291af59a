"""Helpers shared by the forms and views of every app."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_errors_add(form: forms.BaseForm, error: ValidationError) -> None:
    """Put an action's ``ValidationError`` on the form: each message on the field it names when the
    form has that field, else (or for an error without fields) on the form as a whole."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
