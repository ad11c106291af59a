"""The written rule for records changed on the server after a device kept them (docs/field.md,
"Conflicts"): the device's edit is kept in the history, the newer version stays and comes back
to the device with a notice. Head counts and light profiles; attendance has its own rule
(tests/field/test_sync.py)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import age_on
from cases.models import Person
from field.models import FieldSubmission
from field.selectors import head_count_version
from orientation.actions import save_audited
from services.sport import actions as sport_actions
from services.sport.models import HeadCount
from tests.factories import PersonFactory, SportSessionFactory
from tests.sport.factories import ChildFactory, GroupParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def community(group):
    return SportSessionFactory(
        group=group,
        site=group.site,
        program=group.program,
        date=timezone.localdate(),
        activity="community_activity",
    )


def head_count(session, counts, base=None) -> dict:
    item = {"key": str(uuid.uuid4()), "kind": "head_count", "session": session.pk, "counts": counts}
    return item | ({"base": base} if base is not None else {})


def cached(client, session_pk) -> dict:
    """The session as the device keeps it (``field_data``)."""
    sessions = client.get(reverse("field:field_data")).json()["sessions"]
    return next(s for s in sessions if s["id"] == session_pk)


def stored_counts(session) -> list:
    return sorted(HeadCount.objects.filter(session=session).values_list("sex", "age_band", "count"))


def test_the_device_keeps_each_head_count_and_its_version(client, facilitator, community, session):
    sport_actions.head_count_set(user=facilitator, session=community, counts={("F", "5-11"): 4})
    client.force_login(facilitator)
    kept = cached(client, community.pk)
    assert kept["head_count"] == {"F:5-11": 4}
    assert kept["head_count_version"] == head_count_version({"F:5-11": 4})
    assert "head_count" not in cached(client, session.pk)  # not a community activity


def test_a_head_count_edited_on_a_kept_version_is_applied_whole(client, facilitator, community, send, en):
    sport_actions.head_count_set(user=facilitator, session=community, counts={("F", "5-11"): 4})
    client.force_login(facilitator)
    base = cached(client, community.pk)["head_count_version"]
    [answer] = send(client, [head_count(community, {"F:5-11": 0, "M:12-17": 6}, base)])
    assert answer["status"] == "accepted"
    assert answer["record"] == {
        "session": community.pk,
        "total": 6,
        "counts": {"M:12-17": 6},
        "version": head_count_version({"M:12-17": 6}),
    }
    assert stored_counts(community) == [("M", "12-17", 6)]  # the emptied cell is emptied
    assert FieldSubmission.objects.get().overtaken is None

    # The device's next edit names the version the server gave back: applied too.
    [answer] = send(client, [head_count(community, {"M:12-17": 7}, answer["record"]["version"])])
    assert "notice" not in answer["record"] and stored_counts(community) == [("M", "12-17", 7)]


def test_a_head_count_changed_on_the_server_since_it_was_kept_stays(
    client, facilitator, other_facilitator, group, community, send, en
):
    client.force_login(facilitator)
    base = cached(client, community.pk)["head_count_version"]  # the phone keeps an empty count
    group.facilitators.add(other_facilitator)
    sport_actions.head_count_set(
        user=other_facilitator, session=community, counts={("F", "5-11"): 12, ("M", "5-11"): 9}
    )

    item = head_count(community, {"F:5-11": 7, "M:5-11": 0}, base)
    [answer] = send(client, [item])
    assert answer["status"] == "accepted"
    record = answer["record"]
    assert record["counts"] == {"F:5-11": 12, "M:5-11": 9} and record["total"] == 21
    assert record["version"] == head_count_version({"F:5-11": 12, "M:5-11": 9})
    assert record["notice"] == (
        "The head count was changed on the server after this device kept it: the newer count (21 "
        "people) stays, and yours (7 people) is kept in the history."
    )
    assert stored_counts(community) == [("F", "5-11", 12), ("M", "5-11", 9)]
    receipt = FieldSubmission.objects.get(key=item["key"])
    assert receipt.overtaken == {"counts": {"F:5-11": 7}, "base": base}
    assert receipt.session == community and receipt.user == facilitator
    assert receipt.history.count() == 2  # created, then completed: the device's count in both rows
    assert receipt.history.earliest("history_date").instance.user == facilitator

    # A replay changes nothing; an edit without a version (an older device) is applied as before.
    assert send(client, [item])[0]["status"] == "duplicate"
    send(client, [head_count(community, {"F:5-11": 3})])
    assert stored_counts(community) == [("F", "5-11", 3), ("M", "5-11", 9)]


def test_the_notice_is_in_the_users_language(client, facilitator, community, send):
    client.force_login(facilitator)
    sport_actions.head_count_set(user=facilitator, session=community, counts={("F", "5-11"): 2})
    [answer] = send(client, [head_count(community, {"F:5-11": 5}, head_count_version({}))])
    assert answer["record"]["notice"].startswith("El conteo cambió en el servidor")


def correction(person, base, **fields) -> dict:
    return {
        "key": str(uuid.uuid4()),
        "kind": "profile",
        "person": person.pk,
        "given_names": fields.get("given_names", person.given_names),
        "family_names": fields.get("family_names", person.family_names),
        "birth_date": fields.get("birth_date", ""),
        "base": base,
    }


def kept_person(client, person) -> dict:
    return next(p for p in client.get(reverse("field:field_data")).json()["people"] if p["id"] == person.pk)


def test_a_correction_of_a_profile_kept_unchanged_is_applied(client, facilitator, kids, send, en):
    client.force_login(facilitator)
    kid = kids[0]
    kept = kept_person(client, kid)
    assert kept["light"] is True and kept["updated"]
    [answer] = send(
        client, [correction(kid, kept["updated"], given_names="Yéferson", birth_date="2016-05-04")]
    )
    assert answer["status"] == "accepted" and "notice" not in answer["record"]
    kid.refresh_from_db()
    assert (kid.given_names, str(kid.birth_date)) == ("Yéferson", "2016-05-04")
    assert answer["record"]["given_names"] == "Yéferson"
    assert answer["record"]["age"] == age_on(kid.birth_date, timezone.localdate())
    last = kid.history.latest("history_date")
    assert last.history_user == facilitator and last.history_change_reason == "Corrected on the field screens"

    # The same user corrects again from a version kept before their own change: theirs applies.
    [answer] = send(client, [correction(kid, kept["updated"], family_names="Quispe Rojas")])
    assert "notice" not in answer["record"]
    kid.refresh_from_db()
    assert kid.family_names == "Quispe Rojas"


def test_a_profile_changed_on_the_server_since_it_was_kept_stays_and_the_correction_is_in_history(
    client, facilitator, caseworker, kids, send, en
):
    client.force_login(facilitator)
    kid = kids[1]
    kept = kept_person(client, kid)
    kid.given_names = "Luis Ángel"  # a caseworker completes the profile on-line meanwhile
    save_audited(kid, user=caseworker, reason="on-line")
    rows_before = kid.history.count()

    [answer] = send(client, [correction(kid, kept["updated"], given_names="Luiz")])
    assert answer["status"] == "accepted"
    record = answer["record"]
    assert record["given_names"] == "Luis Ángel" and record["family_names"] == kid.family_names
    assert record["notice"] == (
        "This participant's profile was changed on the server after this device kept it: the newer "
        "version is shown, and your correction is kept in the history."
    )
    kid.refresh_from_db()
    assert kid.given_names == "Luis Ángel"
    rows = list(kid.history.order_by("-history_date", "-history_id")[:2])
    assert kid.history.count() == rows_before + 2
    assert [r.given_names for r in rows] == ["Luis Ángel", "Luiz"]  # the correction, then the newer one
    assert {r.history_user for r in rows} == {facilitator}
    assert rows[1].history_change_reason == "Corrected offline; a newer version was saved before"
    assert rows[0].history_change_reason == "The newer version kept over an offline correction"
    assert record["updated"] == kid.updated_at.isoformat()


def test_corrections_refused_with_their_reason(client, facilitator, group, far_group, kids, send, en):
    client.force_login(facilitator)
    full = GroupParticipantFactory(group=group, person=PersonFactory(given_names="Adulta")).person
    far_kid = GroupParticipantFactory(group=far_group, person=ChildFactory(site=far_group.site)).person
    answers = send(
        client,
        [
            correction(full, "", given_names="Otra"),  # a full case file: corrected on-line
            correction(kids[3], "", given_names=""),
            correction(kids[3], "", birth_date="2999-01-01"),
            correction(far_kid, "", given_names="Otro"),  # not on a list of the user's groups
        ],
    )
    assert [a["status"] for a in answers] == ["refused"] * 4
    assert "full case file" in answers[0]["reason"]
    assert "names are required" in answers[1]["reason"]
    assert "birth date" in answers[2]["reason"]
    assert answers[3]["reason"].startswith("You no longer take attendance in this group")
    assert Person.objects.get(pk=full.pk).given_names == "Adulta"
    assert not FieldSubmission.objects.exists()
