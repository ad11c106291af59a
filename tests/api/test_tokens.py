"""Personal API tokens: shown once, kept hashed, revocable, expiring, dead with their user."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.actions import api_token_create
from api.models import ApiToken

pytestmark = pytest.mark.django_db

PROGRAMS = "/api/v1/programs/"


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_profile_page_creates_a_token_shown_once_and_stored_hashed(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("api_tokens"), {"name": "monthly sheet", "days": "90"})
    assert response.status_code == 200
    raw = re.search(r"ori_[A-Za-z0-9_-]{43}", response.content.decode()).group(0)
    token = ApiToken.objects.get(user=coordinator)
    assert token.name == "monthly sheet"
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.token_hash, token.prefix, token.name}
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    # Shown once: the list page never shows it again.
    again = client.get(reverse("api_tokens"))
    assert raw not in again.content.decode()
    assert token.prefix in again.content.decode()
    # And it works.
    client.logout()
    assert client.get(PROGRAMS, **_bearer(raw)).status_code == 200


def test_the_secret_has_256_random_bits_and_no_two_are_alike(coordinator):
    raws = {api_token_create(user=coordinator, name="t", days=30)[1] for _ in range(5)}
    assert len(raws) == 5
    for raw in raws:
        assert len(raw.removeprefix("ori_")) == 43  # 32 bytes in base64url


def test_a_bad_form_is_refused_with_a_message(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("api_tokens"), {"name": "  ", "days": "7000"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_kills_the_token(client, coordinator):
    token, raw = api_token_create(user=coordinator, name="t", days=30)
    client.force_login(coordinator)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    response = client.get(PROGRAMS, **_bearer(raw))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_user_cannot_revoke_another_users_token(client, coordinator, caseworker):
    token, raw = api_token_create(user=coordinator, name="t", days=30)
    client.force_login(caseworker)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_is_refused(client, coordinator):
    token, raw = api_token_create(user=coordinator, name="t", days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(PROGRAMS, **_bearer(raw))
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_a_deactivated_users_token_is_refused(client, coordinator):
    token, raw = api_token_create(user=coordinator, name="t", days=30)
    assert client.get(PROGRAMS, **_bearer(raw)).status_code == 200
    coordinator.is_active = False
    coordinator.save()
    assert client.get(PROGRAMS, **_bearer(raw)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer ori_not-a-real-token", "Bearer", "Bearer a b", "Bearer ñandú"])
def test_a_wrong_token_is_refused(client, header):
    response = client.get(PROGRAMS, HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_last_use_is_noted(client, coordinator):
    token, raw = api_token_create(user=coordinator, name="t", days=30)
    assert token.last_used_at is None
    client.get(PROGRAMS, **_bearer(raw))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # Within the minute it is not written again; after it, it is.
    client.get(PROGRAMS, **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(PROGRAMS, **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_the_page_lists_only_the_users_own_tokens(client, coordinator, caseworker):
    api_token_create(user=caseworker, name="someone else's", days=30)
    api_token_create(user=coordinator, name="mine", days=30)
    client.force_login(coordinator)
    page = client.get(reverse("api_tokens")).content.decode()
    assert "mine" in page
    assert "someone else" not in page


def test_a_user_with_a_second_factor_gives_a_fresh_code_to_create_a_token(client, coordinator, settings):
    """A token acts as its user without the second factor: creating one asks for a code again."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.security.test_mfa import code_for, unthrottle

    settings.LANGUAGE_CODE = "en"
    device = TOTPDevice.objects.create(user=coordinator, name="Orienta", confirmed=True)
    client.force_login(coordinator)
    session = client.session
    session["otp_device_id"] = device.persistent_id  # signed in with the code (django-otp's key)
    session.save()
    page = client.get(reverse("api_tokens"))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()

    missing = client.post(reverse("api_tokens"), {"name": "sheet", "days": "90"})
    assert missing.status_code == 400 and not ApiToken.objects.filter(user=coordinator).exists()
    wrong = "000000" if code_for(device) != "000000" else "111111"
    refused = client.post(reverse("api_tokens"), {"name": "sheet", "days": "90", "code": wrong})
    assert refused.status_code == 400
    assert "That code is not right or has expired" in refused.content.decode()
    assert not ApiToken.objects.filter(user=coordinator).exists()

    unthrottle(device)
    created = client.post(reverse("api_tokens"), {"name": "sheet", "days": "90", "code": code_for(device)})
    assert created.status_code == 200 and ApiToken.objects.filter(user=coordinator, name="sheet").count() == 1
    assert re.search(r"ori_[A-Za-z0-9_-]{43}", created.content.decode())


def test_without_a_second_factor_no_code_is_asked(client, coordinator):
    client.force_login(coordinator)
    assert 'name="code"' not in client.get(reverse("api_tokens")).content.decode()
