"""A posted id beyond the database's range is a wrong choice, never an HTTP 500."""

import pytest
from django import forms

from orientation.models import Site

HUGE = "9223372036854775808"


class SiteForm(forms.Form):
    one = forms.ModelChoiceField(queryset=Site.objects.all())
    many = forms.ModelMultipleChoiceField(queryset=Site.objects.all())


@pytest.mark.parametrize("value", [HUGE, "-9223372036854775809", "1" * 40])
def test_out_of_range_ids_are_wrong_choices(ref, value):
    site = Site.objects.first()
    form = SiteForm({"one": value, "many": [str(site.pk), value]})
    assert not form.is_valid()
    errors = form.errors.as_data()
    assert errors["one"][0].code == "invalid_choice"
    assert errors["many"][0].code == "invalid_pk_value" and value in form.errors["many"][0]


def test_ids_in_range_still_choose(ref):
    site = Site.objects.first()
    form = SiteForm({"one": str(site.pk), "many": [str(site.pk)]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["one"] == site
