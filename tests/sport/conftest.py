"""Fixtures for the sport tests: a group at SCH-01 with its facilitator, a session today, kids."""

from datetime import date

import pytest
from django.utils import timezone

from ..factories import SportGroupFactory, SportSessionFactory, site
from .factories import ChildFactory, GroupParticipantFactory


@pytest.fixture
def group(facilitator):
    group = SportGroupFactory(name="Sub-12 SCH-01", age_min=6, age_max=12)
    group.facilitators.add(facilitator)
    return group


@pytest.fixture
def other_facilitator(make_user):
    """A facilitator at the same school who does not facilitate ``group``."""
    return make_user("facilitator", sites=["SCH-01"], username="fac2")


@pytest.fixture
def other_group(other_facilitator):
    group = SportGroupFactory(name="Sub-16 SCH-01", age_min=12, age_max=16)
    group.facilitators.add(other_facilitator)
    return group


@pytest.fixture
def far_group(make_user):
    """A group at the other school, with its own facilitator."""
    group = SportGroupFactory(name="Sub-10 SCH-02", site=site("SCH-02"))
    group.facilitators.add(make_user("facilitator", sites=["SCH-02"], username="fac-sch02"))
    return group


@pytest.fixture
def session(group):
    return SportSessionFactory(group=group, site=group.site, program=group.program, date=timezone.localdate())


@pytest.fixture
def kids(group):
    """Five participants of ``group``."""
    return [
        GroupParticipantFactory(group=group, person=ChildFactory(), joined_on=date(2025, 1, 6)).person
        for _ in range(5)
    ]


@pytest.fixture
def sch01_caseworker(make_user):
    return make_user("caseworker", sites=["SCH-01"], username="cw-sch01")


@pytest.fixture
def hx():
    """Request headers that make django-htmx see an htmx request."""
    return {"HTTP_HX_REQUEST": "true"}
