"""Hostile input to every form view of the URL matrix (every URL that accepts POST): no 500, no
unescaped reflection of markup, no redirect off the site.

Each endpoint is posted to as the first role allowed to use it, with hypothesis-generated bodies:
long strings, unicode, HTML/JS payloads, SQL-ish strings, null bytes, huge numbers, bad dates,
repeated values, unknown and missing fields. Deterministic (derandomize) for CI.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import sign_in
from .url_matrix import LOGIN, MATRIX, ROLES, Redirect

TOTAL_EXAMPLES = 2000
ROLE_ORDER = ["caseworker", "psychosocial", "coordinator", "admin", "facilitator", "norole", "anonymous"]
MARK = "xss-orienta"
HOSTILE = [
    f"<script>alert('{MARK}')</script>",
    f'"><img src=x onerror=alert("{MARK}")>',
    f"<svg/onload=alert('{MARK}')>",
    f"javascript:alert('{MARK}')",
    f"</textarea><script>{MARK}</script>",
    "' OR '1'='1",
    "1; DROP TABLE cases_person;--",
    "'; SELECT pg_sleep(5);--",
    "\x00",
    "abc\x00def",
    "%00",
    "\u202eevil",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ñandú 漢字 🙂",
    "ＡＢＣ１２３",
    "A" * 10_000,
    "9" * 400,
    "-1",
    "0",
    "99999999999999999999999999999999",
    "1e308",
    "NaN",
    "-0.0",
    "2025-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2025",
    "-2025-01-01",
    "2025-13-01",
    "true",
    "on",
    "[]",
    "{}",
    "null",
    "None",
    " ",
    "",
    "../../../../etc/passwd",
    "//evil.example.org/",
    "https://evil.example.org/",
    "\\\\evil.example.org",
    "{{ 7*7 }}",
    "{% debug %}",
    "${jndi:ldap://x}",
    "\r\nSet-Cookie: x=1",
]


def values():
    single = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=200),
        st.integers(min_value=-(10**40), max_value=10**40).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.dates().map(lambda d: d.isoformat()),
        st.binary(max_size=50).map(lambda b: b.decode("latin-1")),
    )
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


def bodies(fields: list[str]):
    known = st.fixed_dictionaries({}, optional={name: values() for name in fields})
    unknown = st.dictionaries(st.text(min_size=1, max_size=20), values(), max_size=2)
    return st.tuples(known, unknown).map(lambda pair: {**pair[1], **pair[0]})


def fuzz_role(entry) -> str | None:
    """The role to fuzz as: the entry's ``fuzz_as``, else the first role whose POST on the first
    object shows the form (200), refuses the input (400) or acts (a redirect)."""
    if entry.fuzz_as:
        return entry.fuzz_as
    for want_form in (True, False):
        for role in ROLE_ORDER:
            outcome = entry.expected("POST", role, entry.objects[0])
            if want_form and outcome in (200, 400):
                return role
            if not want_form and isinstance(outcome, Redirect) and outcome != LOGIN:
                return role
    return None


def query_role(entry) -> str | None:
    """The first role whose GET on the first object shows the page (200) or sends it on (a redirect)."""
    for role in ROLE_ORDER:
        outcome = entry.expected("GET", role, entry.objects[0])
        if outcome == 200 or (isinstance(outcome, Redirect) and outcome != LOGIN):
            return role
    return None


FORM_VIEWS = sorted(
    name for name, entry in MATRIX.items() if entry.post is not None and entry.fuzz and fuzz_role(entry)
)
QUERY_VIEWS = sorted(name for name, entry in MATRIX.items() if entry.fuzz_query and query_role(entry))
# Query strings are fuzzed on top of the form budget, with fewer examples per page.
QUERY_PER_VIEW = 25
PER_VIEW = math.ceil(TOTAL_EXAMPLES / max(len(FORM_VIEWS), 1))
TRIED = {"inputs": 0, "query_inputs": 0, "server_errors": 0}
FIELD_NAME = re.compile(r"""<(?:input|select|textarea)\b[^>]*\bname=["']([^"']+)["']""", re.IGNORECASE)


def form_fields(client, url: str, entry) -> list[str]:
    if entry.post_fields is not None:
        return list(entry.post_fields)
    response = client.get(url)
    assert response.status_code == 200, f"{url}: cannot read the form ({response.status_code})"
    names = set(FIELD_NAME.findall(response.content.decode()))
    return sorted(names - {"csrfmiddlewaretoken", "language"})


def as_post_data(body: dict) -> dict:
    return {key: value for key, value in body.items()}


def test_fuzz_covers_every_form_view():
    assert set(FORM_VIEWS) >= {
        "arco:arco_request_create",
        "login",
        "mfa:mfa_setup",
        "cases:person_register",
        "cases:break_glass_open",
        "imports:people_export",
        "imports:import_upload",
        "services:referral_create",
        "services:referral_transition",
        "services:psychosocial_session_create",
        "services:partner_feedback",
        "sport:sport_group_create",
        "sport:sport_attendance_add",
    }
    # A URL that takes a POST is fuzzed unless its entry says why not (fuzz=False).
    unfuzzed = sorted(
        name
        for name, entry in MATRIX.items()
        if entry.post is not None
        and entry.fuzz
        and name not in FORM_VIEWS
        and any(
            entry.expected("POST", role, which) not in (LOGIN, 403, 404, 405)
            for role in ROLES
            for which in entry.objects
        )
    )
    assert not unfuzzed, unfuzzed
    assert PER_VIEW * len(FORM_VIEWS) >= TOTAL_EXAMPLES
    assert all(r in ROLES for r in ROLE_ORDER)


@pytest.fixture
def axes_on(settings):
    """django-axes records every failed sign-in (hostile usernames included) as in production."""
    from axes.handlers.proxy import AxesProxyHandler

    settings.AXES_ENABLED = True
    AxesProxyHandler.implementation = None
    yield
    AxesProxyHandler.implementation = None


@pytest.mark.parametrize("name", FORM_VIEWS)
def test_hostile_input_never_breaks_a_form(client, world, axes_on, name):
    entry = MATRIX[name]
    role = fuzz_role(entry)
    sign_in(client, world, role)
    kwargs = entry.kwargs(world, entry.objects[0]) if entry.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    fields = form_fields(client, url, entry)
    client.raise_request_exception = True
    ran = {"n": 0}

    @settings(
        max_examples=PER_VIEW,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(body=bodies(fields))
    def post_hostile(body):
        if role != "anonymous" and "_auth_user_id" not in client.session:
            sign_in(client, world, role)  # an example signed the client out: sign in again
        if entry.fuzz_prepare and role != "anonymous":
            entry.fuzz_prepare(world, client, world.users[role])
        ran["n"] += 1
        TRIED["inputs"] += 1
        try:
            response = client.post(url, as_post_data(body))
        except Exception as exc:  # a view that raised would be a 500
            TRIED["server_errors"] += 1
            raise AssertionError(f"{name} raised {exc!r} for {body!r}") from exc
        assert response.status_code < 500, f"{name}: {response.status_code} for {body!r}"
        if response.status_code in (301, 302):
            location = urlparse(response["Location"])
            assert location.netloc in ("", "testserver"), (
                f"{name}: redirect off the site: {response['Location']}"
            )
            assert location.scheme in ("", "http", "https")
        else:
            html = response.content.decode("utf-8", "replace")
            flat = []
            for value in body.values():
                flat.extend(value if isinstance(value, list) else [value])
            for value in flat:
                if "<" in value and len(value) >= 8 and re.search(r"<[a-zA-Z/]", value):
                    assert value not in html, f"{name}: unescaped reflection of {value!r}"

    post_hostile()
    assert ran["n"] >= PER_VIEW


# Sent to every parameter of every fuzzed page, on top of the random examples: numbers out of any
# column's range, digits that are not ASCII, and spreadsheet formulas.
EDGE_QUERY_VALUES = [
    "99999999999999999999999",
    "-99999999999999999999999",
    "9223372036854775808",
    "2147483648",
    "-1",
    "0",
    "1.5",
    "1e9",
    "²",
    "١٢",
    "=1+1",
    "+1",
    "@SUM(1)",
    '=HYPERLINK("http://evil.example")',
]


def test_query_fuzz_covers_the_filter_and_export_pages():
    assert set(QUERY_VIEWS) >= {
        "reports:dashboard",
        "reports:export",
        "cases:person_list",
        "services:referral_stats",
    }
    assert all(query_role(MATRIX[name]) for name in QUERY_VIEWS)


@pytest.mark.parametrize("name", QUERY_VIEWS)
def test_hostile_query_strings_never_break_a_page(client, world, name):
    entry = MATRIX[name]
    role = query_role(entry)
    sign_in(client, world, role)
    kwargs = entry.kwargs(world, entry.objects[0]) if entry.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    client.raise_request_exception = True
    ran = {"n": 0}

    @settings(
        max_examples=QUERY_PER_VIEW,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(body=bodies(entry.fuzz_query))
    def get_hostile(body):
        ran["n"] += 1
        TRIED["query_inputs"] += 1
        # A query string cannot carry a NUL byte through a real server either.
        query = {k.replace("\x00", ""): v for k, v in body.items()}
        try:
            response = client.get(url, query)
        except Exception as exc:
            TRIED["server_errors"] += 1
            raise AssertionError(f"{name} raised {exc!r} for {query!r}") from exc
        assert response.status_code < 500, f"{name}: {response.status_code} for {query!r}"
        if response.status_code in (301, 302):
            assert urlparse(response["Location"]).netloc in ("", "testserver"), response["Location"]
        elif "html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
            html = response.content.decode("utf-8", "replace")
            for value in body.values():
                for item in value if isinstance(value, list) else [value]:
                    if "<" in item and len(item) >= 8 and re.search(r"<[a-zA-Z/]", item):
                        assert item not in html, f"{name}: unescaped reflection of {item!r}"

    get_hostile()
    assert ran["n"] >= QUERY_PER_VIEW


@pytest.mark.parametrize("name", QUERY_VIEWS)
def test_out_of_range_numbers_and_formulas_never_break_a_page(client, world, name):
    entry = MATRIX[name]
    sign_in(client, world, query_role(entry))
    kwargs = entry.kwargs(world, entry.objects[0]) if entry.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    client.raise_request_exception = True
    failures = []
    for param in entry.fuzz_query:
        for value in EDGE_QUERY_VALUES:
            try:
                status = client.get(url, {param: value}).status_code
            except Exception as exc:
                failures.append(f"{param}={value!r}: {exc!r}")
                continue
            if status >= 500:
                failures.append(f"{param}={value!r}: {status}")
    assert not failures, f"{name}: {failures}"


def _xlsx_bomb(unpacked_mb: int) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            block = b"<si><t>A</t></si>" * 65536
            for _ in range(unpacked_mb * 1024 * 1024 // len(block)):
                member.write(block)
    return out.getvalue()


HOSTILE_UPLOADS = {
    "bomb.xlsx": lambda: _xlsx_bomb(80),
    "fake.xlsx": lambda: b"PK\x03\x04" + b"\x00garbage" * 100,
    "wide.csv": lambda: (",".join(f"c{i}" for i in range(5000)) + "\n" + "x," * 4999 + "x\n").encode(),
    "nul.csv": lambda: b"ref,given_names\x00\n1,2\n",
    "formula.csv": lambda: b'ref,given_names\n=HYPERLINK("http://evil.example"),=1+1\n',
    "latin1.csv": lambda: "ref,given_names\n1,Jos\xe9\n".encode("latin-1"),
}


@pytest.mark.parametrize("filename", sorted(HOSTILE_UPLOADS))
def test_hostile_files_never_break_the_import_and_never_stay_on_disk(
    client, world, settings, tmp_path, django_capture_on_commit_callbacks, filename
):
    """Zip bombs, damaged and wide files: a clear refusal, no 500, and nothing left on disk."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.imports.models import ImportBatch

    settings.MEDIA_ROOT = tmp_path / "media"
    sign_in(client, world, fuzz_role(MATRIX["imports:import_upload"]))
    client.raise_request_exception = True
    upload = SimpleUploadedFile(filename, HOSTILE_UPLOADS[filename]())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:import_upload"), {"kind": "people", "file": upload})
    assert response.status_code in (200, 302)
    for batch in ImportBatch.objects.all():
        assert batch.status == ImportBatch.Status.INVALID and batch.errors and not batch.file
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
