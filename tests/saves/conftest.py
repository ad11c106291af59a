"""Fixtures of the save probes (nothing twice, nothing overwritten, nothing lost)."""

from __future__ import annotations

import html
import re
import threading
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.utils import translation

KEY_RE = re.compile(r'name="submission_key" value="([^"]+)"')


# The concurrency tests need PostgreSQL's row locks and unique-index waits with real threads:
# skipped on SQLite, they run in CI's PostgreSQL pass (``make test`` with DATABASE_URL).
def postgres_only(test):
    """Mark a test as a PostgreSQL concurrency test with real threads (committed data)."""
    for mark in (
        pytest.mark.postgres,
        pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
        pytest.mark.django_db(transaction=True),
    ):
        test = mark(test)
    return test


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def key_in(response) -> str:
    """The one-time key rendered in a form page."""
    match = KEY_RE.search(response.content.decode())
    assert match, "the form carries no submission key"
    return match.group(1)


def run_together(*calls):
    """Run the calls in threads released at the same instant; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(i, call):
        from django.db import connections

        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


class _Forms(HTMLParser):
    """The post forms of a page with the values a browser would send as they stand."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"attrs": a, "fields": {}}
            self.forms.append(self._form)
        if self._form is None or "name" not in a and tag in ("input", "select", "textarea"):
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                fields.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self._select = a["name"]
            fields.setdefault(self._select, [])
        elif tag == "option" and self._select:
            if "selected" in a:
                fields[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[self._textarea] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea][0] += data


def form_with(response, field: str) -> dict:
    """The values of the page's form that has ``field``, as a dict for the test client."""
    parser = _Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        if any(name == field or name.endswith(f"-{field}") for name in form["fields"]):
            out = {}
            for name, values in form["fields"].items():
                values = [html.unescape(v) for v in values]
                out[name] = values if len(values) != 1 else values[0]
            return out
    raise AssertionError(f"no form with {field}")


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the messages in English: the centre's default language for their users
    (copied into the session at sign-in), as the ES/EN switch would choose it."""
    settings.LANGUAGE_CODE = "en"
