"""Every URL × every role × {own site's record, another site's, a missing one}: the exact outcome.

The table is tests/security/url_matrix/; a URL of the resolver that the table does not know
fails here, so a new URL cannot ship without a decision about who may open it.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.urls import resolve, reverse

from .conftest import sign_in
from .url_matrix import MATRIX, ROLES, Redirect, resolver_urls

ATTRIBUTE_URLS = re.compile(
    r"""(?:href|src|action|formaction|hx-get|hx-post|hx-put|hx-delete|hx-patch|data-url)\s*=\s*["']([^"']*)["']""",
    re.IGNORECASE,
)
WALK_COUNT = {"requests": 0}


def test_every_url_of_the_resolver_is_in_the_matrix():
    found = resolver_urls()
    unnamed = [u.route for u in found if u.name is None]
    assert not unnamed, f"URL patterns without a name cannot be checked: {unnamed}"
    unknown = sorted({u.name for u in found} - set(MATRIX))
    assert not unknown, (
        f"URLs without an authorization check: {unknown}. Add them to tests/security/url_matrix/<app>.py "
        "(the entry format is documented at the top of that file)."
    )
    stale = sorted(set(MATRIX) - {u.name for u in found})
    assert not stale, f"Matrix entries for URLs that no longer exist: {stale}"


def test_the_matrix_declares_every_role():
    for name, entry in MATRIX.items():
        for table in filter(None, [entry.get, entry.post]):
            assert set(table) == set(ROLES), name


def outcome_matches(response, expected) -> bool:
    if isinstance(expected, Redirect):
        if response.status_code != 302:
            return False
        path = urlparse(response["Location"]).path
        try:
            return resolve(path).view_name == expected.to
        except Exception:
            return False
    return response.status_code == expected


def describe(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code}→{response['Location']}"
    return str(response.status_code)


def links_of(response) -> list[str]:
    links = []
    if response.has_header("Location"):
        links.append(response["Location"])
    content_type = response.get("Content-Type", "")
    if response.status_code == 200 and "html" in content_type and not getattr(response, "streaming", False):
        links.extend(ATTRIBUTE_URLS.findall(response.content.decode("utf-8", "replace")))
    return links


def walk(client, world, name: str, method: str) -> list[str]:
    entry = MATRIX[name]
    failures = []
    for role in ROLES:
        for which in entry.objects:
            sign_in(client, world, role)
            kwargs = entry.kwargs(world, which) if entry.kwargs else {}
            url = reverse(name, kwargs=kwargs)
            expected = entry.expected(method, role, which)
            response = client.get(url) if method == "GET" else client.post(url, {})
            WALK_COUNT["requests"] += 1
            if not outcome_matches(response, expected):
                failures.append(
                    f"{method} {name} as {role} on {which} ({url}): got {describe(response)}, expected {expected!r}"
                )
            for link in links_of(response):
                leaked = [n for n in world.document_numbers if n.lower() in link.lower()]
                if leaked:
                    failures.append(f"{method} {name} as {role}: a document number in a link: {link}")
    return failures


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_get_outcome_per_role_and_object(client, world, name):
    failures = walk(client, world, name, "GET")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(n for n, e in MATRIX.items() if e.post is not None))
def test_post_outcome_per_role_and_object(client, world, name):
    failures = walk(client, world, name, "POST")
    assert not failures, "\n".join(failures)


REASONS = ["same document number", "same phone", "same birth date", "similar name"]


@pytest.mark.parametrize("name", sorted(n for n, e in MATRIX.items() if e.probe_other))
def test_probing_another_sites_person_says_only_that_a_match_exists(client, world, name):
    """A duplicate check must not tell a caseworker whose phone or document number it is, nor
    confirm a guessed birth date, for a person of a site they do not work at; and it is logged."""
    from django.utils import translation

    from orientation.models import AccessLog

    entry = MATRIX[name]
    other = world.person("other")
    probes = entry.probe_other(world)
    forbidden_reasons = set()
    for language in ("en", "es"):
        with translation.override(language):
            forbidden_reasons.update(translation.gettext(r) for r in REASONS)
    failures = []
    for role in ROLES:
        if entry.expected("POST", role, "-") != 200:
            continue
        if MATRIX["cases:person_detail"].expected("GET", role, "other") == 200:
            continue  # a role that sees every site (admin) may see who it is
        sign_in(client, world, role)
        for body in probes:
            logged = AccessLog.objects.filter(object_type="cases.person", object_id=str(other.pk)).count()
            html = client.post(reverse(name), body).content.decode()
            typed = " ".join(str(v) for v in body.values())
            told = [
                text
                for text in [other.site.name, other.family_names, *forbidden_reasons]
                if text and text not in typed and text in html
            ]
            if told:
                failures.append(f"{name} as {role} with {sorted(body)}: shows {told}")
            if 'data-elsewhere="1"' not in html:
                failures.append(f"{name} as {role} with {sorted(body)}: no sign of the match elsewhere")
            if (
                AccessLog.objects.filter(object_type="cases.person", object_id=str(other.pk)).count()
                <= logged
            ):
                failures.append(f"{name} as {role} with {sorted(body)}: the check is not in the access log")
    assert probes and not failures, "\n".join(failures)
