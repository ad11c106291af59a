"""Writes for two-factor authentication."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Orienta"


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """The user's pending (unconfirmed) device, created once and reused until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a pending device with a code from the app; other pending devices are removed."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.full_clean()
    device.save()
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


def totp_device_verify(*, device: TOTPDevice, token: str) -> bool:
    """Check a code against a confirmed device (throttled by django-otp after failures)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _details = device.verify_is_allowed()
        return bool(allowed) and device.verify_token(token)


@transaction.atomic
def totp_devices_remove(*, user) -> int:
    deleted, _by_model = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as a QR code, an SVG in a data: URI (the CSP allows img data:)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
