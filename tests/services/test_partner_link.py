"""The slip and the partner's one-time, expiring link (no account needed)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from orientation.models import AccessLog
from services.models import PartnerLink
from tests.factories import IdentityDocumentFactory

from .conftest import referral_state


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _print_slip(client, referral):
    response = client.post(reverse("services:referral_slip", args=[referral.pk]))
    assert response.status_code == 200
    match = re.search(r'data-testid="partner-link">([^<]+)<', response.content.decode())
    return response, match.group(1).strip()


def _path(url):
    return url.split("testserver", 1)[1]


def test_slip_shows_the_minimum_and_logs_the_printing(make_referral, person, caseworker, client_for):
    IdentityDocumentFactory(person=person, doc_type="cedula_ve", number="20123456")
    referral = make_referral(person=person, reason="Dolor de pecho desde hace una semana")
    response, url = _print_slip(client_for(caseworker), referral)
    body = response.content.decode()
    assert referral.code in body
    assert referral.partner.name in body and referral.service_type.name in body
    assert "Yusmary Andreína Rojas Pérez" in body
    assert "3456" in body and "20123456" not in body  # only the document's last digits
    assert "Dolor de pecho" not in body  # the reason stays in Orienta
    assert "data-print" in body and "services.css" in body
    assert "<svg" in body  # the QR code for the partner
    log = AccessLog.objects.get(action=AccessLog.Action.PRINT)
    assert (log.user, log.object_type, log.object_id) == (caseworker, "services.referral", str(referral.pk))
    assert url.startswith("http://testserver/services/partner/")


def test_only_a_hash_of_the_token_is_stored(make_referral, caseworker, client_for):
    referral = make_referral()
    _response, url = _print_slip(client_for(caseworker), referral)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40
    link = PartnerLink.objects.get(referral=referral)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(PartnerLink.objects.values().get())
    assert round((link.expires_at - link.created_at).total_seconds() / 86400) == 30


def test_slip_is_refused_for_a_closed_referral(make_referral, caseworker, client_for):
    referral = make_referral(status="completed")
    response = client_for(caseworker).post(reverse("services:referral_slip", args=[referral.pk]))
    assert response.status_code == 302
    assert not PartnerLink.objects.exists() and not AccessLog.objects.exists()


def test_slip_address_opened_directly_explains_and_offers_to_print_again(
    make_referral, caseworker, client_for
):
    """A bookmark or a reload of the slip (a GET) makes no link and logs nothing: it explains."""
    referral = make_referral()
    client = client_for(caseworker)
    client.post(reverse("set_language"), {"language": "en"})
    url = reverse("services:referral_slip", args=[referral.pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="slip-reprint"' in body and "cannot be opened again" in body
    assert 'data-testid="slip-print-again"' in body and 'method="post"' in body
    assert not PartnerLink.objects.exists() and not AccessLog.objects.exists()
    # The button prints a fresh slip.
    _print_slip(client, referral)
    assert PartnerLink.objects.count() == 1


def test_slip_address_of_a_closed_referral_says_so(make_referral, caseworker, client_for):
    referral = make_referral(status="completed")
    response = client_for(caseworker).get(reverse("services:referral_slip", args=[referral.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="slip-closed"' in body and 'data-testid="slip-print-again"' not in body


def test_partner_sees_minimum_data_without_an_account(make_referral, person, caseworker, client_for, client):
    referral = make_referral(person=person)
    _response, url = _print_slip(client_for(caseworker), referral)
    client.logout()
    response = client.get(_path(url))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Yusmary R." in body
    assert "Rojas" not in body and "Andreína" not in body and person.phone not in body
    assert referral.code in body and referral.service_type.name in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store"


def test_partner_marks_attended_once(make_referral, caseworker, client_for, client):
    referral = make_referral(referred_on=date(2025, 3, 10))
    _response, url = _print_slip(client_for(caseworker), referral)
    client.logout()
    response = client.post(
        _path(url),
        {"to_status": "completed", "completed_on": "2025-03-14", "comment": "Atendida en consulta."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("services:partner_feedback_done")
    assert client.get(response["Location"]).status_code == 200
    referral.refresh_from_db()
    assert (referral.status, referral.completed_on, referral.outcome) == (
        "completed",
        date(2025, 3, 14),
        "Atendida en consulta.",
    )
    last = referral.transitions.last()
    assert (last.via_partner_link, last.by, last.comment) == (True, None, "Atendida en consulta.")
    # Single use: the same link now says so, and a second answer changes nothing.
    before = referral_state(referral)
    again = client.post(_path(url), {"to_status": "declined", "comment": "no"})
    assert again.status_code == 410
    assert 'data-testid="partner-link-used"' in again.content.decode()
    assert client.get(_path(url)).status_code == 410
    assert referral_state(referral) == before


def test_partner_accepts_then_a_new_slip_is_needed(make_referral, caseworker, client_for, client):
    referral = make_referral()
    staff = client_for(caseworker)
    _response, url = _print_slip(staff, referral)
    staff.logout()
    assert client.post(_path(url), {"to_status": "accepted"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert client.get(_path(url)).status_code == 410


def test_printing_again_replaces_the_unused_link(make_referral, caseworker, client_for):
    referral = make_referral()
    client = client_for(caseworker)
    _r, first = _print_slip(client, referral)
    _r, second = _print_slip(client, referral)
    assert first != second
    client.logout()
    assert client.get(_path(first)).status_code == 410
    assert client.get(_path(second)).status_code == 200
    assert AccessLog.objects.filter(action=AccessLog.Action.PRINT).count() == 2


def test_expired_link(make_referral, caseworker, client_for, settings):
    referral = make_referral()
    client = client_for(caseworker)
    _r, url = _print_slip(client, referral)
    PartnerLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.logout()
    response = client.get(_path(url))
    assert response.status_code == 410
    assert 'data-testid="partner-link-expired"' in response.content.decode()
    before = referral_state(referral)
    assert client.post(_path(url), {"to_status": "accepted"}).status_code == 410
    assert referral_state(referral) == before


def test_link_days_come_from_settings(make_referral, caseworker, client_for, settings):
    settings.PARTNER_LINK_DAYS = 3
    _print_slip(client_for(caseworker), make_referral())
    link = PartnerLink.objects.get()
    assert round((link.expires_at - link.created_at).total_seconds() / 86400) == 3


@pytest.mark.parametrize("token", ["x", "A" * 43, "R-7KQ2-M9XD", "%00", "a" * 200])
def test_wrong_token_is_a_clear_404(client, ref, token):
    response = client.get(f"/services/partner/{token}/")
    assert response.status_code == 404
    assert 'data-testid="partner-link-missing"' in response.content.decode()


def test_wrong_tokens_are_throttled(client, ref):
    for i in range(30):
        assert client.get(f"/services/partner/wrong{i}/").status_code == 404
    response = client.get("/services/partner/wrong-again/")
    assert response.status_code == 429


def test_link_of_a_referral_closed_meanwhile(make_referral, caseworker, client_for):
    from services.actions import referral_transition

    referral = make_referral()
    client = client_for(caseworker)
    _r, url = _print_slip(client, referral)
    referral_transition(referral=referral, user=caseworker, to_status="cancelled")
    client.logout()
    response = client.get(_path(url))
    assert response.status_code == 410
    assert 'data-testid="partner-link-closed"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to_status": "completed"}, "Tell us the date"),
        ({"to_status": "completed", "completed_on": "2025-03-01"}, "before the referral date"),
        ({"to_status": "completed", "completed_on": "2999-03-01"}, "cannot be in the future"),
        ({"to_status": "declined"}, "Tell us briefly why"),
        ({"to_status": "cancelled"}, "valid choice"),
        ({"to_status": "no_show"}, "valid choice"),
    ],
)
def test_partner_bad_input_is_explained_and_keeps_the_link(
    make_referral, caseworker, client_for, data, message
):
    referral = make_referral(referred_on=date(2025, 3, 10))
    client = client_for(caseworker)
    _r, url = _print_slip(client, referral)
    client.logout()
    client.post(reverse("set_language"), {"language": "en"})
    before = referral_state(referral)
    response = client.post(_path(url), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert referral_state(referral) == before
    assert PartnerLink.objects.get().used_at is None


def test_accepted_referral_offers_attended_or_declined(make_referral, caseworker, client_for):
    referral = make_referral(status="accepted")
    client = client_for(caseworker)
    _r, url = _print_slip(client, referral)
    client.logout()
    form = client.get(_path(url)).context["form"]
    assert [c[0] for c in form.fields["to_status"].choices] == ["completed", "declined"]


def test_partner_answer_notifies_the_responsible_and_shows_on_the_referral(
    make_referral, caseworker, client_for, client, django_capture_on_commit_callbacks
):
    from orientation.models import Notification, OutboxMessage

    referral = make_referral(responsible=caseworker)
    staff = client_for(caseworker)
    _r, url = _print_slip(staff, referral)
    staff.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_path(url), {"to_status": "declined", "comment": "Sin cupo este mes."})
    assert response.status_code == 302
    # Through the outbox, once: the task ran after the commit and the message is marked sent.
    message = OutboxMessage.objects.get(task_name="services.tasks.referral_partner_answer_notify_task")
    assert message.sent_at is not None
    notification = Notification.objects.get(user=caseworker)
    assert referral.code in notification.message
    assert notification.url == reverse("services:referral_detail", args=[referral.pk])
    # A redelivered task does not notify twice.
    from services.tasks import referral_partner_answer_notify_task

    referral_partner_answer_notify_task.apply(kwargs=message.kwargs)
    assert Notification.objects.filter(user=caseworker).count() == 1
    # The referral itself says the partner answered.
    page = client_for(caseworker).get(notification.url).content.decode()
    assert 'data-testid="partner-answer"' in page and "Sin cupo este mes." in page


def test_partner_answer_without_responsible_tells_who_made_the_referral(
    make_referral, caseworker, client_for, client, django_capture_on_commit_callbacks
):
    from orientation.models import Notification

    referral = make_referral(responsible=None, created_by=caseworker)
    staff = client_for(caseworker)
    _r, url = _print_slip(staff, referral)
    staff.logout()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_path(url), {"to_status": "accepted"}).status_code == 302
    assert Notification.objects.filter(user=caseworker).count() == 1


def test_a_referral_without_partner_answer_shows_none(make_referral, caseworker, client_for):
    referral = make_referral(responsible=caseworker)
    page = client_for(caseworker).get(reverse("services:referral_detail", args=[referral.pk]))
    assert 'data-testid="partner-answer"' not in page.content.decode()
