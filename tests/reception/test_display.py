"""The waiting-room display: tickets and desks in large type, never a name, asking every second."""

from __future__ import annotations

from django.urls import reverse

from reception import actions
from tests.factories import IdentityDocumentFactory, PersonFactory

from .conftest import check_in


def test_the_display_shows_the_call_ticket_and_desk_and_no_name(ref, client, receptionist, caseworker):
    person = PersonFactory(given_names="Yusmary", family_names="Rojas Pérez", phone="987654321")
    IdentityDocumentFactory(person=person, doc_type="cedula_ve", number="V23456789")
    waiting = PersonFactory(given_names="Génesis", family_names="Alvarado Díaz")
    visit = check_in(receptionist, person)
    check_in(receptionist, waiting)
    actions.visit_call(user=caseworker, visit=visit, site=visit.site, desk="7")
    client.force_login(receptionist)
    for url in [
        reverse("reception:display", args=[visit.site_id]),
        reverse("reception:display_calls", args=[visit.site_id]),
    ]:
        html = client.get(url).content.decode()
        assert f'data-ticket="{visit.ticket}"' in html and "<td>7</td>" in html, url
        for personal in ["Yusmary", "Rojas", "Génesis", "Alvarado", "987654321", "V23456789", "1990"]:
            assert personal not in html, (url, personal)


def test_the_display_asks_for_the_calls_every_second(ref, client, receptionist):
    client.force_login(receptionist)
    site_id = receptionist.site_memberships.get().site_id
    html = client.get(reverse("reception:display", args=[site_id])).content.decode()
    assert f'hx-get="{reverse("reception:display_calls", args=[site_id])}"' in html
    assert 'hx-trigger="every 1s"' in html


def test_the_display_shows_only_tickets_at_a_desk_now(ref, client, receptionist, caseworker):
    first = check_in(receptionist, PersonFactory())
    second = check_in(receptionist, PersonFactory())
    actions.visit_call(user=caseworker, visit=first, site=first.site, desk="1")
    actions.visit_call(user=caseworker, visit=second, site=second.site, desk="2")
    actions.visit_start(user=caseworker, visit=first)
    client.force_login(receptionist)
    html = client.get(reverse("reception:display_calls", args=[first.site_id])).content.decode()
    assert f'data-ticket="{second.ticket}"' in html and f'data-ticket="{first.ticket}"' not in html


def test_the_display_of_another_site_is_not_found(ref, client, receptionist, north_site):
    client.force_login(receptionist)
    assert client.get(reverse("reception:display", args=[north_site.pk])).status_code == 404
