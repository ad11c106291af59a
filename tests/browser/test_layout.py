"""Every page fits the screen: a tablet at the desk (1024x768 and 768x1024) for each role, and the
sport facilitator's phone at the pitch (390x844), in Spanish (the longer language).

The pages are the URL walk's GET cases (tests/security/url_matrix/) that answer 200 with HTML
for the role, on demo-like data. One browser context per role; each page is loaded once and
measured at each size (the browser lays it out again on resize)."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.urls import reverse

from seeds.demo import load_demo_data
from tests.browser.test_tablet_pages import demo_figures_compute
from tests.security.url_matrix import MATRIX, World

TABLET = [(1024, 768), (768, 1024)]
PHONE = [(390, 844)]
SIZES = {
    "caseworker": TABLET,
    "psychosocial": TABLET,
    "facilitator": TABLET + PHONE,
    "coordinator": TABLET,
    "admin": TABLET,
    "norole": TABLET + PHONE,
}

# Measured after two frames: charts and other resize observers settle after a viewport change.
OVERFLOW = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  if (document.documentElement.scrollWidth <= window.innerWidth) return {scroll: 0, inner: window.innerWidth};
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null && !e.closest('.table-responsive'))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide};
}"""


def walk_pages(client: Client, world: World, role: str) -> list[str]:
    """The walk's pages that answer this role with an HTML page."""
    user = world.users[role]
    client.force_login(user)
    world.role = role
    urls = []
    for name, entry in sorted(MATRIX.items()):
        which = entry.objects[0]
        if entry.expected("GET", role, which) != 200:
            continue
        url = reverse(name, kwargs=entry.kwargs(world, which) if entry.kwargs else {})
        response = client.get(url)
        if (
            response.status_code == 200
            and "text/html" in response.get("Content-Type", "")
            and not getattr(response, "streaming", False)
            and b"<html" in response.content[:200]  # a page, not an htmx fragment
        ):
            urls.append(url)
    return urls


@pytest.fixture
def layout_world(ref, role_users):
    load_demo_data(people=30)
    demo_figures_compute()
    world = World()
    world.users = role_users
    return world


@pytest.fixture
def role_users(make_user):
    """The walk's users (sites as in url_matrix.ROLE_SITE), with names as long as real ones."""
    names = {"first_name": "María Fernanda", "last_name": "Gutiérrez Villanueva"}
    return {
        "norole": make_user(None, sites=["PAO-LS"], username="walk-norole", **names),
        "caseworker": make_user("caseworker", sites=["PAO-LS"], username="walk-caseworker", **names),
        "psychosocial": make_user("psychosocial", sites=["PAO-LS"], username="walk-psychosocial", **names),
        "facilitator": make_user("facilitator", sites=["SCH-01"], username="walk-facilitator", **names),
        "coordinator": make_user("coordinator", programs=["PAO"], username="walk-coordinator", **names),
        "admin": make_user("admin", username="walk-admin", **names),
    }


# LAYOUT_ROLES (comma-separated) walks some roles only: CI leaves out the psychosocial specialist,
# whose pages are the caseworker's but for the sessions' forms (`make test` walks every role).
ROLES = [r for r in SIZES if r in os.environ.get("LAYOUT_ROLES", ",".join(SIZES)).split(",")]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_tablet_and_the_phone_without_sideways_scroll(
    browser, live_server, layout_world, role
):
    client = Client()
    urls = walk_pages(client, layout_world, role)
    assert urls, role
    context = browser.new_context(viewport=dict(zip(("width", "height"), SIZES[role][0], strict=True)))
    context.set_default_timeout(15000)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    too_wide = []
    try:
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            for width, height in SIZES[role]:
                page.set_viewport_size({"width": width, "height": height})
                measure = page.evaluate(OVERFLOW)
                if measure["scroll"] > measure["inner"]:
                    too_wide.append(
                        f"{url} at {width}x{height}: {measure['scroll']} px wide; {measure['wide']}"
                    )
            page.set_viewport_size(dict(zip(("width", "height"), SIZES[role][0], strict=True)))
    finally:
        context.close()
    assert not too_wide, f"{role}: pages wider than the screen:\n" + "\n".join(too_wide)
