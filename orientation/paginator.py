"""Pagination for lists that can hold hundreds of thousands of rows.

Django's paginator counts every row (``SELECT COUNT(*)``) on each page view: for a site with
800,000 people that count alone costs more than the page. ``CappedPaginator`` counts at most
``cap + 1`` rows (``SELECT COUNT(*) FROM (... LIMIT cap + 1)``): below the cap it behaves like
Django's, above it the list says "more than <cap>" and offers the first ``cap`` rows. Nobody
pages through 40 pages of 25 people; the search box and the filters narrow the list instead.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

LIST_CAP = 1000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = LIST_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        qs = self.object_list
        if hasattr(qs, "order_by"):
            # The order does not change the count: dropping it lets the database stop early.
            return qs.order_by()[: self.cap + 1].count()
        return len(qs[: self.cap + 1])

    @cached_property
    def capped(self) -> bool:
        """True when there are more rows than the cap (only the first ``cap`` are offered)."""
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)


class WindowPaginator(Paginator):
    """Pages without any count: each page fetches one row more than it shows, to know whether
    there is a next page. For ranked searches, where "how many" matters less than "the closest
    first" and counting every match costs as much as finding them."""

    uncounted = True

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._seen = 0
        self.has_more = False

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        return max(number, 1)

    def get_page(self, number):
        page = self.page(self.validate_number(number))
        if not page.object_list and page.number > 1:
            return self.page(1)  # past the end (e.g. an old link): the first page
        return page

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        self.has_more = len(rows) > self.per_page
        self._seen = bottom + min(len(rows), self.per_page)
        return self._get_page(rows[: self.per_page], number, self)

    @property
    def capped(self) -> bool:
        return self.has_more

    @property
    def count(self) -> int:
        """The rows up to the end of the page fetched (more may follow: ``has_more``)."""
        return self._seen

    @property
    def num_pages(self) -> int:
        pages = -(-self._seen // self.per_page) if self._seen else 1
        return pages + (1 if self.has_more else 0)
