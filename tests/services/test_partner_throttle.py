"""The partner link's throttle: wrong tokens are slowed per client address, a valid link is never
refused, and behind our proxies the client's own address is used (TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from orientation.network import client_ip
from services.views.partner import BAD_TOKEN_LIMIT


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _partner_path(client, referral) -> str:
    response = client.post(reverse("services:referral_slip", args=[referral.pk]))
    url = re.search(r'data-testid="partner-link">([^<]+)<', response.content.decode()).group(1).strip()
    return url.split("testserver", 1)[1]


def _guess(client, n: int, **headers):
    return client.get(f"/services/partner/wrong{n}/", **headers)


def test_a_valid_link_is_served_after_many_wrong_ones_from_the_same_address(
    make_referral, caseworker, client_for
):
    client = client_for(caseworker)
    path = _partner_path(client, make_referral())
    client.logout()
    for i in range(BAD_TOKEN_LIMIT):
        assert _guess(client, i).status_code == 404
    assert _guess(client, 999).status_code == 429  # the guessing is throttled
    response = client.get(path)
    assert (
        response.status_code == 200 and 'data-testid="partner-link-missing"' not in response.content.decode()
    )


def test_behind_the_proxy_one_client_guessing_does_not_throttle_another(client, ref, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for i in range(BAD_TOKEN_LIMIT):
        assert _guess(client, i, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 404
    assert _guess(client, 999, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    # Another client through the same proxy, and the guesser forging an address on the left.
    assert _guess(client, 1000, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy).status_code == 404
    forged = _guess(client, 1001, HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.7", **proxy)
    assert forged.status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.5"),  # no proxy configured: the header is not believed
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client wrote 1.2.3.4 itself
        (2, "203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "10.0.0.9", "10.0.0.5"),  # fewer hops than proxies: only the peer is known
        (1, "not-an-address", "10.0.0.5"),
        (1, "", "10.0.0.5"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
