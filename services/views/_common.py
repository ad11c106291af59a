"""Helpers shared by the services views."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def person_page_url(person_pk: int) -> str:
    """The person's page (cases app) when it exists, else their services page here."""
    try:
        return reverse("cases:person_detail", args=[person_pk])
    except NoReverseMatch:
        return reverse("services:person_services", args=[person_pk])
