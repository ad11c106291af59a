"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _attrs(attrs: dict):
    """Attributes as Django's ``attrs.html`` writes them: in order, ``True`` bare, ``False`` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


class QuickSelect(forms.Select):
    """A ``<select>`` whose options are written in Python. Django renders each option through a
    template (about 0.04 ms each): the list's nationality filter alone, 250 countries, cost more
    than the page's queries. Same markup and attributes as ``forms.Select``.

    ``static=True`` for a list that never changes while the process runs (the countries): its
    markup is kept per language, name, attributes and selected value."""

    CACHE_SIZE = 512
    _cache: dict = {}

    def __init__(self, attrs=None, choices=(), *, static: bool = False):
        super().__init__(attrs, choices)
        self.static = static

    def render(self, name, value, attrs=None, renderer=None):
        if not self.static:
            return self._render(name, value, attrs)
        key = (get_language(), name, str(value), tuple(sorted({**self.attrs, **(attrs or {})}.items())))
        html = self._cache.get(key)
        if html is None:
            html = self._render(name, value, attrs)
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = html
        return html

    def _render(self, name, value, attrs):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            body = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    ("" if o["value"] is None else str(o["value"]), _attrs(o["attrs"]), o["label"])
                    for o in options
                ),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, body) if group_name else body
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            _attrs(widget["attrs"]),
            format_html_join("", "{}", ((g,) for g in groups)),
        )


class DayMonthYearInput(forms.DateInput):
    """The one date input of Orienta: a text box that shows and takes day/month/year (dd/mm/aaaa
    in Spanish), whatever the browser's language, with a numeric keyboard on tablets and phones.
    A browser's own date picker follows the device's language (mm/dd/yyyy on a tablet set to
    English) while the pages show dd/mm/yyyy. Eight digits without slashes are taken too (the
    numeric keyboard of some tablets has no slash); the field parses with DATE_INPUT_FORMATS
    (orientation/formats)."""

    input_type = "text"
    FORMAT = "%d/%m/%Y"
    PATTERN = r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{8}"

    def __init__(self, attrs=None):
        defaults = {
            "placeholder": _("dd/mm/yyyy"),
            "pattern": self.PATTERN,
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": 10,
            "data-date-input": True,
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format=self.FORMAT)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # A ``title`` says what the pattern wants when the browser refuses the value.
        context["widget"]["attrs"].setdefault(
            "title", str(_("Date as day/month/year, for example 31/12/2024"))
        )
        return context
