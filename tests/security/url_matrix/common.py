"""What the authorization walk's tables share: the roles, the outcomes, the ``Entry`` format, the
``World`` of objects the walk opens, and the resolver. The tables themselves, one entry per URL
name, are in this package's module of each app (``cases.py``, ``sport.py``...), joined in
``MATRIX`` by ``__init__.py``.

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
        fuzz_as=None,        # fuzz: the role to post as (None: found from ``post``, see below)
        fuzz_query=None,     # fuzz the query string of a GET page (filters, exports) with these
                             # parameters, as the first role whose GET outcome is not a refusal
        objects=None,        # the objects walked, in order (default: own, other, missing); the
                             # fuzzer posts to the first
        probe_other=None,    # callable(world) -> POST bodies that look for another site's person
                             # by what a caseworker might know or guess (phone, document number,
                             # name and birth date): the answer must not say who it is, where, or
                             # what matched, and the check must be in the access log
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
  for a refused role); the fuzzer posts hostile bodies as the first role whose POST outcome on the
  first object is 200 (the form again), 400 (the input refused) or a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

BASE_ROLES = ["anonymous", "norole", "caseworker", "psychosocial", "facilitator", "coordinator", "admin"]
# More identities, each walked like its base role unless an entry says otherwise: the caseworker and
# the specialist of a second orientation point (PAO-NO), whose "other" records are PAO-LS's, and a
# coordinator of the sport program only (BALON, without the data-steward permission), whose "own"
# records are at a school and whose "other" ones are at the orientation point, where BALON also
# runs activities.
VARIANT_OF = {
    # A receptionist opens nothing of the other apps (no case file, no note, no report): walked like
    # a signed-in user without a role, except where an entry (reception's) says otherwise.
    "receptionist": "norole",
    "caseworker_north": "caseworker",
    "psychosocial_north": "psychosocial",
    "coordinator_balon": "coordinator",
}
ROLES = [*BASE_ROLES, *VARIANT_OF]
OBJECTS = ["own", "other", "missing"]
NO_OBJECT = ["-"]

# URL prefixes left out of the walk: Django's admin guards itself (and the MFA middleware guards it,
# tests/security/test_mfa.py), static files are public.
EXCLUDED_PREFIXES = ("admin/", "static/", "media/")

# Sites: a role's "own" records live at its site; "other" records at a site none of them works at
# (only admins see it). The walk's coordinator is in the PAO program only (sites PAO-LS and PAO-NO),
# with the data-steward permission. Each walked person has a record of their site's program (PAO at
# an orientation point, BALON at a school), which is how coordinators reach them.
ROLE_SITE = {
    "anonymous": "PAO-LS",
    "norole": "PAO-LS",
    "caseworker": "PAO-LS",
    "psychosocial": "PAO-LS",
    "facilitator": "SCH-01",
    "coordinator": "PAO-LS",
    "admin": "PAO-LS",
    "receptionist": "PAO-LS",
    "caseworker_north": "PAO-NO",
    "psychosocial_north": "PAO-NO",
    "coordinator_balon": "SCH-01",
}
OTHER_SITE = "SCH-02"
ROLE_OTHER_SITE = {
    "caseworker_north": "PAO-LS",
    "psychosocial_north": "PAO-LS",
    "coordinator_balon": "PAO-LS",
}
MISSING_PK = 2_000_000_123


@dataclass(frozen=True)
class Redirect:
    to: str  # a URL name; the Location must resolve to it

    def __repr__(self) -> str:
        return f"302→{self.to}"


LOGIN = Redirect("login")
SITE = {"own": 200, "other": 403, "missing": 404}
ANY_SITE = {"own": 200, "other": 200, "missing": 404}
# Another site's person: a case worker is sent to break the glass (a typed, logged reason) first.
GLASS = {"own": 200, "other": Redirect("cases:break_glass"), "missing": 404}
# Records outside the user's scope are not found at all (their selector leaves them out).
SCOPED = {"own": 200, "other": 404, "missing": 404}
PARTNER_LINK = {"own": 200, "other": 410, "missing": 404}


def roles_(**outcomes) -> dict[str, Any]:
    """Every base role's outcome (required); the variants of ``VARIANT_OF`` take their base role's
    unless given."""
    missing = set(BASE_ROLES) - set(outcomes)
    extra = set(outcomes) - set(ROLES)
    if missing or extra:
        raise ValueError(f"roles_() needs exactly the roles {BASE_ROLES}: missing {missing}, unknown {extra}")
    for variant, base in VARIANT_OF.items():
        outcomes.setdefault(variant, outcomes[base])
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
    fuzz_as: str | None = None
    fuzz_query: list[str] | None = None
    objects: list[str] = field(default_factory=list)
    probe_other: Callable[[Any], list[dict]] | None = None

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
        from tests.factories import second_orientation_site, site

        second_orientation_site()
        if which == "other":
            return site(ROLE_OTHER_SITE.get(self.role, OTHER_SITE))
        return site(ROLE_SITE[self.role])

    @staticmethod
    def home_program(site):
        """The program of a site's records: PAO at an orientation point, BALON at a school."""
        from tests.factories import program

        return program("PAO" if site.kind == "orientation_point" else "BALON")

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
            from tests.factories import DirectServiceFactory, IdentityDocumentFactory, PersonFactory

            person = PersonFactory(site=site, birth_date=date(1988, 4, 2))
            number = f"V{30_000_000 + person.pk}"
            IdentityDocumentFactory(person=person, doc_type="cedula_ve", number=number)
            DirectServiceFactory(person=person, program=self.home_program(site))
            self.document_numbers.add(number)
            return person

        return self._cached(("person", site.code), build)

    def closed_person(self, which: str):
        """A person of the site whose case was closed (to be reopened), with a record of the
        site's program like ``person``."""
        if which == "missing":
            return Missing()
        site = self.site(which)

        def build():
            from cases.models import CaseStatus, CaseStatusChange
            from tests.factories import DirectServiceFactory, PersonFactory

            person = PersonFactory(site=site, birth_date=date(1979, 8, 9), case_status=CaseStatus.CLOSED)
            DirectServiceFactory(person=person, program=self.home_program(site))
            CaseStatusChange.objects.create(
                person=person, from_status=CaseStatus.OPEN, to_status=CaseStatus.CLOSED, reason="needs_met"
            )
            return person

        return self._cached(("closed_person", site.code), build)

    def arco_request(self, which: str, kind: str = "access"):
        if which == "missing":
            return Missing()
        person = self.person(which)

        def build():
            from cases.arco.dates import arco_due_on
            from cases.arco.models import ArcoRequest

            return ArcoRequest.objects.create(
                person=person, kind=kind, received_on=date(2025, 3, 3), due_on=arco_due_on(date(2025, 3, 3))
            )

        return self._cached(("arco", kind, person.pk), build)

    def case_note(self, which: str, kind: str = "general"):
        if which == "missing":
            return Missing()
        person = self.person(which)

        def build():
            from tests.factories import CaseNoteFactory

            return CaseNoteFactory(person=person, kind=kind)

        return self._cached(("note", kind, person.pk), build)

    def consent(self, which: str):
        if which == "missing":
            return Missing()
        person = self.person(which)

        def build():
            from tests.factories import ConsentFactory

            return ConsentFactory(person=person)

        return self._cached(("consent", person.pk), build)

    def referral(self, which: str):
        if which == "missing":
            return Missing()
        person = self.person(which)

        def build():
            from tests.factories import ReferralFactory

            return ReferralFactory(person=person, program=self.home_program(person.site))

        return self._cached(("referral", person.pk), build)

    def partner_token(self, which: str) -> str:
        """A live one-time partner link ("own"), a revoked one ("other"), or an unknown token."""
        if which == "missing":
            return "no-such-token-0123456789abcdef"

        def build():
            from services.actions import partner_link_create

            referral = self.referral("own" if which == "own" else "other")
            _link, token = partner_link_create(referral=referral, user=self.users["admin"])
            if which == "other":
                _link, _fresh = partner_link_create(referral=referral, user=self.users["admin"])
            return token

        return self._cached(("partner_token", which, self.role), build)

    def psychosocial_session(self, which: str):
        """An individual session of the own or other site's person; ``"group"``: a group session
        with both, which only a specialist who may see both participants opens."""
        if which == "missing":
            return Missing()
        if which == "group":
            return self._group_session()
        person = self.person(which)
        site = person.site

        def build():
            from services.models import DirectService, PsychosocialSession
            from tests.factories import program, service_type

            session = PsychosocialSession.objects.create(
                site=site,
                program=program("PAO"),
                service_type=service_type("mhpss-individual"),
                date=date(2025, 3, 11),
                confidential_note="Nota confidencial de prueba.",
            )
            DirectService.objects.create(
                person=person,
                site=site,
                program=session.program,
                service_type=session.service_type,
                delivered_on=session.date,
                population_type=person.population_type,
                psychosocial_session=session,
            )
            return session

        return self._cached(("psy", site.code), build)

    def _group_session(self):
        people = [self.person("own"), self.person("other")]

        def build():
            from services.models import DirectService, PsychosocialSession
            from tests.factories import program, service_type

            session = PsychosocialSession.objects.create(
                kind="group",
                site=people[0].site,
                program=program("PAO"),
                service_type=service_type("mhpss-group"),
                date=date(2025, 3, 12),
                confidential_note="Nota de grupo de prueba.",
            )
            for person in people:
                DirectService.objects.create(
                    person=person,
                    site=person.site,
                    program=session.program,
                    service_type=session.service_type,
                    delivered_on=session.date,
                    population_type=person.population_type,
                    psychosocial_session=session,
                )
            return session

        return self._cached(("psy-group", people[0].pk, people[1].pk), build)

    def import_batch(self, which: str):
        """An upload by the signed-in user ("own") or by someone else ("other")."""
        if which == "missing":
            return Missing()
        user = self.users.get(self.role) if which == "own" else self.users["admin"]

        def build():
            from cases.imports.models import ImportBatch

            return ImportBatch.objects.create(
                kind="people",
                original_name="personas.csv",
                uploaded_by=user,
                status=ImportBatch.Status.UPLOADED,
            )

        return self._cached(("import", which, getattr(user, "pk", None)), build)

    def sport_group(self, which: str):
        """A group at the role's site (the facilitator leads it) or at the other site."""
        if which == "missing":
            return Missing()
        site = self.site(which)

        def build():
            from tests.factories import SportGroupFactory

            group = SportGroupFactory(site=site, program=self.home_program(site))
            if which == "own" and self.role == "facilitator":
                group.facilitators.add(self.users["facilitator"])
            return group

        return self._cached(("group", site.code, self.role if self.role == "facilitator" else ""), build)

    def sport_participant(self, which: str):
        """A member of the world's sport group (a light profile)."""
        if which == "missing":
            return Missing()
        group = self.sport_group(which)

        def build():
            from services.sport.models import GroupParticipant
            from tests.factories import PersonFactory

            person = PersonFactory(site=group.site, birth_date=date(2014, 6, 1))
            GroupParticipant.objects.create(group=group, person=person, joined_on=date(2025, 2, 1))
            return person

        return self._cached(("participant", group.pk), build)

    def sport_session(self, which: str):
        if which == "missing":
            return Missing()
        group = self.sport_group(which)

        def build():
            from tests.factories import SportSessionFactory

            session = SportSessionFactory(group=group, site=group.site, program=group.program)
            self.sport_participant(which)
            return session

        return self._cached(("session", group.pk), build)

    def reception_site(self, which: str):
        """The site of the role's reception ("own"), another site, or a missing one."""
        if which == "missing":
            return Missing()
        return self.site(which)

    def reception_visit(self, which: str):
        """Today's ticket of the world's person at their site (waiting in the documentation line)."""
        if which == "missing":
            return Missing()
        person = self.person(which)

        def build():
            from django.utils import timezone

            from reception.models import Visit

            number = Visit.objects.filter(site=person.site).count() + 1
            return Visit.objects.create(
                site=person.site,
                person=person,
                day=timezone.localdate(),
                number=number,
                ticket=f"D-{number:03d}",
                area="documentation",
            )

        return self._cached(("reception_visit", person.pk), build)

    def reception_appointment(self, which: str):
        """A booked appointment of the world's person, tomorrow, with a caseworker of their site."""
        if which == "missing":
            return Missing()
        person = self.person(which)

        def build():
            from datetime import time, timedelta

            from django.utils import timezone

            from reception.models import Appointment
            from tests.factories import UserFactory

            staff = UserFactory(
                role="caseworker", sites=[person.site.code], username=f"walk-staff-{person.pk}"
            )
            return Appointment.objects.create(
                person=person,
                site=person.site,
                area="documentation",
                staff=staff,
                date=timezone.localdate() + timedelta(days=1),
                time=time(10, 0),
            )

        return self._cached(("reception_appointment", person.pk), build)

    def report_run(self, which: str):
        """A finished run of the coordinator's program ("own", PAO) or of another one (BALON)."""
        if which == "missing":
            return Missing()

        own, other = ("BALON", "PAO") if self.role == "coordinator_balon" else ("PAO", "BALON")
        code = own if which == "own" else other

        def build():
            from reports.models import ReportRun
            from tests.factories import program

            return ReportRun.objects.create(
                month=date(2025, 3, 1), program=program(code), status=ReportRun.Status.DONE
            )

        return self._cached(("report_run", code), build)

    def dhis2_push(self, which: str):
        """A push of the coordinator's program ("own", PAO) or of another one (BALON) to DHIS2."""
        if which == "missing":
            return Missing()

        own, other = ("BALON", "PAO") if self.role == "coordinator_balon" else ("PAO", "BALON")
        code = own if which == "own" else other

        def build():
            from reports.dhis2.models import DHIS2Push
            from tests.factories import program

            return DHIS2Push.objects.create(
                month=date(2025, 3, 1),
                program=program(code),
                status=DHIS2Push.Status.SENT,
                import_status="WARNING",
                imported=3,
                ignored=1,
                conflicts=[{"object": "OrOuPaoLsur", "value": "Period is locked"}],
            )

        return self._cached(("dhis2_push", code), build)

    def api_token(self, which: str):
        """A personal API token of the signed-in user ("own") or of someone else ("other")."""
        if which == "missing":
            return Missing()

        def build():
            from api.actions import api_token_create
            from tests.factories import UserFactory

            owner = self.users.get(self.role) if which == "own" else None
            if owner is None:
                owner = UserFactory(role=None, sites=[], username=f"walk-token-{which}-{self.role}")
            return api_token_create(user=owner, name=f"walk {which}", days=30)[0]

        return self._cached(("api_token", which, self.role), build)


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


