"""Anonymous head counts at community activities."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services.sport.models import HeadCount

from ..factories import SportSessionFactory


@pytest.fixture
def community(group):
    return SportSessionFactory(
        group=group,
        site=group.site,
        program=group.program,
        date=timezone.localdate(),
        activity="community_activity",
    )


def url(session):
    return reverse("sport:sport_head_count", args=[session.pk])


def test_the_attendance_screen_of_a_community_activity_has_a_head_count(
    client_for, facilitator, community, session
):
    client = client_for(facilitator)
    assert (
        'data-testid="head-count"'
        in client.get(reverse("sport:sport_attendance", args=[community.pk])).content.decode()
    )
    assert (
        'data-testid="head-count"'
        not in client.get(reverse("sport:sport_attendance", args=[session.pk])).content.decode()
    )


def test_save_and_correct_a_head_count(client_for, facilitator, community):
    client = client_for(facilitator)
    response = client.post(
        url(community), {"hc_F_5_11": "14", "hc_M_5_11": "9", "hc_X_60plus": "1", "hc_F_0_4": ""}
    )
    assert response.status_code == 302
    assert {(h.sex, h.age_band): h.count for h in HeadCount.objects.all()} == {
        ("F", "5-11"): 14,
        ("M", "5-11"): 9,
        ("X", "60+"): 1,
    }
    client.post(url(community), {"hc_F_5_11": "15", "hc_M_5_11": "0"})
    assert {(h.sex, h.age_band): h.count for h in HeadCount.objects.all()} == {("F", "5-11"): 15}
    page = client.get(reverse("sport:sport_attendance", args=[community.pk])).content.decode()
    assert 'value="15"' in page


def test_negative_or_garbage_counts_change_nothing(client_for, facilitator, community):
    client = client_for(facilitator)
    client.post(url(community), {"hc_F_5_11": "14"})
    for bad in ("-3", "many", "100000"):
        client.post(url(community), {"hc_F_5_11": bad, "hc_M_5_11": "4"})
    assert {(h.sex, h.age_band): h.count for h in HeadCount.objects.all()} == {("F", "5-11"): 14}


def test_only_community_activities_take_head_counts(client_for, facilitator, session):
    client_for(facilitator).post(url(session), {"hc_F_5_11": "14"})
    assert not HeadCount.objects.exists()


def test_no_head_count_for_a_future_activity(client_for, facilitator, group):
    future = SportSessionFactory(
        group=group,
        site=group.site,
        program=group.program,
        date=timezone.localdate() + timedelta(days=2),
        activity="community_activity",
    )
    client_for(facilitator).post(url(future), {"hc_F_5_11": "14"})
    assert not HeadCount.objects.exists()


def test_coordinators_read_head_counts_but_do_not_write_them(client_for, coordinator, community):
    client = client_for(coordinator)
    assert client.get(reverse("sport:sport_attendance", args=[community.pk])).status_code == 200
    assert client.post(url(community), {"hc_F_5_11": "14"}).status_code == 403
    assert not HeadCount.objects.exists()
