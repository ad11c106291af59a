"""A real provider for reminders: Twilio's Messages API, for SMS and for WhatsApp.

Set ``REMINDER_BACKEND=reception.providers.TwilioBackend`` and, in the environment of the Celery
worker (which sends), ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN`` and ``TWILIO_FROM`` (the
sending number in E.164 form, or a Messaging Service's id ``MG…``). ``REMINDER_CHANNEL=whatsapp``
sends through WhatsApp: Twilio then takes the same numbers with a ``whatsapp:`` prefix, and the
sending number must be a WhatsApp sender approved by Meta (messages outside a conversation the
person opened need an approved template: docs/reception.md, "Backends").

One HTTPS request per message, standard library only (as the DHIS2 push): ``POST
{TWILIO_API_BASE}/2010-04-01/Accounts/{sid}/Messages.json`` with ``To``, ``From`` (or
``MessagingServiceSid``) and ``Body``, form-encoded, with HTTP basic authentication. Twilio's
``sid`` of the message is returned and kept on the reminder. A refusal (4xx, with Twilio's code and
message), a server error, a timeout or an unreachable network raise ``ReminderBackendError``: the
reminder is tried again, then recorded as failed (``reception.actions.reminder_send``). Redirects
are not followed, so the credentials never go to another address.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .reminders import ReminderBackendError

MAX_BYTES = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx reaches the caller as an HTTPError


def e164(phone: str, *, country_code: str) -> str:
    """A phone as Orienta keeps it (digits, spaces allowed; ``+`` when the person gave a country
    code) in E.164 form: a local number gets the default country code (Peru's ``51``)."""
    raw = (phone or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        number = digits
    elif raw.startswith("00"):
        number = digits[2:]
    else:
        number = country_code + digits.lstrip("0")
    if not 8 <= len(number) <= 15:
        raise ReminderBackendError(f"not a phone number that can receive messages: {phone!r}")
    return "+" + number


class TwilioBackend:
    def __init__(self):
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.sender = settings.TWILIO_FROM
        missing = [
            name
            for name, value in (
                ("TWILIO_ACCOUNT_SID", self.account_sid),
                ("TWILIO_AUTH_TOKEN", self.auth_token),
                ("TWILIO_FROM", self.sender),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(
                f"TwilioBackend needs {', '.join(missing)} in the worker's environment."
            )
        self.base = settings.TWILIO_API_BASE.rstrip("/")
        self.timeout = settings.REMINDER_TIMEOUT
        self.country_code = settings.REMINDER_COUNTRY_CODE

    def _fields(self, *, channel: str, to: str, body: str) -> dict[str, str]:
        prefix = "whatsapp:" if channel == "whatsapp" else ""
        fields = {"To": prefix + e164(to, country_code=self.country_code), "Body": body}
        if self.sender.startswith("MG"):
            fields["MessagingServiceSid"] = self.sender
        else:
            fields["From"] = prefix + self.sender.removeprefix("whatsapp:")
        return fields

    def send(self, *, channel: str, to: str, body: str) -> str:
        url = f"{self.base}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode("ascii")
        request = urllib.request.Request(  # noqa: S310 — Twilio's https address, or the setting's
            url,
            data=urllib.parse.urlencode(self._fields(channel=channel, to=to, body=body)).encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "User-Agent": "Orienta",
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=self.timeout) as response:  # nosec B310
                status, raw = response.status, response.read(MAX_BYTES)
        except urllib.error.HTTPError as exc:
            try:
                raw = exc.read(MAX_BYTES) if exc.fp is not None else b""
            except (OSError, http.client.HTTPException):
                raw = b""
            raise ReminderBackendError(_refusal(exc.code, raw)) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise ReminderBackendError(
                f"Twilio unreachable: {type(reason).__name__}: {reason}"[:300]
            ) from None
        answer = _json(raw)
        sid = answer.get("sid") if isinstance(answer, dict) else None
        if not (200 <= status < 300) or not isinstance(sid, str) or not sid:
            raise ReminderBackendError(_refusal(status, raw))
        return sid


def _json(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _refusal(status: int, raw: bytes) -> str:
    """Twilio's reason, as it gives it (``code`` and ``message``), never the request's content."""
    answer = _json(raw)
    if isinstance(answer, dict) and (answer.get("code") or answer.get("message")):
        return f"Twilio {status}: {answer.get('code') or ''} {answer.get('message') or ''}".strip()[:300]
    return f"Twilio {status}: no message id in the answer"
