"""Transfers and shares between sites (docs/transfer.md): a request, the receiving site's
decision, what each site may then see and do, ending a share, the validation, the history, the
notifications, who may do what, and the inbox's queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import resolve, reverse
from django.utils import timezone

from cases.models import SiteRequest
from cases.selectors import BreakGlassRequired, people_visible_to, person_get_for_user
from cases.transfer import site_request_accept, site_request_close, site_request_make
from orientation.middleware import LANGUAGE_SESSION_KEY
from orientation.models import Notification, Site
from tests.factories import PersonFactory, second_orientation_site, site

REASON = "Se mudó a Independencia, más cerca de la sede norte."


@pytest.fixture
def north(ref):
    return second_orientation_site()


@pytest.fixture
def cw_north(make_user, north):
    return make_user("caseworker", sites=["PAO-NO"], username="cw-north")


@pytest.fixture
def person(ref):
    return PersonFactory(given_names="Yusmary Andreína", family_names="Rojas Pérez")


@pytest.fixture
def today():
    return timezone.localdate()


def _login(client, user):
    """Sign in with the pages in English (the language switch's choice), as the messages compared."""
    client.force_login(user)
    session = client.session
    session[LANGUAGE_SESSION_KEY] = "en"
    session.save()
    return client


def _date(day) -> str:
    return day.strftime("%d/%m/%Y")


def _ask(client, person, to_site, *, kind="transfer", share_until=None, reason=REASON):
    data = {"kind": kind, "to_site": to_site.pk, "reason": reason}
    if share_until is not None:
        data["share_until"] = _date(share_until)
    return client.post(reverse("cases:site_request_create", args=[person.pk]), data)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _sees(user, person, *, write=False) -> bool:
    user.__dict__.pop("_orienta_site_ids", None)
    user.__dict__.pop("_shared_person_ids", None)  # as in a new request
    try:
        person_get_for_user(user, person.pk, write=write)
    except (BreakGlassRequired, PermissionDenied):
        return False
    return True


# --- Transfer -------------------------------------------------------------------------------------


def test_an_accepted_transfer_moves_the_person_and_the_old_site_loses_them(
    person, caseworker, cw_north, north, client, settings
):
    settings.TRANSFER_OLD_SITE_KEEPS_READ = False
    _login(client, caseworker)
    page = client.get(reverse("cases:person_detail", args=[person.pk]))
    assert reverse("cases:site_request_create", args=[person.pk]) in page.content.decode()

    response = _ask(client, person, north)
    assert response.status_code == 302
    site_request = SiteRequest.objects.get(person=person)
    assert (site_request.kind, site_request.status, site_request.from_site, site_request.to_site) == (
        "transfer",
        "requested",
        site("PAO-LS"),
        north,
    )
    assert site_request.requested_by == caseworker
    person.refresh_from_db()
    assert person.site == site("PAO-LS")  # nothing moves before the receiving site accepts
    arrived = Notification.objects.get(user=cw_north)
    assert arrived.url == reverse("cases:site_requests")
    assert not _sees(cw_north, person)

    _login(client, cw_north)
    inbox = client.get(reverse("cases:site_requests"))
    assert list(inbox.context["to_decide"].object_list) == [site_request]
    response = client.post(
        reverse("cases:site_request_accept", args=[site_request.pk]), {"note": "Bienvenida"}
    )
    assert response.status_code == 302
    assert "Request accepted." in _messages(client.get(response.url))

    person.refresh_from_db()
    site_request.refresh_from_db()
    assert person.site == north
    assert (site_request.status, site_request.decided_by, site_request.decision_note) == (
        "accepted",
        cw_north,
        "Bienvenida",
    )
    last = person.history.first()
    assert (last.site_id, last.history_user, last.history_change_reason) == (
        north.pk,
        cw_north,
        "transferred to PAO-NO",
    )
    assert person.history.filter(site_id=site("PAO-LS").pk).exists()  # where it was is kept
    assert Notification.objects.filter(
        user=caseworker, key=f"site-request-decided:{site_request.pk}"
    ).exists()

    assert _sees(cw_north, person, write=True)
    assert person in people_visible_to(cw_north)
    assert not _sees(caseworker, person)
    assert person not in people_visible_to(caseworker)
    _login(client, caseworker)
    page = client.get(reverse("cases:person_detail", args=[person.pk]))
    assert page.status_code == 302
    assert resolve(page.url.split("?")[0]).url_name == "break_glass"


def test_the_old_site_reads_the_page_only_when_the_setting_allows(
    person, caseworker, cw_north, north, client, settings
):
    site_request = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    site_request_accept(user=cw_north, site_request=site_request)

    settings.TRANSFER_OLD_SITE_KEEPS_READ = True
    assert _sees(caseworker, person)
    assert not _sees(caseworker, person, write=True)  # read-only: a change needs the glass broken
    assert person not in people_visible_to(caseworker)  # not in the list: the page only
    _login(client, caseworker)
    page = client.get(reverse("cases:person_detail", args=[person.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="transferred-banner"' in html
    assert 'data-testid="person-actions"' not in html
    assert client.get(reverse("cases:person_edit", args=[person.pk])).status_code == 302  # break the glass

    settings.TRANSFER_OLD_SITE_KEEPS_READ = False
    assert not _sees(caseworker, person)


def test_a_declined_request_changes_nothing(person, caseworker, cw_north, north, client):
    site_request = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    _login(client, cw_north)
    response = client.post(
        reverse("cases:site_request_decline", args=[site_request.pk]), {"note": "Sin cupo este mes"}
    )
    assert "Request declined." in _messages(client.get(response.url))
    person.refresh_from_db()
    site_request.refresh_from_db()
    assert person.site == site("PAO-LS")
    assert person.history.count() == 1
    assert (site_request.status, site_request.decision_note) == ("declined", "Sin cupo este mes")
    assert _sees(caseworker, person, write=True)
    assert not _sees(cw_north, person)
    assert Notification.objects.filter(
        user=caseworker, key=f"site-request-decided:{site_request.pk}"
    ).exists()
    # Decided once: a second decision is refused with a message.
    response = client.post(reverse("cases:site_request_accept", args=[site_request.pk]))
    assert "This request was already decided or cancelled." in _messages(client.get(response.url))
    person.refresh_from_db()
    assert person.site == site("PAO-LS")


def test_a_transfer_ends_the_persons_shares(person, caseworker, cw_north, north, make_user, today):
    third = Site.objects.create(code="PAO-SU", name="Lima Sur", kind="orientation_point")
    cw_third = make_user("caseworker", sites=["PAO-SU"], username="cw-third")
    share = site_request_make(
        user=caseworker, person=person, kind="share", to_site=third, reason=REASON, share_until=today
    )
    site_request_accept(user=cw_third, site_request=share)
    assert _sees(cw_third, person, write=True)
    transfer = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    site_request_accept(user=cw_north, site_request=transfer)
    share.refresh_from_db()
    assert share.status == "ended"
    assert not _sees(cw_third, person)


# --- Share ----------------------------------------------------------------------------------------


def test_a_share_opens_the_person_to_the_second_site_until_its_last_day(
    person, caseworker, cw_north, north, client, today
):
    _login(client, caseworker)
    _ask(client, person, north, kind="share", share_until=today + timedelta(days=30))
    share = SiteRequest.objects.get(person=person, kind="share")
    assert share.share_until == today + timedelta(days=30)
    assert not _sees(cw_north, person)

    _login(client, cw_north)
    client.post(reverse("cases:site_request_accept", args=[share.pk]))
    person.refresh_from_db()
    assert person.site == site("PAO-LS")  # a share does not move the person
    assert _sees(cw_north, person, write=True)
    assert person in people_visible_to(cw_north)
    listed = client.get(reverse("cases:person_list"))
    assert person.pk in [p.pk for p in listed.context["page_obj"].object_list]
    found = client.post(reverse("cases:person_list"), {"q": "Yusmary Rojas"}, follow=True)
    assert person.pk in [p.pk for p in found.context["page_obj"].object_list]
    edit = client.get(reverse("cases:person_edit", args=[person.pk]))
    assert edit.status_code == 200
    assert _sees(caseworker, person, write=True)  # the person's own site keeps the case

    # The last day itself still counts; the day after, nothing (checked by date, no job).
    SiteRequest.objects.filter(pk=share.pk).update(share_until=today)
    assert _sees(cw_north, person)
    SiteRequest.objects.filter(pk=share.pk).update(share_until=today - timedelta(days=1))
    assert not _sees(cw_north, person)
    assert person not in people_visible_to(cw_north)
    assert client.get(reverse("cases:person_detail", args=[person.pk])).status_code == 302


def test_ending_a_share_early_removes_access(person, caseworker, cw_north, north, client, today):
    share = site_request_make(
        user=caseworker,
        person=person,
        kind="share",
        to_site=north,
        reason=REASON,
        share_until=today + timedelta(days=90),
    )
    site_request_accept(user=cw_north, site_request=share)
    assert _sees(cw_north, person, write=True)
    _login(client, caseworker)
    response = client.post(reverse("cases:site_request_close", args=[share.pk]))
    assert "Share ended: the other site no longer works on this case." in _messages(client.get(response.url))
    share.refresh_from_db()
    assert (share.status, share.closed_by) == ("ended", caseworker)
    assert not _sees(cw_north, person)
    # The receiving site cannot end it, nor can anyone end it twice.
    with pytest.raises(PermissionDenied):
        site_request_close(user=cw_north, site_request=share)
    with pytest.raises(ValidationError, match="already closed"):
        site_request_close(user=caseworker, site_request=share)


def test_an_expired_share_cannot_be_accepted(person, caseworker, cw_north, north, today):
    share = site_request_make(
        user=caseworker, person=person, kind="share", to_site=north, reason=REASON, share_until=today
    )
    SiteRequest.objects.filter(pk=share.pk).update(share_until=today - timedelta(days=1))
    with pytest.raises(ValidationError, match="has passed"):
        site_request_accept(user=cw_north, site_request=share)
    share.refresh_from_db()
    assert share.status == "requested"


def test_a_request_awaiting_a_decision_can_be_cancelled(person, caseworker, cw_north, north, client):
    site_request = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    _login(client, caseworker)
    response = client.post(reverse("cases:site_request_close", args=[site_request.pk]))
    assert "Request cancelled." in _messages(client.get(response.url))
    site_request.refresh_from_db()
    assert site_request.status == "cancelled"
    with pytest.raises(ValidationError):
        site_request_accept(user=cw_north, site_request=site_request)
    # A new request may be made once the first is closed.
    assert site_request_make(user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON)


# --- Validation -----------------------------------------------------------------------------------


def test_the_receiving_site_must_be_another_orientation_site(person, caseworker, north):
    with pytest.raises(ValidationError) as error:
        site_request_make(
            user=caseworker, person=person, kind="transfer", to_site=site("PAO-LS"), reason=REASON
        )
    assert error.value.message_dict["to_site"] == ["Choose a site other than the person's own."]
    with pytest.raises(ValidationError) as error:
        site_request_make(
            user=caseworker, person=person, kind="transfer", to_site=site("SCH-01"), reason=REASON
        )
    assert error.value.message_dict["to_site"] == ["Choose an active orientation site."]
    assert not SiteRequest.objects.exists()


def test_the_form_offers_only_other_orientation_sites(person, caseworker, north, client):
    _login(client, caseworker)
    form = client.get(reverse("cases:site_request_create", args=[person.pk])).context["form"]
    assert list(form.fields["to_site"].queryset) == [north]
    response = _ask(client, person, site("PAO-LS"))
    assert response.status_code == 200
    assert response.context["form"].errors["to_site"]
    assert not SiteRequest.objects.exists()


def test_a_second_open_request_of_the_same_kind_is_refused(person, caseworker, north, client, today):
    _login(client, caseworker)
    _ask(client, person, north)
    response = _ask(client, person, north)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This person already has a transfer request awaiting a decision."
    ]
    # A share may be asked beside an open transfer (another kind).
    assert _ask(client, person, north, kind="share", share_until=today + timedelta(days=5)).status_code == 302
    response = _ask(client, person, north, kind="share", share_until=today + timedelta(days=5))
    assert response.context["form"].non_field_errors() == [
        "This person already has a share request awaiting a decision."
    ]
    assert SiteRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (None, "Choose the last day of the share."),
        (SiteRequest.MAX_SHARE_DAYS + 1, "A share lasts at most 365 days."),
        (-1, "The last day of the share cannot be in the past."),
    ],
)
def test_a_share_needs_a_last_day_within_a_year(days, message, person, caseworker, north, client, today):
    _login(client, caseworker)
    until = None if days is None else today + timedelta(days=days)
    response = _ask(client, person, north, kind="share", share_until=until)
    assert response.status_code == 200
    assert response.context["form"].errors["share_until"] == [message]
    assert not SiteRequest.objects.exists()


def test_a_share_of_a_full_year_is_accepted(person, caseworker, north, client, today):
    _login(client, caseworker)
    response = _ask(client, person, north, kind="share", share_until=today + timedelta(days=365))
    assert response.status_code == 302


def test_a_request_without_a_reason_or_with_bad_input_shows_the_form_again(
    person, caseworker, cw_north, north, client
):
    _login(client, caseworker)
    response = client.post(
        reverse("cases:site_request_create", args=[person.pk]),
        {"kind": "move-it", "to_site": "x" * 50, "share_until": "31/02/2025", "reason": "  "},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"kind", "to_site", "reason"}
    site_request = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    _login(client, cw_north)
    response = client.post(
        reverse("cases:site_request_decline", args=[site_request.pk]), {"note": "x" * 1001}
    )
    assert response.status_code == 302
    assert _messages(client.get(response.url)) == [
        "Ensure this value has at most 1000 characters (it has 1001)."
    ]
    assert SiteRequest.objects.get().status == "requested"


def test_every_step_is_in_the_history(person, caseworker, cw_north, north, today):
    share = site_request_make(
        user=caseworker, person=person, kind="share", to_site=north, reason=REASON, share_until=today
    )
    site_request_accept(user=cw_north, site_request=share)
    site_request_close(user=caseworker, site_request=share)
    rows = list(
        share.history.order_by("history_date").values_list("status", "history_user", "history_change_reason")
    )
    assert rows == [
        ("requested", caseworker.pk, "share requested"),
        ("accepted", cw_north.pk, "share accepted"),
        ("ended", caseworker.pk, "share ended"),
    ]


# --- Who may do what ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychosocial", "facilitator", None, "receptionist"])
def test_other_roles_get_nothing(role, make_user, person, caseworker, north, client):
    site_request = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    user = make_user(role, sites=["PAO-LS", "PAO-NO"])
    _login(client, user)
    assert client.get(reverse("cases:site_requests")).status_code == 403
    assert client.get(reverse("cases:site_request_create", args=[person.pk])).status_code == 403
    for name in ("site_request_accept", "site_request_decline", "site_request_close"):
        assert client.post(reverse(f"cases:{name}", args=[site_request.pk])).status_code == 403
    site_request.refresh_from_db()
    assert site_request.status == "requested"


def test_a_third_sites_caseworker_finds_nothing(person, caseworker, north, make_user, client):
    Site.objects.create(code="PAO-SU", name="Lima Sur", kind="orientation_point")
    third = make_user("caseworker", sites=["PAO-SU"])
    site_request = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    _login(client, third)
    assert client.get(reverse("cases:site_request_create", args=[person.pk])).status_code == 404
    for name in ("site_request_accept", "site_request_decline", "site_request_close"):
        assert client.post(reverse(f"cases:{name}", args=[site_request.pk])).status_code == 404
    inbox = client.get(reverse("cases:site_requests"))
    assert not inbox.context["to_decide"].object_list and not inbox.context["sent"].object_list
    site_request.refresh_from_db()
    assert site_request.status == "requested"


def test_the_requesting_site_cannot_accept_its_own_request(person, caseworker, north, client):
    site_request = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    _login(client, caseworker)
    assert client.post(reverse("cases:site_request_accept", args=[site_request.pk])).status_code == 404


def test_a_coordinator_decides_for_their_sites_but_asks_nothing(
    person, caseworker, coordinator, north, client
):
    site_request = site_request_make(
        user=caseworker, person=person, kind="transfer", to_site=north, reason=REASON
    )
    _login(client, coordinator)
    assert client.get(reverse("cases:site_request_create", args=[person.pk])).status_code == 403
    assert client.post(reverse("cases:site_request_close", args=[site_request.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        site_request_make(user=coordinator, person=person, kind="share", to_site=north, reason=REASON)
    client.post(reverse("cases:site_request_accept", args=[site_request.pk]))
    person.refresh_from_db()
    assert person.site == north


def test_a_site_that_only_reaches_the_person_through_a_share_does_not_move_it(
    person, caseworker, cw_north, north, make_user, today
):
    share = site_request_make(
        user=caseworker, person=person, kind="share", to_site=north, reason=REASON, share_until=today
    )
    site_request_accept(user=cw_north, site_request=share)
    Site.objects.create(code="PAO-SU", name="Lima Sur", kind="orientation_point")
    with pytest.raises(PermissionDenied):
        site_request_make(
            user=cw_north, person=person, kind="transfer", to_site=site("PAO-SU"), reason=REASON
        )


# --- Queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 6])
def test_inbox_queries_do_not_grow(rows, caseworker, cw_north, north, client, page_queries, today):
    for index in range(rows):
        received = PersonFactory(site=north)
        site_request_make(
            user=cw_north, person=received, kind="transfer", to_site=site("PAO-LS"), reason=REASON
        )
        sent = PersonFactory()
        site_request_make(
            user=caseworker,
            person=sent,
            kind="share",
            to_site=north,
            reason=REASON,
            share_until=today + timedelta(days=index),
        )
    response = page_queries(_login(client, caseworker), reverse("cases:site_requests"), INBOX_QUERIES)
    assert len(response.context["to_decide"].object_list) == rows
    assert len(response.context["sent"].object_list) == rows


# The inbox: the session, the user, the user's roles and sites, then for each list one count and
# one page of requests (person, sites and users joined), and the unread notifications.
INBOX_QUERIES = 9
