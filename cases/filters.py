"""The people list's filters and order, on django-filter.

They live in the query string (``?site=3&age_band=12-17&sort=-registered``), which holds no
personal data: the search term is posted and kept in the session (``cases.views``). The filter
set's form validates the query string; ``PersonFilterForm`` dresses its fields for the page.
"""

from __future__ import annotations

from functools import partial

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation.filters import ListFilterSet
from orientation.models import Site
from orientation.selectors import sites_visible_to

from . import selectors
from .choices import AgeBand, PopulationType
from .forms import PersonFilterForm, nationality_choices
from .models import CaseStatus, Vulnerability

# The people list's case status filter: open cases by default (all when searching), closed, or all.
STATUS_ALL = "all"


class PersonFilter(ListFilterSet):
    """The people of the list (``selectors.people_for_list``: those the user may see, searched)
    filtered and sorted by the query string; archived people only when asked; closed cases only
    when asked or searched for (``status``)."""

    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=Site.objects.none(), empty_label=_("All my sites")
    )
    nationality = django_filters.ChoiceFilter(
        label=_("Nationality"), choices=partial(nationality_choices, blank=False), empty_label=_("All")
    )
    population_type = django_filters.ChoiceFilter(
        label=_("Population type"), choices=PopulationType.choices, empty_label=_("All")
    )
    vulnerability = django_filters.ModelChoiceFilter(
        label=_("Vulnerability"),
        field_name="vulnerabilities",
        queryset=Vulnerability.objects.order_by("name"),
        to_field_name="code",
        empty_label=_("All"),
    )
    age_band = django_filters.ChoiceFilter(
        label=_("Age"), choices=AgeBand.choices, method="filter_age_band", empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Case"),
        choices=[*CaseStatus.choices, (STATUS_ALL, _("Open and closed"))],
        method="filter_status",
        empty_label=_("Open (all when searching)"),
    )
    open_referrals = django_filters.BooleanFilter(
        label=_("With open referrals"), method="filter_open_referrals", widget=forms.CheckboxInput
    )
    archived = django_filters.BooleanFilter(
        label=_("Archived"), method="filter_archived", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=list(selectors.PERSON_SORT_LABELS.items()),
        method="filter_sort",
        empty_label=_("Best match / name"),
    )

    always = ("archived", "status")

    class Meta:
        form = PersonFilterForm

    def __init__(self, data=None, *, user, term: selectors.SearchTerm | None = None):
        super().__init__(data, queryset=selectors.people_for_list(user, term=term, archived=None))
        self.term = term
        self.filters["site"].queryset = sites_visible_to(user).order_by("code")

    def filter_age_band(self, queryset, name, value):
        return queryset.filter(selectors.age_band_q(value, timezone.localdate()))

    def filter_open_referrals(self, queryset, name, value):
        return selectors.people_with_open_referrals(queryset) if value else queryset

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=not value)  # None (absent): not archived

    def filter_status(self, queryset, name, value):
        """Absent: open cases only, but a search finds closed ones too (they stay searchable)."""
        if value == STATUS_ALL or (not value and self.term):
            return queryset
        return queryset.filter(case_status=value or CaseStatus.OPEN)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*selectors.PERSON_SORTS[value])
