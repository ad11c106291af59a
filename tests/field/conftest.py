"""Fixtures for the field tests: the sport tests' group at SCH-01 with its facilitator, a session
today, five kids; and a helper that posts a batch of queued submissions as JSON."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from tests.sport.conftest import far_group, group, kids, other_facilitator, session  # noqa: F401


@pytest.fixture
def send():
    """``send(client, [item, ...])`` → the answers (the response must be 200)."""

    def _send(client, items, *, status=200):
        response = client.post(
            reverse("field:field_sync"), json.dumps({"submissions": items}), content_type="application/json"
        )
        assert response.status_code == status, response.content
        return response.json().get("results") if status == 200 else response.json()

    return _send


def mark(sport_session, person, present=True, key=None) -> dict:
    return {
        "key": str(key or uuid.uuid4()),
        "kind": "attendance",
        "session": sport_session.pk,
        "person": person.pk,
        "present": present,
        "made_at": "2026-03-12T10:00:00-05:00",
    }
