"""Fixtures for the services tests: people at PAO-LS (with and without consent) and elsewhere."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from services.models import Referral, ReferralTransition
from tests.factories import ConsentFactory, PartnerFactory, PersonFactory, ReferralFactory, site


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def person(ref):
    """Someone registered at PAO-LS who consented to share data with partners."""
    p = PersonFactory(given_names="Yusmary Andreína", family_names="Rojas Pérez", population_type="transit")
    ConsentFactory(person=p)
    return p


@pytest.fixture
def person_no_consent(ref):
    return PersonFactory(given_names="Luis", family_names="Castillo Ortega")


@pytest.fixture
def other_site_person(ref):
    """Someone registered at a school, out of a PAO-LS caseworker's reach."""
    p = PersonFactory(site=site("SCH-01"))
    ConsentFactory(person=p)
    return p


@pytest.fixture
def partner(ref):
    return PartnerFactory(
        code="cs-test", name="Centro de Salud de Prueba", areas=["primary_care", "psychosocial"]
    )


@pytest.fixture
def make_referral(ref, partner):
    """``make_referral(status=..., **fields)``: a referral with its first transition recorded."""

    def _make(*, status: str = "pending", person=None, **kwargs):
        kwargs.setdefault("referred_on", date(2025, 3, 10))
        kwargs.setdefault("follow_up_due", kwargs["referred_on"] + timedelta(days=14))
        if status == "completed":
            kwargs.setdefault("completed_on", kwargs["referred_on"] + timedelta(days=3))
        if person is not None:
            kwargs["person"] = person
        kwargs.setdefault("partner", partner)
        referral = ReferralFactory(status=status, **kwargs)
        ReferralTransition.objects.create(referral=referral, from_status="", to_status="pending")
        return referral

    return _make


def referral_state(referral: Referral) -> tuple:
    """Everything a refused change must leave as it was."""
    referral.refresh_from_db()
    return (
        referral.status,
        referral.completed_on,
        referral.outcome,
        referral.follow_up_due,
        referral.is_overdue,
        referral.transitions.count(),
        referral.follow_ups.count(),
    )


def assert_refused(response) -> None:
    """403, 404, or a redirect away (to sign in, or to break the glass) — never the page itself."""
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert "/services/" not in response["Location"]
