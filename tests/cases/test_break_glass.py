"""Break the glass: another site's file is opened from a search result, with a logged reason.

A caseworker who types ids one after another learns nothing (not even whether the id exists), and
every look at a break-the-glass page is in the access log.
"""

import re
from unittest import mock

import pytest
from django.urls import resolve, reverse

import cases.selectors.people
from cases.selectors import BREAK_GLASS_LINK_SECONDS, break_glass_token
from orientation.models import AccessLog
from tests.factories import PersonFactory, site

REASON = "Atención de urgencia en el PAO"


@pytest.fixture
def minor(ref):
    return PersonFactory(given_names="Yusleidy", family_names="Carrasquel Ortega", site=site("SCH-01"))


def _looks():
    return list(AccessLog.objects.filter(action=AccessLog.Action.BREAK_GLASS_PAGE).order_by("pk"))


def test_an_id_typed_in_the_address_reveals_nothing_and_is_logged(client_for, caseworker, minor):
    client = client_for(caseworker)
    guessed = client.get(reverse("cases:break_glass", args=[minor.pk]))
    missing = client.get(reverse("cases:break_glass", args=[minor.pk + 1000]))
    assert guessed.status_code == missing.status_code == 403
    html = guessed.content.decode()
    for secret in ("Yusleidy", "Carrasquel", minor.site.name):
        assert secret not in html
    # The same page whether the id exists or not.
    assert [t.name for t in guessed.templates] == [t.name for t in missing.templates]
    assert guessed.context.get("person") is None and missing.context.get("person") is None
    assert [(e.user, e.object_type, e.object_id) for e in _looks()] == [
        (caseworker, "cases.person", str(minor.pk)),
        (caseworker, "cases.person", str(minor.pk + 1000)),
    ]


def test_a_reason_posted_to_a_typed_id_does_not_open_the_file(client_for, caseworker, minor):
    client = client_for(caseworker)
    response = client.post(reverse("cases:break_glass", args=[minor.pk]), {"reason": REASON})
    assert response.status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.BREAK_GLASS).exists()
    assert client.get(reverse("cases:person_detail", args=[minor.pk])).status_code == 302


def test_the_search_result_link_asks_the_reason_first_and_logs_every_look(client_for, caseworker, minor):
    client = client_for(caseworker)
    results = client.get(client.post(reverse("cases:person_list"), {"q": "Yusleidy Carrasquel"})["Location"])
    [link] = re.findall(r'href="(/[^"]*break-glass/[^"]+)"', results.content.decode())
    assert resolve(link).url_name == "break_glass_open"  # a signed link, not the person's id

    page = client.get(link)
    assert page.status_code == 200
    for secret in ("Yusleidy", "Carrasquel", minor.site.name):
        assert secret not in page.content.decode()
    response = client.post(link, {"reason": "corta"})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert [e.object_id for e in _looks()] == [str(minor.pk), str(minor.pk)]
    assert not AccessLog.objects.filter(action=AccessLog.Action.BREAK_GLASS).exists()

    response = client.post(link, {"reason": REASON})
    assert response["Location"] == reverse("cases:person_detail", args=[minor.pk])
    log = AccessLog.objects.get(action=AccessLog.Action.BREAK_GLASS)
    assert (log.user, log.object_id, log.reason) == (caseworker, str(minor.pk), REASON)
    assert client.get(response["Location"]).status_code == 200


def test_a_link_made_for_another_user_or_too_old_is_refused(
    client_for, caseworker, make_user, minor, settings
):
    colleague = make_user("caseworker", sites=["PAO-LS"], username="colega")
    client = client_for(colleague)
    for token in (
        break_glass_token(caseworker, minor.pk),
        "nonsense",
        break_glass_token(colleague, minor.pk)[:-2],
    ):
        response = client.post(reverse("cases:break_glass_open", args=[token]), {"reason": REASON})
        assert response.status_code == 403
        assert "Yusleidy" not in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.BREAK_GLASS).exists()
    assert len(_looks()) == 3

    token = break_glass_token(colleague, minor.pk)
    with mock.patch.object(cases.selectors.people, "BREAK_GLASS_LINK_SECONDS", -1):
        assert client.get(reverse("cases:break_glass_open", args=[token])).status_code == 403
    assert client.get(reverse("cases:break_glass_open", args=[token])).status_code == 200
    assert BREAK_GLASS_LINK_SECONDS <= 60 * 60