# Tables shared by many URLs (README.md, "Who reads what" and orientation/roles.py).
# Case files: read by case readers (coordinators read-only), written by case workers only.
CASE_READ = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker=GLASS,
    psychosocial=GLASS,
    coordinator=SITE,
    admin=ANY_SITE,
)
NOTE_READ = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker={**GLASS, "psy": 403},
    psychosocial={**GLASS, "psy": 200},
    coordinator={**SITE, "psy": 403},
    admin={**ANY_SITE, "psy": 403},
)
CASE_WRITE = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker=GLASS,
    psychosocial=GLASS,
    coordinator=403,
    admin=ANY_SITE,
)


def _probe_other_person(w) -> list[dict]:
    """What a caseworker could type to learn about another site's person: their phone or
    document number under a made-up name; their name with a guessed birth date."""
    person = w.person("other")
    number = person.documents.values_list("number", flat=True).first()
    return [
        {"person-given_names": "Probe", "person-family_names": "Nobody", "person-phone": person.phone},
        {"person-given_names": "Probe", "person-family_names": "Nobody", "document-number": number},
        {
            "person-given_names": person.given_names,
            "person-family_names": person.family_names,
            "person-birth_date": person.birth_date.isoformat(),
            "person-sex": person.sex,
        },
    ]


