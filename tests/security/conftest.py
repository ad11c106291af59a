"""Fixtures for the security tests: one user per role of the URL matrix, and the object world."""

from __future__ import annotations

import pytest

from .url_matrix import ROLES, World


@pytest.fixture
def role_users(make_user):
    """A user per role of the matrix (``anonymous`` is None); sites as in url_matrix.ROLE_SITE."""
    from tests.factories import second_orientation_site

    second_orientation_site()
    return {
        "anonymous": None,
        "norole": make_user(None, sites=["PAO-LS"], username="walk-norole"),
        "caseworker": make_user("caseworker", sites=["PAO-LS"], username="walk-caseworker"),
        "psychosocial": make_user("psychosocial", sites=["PAO-LS"], username="walk-psychosocial"),
        "facilitator": make_user("facilitator", sites=["SCH-01"], username="walk-facilitator"),
        "coordinator": make_user("coordinator", programs=["PAO"], username="walk-coordinator"),
        "admin": make_user("admin", username="walk-admin"),
        "receptionist": make_user("receptionist", sites=["PAO-LS"], username="walk-receptionist"),
        "caseworker_north": make_user("caseworker", sites=["PAO-NO"], username="walk-caseworker-north"),
        "psychosocial_north": make_user("psychosocial", sites=["PAO-NO"], username="walk-psychosocial-north"),
        "coordinator_balon": make_user(
            "coordinator", programs=["BALON"], steward=False, username="walk-coordinator-balon"
        ),
    }


@pytest.fixture
def world(ref, role_users):
    w = World()
    w.users = role_users
    return w


def sign_in(client, world, role: str):
    """Sign the client in as the role's user (or out, for anonymous) and point the world at it."""
    client.logout()
    world.role = role
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


assert set(ROLES) >= {"anonymous", "admin"}
