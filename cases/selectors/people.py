"""Who may see which people (their sites and the people shared with them; a coordinator's programs;
break the glass for another site's person) and the people list: search, filters, sorting, people
registered elsewhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation import roles
from orientation.dates import years_before
from orientation.models import AccessLog
from orientation.params import query_id
from orientation.selectors import program_ids_coordinated_by, site_ids_visible_to

from .. import person_records
from ..choices import AGE_BANDS, AgeBand
from ..models import CaseNote, Household, IdentityDocument, Person, SiteRequest, normalize_text
from ..search import WordDistance, name_words, order_by_distance, phonetic_key
from ..validators import document_number_normalize, phone_normalize_or_none

BREAK_GLASS_HOURS = 8
# A break-the-glass link is made for one user and one person when a search shows that person, and
# is good for this long: the page cannot be reached by trying ids one after another.
BREAK_GLASS_LINK_SECONDS = 60 * 60
_BREAK_GLASS_SALT = "cases.break_glass.link"


class BreakGlassRequired(PermissionDenied):
    """The person belongs to a site the user does not work at: a typed reason is needed first."""

    def __init__(self, person_id: int):
        super().__init__("break the glass")
        self.person_id = person_id


def reads_by_program(user) -> bool:
    """Coordinators who are not also case workers read people through their programs' data."""
    return roles.has_role(user, roles.COORDINATOR) and not roles.has_role(user, roles.CASE_WORKERS)


def program_people_condition(user) -> Q:
    """A coordinator's people: at a site of their programs, with a record of one of those programs
    (a direct service, a referral, a sport group or an attendance). A program sharing a site with
    others (BALON's clinics at the orientation point) does not open the site's other case files."""
    programs = program_ids_coordinated_by(user)
    return Q(site_id__in=site_ids_visible_to(user)) & person_records.program_condition(programs)


def shared_person_ids(user) -> list[int]:
    """People of another site shared with one of the user's sites: an accepted share whose last
    day has not passed (docs/transfer.md). Read once per request (kept on the user object): a
    short list, so that the people list keeps its plain ``site_id`` condition, which PostgreSQL
    reads in name order from its index (an ``OR`` with a subquery made it scan the whole table:
    1.1 s instead of 1 ms on a million people)."""
    cached = getattr(user, "_shared_person_ids", None)
    if cached is None:
        cached = list(
            SiteRequest.objects.shares_active()
            .filter(to_site_id__in=site_ids_visible_to(user))
            .values_list("person_id", flat=True)
            .distinct()
        )
        user._shared_person_ids = cached
    return cached


def case_staff_people_condition(user) -> Q:
    """The people of the user's sites and those shared with them."""
    condition = Q(site_id__in=site_ids_visible_to(user))
    shared = shared_person_ids(user)
    return condition | Q(pk__in=shared) if shared else condition


def person_in_scope(user, person: Person) -> bool:
    """Whether the person is among ``people_visible_to(user)`` (no break-the-glass grant)."""
    if roles.has_role(user, roles.ADMIN):
        return True
    if person.site_id not in site_ids_visible_to(user):
        # Another site's person: case staff of a site the person is shared with work on them too.
        if reads_by_program(user) or not roles.has_role(user, roles.CASE_READERS):
            return False
        return person.pk in shared_person_ids(user)
    if reads_by_program(user):
        return Person.objects.filter(program_people_condition(user), pk=person.pk).exists()
    return roles.has_role(user, roles.CASE_READERS)


def people_visible_to(user) -> QuerySet[Person]:
    """People the user may list and open without breaking the glass: case staff see the people of
    their sites and those shared with their sites (docs/transfer.md)."""
    if roles.has_role(user, roles.ADMIN):
        return Person.objects.all()
    if reads_by_program(user):
        return Person.objects.filter(program_people_condition(user))
    if roles.has_role(user, roles.CASE_READERS):
        return Person.objects.filter(case_staff_people_condition(user))
    if roles.has_role(user, roles.FACILITATOR):
        # Facilitators see only the participants of their own groups (light profiles).
        return Person.objects.filter(group_memberships__group__facilitators=user).distinct()
    return Person.objects.none()


def break_glass_person_ids(user) -> set[int]:
    """People of other sites this user opened with a logged reason in the last hours."""
    since = timezone.now() - timedelta(hours=BREAK_GLASS_HOURS)
    ids = AccessLog.objects.filter(
        user=user, action=AccessLog.Action.BREAK_GLASS, object_type="cases.person", at__gte=since
    ).values_list("object_id", flat=True)
    return {int(i) for i in ids if i.isdigit()}


