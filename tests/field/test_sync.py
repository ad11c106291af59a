"""The queue's endpoint: each submission accepted exactly once, combined marks, refusals with a
reason in the user's language."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Person
from field.actions import field_submission_apply, field_submissions_apply
from field.models import FieldSubmission
from field.selectors import head_count_version
from services.sport.models import Attendance, HeadCount, SportSession
from tests.factories import PersonFactory, SportSessionFactory, site
from tests.sport.factories import ChildFactory, GroupParticipantFactory

from .conftest import mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(settings):
    settings.LANGUAGE_CODE = "en"


def test_a_mark_is_accepted_once_and_a_replay_changes_nothing(client, facilitator, session, kids, send, en):
    client.force_login(facilitator)
    items = [mark(session, kid, present=i != 2) for i, kid in enumerate(kids)]
    answers = send(client, items)
    assert [a["status"] for a in answers] == ["accepted"] * 5
    assert [a["key"] for a in answers] == [i["key"] for i in items]
    assert Attendance.objects.filter(session=session).count() == 5
    assert Attendance.objects.filter(session=session, present=True).count() == 4
    history_rows = Attendance.history.count()

    # The connection dropped before the answer arrived: the device sends the same batch again.
    answers = send(client, items)
    assert [a["status"] for a in answers] == ["duplicate"] * 5
    assert Attendance.objects.filter(session=session).count() == 5
    assert Attendance.history.count() == history_rows
    assert FieldSubmission.objects.count() == 5
    assert set(FieldSubmission.objects.values_list("user", flat=True)) == {facilitator.pk}


def test_the_same_key_twice_in_one_batch_and_from_two_tabs(facilitator, session, kids, send, en):
    tab_a, tab_b = Client(), Client()
    tab_a.force_login(facilitator)
    tab_b.force_login(facilitator)
    item = mark(session, kids[0], present=True)
    assert [a["status"] for a in send(tab_a, [item, item])] == ["accepted", "duplicate"]
    # The other tab sends it too, then a correction made after it: the first changes nothing.
    later = mark(session, kids[0], present=False)
    assert [a["status"] for a in send(tab_b, [item, later])] == ["duplicate", "accepted"]
    assert list(Attendance.objects.filter(session=session).values_list("present", flat=True)) == [False]
    assert FieldSubmission.objects.count() == 2


def test_the_unique_key_is_what_stops_a_concurrent_twin(facilitator, session, kids):
    """Two requests carrying the same key at once both pass the early look-up; the database's
    unique constraint turns the second into a duplicate and rolls its writes back."""
    key = uuid.uuid4()
    field_submission_apply(user=facilitator, key=key, item=mark(session, kids[0], present=True, key=key))
    with pytest.raises(IntegrityError), transaction.atomic():
        field_submission_apply(user=facilitator, key=key, item=mark(session, kids[1], present=True, key=key))
    assert list(Attendance.objects.values_list("person", flat=True)) == [kids[0].pk]


def test_two_facilitators_combine_their_present_marks(
    make_user, client, facilitator, group, session, kids, send, en
):
    colleague = make_user("facilitator", sites=["SCH-01"], username="fac-colleague")
    group.facilitators.add(colleague)
    client.force_login(facilitator)
    send(client, [mark(session, kids[0], True), mark(session, kids[1], False)])

    other = Client()
    other.force_login(colleague)
    answers = send(
        other, [mark(session, kids[0], False), mark(session, kids[1], True), mark(session, kids[2], True)]
    )
    assert [a["status"] for a in answers] == ["accepted"] * 3
    assert answers[0]["record"]["present"] is True
    assert "Another facilitator marked this participant present" in answers[0]["record"]["notice"]
    present = dict(Attendance.objects.filter(session=session).values_list("person", "present"))
    assert present == {kids[0].pk: True, kids[1].pk: True, kids[2].pk: True}

    # A facilitator may always correct their own mark.
    send(client, [mark(session, kids[0], False)])
    assert Attendance.objects.get(session=session, person=kids[0]).present is False


def test_a_session_opened_on_the_device_is_started_once(client, facilitator, group, kids, send, en):
    client.force_login(facilitator)
    today = timezone.localdate().isoformat()
    ref = {"group": group.pk, "date": today, "activity": "leadership_workshop"}
    items = [
        {"key": str(uuid.uuid4()), "kind": "attendance", **ref, "person": kid.pk, "present": True}
        for kid in kids
    ]
    answers = send(client, items)
    assert {a["status"] for a in answers} == {"accepted"}
    session = SportSession.objects.get(group=group, activity="leadership_workshop")
    assert {a["record"]["session"] for a in answers} == {session.pk}
    assert session.attendances.count() == 5


def test_refused_when_the_group_was_closed_in_the_users_language(
    client, facilitator, group, session, kids, send
):
    client.force_login(facilitator)
    group.active = False
    group.save()
    [answer] = send(client, [mark(session, kids[0])])
    assert answer["status"] == "refused"
    assert "Este grupo fue cerrado" in answer["reason"]
    assert not Attendance.objects.exists() and not FieldSubmission.objects.exists()


def test_refused_when_the_facilitator_left_the_group(client, facilitator, group, session, kids, send, en):
    """The group was given to another facilitator while the phone held the marks: each is refused
    with its reason, nothing is written."""
    client.force_login(facilitator)
    group.facilitators.remove(facilitator)
    answers = send(client, [mark(session, kids[0]), mark(session, kids[1])])
    assert [a["status"] for a in answers] == ["refused", "refused"]
    assert answers[0]["reason"].startswith("You no longer take attendance in this group")
    assert not Attendance.objects.exists() and not FieldSubmission.objects.exists()


def test_the_role_removed_refuses_each_submission_with_its_reason(
    client, facilitator, group, session, kids, send
):
    """Still signed in, no longer allowed: one refusal per submission, in the user's language (the
    device keeps them under "needs attention"), rather than a 403 for the batch."""
    client.force_login(facilitator)
    facilitator.groups.clear()
    head_count = {
        "key": str(uuid.uuid4()),
        "kind": "head_count",
        "session": session.pk,
        "counts": {"F:5-11": 3},
    }
    items = [mark(session, kids[0]), mark(session, kids[1], present=False), head_count]
    answers = send(client, items)
    assert [a["key"] for a in answers] == [i["key"] for i in items]
    assert [a["status"] for a in answers] == ["refused"] * 3
    assert {a["reason"] for a in answers} == {
        "Su rol ya no permite registrar asistencia, conteos ni participantes. Este registro no se "
        "guardó: consulte a un administrador si es un error."
    }
    assert not Attendance.objects.exists() and not FieldSubmission.objects.exists()
    assert not HeadCount.objects.exists()


def test_a_caseworker_whose_site_was_removed_is_refused_item_by_item(make_user, kids, session, send, en):
    caseworker = make_user("caseworker", sites=["SCH-01"])
    client = Client()
    client.force_login(caseworker)
    [answer] = send(client, [mark(session, kids[0])])
    assert answer["status"] == "accepted"
    caseworker.site_memberships.all().delete()  # moved off the school while the phone was offline
    answers = send(client, [mark(session, kids[1]), mark(session, kids[2])])
    assert [a["status"] for a in answers] == ["refused", "refused"]
    assert "a site you no longer work at" in answers[0]["reason"]
    assert list(Attendance.objects.values_list("person", flat=True)) == [kids[0].pk]


def test_signed_out_the_whole_batch_waits(facilitator, session, kids):
    """A signed-out device (or an expired session) gets 401 for the batch: nothing is answered item
    by item, so the device keeps its queue as it was for after the next sign-in."""
    anonymous = Client()
    body = json.dumps({"submissions": [mark(session, kids[0])]})
    response = anonymous.post(reverse("field:field_sync"), body, content_type="application/json")
    assert response.status_code == 401
    assert "results" not in response.json() and response.json()["error"]

    signed_out = Client()
    signed_out.force_login(facilitator)
    signed_out.logout()
    response = signed_out.post(reverse("field:field_sync"), body, content_type="application/json")
    assert response.status_code == 401
    assert not Attendance.objects.exists() and not FieldSubmission.objects.exists()

    # With the CSRF check on, a device without a session is refused before the view: 403.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("field:field_sync"), body, content_type="application/json")
    assert response.status_code == 403
    assert not FieldSubmission.objects.exists()


def test_refused_for_another_sites_group_and_an_anonymized_child(
    client, facilitator, session, far_group, kids, send, en
):
    client.force_login(facilitator)
    far_session = SportSessionFactory(
        group=far_group, site=far_group.site, program=far_group.program, date=timezone.localdate()
    )
    far_kid = GroupParticipantFactory(group=far_group, person=ChildFactory(site=far_group.site)).person
    Person.objects.filter(pk=kids[1].pk).update(anonymized_at=timezone.now())
    answers = send(client, [mark(far_session, far_kid), mark(session, kids[1]), mark(session, kids[0])])
    assert [a["status"] for a in answers] == ["refused", "refused", "accepted"]
    assert "anonymized" in answers[1]["reason"]
    assert list(Attendance.objects.values_list("person", flat=True)) == [kids[0].pk]


def test_a_future_session_and_a_stranger_are_refused(client, facilitator, group, kids, send, en):
    client.force_login(facilitator)
    future = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=timezone.localdate() + timedelta(days=2)
    )
    today = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=timezone.localdate()
    )
    stranger = ChildFactory()
    answers = send(client, [mark(future, kids[0]), mark(today, stranger)])
    assert [a["status"] for a in answers] == ["refused", "refused"]
    assert "in the future" in answers[0]["reason"]
    assert "not a participant" in answers[1]["reason"]


def test_head_count_once(client, facilitator, group, send, en):
    client.force_login(facilitator)
    community = SportSessionFactory(
        group=group,
        site=group.site,
        program=group.program,
        date=timezone.localdate(),
        activity="community_activity",
    )
    item = {
        "key": str(uuid.uuid4()),
        "kind": "head_count",
        "session": community.pk,
        "counts": {"F:5-11": 12, "M:5-11": 9},
    }
    assert send(client, [item])[0] == {
        "key": item["key"],
        "status": "accepted",
        "record": {
            "session": community.pk,
            "total": 21,
            "counts": {"F:5-11": 12, "M:5-11": 9},
            "version": head_count_version({"F:5-11": 12, "M:5-11": 9}),
        },
    }
    assert send(client, [item])[0]["status"] == "duplicate"
    assert sorted(HeadCount.objects.values_list("sex", "count")) == [("F", 12), ("M", 9)]
    bad = {**item, "key": str(uuid.uuid4()), "counts": {"F:5-11": -3}}
    assert send(client, [bad])[0]["status"] == "refused"


def test_light_profile_once(client, facilitator, session, send, en):
    client.force_login(facilitator)
    item = {
        "key": str(uuid.uuid4()),
        "kind": "light_profile",
        "session": session.pk,
        "given_names": "Yeferson",
        "family_names": "Quispe Rojas",
        "sex": "M",
        "birth_date": (timezone.localdate() - timedelta(days=365 * 10)).isoformat(),
        "nationality": "VE",
        "population_type": "destination",
        "guardian_name": "Maria Rojas",
        "guardian_relationship": "madre",
        "consent_method": "written",
        "data_consent": True,
    }
    [answer] = send(client, [item])
    assert answer["status"] == "accepted"
    person = Person.objects.get(family_names="Quispe Rojas")
    assert answer["record"]["person"] == person.pk and person.is_light_profile
    assert Attendance.objects.get(session=session, person=person).present
    assert send(client, [item])[0]["status"] == "duplicate"
    assert Person.objects.filter(family_names="Quispe Rojas").count() == 1
    no_consent = {**item, "key": str(uuid.uuid4()), "data_consent": False}
    [answer] = send(client, [no_consent])
    assert answer["status"] == "refused" and "consent" in answer["reason"]


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", '{"submissions": 3}', '{"submissions": "x"}', b"\xff\xfe"],
)
def test_bad_bodies_are_refused_without_error(client, facilitator, body):
    client.force_login(facilitator)
    response = client.post(reverse("field:field_sync"), body, content_type="application/json")
    assert response.status_code == 400 and "error" in response.json()


def test_bad_items_are_refused_one_by_one(client, facilitator, session, kids, send, en):
    client.force_login(facilitator)
    items = [
        "x",
        {"kind": "attendance"},
        {"key": "nope", "kind": "attendance"},
        {"key": str(uuid.uuid4()), "kind": "unknown"},
        {
            "key": str(uuid.uuid4()),
            "kind": "attendance",
            "session": "abc",
            "person": kids[0].pk,
            "present": True,
        },
        {
            "key": str(uuid.uuid4()),
            "kind": "attendance",
            "session": session.pk,
            "person": kids[0].pk,
            "present": "1",
        },
        {
            "key": str(uuid.uuid4()),
            "kind": "attendance",
            "group": session.group_id,
            "date": "x",
            "activity": "y",
            "person": 1,
            "present": True,
        },
    ]
    answers = send(client, items)
    assert [a["status"] for a in answers] == ["refused"] * len(items)
    assert all(a["reason"] for a in answers)
    assert not FieldSubmission.objects.exists()


def test_too_many_at_once(client, facilitator, session, kids, send):
    client.force_login(facilitator)
    send(client, [mark(session, kids[0])] * 201, status=400)


def test_the_endpoint_checks_the_csrf_token(facilitator, session, kids):
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    url = reverse("field:field_sync")
    body = '{"submissions": []}'
    assert client.post(url, body, content_type="application/json").status_code == 403
    token = client.get(reverse("field:field_data")).json()["csrf_token"]
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json() == {"results": []}


def outreach(**extra) -> dict:
    return {
        "key": str(uuid.uuid4()),
        "kind": "outreach",
        "site": site("PAO-LS").pk,
        "given_names": "Wilmer José",
        "family_names": "Bracho Urdaneta",
        "sex": "M",
        "birth_date": "1990-07-14",
        "nationality": "VE",
        "population_type": "transit",
        "phone": "987 654 321",
        "consent_method": "verbal",
        "data_consent": True,
        **extra,
    }


def test_an_outreach_registration_once_with_consent(client, caseworker, send, en):
    client.force_login(caseworker)
    item = outreach()
    [answer] = send(client, [item])
    assert answer["status"] == "accepted"
    person = Person.objects.get(family_names="Bracho Urdaneta")
    assert answer["record"] == {"person": person.pk}
    assert (person.site.code, person.phone, person.created_by) == ("PAO-LS", "987654321", caseworker)
    consent = person.consents.get()
    assert (consent.purpose, consent.method, consent.given_by) == ("data_processing", "verbal", "self")
    assert send(client, [item])[0]["status"] == "duplicate"
    assert Person.objects.filter(family_names="Bracho Urdaneta").count() == 1


def test_an_outreach_registration_is_refused_with_its_reason(client, caseworker, facilitator, send, en):
    client.force_login(caseworker)
    PersonFactory(given_names="Wilmer José", family_names="Bracho Urdaneta", birth_date=date(1990, 7, 14))
    answers = send(
        client,
        [
            outreach(),  # a possible duplicate
            outreach(family_names="Otro", data_consent=False),
            outreach(family_names="Otro", site=site("SCH-02").pk),
            outreach(family_names="Otro", nationality="XX"),
        ],
    )
    assert [a["status"] for a in answers] == ["refused"] * 4
    assert "may be the same" in answers[0]["reason"]
    assert "Consent" in answers[1]["reason"]
    assert "site you work at" in answers[2]["reason"]
    assert "nationality" in answers[3]["reason"]
    assert Person.objects.filter(family_names__in=["Bracho Urdaneta", "Otro"]).count() == 1

    # A facilitator takes attendance but does not register people.
    other = Client()
    other.force_login(facilitator)
    [answer] = send(other, [outreach(family_names="Otro")])
    assert answer == {
        "key": answer["key"],
        "status": "refused",
        "reason": "Only caseworkers register people.",
    }


@pytest.mark.parametrize("count", [1, 5])
def test_a_batch_checks_its_session_once(facilitator, session, kids, count):
    """Each mark of a batch costs the same few queries. Once for the batch: the keys already
    received, the people named, the session and the user's right to write to it."""
    items = [mark(session, kid) for kid in kids[:count]]
    with CaptureQueriesContext(connection) as ctx:
        answers = field_submissions_apply(user=facilitator, submissions=items)
    assert [a["status"] for a in answers] == ["accepted"] * count
    session_lookups = [q for q in ctx.captured_queries if 'FROM "services_sportsession"' in q["sql"]]
    assert len(session_lookups) == 1
    # Per mark: the receipt written (with its history) and completed, the mark checked and
    # written (with its history), and the savepoints.
    assert len(ctx.captured_queries) == 5 + 17 * count
