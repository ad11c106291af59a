"""The line: priority then arrival, calling from a desk, two calls without an answer, serving,
and a ticket of one site never called at another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Vulnerability
from reception import actions
from reception.models import ReceptionSetting, Visit
from reception.selectors import reception_line
from tests.factories import PersonFactory, site

from .conftest import check_in


def _morning(receptionist):
    """Five people in the documentation line, checked in a minute apart: two walk-ins, a returning
    appointment, an older person (priority from the record) and one marked priority at the door."""
    start = timezone.now() - timedelta(minutes=30)
    older = PersonFactory(given_names="Older")
    older.vulnerabilities.add(Vulnerability.objects.get(code="older_person"))
    arrivals = [
        (PersonFactory(given_names="Walkin1"), {}),
        (PersonFactory(given_names="Appointment"), {"returning": True}),
        (PersonFactory(given_names="Walkin2"), {}),
        (older, {}),
        (PersonFactory(given_names="Marked"), {"manual_priority": True}),
    ]
    return [
        check_in(receptionist, person, now=start + timedelta(minutes=i), **extra)
        for i, (person, extra) in enumerate(arrivals)
    ]


def test_the_line_is_priority_first_then_appointments_then_walk_ins_each_by_arrival(ref, receptionist):
    visits = _morning(receptionist)
    line = list(reception_line(site("PAO-LS"), day=timezone.localdate(), area="documentation"))
    assert [v.person.given_names for v in line] == ["Older", "Marked", "Appointment", "Walkin1", "Walkin2"]
    assert [v.ticket for v in line] == [visits[i].ticket for i in (3, 4, 1, 0, 2)]


def test_call_next_calls_in_that_order_to_the_callers_desk(ref, receptionist, caseworker):
    _morning(receptionist)
    pao = site("PAO-LS")
    called = [
        actions.visit_call_next(user=caseworker, site=pao, area="documentation", desk="3") for _ in range(5)
    ]
    assert [v.person.given_names for v in called] == ["Older", "Marked", "Appointment", "Walkin1", "Walkin2"]
    assert {(v.status, v.desk, v.served_by) for v in called} == {(Visit.Status.CALLED, "3", caseworker)}
    assert actions.visit_call_next(user=caseworker, site=pao, area="documentation", desk="3") is None


def test_a_line_of_another_area_is_not_called(ref, receptionist, caseworker):
    check_in(receptionist, PersonFactory(), area="primary_care")
    assert (
        actions.visit_call_next(user=caseworker, site=site("PAO-LS"), area="documentation", desk="1") is None
    )


def test_a_ticket_of_one_site_cannot_be_called_at_another(ref, receptionist, north_site, make_user, client):
    visit = check_in(receptionist, PersonFactory())
    # A caseworker of both orientation points, at the north site's line: refused, the ticket waits.
    both = make_user("caseworker", sites=["PAO-LS", "PAO-NO"], username="both")
    with pytest.raises(ValidationError, match="another site"):
        actions.visit_call(user=both, visit=visit, site=north_site, desk="1")
    client.force_login(both)
    response = client.post(
        reverse("reception:visit_call", args=[visit.pk]), {"site": north_site.pk, "desk": "1"}, follow=True
    )
    assert "it can only be called there" in response.content.decode()
    # "Call next" at the north site never reaches it.
    assert actions.visit_call_next(user=both, site=north_site, area="", desk="1") is None
    # A caseworker of the north site alone does not even find it.
    north = make_user("caseworker", sites=["PAO-NO"], username="north-only")
    client.force_login(north)
    assert client.post(reverse("reception:visit_call", args=[visit.pk]), {"desk": "1"}).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.visit_call(user=north, visit=visit, site=visit.site, desk="1")
    visit.refresh_from_db()
    assert (visit.status, visit.called_at, visit.desk) == (Visit.Status.WAITING, None, "")


def test_receptionists_check_in_but_do_not_call(ref, receptionist):
    visit = check_in(receptionist, PersonFactory())
    with pytest.raises(PermissionDenied):
        actions.visit_call(user=receptionist, visit=visit, site=visit.site, desk="1")


@pytest.mark.parametrize(
    ("setting", "final_status"),
    [
        (ReceptionSetting.NoAnswer.REQUEUE, Visit.Status.WAITING),
        (ReceptionSetting.NoAnswer.LEAVE, Visit.Status.LEFT),
    ],
)
def test_two_calls_without_an_answer_send_the_ticket_back_or_out_by_the_sites_setting(
    ref, receptionist, caseworker, setting, final_status
):
    pao = site("PAO-LS")
    ReceptionSetting.objects.create(site=pao, no_answer=setting)
    start = timezone.now() - timedelta(minutes=20)
    first = check_in(receptionist, PersonFactory(given_names="First"), now=start)
    second = check_in(receptionist, PersonFactory(given_names="Second"), now=start + timedelta(minutes=1))
    called = actions.visit_call_next(user=caseworker, site=pao, area="", desk="2")
    assert called == first
    once = actions.visit_no_answer(user=caseworker, visit=called)
    assert (once.status, once.calls, once.queued_at) == (Visit.Status.WAITING, 1, first.queued_at)
    # Still first in line: called again.
    again = actions.visit_call_next(user=caseworker, site=pao, area="", desk="2")
    assert again == first
    twice = actions.visit_no_answer(user=caseworker, visit=again)
    assert (twice.status, twice.calls) == (final_status, 2)
    if final_status == Visit.Status.WAITING:
        assert twice.queued_at > second.queued_at
        assert [v.pk for v in reception_line(pao, day=timezone.localdate())] == [second.pk, first.pk]
    else:
        assert twice.finished_at is not None
        assert [v.pk for v in reception_line(pao, day=timezone.localdate())] == [second.pk]


def test_start_opens_the_intake_and_done_closes_the_visit(ref, client, receptionist, caseworker):
    visit = check_in(receptionist, PersonFactory())
    client.force_login(caseworker)
    client.post(reverse("reception:call_next"), {"site": visit.site_id, "area": "", "desk": "4"})
    visit.refresh_from_db()
    assert (visit.status, visit.desk) == (Visit.Status.CALLED, "4")
    response = client.post(reverse("reception:visit_start", args=[visit.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:intake_create", args=[visit.person_id])
    response = client.post(reverse("reception:visit_done", args=[visit.pk]))
    visit.refresh_from_db()
    assert (
        visit.status == Visit.Status.DONE and visit.finished_at >= visit.service_started_at >= visit.called_at
    )
    assert [h.history_change_reason for h in visit.history.order_by("history_id")] == [
        "check-in",
        "call",
        "service started",
        "done",
    ]


def test_a_receptionist_marks_someone_who_left(ref, client, receptionist):
    visit = check_in(receptionist, PersonFactory())
    client.force_login(receptionist)
    client.post(reverse("reception:visit_left", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.status == Visit.Status.LEFT
    response = client.post(reverse("reception:visit_left", args=[visit.pk]), follow=True)
    assert "Only a ticket still in the line can be marked as gone." in response.content.decode()


def test_a_step_out_of_order_is_refused_with_a_message(ref, client, receptionist, caseworker):
    visit = check_in(receptionist, PersonFactory())
    client.force_login(caseworker)
    response = client.post(reverse("reception:visit_start", args=[visit.pk]), follow=True)
    assert "Call this ticket before starting the service." in response.content.decode()
    response = client.post(reverse("reception:call_next"), {"site": visit.site_id, "desk": ""}, follow=True)
    assert "Write your desk number before calling." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.WAITING


@pytest.mark.parametrize("rows", [2, 8])
def test_the_queue_page_queries_do_not_grow_with_the_line(
    ref, client, receptionist, caseworker, page_queries, rows
):
    for person in PersonFactory.create_batch(rows):
        check_in(receptionist, person)
    actions.visit_call_next(user=caseworker, site=site("PAO-LS"), area="", desk="1")
    client.force_login(caseworker)
    response = page_queries(client, reverse("reception:queue") + f"?site={site('PAO-LS').pk}", 11)
    assert response.content.decode().count('data-ticket="') == rows - 1


@pytest.mark.parametrize("rows", [1, 8])
def test_the_desk_page_queries_do_not_grow_with_the_tickets(ref, client, receptionist, page_queries, rows):
    for person in PersonFactory.create_batch(rows):
        check_in(receptionist, person)
    client.force_login(receptionist)
    response = page_queries(client, reverse("reception:desk"), 10)
    assert response.content.decode().count("reception/visits/") == rows


def test_the_queue_page_has_an_empty_state(ref, client, caseworker):
    client.force_login(caseworker)
    html = client.get(reverse("reception:queue")).content.decode()
    assert "Nobody is waiting in this line." in html and "Nobody is at a desk." in html
