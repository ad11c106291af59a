"""The small shared helpers of ``orientation``: form errors, pagination with its query strings,
month and year arithmetic, and the audited save."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template

from orientation.actions import save_audited
from orientation.dates import (
    add_months,
    first_of_month,
    month_end,
    months_between,
    reporting_year_start,
    years_before,
)
from orientation.forms import form_errors_add
from orientation.paginator import CappedPaginator, paginate
from tests.factories import PersonFactory

# --- Form errors ---------------------------------------------------------------------------------


class _NameForm(forms.Form):
    name = forms.CharField(required=False)


def test_an_error_on_a_field_of_the_form_goes_on_that_field():
    form = _NameForm({"name": "x"})
    assert form.is_valid()
    form_errors_add(form, ValidationError({"name": "Too short.", "code": "Unknown code."}))
    assert form.errors["name"] == ["Too short."]
    # A field the form does not have: on the form as a whole (Django's add_error would raise).
    assert form.non_field_errors() == ["Unknown code."]


def test_an_error_without_fields_goes_on_the_form():
    form = _NameForm({"name": "x"})
    assert form.is_valid()
    form_errors_add(form, ValidationError(["First.", "Second."]))
    assert form.non_field_errors() == ["First.", "Second."]
    assert "name" not in form.errors


# --- Pagination ---------------------------------------------------------------------------------

LINKS = Template(
    "{% if page_obj.previous_query %}{% querystring page_obj.previous_query %}{% endif %}|"
    "{% if page_obj.next_query %}{% querystring page_obj.next_query %}{% endif %}"
)


def test_a_page_links_to_its_neighbours_keeping_the_other_parameters(rf):
    request = rf.get("/", {"site": "3", "sort": "-name", "page": "2"})
    page = paginate(request, list(range(60)), size=25)
    assert page.number == 2
    assert list(page.object_list) == list(range(25, 50))
    html = LINKS.render(Context({"page_obj": page, "request": request}))
    assert html == "?site=3&amp;sort=-name&amp;page=1|?site=3&amp;sort=-name&amp;page=3"


def test_the_first_and_last_pages_have_no_link_beyond_them(rf):
    assert paginate(rf.get("/"), list(range(30))).previous_query is None
    last = paginate(rf.get("/", {"page": "99"}), list(range(30)))
    assert last.number == 2 and last.next_query is None


def test_one_page_can_hold_several_lists_each_with_its_own_parameter(rf):
    request = rf.get("/", {"page": "2", "rpage": "1"})
    referrals = paginate(request, list(range(60)), param="rpage")
    assert referrals.number == 1
    assert referrals.next_query.urlencode() == "page=2&rpage=2"
    assert paginate(request, list(range(60))).number == 2


@pytest.mark.parametrize("value", ["x", "-1", "", "²"])
def test_a_page_that_is_not_a_number_is_the_first_or_the_last(rf, value):
    page = paginate(rf.get("/", {"page": value}), list(range(30)))
    assert page.number in (1, 2)


def test_the_paginator_class_is_chosen_by_the_list(rf):
    page = paginate(rf.get("/"), list(range(30)), paginator_class=CappedPaginator)
    assert isinstance(page.paginator, CappedPaginator)


# --- Months and years ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, n, expected",
    [
        (date(2025, 3, 15), 0, date(2025, 3, 1)),
        (date(2025, 3, 15), 1, date(2025, 4, 1)),
        (date(2025, 12, 31), 1, date(2026, 1, 1)),
        (date(2025, 1, 31), -1, date(2024, 12, 1)),
        (date(2025, 3, 1), -12, date(2024, 3, 1)),
        (date(2025, 3, 1), -120, date(2015, 3, 1)),
        (date(2025, 3, 1), 25, date(2027, 4, 1)),
    ],
)
def test_add_months(day, n, expected):
    assert add_months(day, n) == expected


def test_first_and_last_day_of_a_month():
    assert first_of_month(date(2024, 2, 29)) == date(2024, 2, 1)
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert month_end(date(2025, 2, 1)) == date(2025, 2, 28)
    assert month_end(date(2025, 12, 5)) == date(2025, 12, 31)


def test_months_between():
    assert months_between(date(2024, 11, 20), date(2025, 2, 3)) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert months_between(date(2025, 2, 3), date(2025, 2, 28)) == [date(2025, 2, 1)]
    assert months_between(date(2025, 3, 1), date(2025, 2, 1)) == []


def test_years_before():
    assert years_before(date(2025, 6, 30), 10) == date(2015, 6, 30)
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)


@pytest.mark.parametrize(
    "month, start_month, not_before, expected",
    [
        (date(2025, 3, 1), 1, None, date(2025, 1, 1)),
        (date(2025, 3, 1), 4, None, date(2024, 4, 1)),
        (date(2025, 4, 1), 4, None, date(2025, 4, 1)),
        (date(2025, 3, 1), 1, date(2025, 2, 10), date(2025, 2, 10)),
        (date(2025, 3, 1), 10, date(2019, 1, 1), date(2024, 10, 1)),
    ],
)
def test_reporting_year_start(month, start_month, not_before, expected):
    assert reporting_year_start(month, start_month=start_month, not_before=not_before) == expected


# --- The audited save ---------------------------------------------------------------------------


def test_save_audited_validates_then_saves_with_who_and_why(ref, caseworker):
    person = PersonFactory()
    person.phone = "987654321"
    save_audited(person, user=caseworker, reason="Llamó para corregir el número")
    latest = person.history.latest()
    assert latest.history_user == caseworker
    assert latest.history_change_reason == "Llamó para corregir el número"
    assert latest.phone == "987654321"


def test_save_audited_refuses_an_invalid_record_and_saves_nothing(ref, caseworker):
    person = PersonFactory()
    versions = person.history.count()
    person.sex = "Q"
    with pytest.raises(ValidationError):
        save_audited(person, user=caseworker)
    assert person.history.count() == versions


def test_save_audited_without_validation_and_without_a_signed_in_user(ref):
    from django.contrib.auth.models import AnonymousUser

    person = PersonFactory()
    person.sex = "Q"  # an old row that newer rules reject is still saved when asked
    save_audited(person, user=AnonymousUser(), update_fields=["sex"], validate=False)
    latest = person.history.latest()
    assert latest.sex == "Q" and latest.history_user is None
