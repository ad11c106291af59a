"""Helpers on requests shared by the views of every app."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def next_url_safe(request, default: str) -> str:
    """The ``next`` address of the request (posted, else in the query string) when it is a path on
    this site, else ``default``.

    Only a path: anything else (another host, a page name, markup) is refused, since a bare word
    would reach ``redirect()`` as a view name to reverse, and fail.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
