"""Helpers shared by the services views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from orientation.paginator import CappedPaginator

PAGE_SIZE = 25


def paginate(request, qs, *, param: str = "page", size: int = PAGE_SIZE, capped: bool = False):
    paginator = CappedPaginator(qs, size) if capped else Paginator(qs, size)
    return paginator.get_page(request.GET.get(param))


def form_errors_add(form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form (on its fields when they exist)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def next_url_safe(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site (a bare word would reach redirect() as a view name to reverse).
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default


def person_page_url(person_pk: int) -> str:
    """The person's page (cases app) when it exists, else their services page here."""
    try:
        return reverse("cases:person_detail", args=[person_pk])
    except NoReverseMatch:
        return reverse("services:person_services", args=[person_pk])
