"""Secure headers on every page of the URL matrix, for every role that may open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import sign_in
from .url_matrix import MATRIX, ROLES

PAGES = {"count": 0}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0]] = tokens[1:]
    return directives


def header_problems(response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    if not scripts:
        problems.append("no CSP script-src")
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
        problems.append(f"unsafe script-src {scripts}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append("CSP frame-ancestors is not 'none'")
    if directives.get("object-src") != ["'none'"]:
        problems.append("CSP object-src is not 'none'")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {response.get('X-Frame-Options')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r}")
    return problems


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_secure_headers_on_every_page(client, world, name):
    entry = MATRIX[name]
    failures, checked = [], 0
    for role in ROLES:
        for which in entry.objects:
            sign_in(client, world, role)
            url = reverse(name, kwargs=entry.kwargs(world, which) if entry.kwargs else {})
            response = client.get(url)
            # Every response carries the headers, refusals and redirects included.
            for problem in header_problems(response):
                failures.append(f"{name} as {role} on {which} ({response.status_code}): {problem}")
            checked += response.status_code == 200
    PAGES["count"] += checked
    assert checked or all(entry.expected("GET", r, w) != 200 for r in ROLES for w in entry.objects)
    assert not failures, "\n".join(failures)


def test_error_pages_reveal_nothing_and_carry_the_headers(client, make_user, settings):
    settings.DEBUG = False
    client.force_login(make_user("caseworker"))
    response = client.get("/no-such-page/?q=<script>alert(1)</script>")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<script>alert(1)" not in body and "Traceback" not in body and "urlpatterns" not in body
    assert not header_problems(response)


def test_the_500_page_is_generic(client, rf):
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Traceback" not in html and "{%" not in html and "Orienta" in html
