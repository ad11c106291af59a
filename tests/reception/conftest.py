"""Fixtures of the reception tests: a receptionist and two caseworkers at PAO-LS, one at PAO-NO."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def receptionist(make_user):
    return make_user("receptionist", sites=["PAO-LS"], username="rocio")


@pytest.fixture
def north_site(ref):
    from tests.factories import second_orientation_site

    return second_orientation_site()


@pytest.fixture
def caseworker_north(make_user, north_site):
    return make_user("caseworker", sites=["PAO-NO"], username="cw-north")


def check_in(user, person, *, area="documentation", site=None, **kwargs):
    from reception.actions import visit_check_in

    return visit_check_in(user=user, site=site or person.site, person=person, area=area, **kwargs)


def key_in(response) -> str:
    """The one-time submission key of the form on a page."""
    import re

    match = re.search(r'name="submission_key" value="([^"]+)"', response.content.decode())
    assert match, "the form carries no submission key"
    return match.group(1)
