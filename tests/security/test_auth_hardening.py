"""Sign-in hardening: lockout after failed attempts, idle and absolute session limits, the end of a
deactivated user's session, and the password rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

PASSWORD = "orienta-test-pass"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # rebuilt with the settings of this test
    yield
    AxesProxyHandler.implementation = None


def attempt(client, username, password, ip="10.1.2.3"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_six_failures_lock_the_user_at_that_address_for_30_minutes(client, make_user, axes_on):
    from axes.models import AccessAttempt

    make_user("caseworker", username="ana")
    for _ in range(5):
        response = attempt(client, "ana", "wrong-password")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    # The sixth failure locks; from then on even the right password is refused.
    response = attempt(client, "ana", "wrong-password")
    assert response.status_code == 429
    response = attempt(client, "ana", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "30" in response.content.decode()

    # The lock is per user and address: the same user from another address may still sign in.
    assert attempt(client, "ana", PASSWORD, ip="10.9.9.9").status_code == 302
    client.logout()

    # After 30 minutes the lock lifts.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert attempt(client, "ana", PASSWORD).status_code == 302


def test_five_failures_do_not_lock(client, make_user, axes_on):
    make_user("caseworker", username="ana")
    for _ in range(5):
        attempt(client, "ana", "wrong-password")
    assert attempt(client, "ana", PASSWORD).status_code == 302


def touch(client, **offsets):
    session = client.session
    now = timezone.now().timestamp()
    for key, seconds in offsets.items():
        session[key] = now - seconds
    session.save()


def test_idle_limit_is_30_minutes(client, make_user):
    client.force_login(make_user("caseworker"))
    touch(client, orienta_seen=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    touch(client, orienta_seen=31 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302  # the session is gone


def test_absolute_limit_is_12_hours_even_when_active(client, make_user):
    client.force_login(make_user("caseworker"))
    touch(client, orienta_started=11 * 3600 + 50 * 60, orienta_seen=60)
    assert client.get(reverse("home")).status_code == 200
    touch(client, orienta_started=12 * 3600 + 60, orienta_seen=60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302


def test_deactivating_a_user_ends_the_session_for_good(client, make_user):
    user = make_user("caseworker")
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # Reactivating the account does not bring the old session back.
    user.is_active = True
    user.save()
    assert client.get(reverse("home")).status_code == 302


def test_deactivated_user_cannot_sign_in(client, make_user):
    make_user("caseworker", username="ana", is_active=False)
    response = attempt(client, "ana", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "password",
    ["short1!", "1234567890123", "password123", "ana-castillo", "orienta"],
)
def test_weak_passwords_are_refused(make_user, password):
    user = make_user("caseworker", username="ana-castillo", first_name="Ana", last_name="Castillo")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_strong_password_is_accepted(make_user):
    validate_password("Quebrada-Lucumo-48", make_user("caseworker"))


def test_staff_accounts_are_deactivated_not_deleted(client, make_user):
    admin = make_user("admin")
    other = make_user("caseworker")
    client.force_login(admin)
    assert client.get(f"/admin/auth/user/{other.pk}/delete/").status_code == 403
    assert client.get(f"/admin/auth/user/{other.pk}/change/").status_code == 200


def test_an_overlong_username_is_refused_without_an_error(client, make_user, axes_on):
    """Found by the form fuzzer on PostgreSQL: axes could not store a 300-character username and
    the sign-in page answered with a 500."""
    from axes.models import AccessAttempt

    client.raise_request_exception = True
    response = attempt(client, "A" * 10_000, "whatever")
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "A" * 150
    for _ in range(6):
        response = attempt(client, "A" * 300, "whatever")
    assert response.status_code == 429


def test_pages_within_a_minute_do_not_write_the_session(client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("caseworker"))
    touch(client, orienta_seen=90)
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse("home")).status_code == 200

    def writes(ctx):
        return [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "django_session"')]

    assert len(writes(first)) == 1  # last seen 90 s ago: noted
    assert writes(second) == []  # seen a moment ago: nothing to write
