"""Query counts of the sport pages do not grow with rows (pinned after writing them)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ..factories import AttendanceFactory, SportGroupFactory, SportSessionFactory
from .factories import ChildFactory, GroupParticipantFactory, GuardianConsentFactory, HeadCountFactory

ATTENDANCE_SCREEN_MAX = 12


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
    client_for, facilitator, group, session, n, django_assert_max_num_queries
):
    people = fill_group(group, n)
    for kid in people[::3]:
        AttendanceFactory(session=session, person=kid, present=True)
    client = client_for(facilitator)
    url = reverse("sport:sport_attendance", args=[session.pk])
    with django_assert_max_num_queries(ATTENDANCE_SCREEN_MAX):
        response = client.get(url)
    assert response.content.decode().count('data-testid="attendance-row"') == n


def test_attendance_screen_same_count_for_5_and_40(client_for, facilitator, group, session):
    client = client_for(facilitator)
    url = reverse("sport:sport_attendance", args=[session.pk])
    fill_group(group, 5)
    few = count_queries(client, url)
    fill_group(group, 35)
    assert count_queries(client, url) == few


def test_attendance_screen_of_a_community_activity(
    client_for, facilitator, group, django_assert_max_num_queries
):
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
    with django_assert_max_num_queries(ATTENDANCE_SCREEN_MAX + 1):
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


def test_group_list_with_3_and_30_groups(client_for, admin_user, facilitator):
    client = client_for(admin_user)
    url = reverse("sport:sport_group_list")

    def add(n):
        for _ in range(n):
            g = SportGroupFactory()
            g.facilitators.add(facilitator)
            GroupParticipantFactory(group=g)

    add(3)
    few = count_queries(client, url)
    add(27)
    assert count_queries(client, url) == few <= 12


def test_group_detail_does_not_grow_with_sessions_and_participants(client_for, facilitator, group):
    client = client_for(facilitator)
    url = reverse("sport:sport_group_detail", args=[group.pk])

    def add(members, sessions):
        people = fill_group(group, members)
        already = group.sessions.count()
        for i in range(sessions):
            s = SportSessionFactory(
                group=group,
                site=group.site,
                program=group.program,
                date=timezone.localdate() - timedelta(days=7 * (already + i)),
            )
            for kid in people:
                AttendanceFactory(session=s, person=kid, present=bool(kid.pk % 2))

    # Enough weekly sessions that every figure (retention, stopped coming) is computed both times.
    add(3, 12)
    few = count_queries(client, url)
    add(20, 8)
    assert count_queries(client, url) == few <= 22


def test_participant_page_does_not_grow_with_attendance(client_for, facilitator, group):
    kid = GroupParticipantFactory(group=group).person
    client = client_for(facilitator)
    url = reverse("sport:sport_participant_detail", args=[kid.pk])

    def add(n):
        for _ in range(n):
            s = SportSessionFactory(
                group=group,
                site=group.site,
                program=group.program,
                date=timezone.localdate() - timedelta(days=group.sessions.count() + 1),
            )
            AttendanceFactory(session=s, person=kid)

    add(3)
    few = count_queries(client, url)
    add(30)
    assert count_queries(client, url) == few <= 12
