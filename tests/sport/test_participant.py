"""The light-profile page: what a facilitator may know about a participant, and no more."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ..factories import AttendanceFactory, SportSessionFactory, site
from .factories import ChildFactory, GroupParticipantFactory, GuardianConsentFactory


def url(person):
    return reverse("sport:sport_participant_detail", args=[person.pk])


def test_facilitator_sees_the_light_profile(client_for, facilitator, group, session):
    kid = GroupParticipantFactory(group=group, person=ChildFactory(guardian_phone="987000111")).person
    GuardianConsentFactory(person=kid, purpose="data_processing")
    AttendanceFactory(session=session, person=kid)
    html = client_for(facilitator).get(url(kid)).content.decode()
    assert kid.guardian_name in html and 'href="tel:987000111"' in html
    assert 'data-testid="consents"' in html and "bi-check-circle" in html
    assert reverse("sport:sport_attendance", args=[session.pk]) in html


def test_attendance_in_groups_the_user_cannot_see_is_hidden(
    client_for, facilitator, group, other_group, session
):
    kid = GroupParticipantFactory(group=group).person
    GroupParticipantFactory(group=other_group, person=kid)
    hidden = SportSessionFactory(
        group=other_group,
        site=other_group.site,
        program=other_group.program,
        date=timezone.localdate() - timedelta(days=2),
    )
    AttendanceFactory(session=hidden, person=kid)
    html = client_for(facilitator).get(url(kid)).content.decode()
    assert other_group.name not in html
    assert reverse("sport:sport_attendance", args=[hidden.pk]) not in html


def test_caseworker_of_the_site_sees_it_with_a_link_to_the_case_file(client_for, sch01_caseworker, group):
    kid = GroupParticipantFactory(group=group).person
    response = client_for(sch01_caseworker).get(url(kid))
    assert response.status_code == 200
    assert response.context["can_open_case_file"]


def test_facilitator_gets_no_case_file_link(client_for, facilitator, group):
    kid = GroupParticipantFactory(group=group).person
    assert client_for(facilitator).get(url(kid)).context["can_open_case_file"] is False


def test_a_participant_who_left_stays_visible_to_their_facilitator(client_for, facilitator, group):
    kid = GroupParticipantFactory(group=group, left_on=timezone.localdate()).person
    assert client_for(facilitator).get(url(kid)).status_code == 200


def test_light_profiles_of_the_site_outside_my_groups_are_not_open_to_me(client_for, facilitator, group):
    stranger = ChildFactory(site=site("SCH-01"))
    assert client_for(facilitator).get(url(stranger)).status_code == 404
