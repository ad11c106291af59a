"""QuickSelect writes the same markup as Django's Select, without a template per option."""

import pytest
from django import forms

from orientation.widgets import QuickSelect

CHOICES = [("", "All"), ("a", "A & <b>"), ("Group", [("x", "X"), ("y", 'Y"')]), (3, "three")]


def _squash(html: str) -> str:
    return "".join(html.split())


@pytest.mark.parametrize("value", [None, "", "a", "y", "3", "missing"])
def test_same_markup_as_djangos_select(value):
    attrs = {"class": "form-select", "id": "id_f", "required": True, "aria-describedby": "h"}
    expected = forms.Select(choices=CHOICES, attrs=attrs).render("f", value)
    assert _squash(QuickSelect(choices=CHOICES, attrs=attrs).render("f", value)) == _squash(expected)


def test_labels_and_values_are_escaped():
    html = QuickSelect(choices=[('"><script>', "<script>alert(1)</script>")]).render("f", None)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_static_list_is_rendered_once_per_language_and_value():
    from django.utils import translation

    QuickSelect._cache.clear()
    widget = QuickSelect(choices=[("a", "A"), ("b", "B")], static=True)
    with translation.override("es"):
        first = widget.render("f", "a")
        assert '<option value="a" selected>A</option>' in first
        widget.choices = [("a", "changed")]  # a static list does not change: its markup is reused
        assert widget.render("f", "a") == first
        assert '<option value="a">changed</option>' in widget.render("f", "")  # another value
    with translation.override("en"):
        assert '<option value="a" selected>changed</option>' in widget.render("f", "a")  # another language