def break_glass_token(user, person_id: int) -> str:
    """The signed part of a break-the-glass link: this person, for this user only, for a while."""
    user_id = getattr(user, "pk", None) or 0
    return signing.dumps({"p": int(person_id), "u": user_id}, salt=_BREAK_GLASS_SALT, compress=True)


def break_glass_token_person_id(user, token: str) -> int | None:
    """The person id of a link made for this user and still fresh, or None."""
    try:
        data = signing.loads(token, salt=_BREAK_GLASS_SALT, max_age=BREAK_GLASS_LINK_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("u") != getattr(user, "pk", None):
        return None
    person_id = data.get("p")
    return person_id if isinstance(person_id, int) else None


def person_get_for_user(user, pk, *, write: bool = False) -> Person:
    """The person with this id if the user may open it (or change it, with ``write``).

    Raises Http404 when it does not exist, PermissionDenied when the role may not open case files
    (or may not write), and BreakGlassRequired when it belongs to another site and no recent
    break-the-glass reason was logged.
    """
    if write and not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    if not roles.has_role(user, roles.CASE_READERS):
        raise PermissionDenied
    try:
        person = Person.objects.select_related("site", "district", "household").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if person_in_scope(user, person):
        return person
    if roles.has_role(user, roles.CASE_WORKERS) and person.pk in break_glass_person_ids(user):
        return person
    if not write and person_transferred_from_sites_of(user, person):
        # The site the case moved from reads the page, when TRANSFER_OLD_SITE_KEEPS_READ is on.
        person.read_only_after_transfer = True
        return person
    if roles.has_role(user, roles.CASE_WORKERS):
        raise BreakGlassRequired(person.pk)
    raise PermissionDenied


def person_transferred_from_sites_of(user, person: Person) -> bool:
    """Whether the person's case moved away from one of the user's sites (an accepted transfer) and
    the setting ``TRANSFER_OLD_SITE_KEEPS_READ`` lets that site keep reading the person's page."""
    if not settings.TRANSFER_OLD_SITE_KEEPS_READ or not roles.has_role(user, roles.CASE_READERS):
        return False
    return SiteRequest.objects.filter(
        person=person,
        kind=SiteRequest.Kind.TRANSFER,
        status=SiteRequest.Status.ACCEPTED,
        from_site_id__in=site_ids_visible_to(user),
    ).exists()


def person_minimal_get(user, pk) -> Person:
    """Name and site of a person, for the break-the-glass page (case workers only)."""
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    try:
        return Person.objects.select_related("site").get(pk=pk, anonymized_at__isnull=True)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_open_or_none(user, pk) -> Person | None:
    """The person if the user may open the file now, else None: another site's person and an id
    that does not exist look the same."""
    person = Person.objects.filter(pk=pk, anonymized_at__isnull=True).first()
    if person is not None and person_is_open_to(user, person):
        return person
    return None


def person_is_open_to(user, person: Person) -> bool:
    """Whether the user may open this person's file now (own site, or glass already broken)."""
    if person_in_scope(user, person):
        return True
    return roles.has_role(user, roles.CASE_WORKERS) and person.pk in break_glass_person_ids(user)


def case_note_get_for_user(user, pk) -> CaseNote:
    """A note the user may read: psychosocial notes only for the psychosocial role."""
    try:
        note = CaseNote.objects.select_related("author", "person").get(pk=pk)
    except (CaseNote.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if note.kind == CaseNote.Kind.PSYCHOSOCIAL and not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        raise PermissionDenied
    person_get_for_user(user, note.person_id)
    return note


def household_get_by_code(user, code: str) -> Household | None:
    """A household at one of the user's sites, by its code (None if there is none)."""
    code = (code or "").strip().upper()
    if not code:
        return None
    qs = Household.objects.filter(code=code)
    if not roles.has_role(user, roles.ADMIN):
        qs = qs.filter(site_id__in=site_ids_visible_to(user))
    return qs.first()


def household_member_initial(user, pk) -> tuple[dict, dict] | None:
    """What a new member of this household (at one of the user's sites) starts with, all
    editable: the household's code and address, and the nationality, population type, district,
    arrival date and site of its head (or its first member). None if the user may not add to it."""
    pk = query_id(pk)
    if pk is None:
        return None
    household = Household.objects.filter(pk=pk, site_id__in=site_ids_visible_to(user)).first()
    if household is None:
        return None
    relative = (
        Person.objects.filter(household=household, anonymized_at__isnull=True)
        # the head first, then the first registered
        .order_by(Case(When(relationship=Person.Relationship.HEAD, then=0), default=1), "pk")
        .only("nationality", "population_type", "district_id", "arrived_on", "site_id")
        .first()
    )
    person = {"site": household.site_id, "district": household.district_id}
    if relative is not None:
        person.update(
            nationality=relative.nationality,
            population_type=relative.population_type,
            district=household.district_id or relative.district_id,
            arrived_on=relative.arrived_on,
        )
    person = {k: v for k, v in person.items() if v not in (None, "")}
    return {"mode": "join", "code": household.code, "address": household.address}, person


def household_members(person: Person) -> list[Person]:
    if not person.household_id:
        return []
    return list(
        Person.objects.filter(household_id=person.household_id)
        .exclude(pk=person.pk)
        .only("pk", "given_names", "family_names", "relationship", "birth_date", "household_id")
    )


# --- Search ---------------------------------------------------------------------------------------

_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class SearchTerm:
    """A search box entry, read as a name, a document number and/or a phone number."""

    raw: str
    name: str = ""
    document: str = ""
    phone: str = ""

    @classmethod
    def parse(cls, raw: str | None) -> SearchTerm:
        raw = (raw or "").strip()[:100]
        has_digit = bool(_DIGIT.search(raw))
        return cls(
            raw=raw,
            name=normalize_text(raw) if len(_LETTER.findall(raw)) >= 2 else "",
            document=document_number_normalize(raw) if has_digit else "",
            phone=(phone_normalize_or_none(raw) or "") if has_digit else "",
        )

    def __bool__(self) -> bool:
        return bool(self.name or self.document or self.phone)

    @property
    def key(self) -> str:
        return phonetic_key(self.name)

    @property
    def name_ordered_by_index(self) -> bool:
        """Whether the GiST index can return the closest names in order: a name of one word and
        no number (otherwise the matches are found through other indexes, then ranked)."""
        return bool(self.name) and len(name_words(self.key)) == 1 and not (self.document or self.phone)


def _document_person_ids(number: str) -> list[int]:
    if not number:
        return []
    return list(
        IdentityDocument.objects.alias(number_lower=Lower("number"))
        .filter(number_lower=number.lower())
        .values_list("person_id", flat=True)[:50]
    )


def people_matching(qs: QuerySet[Person], term: SearchTerm) -> QuerySet[Person]:
    """People matching a name (misspellings tolerated: trigrams), a document number or a phone
    number; with a name, annotated with ``distance`` (0 = the name matches exactly; order with
    ``order_by_distance``)."""
    condition = Q(pk__in=[])
    if term.name:
        # Word similarity on the sound-alike key, each typed word on its own: misspellings, any
        # order of the names, a first name with the second surname (the words in between missed)
        # and the beginning of a name all match (bench/PLANS.md, section 8).
        words = name_words(term.key)
        if len(words) == 1:
            # lower(name_key): the expression of the GiST index that returns the closest names
            # first and stops after a page (migration cases.0005; the key is already lower case).
            condition |= Q(name_knn__trgm_word_similar=words[0])
        else:
            # Several words: the GIN index on name_key intersects the people matching each word
            # (a few hundred, against thousands for one word), which are then ranked.
            condition |= Q.create([("name_key__trgm_word_similar", w) for w in words])
    if term.document:
        ids = _document_person_ids(term.document)
        if ids:
            condition |= Q(pk__in=ids)
    if term.phone:
        condition |= Q(phone=term.phone) | Q(guardian_phone=term.phone)
    if term.name:
        qs = qs.alias(name_knn=Lower("name_key"))
    qs = qs.filter(condition)
    if term.name:
        qs = qs.annotate(distance=WordDistance("name_knn", Value(term.key)))
    return qs


def age_band_q(band: str, today: date) -> Q:
    """People in an age band (``AgeBand``) on ``today``; ``unknown``: without a birth date."""
    if band == AgeBand.UNKNOWN:
        return Q(birth_date__isnull=True)
    for low, high, code in AGE_BANDS:
        if code == band:
            return Q(birth_date__lte=years_before(today, low), birth_date__gt=years_before(today, high + 1))
    return Q()


PERSON_SORTS = {
    "name": ("family_names", "given_names", "pk"),
    "-name": ("-family_names", "-given_names", "-pk"),
    "registered": ("registered_on", "pk"),
    "-registered": ("-registered_on", "-pk"),
    "age": ("-birth_date", "pk"),
    "-age": ("birth_date", "pk"),
    "site": ("site__code", "family_names", "given_names", "pk"),
}
PERSON_SORT_LABELS = {
    "name": _("Name (A–Z)"),
    "-name": _("Name (Z–A)"),
    "-registered": _("Newest first"),
    "registered": _("Oldest first"),
    "age": _("Youngest first"),
    "-age": _("Oldest person first"),
    "site": _("Site"),
}


def people_for_list(
    user, *, term: SearchTerm | None = None, archived: bool | None = False
) -> QuerySet[Person]:
    """The people list before its filters: what the user may see (archived or not; None: both),
    searched, the closest first (else by name); rows bring their site, district, household and
    vulnerabilities, and carry ``has_open_referrals`` once marked (``people_mark_open_referrals``).
    The list's filters and order (the query string) are ``cases.filters.PersonFilter``."""
    qs = people_visible_to(user).filter(anonymized_at__isnull=True)
    if archived is not None:
        qs = qs.filter(archived_at__isnull=not archived)
    if term:
        qs = people_matching(qs, term)
    if term and term.name:
        qs = order_by_distance(qs, "family_names", "given_names", "pk", indexed=term.name_ordered_by_index)
    else:
        qs = qs.order_by(*PERSON_SORTS["name"])
    return qs.for_list()


def people_with_open_referrals(qs: QuerySet[Person]) -> QuerySet[Person]:
    """Those of ``qs`` with open work of an app above ``cases`` (an open referral)."""
    return qs.filter(person_records.open_work_condition())


def people_mark_open_referrals(people) -> list[Person]:
    """Set ``has_open_referrals`` on a page of people, in one query for the page's ids (an
    annotation over the whole list made PostgreSQL read every open referral: bench/PLANS.md)."""
    people = list(people)
    flagged = person_records.open_work_ids([p.pk for p in people])
    for person in people:
        person.has_open_referrals = person.pk in flagged
    return people


@dataclass(frozen=True)
class PersonElsewhere:
    """Someone registered at a site the user does not work at: only their name and site."""

    pk: int
    name: str
    site_name: str
    open: bool


ELSEWHERE_CANDIDATES = 200


def people_elsewhere(user, term: SearchTerm, *, limit: int = 10) -> list[PersonElsewhere]:
    """Matches at other sites, so a caseworker does not register someone twice (name and site
    only; opening the file needs a break-the-glass reason).

    Stricter than the search of the user's own people: the name must contain every word typed
    (of three letters or more) spelt as it sounds, in any order, each one approximately (word
    similarity: a dropped letter); or the document or phone number must be the one typed. Those
    conditions are all trigram-index lookups that PostgreSQL intersects, cheaper than ranking by
    similarity across the other sites (bench/PLANS.md); the closest of the first
    ``ELSEWHERE_CANDIDATES`` come first."""
    if not term or not roles.has_role(user, roles.CASE_WORKERS) or roles.has_role(user, roles.ADMIN):
        return []
    words = [w for w in term.key.split() if len(w) >= 3] if term.name else []
    condition = Q(pk__in=[])
    if words:
        # Each word approximately (a dropped letter), through the GIN index on name_key.
        condition |= Q.create([("name_key__trgm_word_similar", w) for w in words])
    if term.document:
        ids = _document_person_ids(term.document)
        if ids:
            condition |= Q(pk__in=ids)
    if term.phone:
        condition |= Q(phone=term.phone) | Q(guardian_phone=term.phone)
    candidates = (
        Person.objects.filter(condition, archived_at__isnull=True, anonymized_at__isnull=True)
        .exclude(site_id__in=site_ids_visible_to(user))
        .exclude(pk__in=shared_person_ids(user))  # already in the user's own list
        .values("pk")[:ELSEWHERE_CANDIDATES]
    )
    qs = Person.objects.filter(pk__in=candidates)
    if words:
        qs = qs.annotate(distance=WordDistance("name_key", Value(term.key))).order_by("distance", "pk")
    else:
        qs = qs.order_by("pk")
    rows = list(qs.values_list("pk", "given_names", "family_names", "site__name")[:limit])
    broken = break_glass_person_ids(user) if rows else set()
    return [PersonElsewhere(pk, f"{g} {f}", s, pk in broken) for pk, g, f, s in rows]
