"""Who may open which URL: one entry per URL name, checked by the authorization walk.

tests/security/test_authorization_walk.py introspects every URL pattern of the project (admin/
and static excluded) and FAILS for any URL name missing from ``MATRIX``: a new URL without a check
fails the suite. The header check (test_headers.py) and the form fuzzer (test_fuzz_forms.py) reuse
this table.

Entry format
------------
::

    "app:url_name": Entry(
        kwargs=lambda w, which: {"pk": w.person(which).pk},   # omit for URLs without arguments
        get=roles_(anonymous=LOGIN, norole=403, facilitator=403,
                   caseworker=SITE, psychosocial=SITE, coordinator=SITE, admin=ANY_SITE),
        post=...,            # same shape, for an empty POST; None: POST not checked
        post_fields=None,    # fuzz: field names to post (None: read from the GET page's form)
        fuzz=True,           # fuzz the POST with hostile input (as the first role allowed)
        fuzz_prepare=None,   # fuzz: callable(world, client, user) run before each hostile POST
    )

- ``kwargs(w, which)`` builds the URL's arguments from the ``World`` (below) for ``which`` in
  ``"own"`` (a record of the signed-in user's own site), ``"other"`` (another site's record) and
  ``"missing"`` (a primary key that does not exist). World factories return a ``Missing`` stand-in
  for ``"missing"``, so ``w.person(which).pk`` works for all three. Add a factory method to
  ``World`` for a new kind of object; ``w.site(which)`` is the right site for the current role.
- ``get`` / ``post`` map EVERY role of ``ROLES`` to an outcome: an int status, ``LOGIN`` (a
  redirect to the login page), ``Redirect("url_name")`` (a redirect to that page), or a dict per
  object ``{"own": 200, "other": 403, "missing": 404}`` (``SITE`` and ``ANY_SITE`` are the usual
  ones). ``roles_()`` refuses a table that forgets a role. Outcomes are exact: an unexpected 200
  fails, and so does a 404 where a 403 was declared.
- ``post`` is checked with an empty body (it must refuse or re-show the form, never change data
  for a refused role); the fuzzer posts hostile bodies as the first role whose own-object POST
  outcome is 200 or a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ["anonymous", "norole", "caseworker", "psychosocial", "facilitator", "coordinator", "admin"]
OBJECTS = ["own", "other", "missing"]
NO_OBJECT = ["-"]

# URL prefixes left out of the walk: Django's admin guards itself (and the MFA middleware guards it,
# tests/security/test_mfa.py), static files are public.
EXCLUDED_PREFIXES = ("admin/", "static/", "media/")

# Sites: a role's "own" records live at its site; "other" records at a site none of them works at
# (only admins see it). Coordinators are in the PAO program only, whose one site is PAO-LS.
ROLE_SITE = {
    "anonymous": "PAO-LS",
    "norole": "PAO-LS",
    "caseworker": "PAO-LS",
    "psychosocial": "PAO-LS",
    "facilitator": "SCH-01",
    "coordinator": "PAO-LS",
    "admin": "PAO-LS",
}
OTHER_SITE = "SCH-02"
MISSING_PK = 2_000_000_123


@dataclass(frozen=True)
class Redirect:
    to: str  # a URL name; the Location must resolve to it

    def __repr__(self) -> str:
        return f"302→{self.to}"


LOGIN = Redirect("login")
SITE = {"own": 200, "other": 403, "missing": 404}
ANY_SITE = {"own": 200, "other": 200, "missing": 404}


def roles_(**outcomes) -> dict[str, Any]:
    missing = set(ROLES) - set(outcomes)
    extra = set(outcomes) - set(ROLES)
    if missing or extra:
        raise ValueError(f"roles_() needs exactly the roles {ROLES}: missing {missing}, unknown {extra}")
    return outcomes


def everyone(outcome, *, anonymous=LOGIN) -> dict[str, Any]:
    return {role: (anonymous if role == "anonymous" else outcome) for role in ROLES}


@dataclass
class Entry:
    get: dict[str, Any]
    kwargs: Callable[[Any, str], dict] | None = None
    post: dict[str, Any] | None = None
    post_fields: list[str] | None = None
    fuzz: bool = True
    fuzz_prepare: Callable[[Any, Any, Any], None] | None = None
    objects: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.objects:
            self.objects = list(OBJECTS) if self.kwargs else list(NO_OBJECT)

    def expected(self, method: str, role: str, which: str):
        table = self.get if method == "GET" else self.post
        outcome = table[role]
        if isinstance(outcome, dict):
            return outcome[which]
        return outcome


@dataclass(frozen=True)
class Missing:
    """Stands for a record that does not exist."""

    pk: int = MISSING_PK

    @property
    def id(self) -> int:
        return self.pk


class World:
    """Object factories for the walk: one set of records per test, built on first use."""

    def __init__(self):
        self.role = "caseworker"
        self._cache: dict[tuple, Any] = {}
        self.document_numbers: set[str] = set()

    def site(self, which: str):
        from tests.factories import site

        return site(OTHER_SITE if which == "other" else ROLE_SITE[self.role])

    def _cached(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    # -- factories: each returns the record for "own"/"other" and Missing() for "missing" --------

    def person(self, which: str):
        if which == "missing":
            return Missing()
        site = self.site(which)

        def build():
            from tests.factories import IdentityDocumentFactory, PersonFactory

            person = PersonFactory(site=site, birth_date=date(1988, 4, 2))
            number = f"V{30_000_000 + person.pk}"
            IdentityDocumentFactory(person=person, doc_type="cedula_ve", number=number)
            self.document_numbers.add(number)
            return person

        return self._cached(("person", site.code), build)

    def arco_request(self, which: str, kind: str = "access"):
        if which == "missing":
            return Missing()
        person = self.person(which)

        def build():
            from cases.arco.dates import arco_due_on
            from cases.models import ArcoRequest

            return ArcoRequest.objects.create(
                person=person, kind=kind, received_on=date(2025, 3, 3), due_on=arco_due_on(date(2025, 3, 3))
            )

        return self._cached(("arco", kind, person.pk), build)


def with_verified_totp(world, client, user) -> None:
    """Fuzz preparation: the user has a confirmed TOTP device and this session is verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Orienta", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def with_unverified_totp(world, client, user) -> None:
    """Fuzz preparation: the user has a confirmed TOTP device, this session is not verified yet."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Orienta", confirmed=True)


# --- The table ------------------------------------------------------------------------------------

EVERY_ROLE_SIGNED_IN = everyone(200)

MATRIX: dict[str, Entry] = {
    # Core (orientation)
    "home": Entry(get=everyone(200)),
    "login": Entry(
        get=everyone(Redirect("home"), anonymous=200),
        post=everyone(Redirect("home"), anonymous=200),
    ),
    "logout": Entry(get=everyone(405), post=everyone(LOGIN), fuzz=False),
    "set_language": Entry(
        get=everyone(Redirect("home"), anonymous=Redirect("home")),
        post=everyone(Redirect("home"), anonymous=Redirect("home")),
        post_fields=["language", "next"],
    ),
    "health": Entry(get=everyone(200, anonymous=200), fuzz=False),
    "notification_list": Entry(get=everyone(200)),
    "notification_mark_read": Entry(
        get=everyone(405), post=everyone(Redirect("notification_list")), post_fields=[]
    ),
    # Two-factor authentication (orientation.mfa)
    "mfa_setup": Entry(get=everyone(200), post=everyone(200)),
    "mfa_verify": Entry(
        get=everyone(Redirect("home")),
        post=everyone(Redirect("home")),
        post_fields=["token", "next"],
        fuzz_prepare=with_unverified_totp,
    ),
    "mfa_disable": Entry(
        get=everyone(405),
        post=everyone(Redirect("mfa_setup")),
        post_fields=["token"],
        fuzz_prepare=with_verified_totp,
    ),
    # ARCO register (cases.arco)
    "cases:arco_request_list": Entry(
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=200,
            psychosocial=200,
            coordinator=200,
            admin=200,
        )
    ),
    "cases:arco_request_create": Entry(
        kwargs=lambda w, which: {"person_pk": w.person(which).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=SITE,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=SITE,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
    ),
    "cases:arco_request_detail": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=SITE,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
    ),
    "cases:arco_request_update": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=SITE,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
        post_fields=["status", "resolution"],
    ),
    "cases:arco_request_export_json": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
    ),
    "cases:arco_request_export_print": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
    ),
    "cases:arco_request_anonymize": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which, kind="cancellation").pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
    ),
}


# --- The resolver ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundURL:
    name: str | None
    route: str


def resolver_urls(patterns=None, prefix: str = "", namespace: str = "") -> list[FoundURL]:
    """Every URL pattern of the project, recursively through includes, with its full name."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    found: list[FoundURL] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.lstrip("^").startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found.extend(resolver_urls(pattern.url_patterns, route, ns))
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name is not None and namespace:
                name = f"{namespace}:{name}"
            found.append(FoundURL(name=name, route=route))
    return found
