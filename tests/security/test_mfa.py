"""Two-factor authentication: set-up with a QR code, the verify step after the password, forced
for the roles in OTP_REQUIRED_ROLES (the Django admin included), optional in the demo set-up."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "orienta-test-pass"
ROOT = Path(__file__).resolve().parent.parent.parent


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    value = totp(
        device.bin_key, step=device.step, t0=device.t0 - offset_steps * device.step, digits=device.digits
    )
    return f"{value:0{device.digits}d}"


def unthrottle(device: TOTPDevice) -> None:
    """django-otp refuses any code for a moment after a wrong one; tests do not wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def sign_in_with_password(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_any_user_can_turn_totp_on_with_a_qr_code(client, make_user):
    user = make_user("caseworker")
    client.force_login(user)
    response = client.get(reverse("mfa:mfa_setup"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html
    svg = base64.b64decode(html.split('src="data:image/svg+xml;base64,')[1].split('"')[0])
    assert svg.startswith(b"<?xml") and b"<svg" in svg and b"script" not in svg
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get(reverse("mfa:mfa_setup")).status_code == 200
    assert TOTPDevice.objects.filter(user=user).count() == 1  # the pending device is reused

    response = client.post(
        reverse("mfa:mfa_setup"), {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert response.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    unthrottle(device)
    response = client.post(reverse("mfa:mfa_setup"), {"token": code_for(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("home")).status_code == 200  # this session is verified
    assert 'data-testid="mfa-on"' in client.get(reverse("mfa:mfa_setup")).content.decode()


@pytest.fixture
def user_with_device(make_user):
    user = make_user("caseworker", username="ana")
    device = TOTPDevice.objects.create(user=user, name="Orienta", confirmed=True)
    return user, device


def test_password_then_code_for_a_user_with_a_device(client, user_with_device):
    _user, device = user_with_device
    sign_in_with_password(client, "ana")
    people = reverse("notification_list")
    response = client.get(people)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:mfa_verify")) and "next=" in response["Location"]

    response = client.post(reverse("mfa:mfa_verify"), {"token": "12345x", "next": people})
    assert response.status_code == 200
    assert client.get(people).status_code == 302  # still not verified

    unthrottle(device)
    response = client.post(reverse("mfa:mfa_verify"), {"token": code_for(device), "next": people})
    assert response.status_code == 302 and response["Location"] == people
    assert client.get(people).status_code == 200


def test_a_code_cannot_be_replayed_and_failures_are_throttled(client, user_with_device):
    _user, device = user_with_device
    sign_in_with_password(client, "ana")
    client.post(reverse("mfa:mfa_verify"), {"token": code_for(device)})
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    sign_in_with_password(client, "ana")
    client.post(reverse("mfa:mfa_verify"), {"token": code_for(device)})  # the same code again
    assert client.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1


def test_demo_set_up_does_not_force_two_factor(client, make_user, settings):
    assert settings.OTP_REQUIRED_ROLES == []
    make_user("admin", username="boss")
    sign_in_with_password(client, "boss")
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.fixture
def forced(settings):
    settings.OTP_REQUIRED_ROLES = ["admin", "coordinator"]


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_required_roles_must_set_it_up_before_anything_else(client, make_user, forced, role):
    make_user(role, username="boss")
    sign_in_with_password(client, "boss")
    for url in [reverse("home"), reverse("notification_list"), "/admin/", reverse("mfa:mfa_verify")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa:mfa_setup")), url
    assert client.get(reverse("mfa:mfa_setup")).status_code == 200
    device = TOTPDevice.objects.get(user__username="boss")
    assert client.post(reverse("mfa:mfa_setup"), {"token": code_for(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_other_roles_are_not_forced(client, make_user, forced):
    make_user("caseworker", username="ana")
    sign_in_with_password(client, "ana")
    assert client.get(reverse("home")).status_code == 200


def test_admin_site_needs_the_code(client, make_user, forced):
    user = make_user("admin", username="boss")
    device = TOTPDevice.objects.create(user=user, name="Orienta", confirmed=True)
    sign_in_with_password(client, "boss")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa:mfa_verify"))
    client.post(reverse("mfa:mfa_verify"), {"token": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_turning_it_off_needs_a_code_and_is_refused_to_required_roles(client, make_user, settings):
    user = make_user("caseworker", username="ana")
    device = TOTPDevice.objects.create(user=user, name="Orienta", confirmed=True)
    client.force_login(user)
    client.post(reverse("mfa:mfa_verify"), {"token": code_for(device)})
    client.post(
        reverse("mfa:mfa_disable"), {"token": "999999" if code_for(device, 1) != "999999" else "888888"}
    )
    assert TOTPDevice.objects.filter(user=user).exists()
    unthrottle(device)
    client.post(reverse("mfa:mfa_disable"), {"token": code_for(device, 1)})  # the next code: no replay
    assert not TOTPDevice.objects.filter(user=user).exists()

    settings.OTP_REQUIRED_ROLES = ["caseworker"]
    device = TOTPDevice.objects.create(user=user, name="Orienta", confirmed=True)
    client.post(reverse("mfa:mfa_verify"), {"token": code_for(device)})
    assert client.post(reverse("mfa:mfa_disable"), {"token": code_for(device, 1)}).status_code == 403
    assert TOTPDevice.objects.filter(user=user).exists()


def test_production_forces_admins_and_coordinators():
    env = {
        k: v for k, v in os.environ.items() if k not in ("OTP_REQUIRED_ROLES", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="orientation.settings.production",
        SECRET_KEY="k3J9-q8Zr!v2Lw5Xp0Tn7Yb4Hc6Md1Fs_Ga8Ue3Ri9Oz2Kx5Wq7Jv0",
        ALLOWED_HOSTS="orienta.example.org",
    )
    code = "import django; django.setup(); from django.conf import settings; print(sorted(settings.OTP_REQUIRED_ROLES))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    assert result.stdout.strip() == "['admin', 'coordinator']", result.stderr
