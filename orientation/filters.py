"""The base of every list's filters (django-filter), read from the list's query string."""

from __future__ import annotations

import django_filters


class ListFilterSet(django_filters.FilterSet):
    """Filters of a list page.

    All or nothing: a query string with any value out of place (a site that is no longer the
    user's, a code that does not exist) lists as if it had none, never half filtered. The filters
    named in ``always`` run even without a value, unbound or out of place included: their method
    decides the default (archived people left out, open requests only).
    """

    always: tuple[str, ...] = ()

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs

    def filter_queryset(self, queryset):
        values = self.form.cleaned_data if self.is_valid() else {}
        for name, filter_ in self.filters.items():
            if name in self.always:
                queryset = getattr(self, filter_.method)(queryset, name, values.get(name))
            elif name in values:
                queryset = filter_.filter(queryset, values[name])
        return queryset

    def value(self, name: str):
        """The valid value of a filter (None when absent or when any value is out of place)."""
        return self.form.cleaned_data.get(name) if self.is_valid() else None
