"""Query counts of the sport pages do not grow with rows (pinned after writing them)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ..factories import AttendanceFactory, SportGroupFactory, SportSessionFactory
from .factories import ChildFactory, GroupParticipantFactory, GuardianConsentFactory, HeadCountFactory

ATTENDANCE_SCREEN_QUERIES = 8


def fill_group(group, n):
    people = []
    for i in range(n):
        kid = GroupParticipantFactory(group=group, person=ChildFactory()).person
        if i % 2:
            GuardianConsentFactory(person=kid)
        people.append(kid)
    return people


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [5, 40])
def test_attendance_screen_with_5_and_40_participants(
    client_for, facilitator, group, session, n, django_assert_num_queries
):
    people = fill_group(group, n)
    for kid in people[::3]:
        AttendanceFactory(session=session, person=kid, present=True)
    client = client_for(facilitator)
    url = reverse("sport:sport_attendance", args=[session.pk])
    with django_assert_num_queries(ATTENDANCE_SCREEN_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('data-testid="attendance-row"') == n


def test_attendance_screen_of_a_community_activity(client_for, facilitator, group, django_assert_num_queries):
    community = SportSessionFactory(
        group=group,
        site=group.site,
        program=group.program,
        date=timezone.localdate(),
        activity="community_activity",
    )
    HeadCountFactory(session=community)
    fill_group(group, 40)
    client = client_for(facilitator)
    with django_assert_num_queries(ATTENDANCE_SCREEN_QUERIES + 1):
        client.get(reverse("sport:sport_attendance", args=[community.pk]))


def test_a_tap_costs_the_same_for_any_group_size(client_for, facilitator, group, session):
    client = client_for(facilitator)
    hx = {"HTTP_HX_REQUEST": "true"}
    people = fill_group(group, 5)
    url = reverse("sport:sport_attendance_mark", args=[session.pk, people[0].pk])
    with CaptureQueriesContext(connection) as few:
        client.post(url, {"present": "1"}, **hx)
    people += fill_group(group, 35)
    url = reverse("sport:sport_attendance_mark", args=[session.pk, people[-1].pk])
    with CaptureQueriesContext(connection) as many:
        client.post(url, {"present": "1"}, **hx)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("rows", [3, 30])
def test_group_list(client_for, admin_user, facilitator, page_queries, rows):
    for _ in range(rows):
        g = SportGroupFactory()
        g.facilitators.add(facilitator)
        GroupParticipantFactory(group=g)
    response = page_queries(client_for(admin_user), reverse("sport:sport_group_list"), 8)
    assert len(response.context["page_obj"]) == min(rows, 25)


# Enough weekly sessions that every figure (retention, stopped coming) is computed each time.
@pytest.mark.parametrize("members, sessions", [(3, 12), (23, 20)])
def test_group_detail(client_for, facilitator, group, page_queries, members, sessions):
    people = fill_group(group, members)
    for i in range(sessions):
        s = SportSessionFactory(
            group=group,
            site=group.site,
            program=group.program,
            date=timezone.localdate() - timedelta(days=7 * i),
        )
        for kid in people:
            AttendanceFactory(session=s, person=kid, present=bool(kid.pk % 2))
    url = reverse("sport:sport_group_detail", args=[group.pk])
    response = page_queries(client_for(facilitator), url, 19)
    assert len(response.context["participants"]) == members


@pytest.mark.parametrize("rows", [3, 33])
def test_participant_page(client_for, facilitator, group, page_queries, rows):
    kid = GroupParticipantFactory(group=group).person
    for i in range(rows):
        s = SportSessionFactory(
            group=group,
            site=group.site,
            program=group.program,
            date=timezone.localdate() - timedelta(days=i + 1),
        )
        AttendanceFactory(session=s, person=kid)
    url = reverse("sport:sport_participant_detail", args=[kid.pk])
    response = page_queries(client_for(facilitator), url, 9)
    assert len(response.context["attendance_page"]) == min(rows, 20)


@pytest.mark.parametrize("rows", [1, 10])
def test_attendance_search(client_for, facilitator, session, page_queries, rows):
    ChildFactory.create_batch(rows, given_names="Génesis")  # light profiles at the school, not in the group
    url = reverse("sport:sport_attendance_search", args=[session.pk])
    response = page_queries(client_for(facilitator), url, 7, data={"q": "genesis"}, HTTP_HX_REQUEST="true")
    assert len(response.context["results"]) == rows
