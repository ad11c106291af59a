"""The facilitator's home-page widget: ``{% load sport_tags %}{% my_groups_widget %}``."""

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from ..factories import SportGroupFactory


def render(user):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load sport_tags %}{% my_groups_widget %}").render(Context({"request": request}))


def test_widget_lists_my_groups_with_take_attendance_buttons(facilitator, group, other_group):
    inactive = SportGroupFactory(name="Old group", active=False)
    inactive.facilitators.add(facilitator)
    html = render(facilitator)
    assert group.name in html
    assert other_group.name not in html and "Old group" not in html
    assert reverse("sport:sport_session_create", args=[group.pk]) in html


def test_widget_continues_todays_session(facilitator, group, session):
    html = render(facilitator)
    assert reverse("sport:sport_attendance", args=[session.pk]) in html
    assert reverse("sport:sport_session_create", args=[group.pk]) not in html


def test_widget_for_someone_without_groups(coordinator):
    html = render(coordinator)
    assert 'data-testid="my-groups-widget"' in html
    assert reverse("sport:sport_group_list") in html


def test_widget_query_count_does_not_grow_with_groups(facilitator, django_assert_num_queries):
    for i in range(12):
        SportGroupFactory(name=f"G{i}").facilitators.add(facilitator)
    facilitator = type(facilitator).objects.get(pk=facilitator.pk)
    with django_assert_num_queries(3):
        render(facilitator)
