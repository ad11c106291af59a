"""Opening a session from the group page."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from services.sport.models import SportSession


def url(group):
    return reverse("sport:sport_session_create", args=[group.pk])


def test_form_defaults_to_today_and_the_user(client_for, facilitator, group):
    response = client_for(facilitator).get(url(group))
    form = response.context["form"]
    assert form.fields["date"].initial == timezone.localdate()
    assert facilitator.pk in form.fields["facilitators"].initial


def test_open_a_session_and_land_on_attendance(client_for, facilitator, group):
    today = timezone.localdate()
    response = client_for(facilitator).post(
        url(group),
        {
            "date": today.isoformat(),
            "activity": "leadership_workshop",
            "topic": " Trabajo en equipo ",
            "facilitators": [facilitator.pk],
        },
    )
    session = SportSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sport:sport_attendance", args=[session.pk])
    assert (session.program, session.site, session.group) == (group.program, group.site, group)
    assert session.topic == "Trabajo en equipo"
    assert session.created_by == facilitator
    assert list(session.facilitators.all()) == [facilitator]


def test_the_same_session_twice_opens_the_existing_one(client_for, facilitator, group):
    client = client_for(facilitator)
    data = {"date": timezone.localdate().isoformat(), "activity": "soccer_clinic"}
    first = client.post(url(group), data)
    second = client.post(url(group), data)
    assert SportSession.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_session_in_the_future_is_refused(client_for, facilitator, group):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(facilitator).post(
        url(group), {"date": tomorrow.isoformat(), "activity": "soccer_clinic"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not SportSession.objects.exists()


def test_a_session_before_the_program_started_is_refused(client_for, facilitator, group):
    response = client_for(facilitator).post(
        url(group), {"date": date(2018, 6, 1).isoformat(), "activity": "soccer_clinic"}
    )
    assert response.context["form"].errors["date"]
    assert not SportSession.objects.exists()


def test_an_inactive_group_takes_no_sessions(client_for, facilitator, group):
    group.active = False
    group.save()
    response = client_for(facilitator).post(
        url(group), {"date": timezone.localdate().isoformat(), "activity": "soccer_clinic"}
    )
    assert response.status_code == 200
    assert not SportSession.objects.exists()


def test_unknown_activity_is_refused(client_for, facilitator, group):
    client_for(facilitator).post(
        url(group), {"date": timezone.localdate().isoformat(), "activity": "karaoke"}
    )
    assert not SportSession.objects.exists()
