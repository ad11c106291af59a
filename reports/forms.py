"""Forms of the reports pages: which program and month to show, recompute or export."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (the value of ``<input type="month">``), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2025-03.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH.match(value.strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date(int(match.group(1)), int(match.group(2)), 1)

    def prepare_value(self, value):
        if isinstance(value, date):
            return f"{value:%Y-%m}"
        return value


class ProgramMonthForm(forms.Form):
    """A program (among those the user may see) and a month."""

    program = forms.ChoiceField(label=_("Program"))
    month = MonthField(label=_("Month"))

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = {p.code: p for p in programs}
        self.fields["program"].choices = [(p.code, str(p)) for p in programs]

    def clean_program(self):
        return self.programs[self.cleaned_data["program"]]


class ExportForm(forms.Form):
    FORMATS = [("xlsx", _("Excel (XLSX)")), ("csv", _("CSV"))]

    program = forms.ChoiceField(label=_("Program"), required=False)
    month = MonthField(label=_("Month"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, required=False)
    mask = forms.BooleanField(
        label=_("Mask small counts"),
        required=False,
        help_text=_("Counts from 1 to 4 are shown as <5, for sharing outside the organization."),
    )

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = {p.code: p for p in programs}
        self.fields["program"].choices = [("", _("All my programs")), *((p.code, str(p)) for p in programs)]

    def clean_program(self):
        code = self.cleaned_data["program"]
        return [self.programs[code]] if code else list(self.programs.values())

    def clean_format(self):
        return self.cleaned_data["format"] or "xlsx"
