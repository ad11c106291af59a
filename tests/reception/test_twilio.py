"""The Twilio backend against a local stand-in for Twilio's Messages API: what it sends (the
form fields, the basic authentication, E.164 numbers, WhatsApp's prefix), the message id it keeps,
and each way a provider fails (a refusal with Twilio's reason, a server error, a timeout, an
unreachable address, a redirect) becoming a retried, then failed, reminder."""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from reception import actions
from reception.models import Reminder
from reception.providers import TwilioBackend, e164
from reception.reminders import ReminderBackendError

from .test_reminders import appointment_for

SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "secret-token"


class FakeTwilio(BaseHTTPRequestHandler):
    """Answers as ``FakeTwilio.answer`` says: (status, JSON body, seconds to wait first)."""

    answer = (201, {"sid": "SM0001"}, 0)
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 — http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        FakeTwilio.requests.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "fields": {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()},
            }
        )
        status, body, wait = FakeTwilio.answer
        time.sleep(wait)
        self.send_response(status)
        if status in (301, 302, 307):
            self.send_header("Location", "http://elsewhere.invalid/steal")
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeTwilio.requests, FakeTwilio.answer = [], (201, {"sid": "SM0001"}, 0)
    settings.REMINDER_BACKEND = "reception.providers.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, TOKEN
    settings.TWILIO_FROM = "+15005550006"
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.REMINDER_TIMEOUT = 1.0
    settings.REMINDER_CHANNEL = "sms"
    yield FakeTwilio
    server.shutdown()
    server.server_close()


def test_a_local_number_gets_the_country_code_and_a_foreign_one_keeps_its_own():
    assert e164("987 654 321", country_code="51") == "+51987654321"
    assert e164("+58 412 5550101", country_code="51") == "+584125550101"
    assert e164("0058 412 5550101", country_code="51") == "+584125550101"
    with pytest.raises(ReminderBackendError):
        e164("12", country_code="51")


def test_an_sms_reminder_is_sent_as_twilio_expects_and_keeps_its_id(
    ref, caseworker, twilio, django_capture_on_commit_callbacks
):
    appointment_for(caseworker, phone="987654321")
    with django_capture_on_commit_callbacks(execute=True):
        actions.appointment_reminders_queue(today=timezone.localdate())
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.provider_id) == (Reminder.Status.SENT, "SM0001")
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request["fields"]["To"] == "+51987654321"
    assert request["fields"]["From"] == "+15005550006"
    assert request["fields"]["Body"] == reminder.body
    assert "Yusmary" not in request["fields"]["Body"]


def test_whatsapp_prefixes_both_numbers_and_a_messaging_service_replaces_the_sender(twilio, settings):
    assert TwilioBackend().send(channel="whatsapp", to="987654321", body="Hola") == "SM0001"
    assert twilio.requests[-1]["fields"]["To"] == "whatsapp:+51987654321"
    assert twilio.requests[-1]["fields"]["From"] == "whatsapp:+15005550006"
    settings.TWILIO_FROM = "MG0123456789abcdef0123456789abcdef"
    TwilioBackend().send(channel="sms", to="987654321", body="Hola")
    fields = twilio.requests[-1]["fields"]
    assert fields["MessagingServiceSid"] == settings.TWILIO_FROM and "From" not in fields


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ((400, {"code": 21211, "message": "The 'To' number is not a valid phone number."}, 0), "21211"),
        ((503, {"message": "Service Unavailable"}, 0), "Twilio 503"),
        ((201, {"status": "queued"}, 0), "no message id"),
        ((302, {}, 0), "Twilio 302"),
        ((201, {"sid": "SM-late"}, 2), "unreachable"),  # longer than REMINDER_TIMEOUT
    ],
    ids=["refused", "server-error", "no-id", "redirect", "timeout"],
)
def test_each_failure_is_an_attempt_then_the_reminder_is_failed_with_twilios_reason(
    ref, caseworker, twilio, settings, answer, reason
):
    settings.REMINDER_MAX_ATTEMPTS = 2
    twilio.answer = answer
    appointment = appointment_for(caseworker)
    actions.appointment_reminders_queue(today=appointment.date - timedelta(days=1))
    reminder = Reminder.objects.get()
    assert actions.reminder_send(reminder_id=reminder.pk) == Reminder.Status.QUEUED
    assert actions.reminder_send(reminder_id=reminder.pk) == Reminder.Status.FAILED
    reminder.refresh_from_db()
    assert reminder.attempts == 2 and reason in reminder.last_error and not reminder.provider_id
    assert TOKEN not in reminder.last_error
    assert len(twilio.requests) == 2  # the redirect was not followed


def test_an_unreachable_provider_is_an_attempt(ref, caseworker, twilio, settings):
    settings.TWILIO_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(ReminderBackendError, match="unreachable"):
        TwilioBackend().send(channel="sms", to="987654321", body="Hola")


def test_missing_credentials_are_said_at_once(settings):
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_AUTH_TOKEN"):
        TwilioBackend()