CASE_WORKERS_ONLY = roles_(
    anonymous=LOGIN, norole=403, facilitator=403, caseworker=200, psychosocial=200, coordinator=403, admin=200
)
REPORTS_ONLY = roles_(
    anonymous=LOGIN, norole=403, facilitator=403, caseworker=403, psychosocial=403, coordinator=200, admin=200
)
# Imports: admins, and coordinators with the data-steward permission (not the BALON coordinator).
IMPORTERS_ONLY = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker=403,
    psychosocial=403,
    coordinator=200,
    admin=200,
    coordinator_balon=403,
)
# Psychosocial sessions: psychosocial specialists only; never coordinators, nor admins (who
# administer accounts, not clinical content).
PSYCHOSOCIAL_WRITE = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker=403,
    psychosocial=GLASS,
    coordinator=403,
    admin=403,
)
PSYCHOSOCIAL_READ = roles_(
    anonymous=LOGIN,
    norole=403,
    caseworker=403,
    psychosocial={**SCOPED, "group": 404},
    facilitator=403,
    coordinator=403,
    admin=403,
)
# Sport: facilitators in their own groups, site staff at their sites; coordinators read and set up.
SPORT_READ = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=SCOPED,
    caseworker=SCOPED,
    psychosocial=SCOPED,
    coordinator=SCOPED,
    admin=ANY_SITE,
)
SPORT_WRITE = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=SCOPED,
    caseworker=SCOPED,
    psychosocial=SCOPED,
    coordinator=403,
    admin=ANY_SITE,
)


