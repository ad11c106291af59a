"""Playwright on Debian's Chromium (never a downloaded browser). Skipped, with a clear reason,
when /usr/bin/chromium is not installed; .ci/run installs it."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ORIENTA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM is used synchronously
# by the test itself, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser tests skipped: Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        watched = WatchedBrowser(browser)
        yield watched
        browser.close()


class WatchedBrowser:
    """Chromium, with every page of every context watched: a console error or an uncaught page
    error fails the test that caused it (``fail_on_browser_errors`` below), in every browser test."""

    def __init__(self, browser):
        self._browser = browser
        self.errors: list[str] = []
        self.expected: list[str] = []

    def expect_errors(self, *fragments: str):
        """Errors the current test causes on purpose (a refused page, a cut network), each
        recognised by a fragment of its text; any other error still fails the test."""
        self.expected.extend(fragments)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("page", self.watch)
        return context

    def watch(self, page):
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: page error: {exc}"))

    def _console(self, page, msg):
        if msg.type == "error" and not any(f in msg.text for f in self.expected):
            self.errors.append(f"{page.url}: console error: {msg.text}")

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def fail_on_browser_errors(request):
    """Every browser test fails on a console error or a page error of any of its pages."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    browser.errors.clear()
    browser.expected.clear()
    yield
    errors, browser.errors[:], browser.expected[:] = list(browser.errors), [], []
    assert not errors, "The browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    context.set_default_timeout(15000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def login(page):
    def _login(username: str, password: str = "orienta-demo"):
        page.goto(f"{page.base_url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]:not([name=language])")
        page.wait_for_load_state("networkidle")

    return _login
