"""Nothing overwritten on a referral: two caseworkers open it; the first changes its status (or
hands its follow-up over), the second, from the page as it was, is refused with the first change
shown, never a silent overwrite. Ten rounds each, like the other edit forms."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from services.models import Referral, ReferralTransition
from tests.factories import ReferralFactory

from .test_edit_conflicts import CONFLICT, ROUNDS

VERSION = re.compile(r'name="record_version" value="([^"]*)"')


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _version(client, referral) -> str:
    page = client.get(reverse("services:referral_detail", args=[referral.pk]))
    assert page.status_code == 200
    return VERSION.search(page.content.decode()).group(1)


@pytest.fixture
def desks(make_user):
    return make_user("caseworker", username="ana"), make_user("caseworker", username="beto")


def _referral():
    referral = ReferralFactory(status="pending")
    ReferralTransition.objects.create(referral=referral, from_status="", to_status="pending")
    return referral


def test_a_status_changed_meanwhile_is_shown_not_overwritten(desks):
    overwrites = conflicts = 0
    for _round in range(ROUNDS):
        referral = _referral()
        a, b = (_client(u) for u in desks)
        va, vb = _version(a, referral), _version(b, referral)
        url = reverse("services:referral_transition", args=[referral.pk])
        assert a.post(url, {"to_status": "accepted", "record_version": va}).status_code == 302
        response = b.post(url, {"to_status": "declined", "comment": "no answer", "record_version": vb})
        referral.refresh_from_db()
        if referral.status != "accepted":
            overwrites += 1
        if response.status_code == 400 and CONFLICT in response.content.decode():
            conflicts += 1
            assert 'data-testid="edit-conflict"' in response.content.decode()
            # Seen: sending again from the page as shown (the new version) is a decision and is kept.
            again = VERSION.search(response.content.decode()).group(1)
            assert again != vb
            assert b.post(url, {"to_status": "no_show", "record_version": again}).status_code == 302
            referral.refresh_from_db()
            assert referral.status == "no_show"
    assert (overwrites, conflicts) == (0, ROUNDS)


def test_a_hand_over_made_meanwhile_is_shown_not_overwritten(desks, make_user):
    ana, beto = desks
    carla = make_user("caseworker", username="carla")
    overwrites = conflicts = 0
    for _round in range(ROUNDS):
        referral = _referral()
        a, b = _client(ana), _client(beto)
        va, vb = _version(a, referral), _version(b, referral)
        url = reverse("services:referral_responsible", args=[referral.pk])
        assert a.post(url, {"responsible": carla.pk, "record_version": va}).status_code == 302
        response = b.post(url, {"responsible": beto.pk, "record_version": vb})
        if Referral.objects.get(pk=referral.pk).responsible_id != carla.pk:
            overwrites += 1
        if response.status_code == 400 and CONFLICT in response.content.decode():
            conflicts += 1
    assert (overwrites, conflicts) == (0, ROUNDS)


def test_an_unchanged_referral_saves_as_before(desks):
    referral = _referral()
    a = _client(desks[0])
    url = reverse("services:referral_transition", args=[referral.pk])
    assert a.post(url, {"to_status": "accepted", "record_version": _version(a, referral)}).status_code == 302
    assert a.post(url, {"to_status": "no_show", "record_version": _version(a, referral)}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "no_show"