def _break_glass_link(w, which):
    """The signed link a search result shows the signed-in user for this person."""
    from cases.selectors import break_glass_token

    return {"token": break_glass_token(w.users.get(w.role), w.person(which).pk)}


# A typed id never shows the person nor whether the id exists (403 "search first", logged).
BREAK_GLASS_BY_ID = roles_(
    anonymous=LOGIN,
    norole=403,
    caseworker={"own": Redirect("cases:person_detail"), "other": 403, "missing": 403},
    psychosocial={"own": Redirect("cases:person_detail"), "other": 403, "missing": 403},
    facilitator=403,
    coordinator=403,
    admin={"own": Redirect("cases:person_detail"), "other": Redirect("cases:person_detail"), "missing": 403},
)
BREAK_GLASS_LINK = roles_(
    anonymous=LOGIN,
    norole=403,
    caseworker={"own": Redirect("cases:person_detail"), "other": 200, "missing": 404},
    psychosocial={"own": Redirect("cases:person_detail"), "other": 200, "missing": 404},
    facilitator=403,
    coordinator=403,
    admin={"own": Redirect("cases:person_detail"), "other": Redirect("cases:person_detail"), "missing": 404},
)


def _person(w, which):
    return {"pk": w.person(which).pk}


def _person_pk(w, which):
    return {"person_pk": w.person(which).pk}


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
