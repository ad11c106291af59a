"""Fixtures for the API tests: a token per user and a client that sends it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from api.actions import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for():
    def _make(user, *, days: int = 30, name: str = "test") -> str:
        return api_token_create(user=user, name=name, days=days)[1]

    return _make


@pytest.fixture
def api_get(client, token_for):
    """``api_get(user, "/api/v1/programs/", {"page": 1})`` → the response, authenticated by token
    (``user=None``: without credentials)."""

    def _get(user, url, params=None, **headers):
        if user is not None:
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {token_for(user)}")
        return client.get(url, params or {}, **headers)

    return _get


@pytest.fixture
def role_users(make_user):
    return {
        "norole": make_user(None, sites=["PAO-LS"], username="api-norole"),
        "caseworker": make_user("caseworker", sites=["PAO-LS"], username="api-caseworker"),
        "psychosocial": make_user("psychosocial", sites=["PAO-LS"], username="api-psychosocial"),
        "facilitator": make_user("facilitator", sites=["SCH-01"], username="api-facilitator"),
        "coordinator": make_user("coordinator", programs=["PAO"], username="api-coordinator"),
        "admin": make_user("admin", username="api-admin"),
    }
