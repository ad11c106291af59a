"""Exact query counts of the account's lists (notifications, API tokens): the same whatever the
number of rows. The first request of each test warms the session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.actions import api_token_create
from orientation.actions import notification_send

ROWS = [1, 10]


@pytest.mark.parametrize("rows", ROWS)
def test_notifications(client_for, caseworker, page_queries, rows):
    for i in range(rows):
        notification_send(user=caseworker, message=f"Aviso {i}", url="/people/")
    response = page_queries(client_for(caseworker), reverse("notification_list"), 6)
    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_api_tokens(client_for, caseworker, page_queries, rows):
    for i in range(rows):
        api_token_create(user=caseworker, name=f"Hoja de cálculo {i}", days=30)
    # One of the six: the user's second-factor device, whose code the form asks for.
    response = page_queries(client_for(caseworker), reverse("api_tokens"), 6)
    assert len(response.context["tokens"]) == rows
