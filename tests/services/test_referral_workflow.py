"""The referral workflow: every allowed and every refused status change, through the action and
through the page, plus the dates a completion needs."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from services.actions import referral_transition
from services.models import Referral

from .conftest import referral_state

STATUSES = ["pending", "accepted", "completed", "declined", "no_show", "cancelled"]
# Written out here, not read from Referral.TRANSITIONS, so a change to the workflow shows up.
ALLOWED = {
    ("pending", "accepted"),
    ("pending", "completed"),
    ("pending", "declined"),
    ("pending", "no_show"),
    ("pending", "cancelled"),
    ("accepted", "completed"),
    ("accepted", "declined"),
    ("accepted", "no_show"),
    ("accepted", "cancelled"),
}
PAIRS = list(itertools.product(STATUSES, STATUSES))


def _extra(to_status, referral):
    return {"completed_on": referral.referred_on + timedelta(days=2)} if to_status == "completed" else {}


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_action_allows_exactly_the_workflow(make_referral, caseworker, from_status, to_status):
    referral = make_referral(status=from_status)
    before = referral_state(referral)
    if (from_status, to_status) in ALLOWED:
        referral_transition(
            referral=referral,
            user=caseworker,
            to_status=to_status,
            comment="ok",
            **_extra(to_status, referral),
        )
        referral.refresh_from_db()
        assert referral.status == to_status
        last = referral.transitions.last()
        assert (last.from_status, last.to_status, last.by, last.comment) == (
            from_status,
            to_status,
            caseworker,
            "ok",
        )
        assert last.at is not None
    else:
        with translation.override("en"):
            with pytest.raises(ValidationError) as exc:
                referral_transition(
                    referral=referral, user=caseworker, to_status=to_status, **_extra(to_status, referral)
                )
            assert "cannot become" in " ".join(exc.value.messages)
        assert referral_state(referral) == before


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_status_page_allows_exactly_the_workflow(
    make_referral, caseworker, client_for, from_status, to_status
):
    referral = make_referral(status=from_status)
    before = referral_state(referral)
    data = {"to_status": to_status, "comment": "llamé al socio"}
    if to_status == "completed":
        data["completed_on"] = (referral.referred_on + timedelta(days=1)).isoformat()
    response = client_for(caseworker).post(reverse("services:referral_transition", args=[referral.pk]), data)
    if (from_status, to_status) in ALLOWED:
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == to_status
        assert referral.transitions.last().by == caseworker
    else:
        assert response.status_code == 400
        assert referral_state(referral) == before
        body = response.content.decode()
        assert "cannot become" in body or "no puede pasar a" in body


def test_every_transition_is_kept_in_order(make_referral, caseworker):
    referral = make_referral()
    referral_transition(referral=referral, user=caseworker, to_status="accepted")
    referral_transition(
        referral=referral, user=caseworker, to_status="completed", completed_on=date(2025, 3, 20)
    )
    assert list(referral.transitions.values_list("from_status", "to_status")) == [
        ("", "pending"),
        ("pending", "accepted"),
        ("accepted", "completed"),
    ]
    referral.refresh_from_db()
    assert referral.completed_on == date(2025, 3, 20)


@pytest.mark.parametrize(
    ("completed_on", "message"),
    [
        (None, "needs the date"),
        (date(2025, 3, 9), "before the referral date"),
        (date(2999, 1, 1), "cannot be in the future"),
    ],
)
def test_completion_needs_a_date_on_or_after_the_referral(make_referral, caseworker, completed_on, message):
    referral = make_referral(referred_on=date(2025, 3, 10))
    before = referral_state(referral)
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            referral_transition(
                referral=referral, user=caseworker, to_status="completed", completed_on=completed_on
            )
        assert message in " ".join(exc.value.messages)
    assert referral_state(referral) == before


def test_completion_on_the_referral_day_is_fine(make_referral, caseworker):
    referral = make_referral(referred_on=date(2025, 3, 10))
    referral_transition(
        referral=referral, user=caseworker, to_status="completed", completed_on=date(2025, 3, 10)
    )
    referral.refresh_from_db()
    assert referral.status == "completed"


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"to_status": "completed"}, "needs the date"),
        ({"to_status": "completed", "completed_on": "2025-03-01"}, "before the referral date"),
        ({"to_status": "declined", "completed_on": "2025-03-12"}, "Only a completed referral"),
        ({"to_status": "bogus"}, "valid choice"),
        ({}, "required"),
    ],
)
def test_status_page_bad_input_is_explained_and_changes_nothing(
    make_referral, caseworker, client_for, data, field_message
):
    client = client_for(caseworker)
    client.post(reverse("set_language"), {"language": "en"})
    referral = make_referral(referred_on=date(2025, 3, 10))
    before = referral_state(referral)
    response = client.post(reverse("services:referral_transition", args=[referral.pk]), data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert referral_state(referral) == before


def test_closing_clears_the_overdue_flag(make_referral, caseworker):
    referral = make_referral(is_overdue=True)
    referral_transition(referral=referral, user=caseworker, to_status="no_show")
    referral.refresh_from_db()
    assert referral.is_overdue is False
    assert not Referral.objects.overdue().filter(pk=referral.pk).exists()


def test_completed_to_pending_is_refused_in_spanish_too(make_referral, caseworker, client_for):
    referral = make_referral(status="completed")
    response = client_for(caseworker).post(
        reverse("services:referral_transition", args=[referral.pk]), {"to_status": "pending"}
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "completed"
