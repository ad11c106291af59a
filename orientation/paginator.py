"""Pagination for lists that can hold hundreds of thousands of rows.

Django's paginator counts every row (``SELECT COUNT(*)``) on each page view: for a site with
800,000 people that count alone costs more than the page. ``CappedPaginator`` counts at most
``cap + 1`` rows (``SELECT COUNT(*) FROM (... LIMIT cap + 1)``): below the cap it behaves like
Django's, above it the list says "more than <cap>" and offers the first ``cap`` rows. Nobody
pages through 40 pages of 25 people; the search box and the filters narrow the list instead.

Every list takes its page through ``paginate``, and shows its links with
``templates/includes/_pagination.html``.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.http import QueryDict

LIST_CAP = 1000
PAGE_SIZE = 25


def paginate(
    request,
    object_list,
    *,
    size: int = PAGE_SIZE,
    param: str = "page",
    paginator_class: type[Paginator] = Paginator,
) -> Page:
    """The page of ``object_list`` the query string asks for in ``param`` (the first when it is
    missing or not a number, the last when past the end), with the query strings of the pages
    before and after it: ``previous_query`` and ``next_query`` (the request's own parameters, the
    filters and the order kept, with ``param`` changed; None at either end), for
    ``{% querystring page_obj.next_query %}``. ``param`` lets one page hold several lists."""
    page = paginator_class(object_list, size).get_page(request.GET.get(param))
    page.previous_query = (
        _query_with(request.GET, param, page.previous_page_number()) if page.has_previous() else None
    )
    page.next_query = _query_with(request.GET, param, page.next_page_number()) if page.has_next() else None
    return page


def _query_with(query: QueryDict, param: str, number: int) -> QueryDict:
    query = query.copy()
    query[param] = str(number)
    return query


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
