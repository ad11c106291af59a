"""Per-group figures: attendance rate, retention over three months, who stopped coming, and
anonymous head counts kept apart from every count of people."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services.sport.models import Attendance
from services.sport.selectors import sport_group_stats, sport_group_stopped_coming

from ..factories import AttendanceFactory, SportSessionFactory
from .factories import ChildFactory, GroupParticipantFactory, HeadCountFactory


@pytest.fixture
def history(group):
    """Members A, B, C (long-standing), D (joined 10 days ago), E (left 80 days ago); six sessions."""
    today = timezone.localdate()
    long_ago = today - timedelta(days=400)
    people = {}
    for key, joined, left in [
        ("A", long_ago, None),
        ("B", long_ago, None),
        ("C", long_ago, None),
        ("D", today - timedelta(days=10), None),
        ("E", long_ago, today - timedelta(days=80)),
    ]:
        people[key] = GroupParticipantFactory(
            group=group, person=ChildFactory(), joined_on=joined, left_on=left
        ).person

    def session(days_ago, **kwargs):
        return SportSessionFactory(
            group=group,
            site=group.site,
            program=group.program,
            date=today - timedelta(days=days_ago),
            **kwargs,
        )

    plan = {
        100: {"A": True, "B": True, "C": False, "E": True},
        70: {"A": True, "B": True},
        20: {"A": True},
        14: {"A": True, "B": False},
        7: {"A": True},
        0: {"A": True},
    }
    for days_ago, marks in plan.items():
        s = session(days_ago)
        for key, present in marks.items():
            AttendanceFactory(session=s, person=people[key], present=present)
    session(3, activity="leadership_workshop")  # opened but attendance never taken: not counted
    return people


def test_attendance_rate_counts_members_enrolled_on_each_session_date(group, history):
    stats = sport_group_stats(group, today=timezone.localdate())
    assert stats.sessions_taken == 6
    # A, B, C on 6 sessions; D on the last 2; E on the first only.
    assert stats.expected == 3 * 6 + 2 + 1
    assert stats.present == 9
    assert stats.attendance_rate == round(100 * 9 / 21)
    assert stats.participants == 4  # E left
    assert stats.unique_people == 3  # A, B, E


def test_retention_over_three_months(group, history):
    stats = sport_group_stats(group, today=timezone.localdate())
    # Present 90 to 61 days ago: A and B. Present in the last 30 days: A.
    assert (stats.retention_cohort, stats.retention_kept, stats.retention_rate) == (2, 1, 50)


def test_stopped_coming_after_four_sessions(group, history):
    stopped, enough = sport_group_stopped_coming(group, today=timezone.localdate())
    assert enough
    assert [p.pk for p in stopped] == [history["B"].pk]
    assert stopped[0].last_present_on == timezone.localdate() - timedelta(days=70)


def test_stopped_coming_needs_four_sessions(group, kids):
    s = SportSessionFactory(group=group, site=group.site, program=group.program, date=timezone.localdate())
    AttendanceFactory(session=s, person=kids[0])
    assert sport_group_stopped_coming(group, today=timezone.localdate()) == ([], False)


def test_a_group_without_sessions_has_no_rate(group, kids):
    stats = sport_group_stats(group, today=timezone.localdate())
    assert stats.attendance_rate is None and stats.retention_rate is None
    assert stats.participants == 5


def test_head_counts_are_kept_apart_from_people(client_for, facilitator, group, history):
    before = sport_group_stats(group, today=timezone.localdate())
    community = SportSessionFactory(
        group=group,
        site=group.site,
        program=group.program,
        date=timezone.localdate() - timedelta(days=1),
        activity="community_activity",
    )
    HeadCountFactory(session=community, sex="F", age_band="5-11", count=25)
    HeadCountFactory(session=community, sex="M", age_band="18-59", count=12)
    after = sport_group_stats(group, today=timezone.localdate())
    assert after.head_count_total == 37
    assert (after.unique_people, after.present, after.expected, after.participants, after.sessions_taken) == (
        before.unique_people,
        before.present,
        before.expected,
        before.participants,
        before.sessions_taken,
    )
    assert not Attendance.objects.filter(session=community).exists()
    html = client_for(facilitator).get(reverse("sport:sport_group_detail", args=[group.pk])).content.decode()
    assert 'data-testid="head-count-total"' in html and "37" in html


def test_group_page_shows_the_figures(client_for, facilitator, group, history):
    html = client_for(facilitator).get(reverse("sport:sport_group_detail", args=[group.pk])).content.decode()
    rate = html.split('data-testid="attendance-rate">')[1].split("<")[0]
    assert rate.strip() == "43 %"
    assert 'data-testid="stopped-coming"' in html
    assert history["B"].given_names in html.split('data-testid="stopped-coming"')[1].split("</section>")[0]


def test_taking_someone_off_the_list(client_for, facilitator, group, history):
    from services.sport.models import GroupParticipant

    b = history["B"]
    response = client_for(facilitator).post(reverse("sport:sport_participant_leave", args=[group.pk, b.pk]))
    assert response.status_code == 302
    assert GroupParticipant.objects.get(group=group, person=b).left_on == timezone.localdate()
    assert Attendance.objects.filter(person=b).count() == 3  # their attendance stays
    stopped, _enough = sport_group_stopped_coming(group, today=timezone.localdate())
    assert stopped == []
