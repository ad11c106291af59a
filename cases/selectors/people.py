"""Reads of people and their records, always scoped to the user asking.

No view fetches a person with a bare ``Person.objects.get``: it calls ``person_get_for_user``,
which checks the role, the sites and break-the-glass grants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation import roles
from orientation.models import AccessLog, District, Site
from orientation.params import query_id
from orientation.selectors import program_ids_coordinated_by, site_ids_visible_to

from . import person_records
from .choices import AGE_BANDS, AgeBand
from .models import CaseNote, Household, IdentityDocument, Intake, Person, normalize_text
from .person_records import TIMELINE_LIMIT, TimelineEntry
from .search import Similarity, WordDistance, name_words, order_by_distance, phonetic_key
from .validators import document_number_normalize, phone_normalize_or_none

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


def person_in_scope(user, person: Person) -> bool:
    """Whether the person is among ``people_visible_to(user)`` (no break-the-glass grant)."""
    if roles.has_role(user, roles.ADMIN):
        return True
    if person.site_id not in site_ids_visible_to(user):
        return False
    if reads_by_program(user):
        return Person.objects.filter(program_people_condition(user), pk=person.pk).exists()
    return roles.has_role(user, roles.CASE_READERS)


def people_visible_to(user) -> QuerySet[Person]:
    """People the user may list and open without breaking the glass."""
    if roles.has_role(user, roles.ADMIN):
        return Person.objects.all()
    if reads_by_program(user):
        return Person.objects.filter(program_people_condition(user))
    if roles.has_role(user, roles.CASE_READERS):
        return Person.objects.filter(site_id__in=site_ids_visible_to(user))
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
    if roles.has_role(user, roles.CASE_WORKERS):
        raise BreakGlassRequired(person.pk)
    raise PermissionDenied


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


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_band_q(band: str, today: date) -> Q:
    if band == AgeBand.UNKNOWN:
        return Q(birth_date__isnull=True)
    for low, high, code in AGE_BANDS:
        if code == band:
            return Q(birth_date__lte=_years_before(today, low), birth_date__gt=_years_before(today, high + 1))
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
    user,
    *,
    term: SearchTerm | None = None,
    site: Site | None = None,
    nationality: str = "",
    population_type: str = "",
    vulnerability=None,
    age_band: str = "",
    open_referrals: bool = False,
    archived: bool = False,
    sort: str = "",
) -> QuerySet[Person]:
    """The people list: what the user may see, searched, filtered and sorted; each row carries
    ``has_open_referrals`` once marked (``people_mark_open_referrals``); rows bring their site, district, household and vulnerabilities."""
    qs = people_visible_to(user)
    qs = qs.filter(archived_at__isnull=not archived, anonymized_at__isnull=True)
    if site is not None:
        qs = qs.filter(site=site)
    if nationality:
        qs = qs.filter(nationality=nationality)
    if population_type:
        qs = qs.filter(population_type=population_type)
    if vulnerability is not None:
        qs = qs.filter(vulnerabilities=vulnerability)
    if age_band:
        qs = qs.filter(_age_band_q(age_band, timezone.localdate()))
    if open_referrals:
        qs = qs.filter(person_records.open_work_condition())
    if term:
        qs = people_matching(qs, term)
    if sort in PERSON_SORTS:
        qs = qs.order_by(*PERSON_SORTS[sort])
    elif term and term.name:
        qs = order_by_distance(qs, "family_names", "given_names", "pk", indexed=term.name_ordered_by_index)
    else:
        qs = qs.order_by(*PERSON_SORTS["name"])
    return qs.for_list()


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


# --- Duplicates -----------------------------------------------------------------------------------

DUPLICATE_NAME_THRESHOLD = 0.3
DUPLICATE_BIRTH_DATE_NAME_THRESHOLD = 0.15
# How well a typed given name (or family name) must match one of the candidate's (word similarity
# of the sound-alike keys): "Ana" meets "Ana María", "Yulesy" meets "Yuleisy"; "Ana" does not meet
# "Rosa". A name alone makes a candidate only when both a given name and a family name match.
DUPLICATE_WORD_MATCH = 0.5
# With the same birth date, a looser given name (Marisol / María) is enough.
DUPLICATE_WORD_MATCH_SAME_BIRTH = 0.3
# With the same given names, family names that agree this well on average (one right, one far).
DUPLICATE_FAMILY_MEAN_SAME_GIVEN = 0.6
# In the household being joined, only a near-identical given name (the same child registered again).
DUPLICATE_WORD_MATCH_HOUSEHOLD = 0.75
# Birth dates further apart than this are two people (wider when either date is an estimate).
DUPLICATE_AGE_GAP_DAYS = 2 * 366
DUPLICATE_AGE_GAP_ESTIMATED_DAYS = 5 * 366


@dataclass
class DuplicateCandidate:
    person: Person
    name_similarity: float
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    open: bool = False
    # What matched, as codes for the access log (never the values): document, phone, birth_date, name.
    matched: list[str] = field(default_factory=list)


def _names_match(words: list[str], key: str) -> tuple[float, float]:
    """How well two names (given names, or family names) agree: each word of the one with fewer
    words is looked for in the other (word similarity); the worst word and the mean. "Ana" meets
    "Ana María" and "Rojas" meets "Mendoza Rojas" fully; "Pérez Rojas" meets "Rojas Torres" only
    half (worst 0.33)."""
    from .search import word_similarity

    other = name_words(key)
    if not words or not other:
        return 0.0, 0.0
    if len(other) < len(words):
        words, key = other, " ".join(words)
    scores = [word_similarity(w, key) for w in words]
    return min(scores), sum(scores) / len(scores)


def _key_words(text: str) -> list[str]:
    return name_words(phonetic_key(normalize_text(text)))


def _plausibly_same(person: Person, *, sex: str, birth_date: date | None, estimated: bool) -> bool:
    """Could this be the same human being: the same sex (when both are F or M) and birth dates
    no further apart than a typo or an estimate."""
    if sex in ("F", "M") and person.sex in ("F", "M") and sex != person.sex:
        return False
    if birth_date and person.birth_date:
        gap = abs((birth_date - person.birth_date).days)
        limit = (
            DUPLICATE_AGE_GAP_ESTIMATED_DAYS
            if estimated or person.birth_date_estimated
            else DUPLICATE_AGE_GAP_DAYS
        )
        if gap > limit:
            return False
    return True


def person_duplicate_candidates(
    user,
    *,
    given_names: str,
    family_names: str,
    birth_date: date | None = None,
    birth_date_estimated: bool = False,
    document_number: str = "",
    phone: str = "",
    sex: str = "",
    nationality: str = "",
    household_id: int | None = None,
    exclude_pk: int | None = None,
    limit: int = 8,
) -> list[DuplicateCandidate]:
    """Possible duplicates at any site, the most likely first.

    Found through the indexes (a similar name: trigram similarity of the sound-alike key; the same
    document number; the same phone; the same birth date and a loosely similar name), then kept
    only if they could be the same person:

    - the same document number is always shown;
    - otherwise the sex must agree and the birth dates be close (``_plausibly_same``);
    - the same phone counts, except within the household being joined (a family shares a phone);
    - a name alone needs both a given name and a family name to match (sharing one surname is
      not enough); in the household being joined, siblings share the surnames, so only a
      near-identical given name makes a candidate there.

    Each says why it was found. ``open`` tells whether the user may open the file; the template
    shows nothing of the others but that they exist (bench: tests/cases/test_duplicate_precision.py).
    """
    from .search import similarity

    name = normalize_text(f"{given_names} {family_names}")
    key = phonetic_key(name)
    given_words, family_words = _key_words(given_names), _key_words(family_names)
    document = document_number_normalize(document_number)
    phone = phone_normalize_or_none(phone) or ""
    base = Person.objects.filter(anonymized_at__isnull=True)
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    ids: set[int] = set()
    if len(name) >= 3:
        ids.update(
            base.filter(name_key__trgm_similar=key)
            .annotate(similarity=Similarity("name_key", Value(key)))
            .order_by("-similarity")
            .values_list("pk", flat=True)[:20]
        )
    doc_ids = set(_document_person_ids(document)) - {exclude_pk}
    ids |= doc_ids
    phone_ids: set[int] = set()
    if phone:
        phone_ids = set(base.filter(phone=phone).values_list("pk", flat=True)[:20])
        ids |= phone_ids
    if birth_date and len(name) >= 3:
        ids |= set(
            base.filter(birth_date=birth_date)
            .annotate(similarity=Similarity("name_key", Value(key)))
            .filter(similarity__gte=DUPLICATE_BIRTH_DATE_NAME_THRESHOLD)
            .values_list("pk", flat=True)[:20]
        )
    if not ids:
        return []
    people = Person.objects.filter(pk__in=ids).select_related("site")
    candidates = []
    for person in people:
        given_key = phonetic_key(normalize_text(person.given_names))
        family_key = phonetic_key(normalize_text(person.family_names))
        given_match, _given_mean = _names_match(given_words, given_key)
        family_match, family_mean = _names_match(family_words, family_key)
        same_birth = bool(birth_date) and person.birth_date == birth_date
        same_household = household_id is not None and person.household_id == household_id
        same_phone = person.pk in phone_ids and not same_household
        if person.pk not in doc_ids:
            if not _plausibly_same(person, sex=sex, birth_date=birth_date, estimated=birth_date_estimated):
                continue
            if same_household:
                if given_match < DUPLICATE_WORD_MATCH_HOUSEHOLD:
                    continue
            elif not same_phone:
                needed = DUPLICATE_WORD_MATCH_SAME_BIRTH if same_birth else DUPLICATE_WORD_MATCH
                # Every family name must match; or, with the same given names, one of two
                # (Roxas for Rojas is too far for trigrams, but Mendoza is right).
                family_ok = family_match >= DUPLICATE_WORD_MATCH or (
                    given_match >= DUPLICATE_WORD_MATCH_HOUSEHOLD
                    and family_mean >= DUPLICATE_FAMILY_MEAN_SAME_GIVEN
                )
                if given_match < needed or not family_ok:
                    continue
        sim = similarity(key, person.name_key)
        candidate = DuplicateCandidate(
            person=person, name_similarity=sim, open=person_is_open_to(user, person)
        )
        if person.pk in doc_ids:
            candidate.reasons.append(_("same document number"))
            candidate.matched.append("document")
            candidate.score += 4
        if same_phone:
            candidate.reasons.append(_("same phone"))
            candidate.matched.append("phone")
            candidate.score += 2
        if same_birth:
            candidate.reasons.append(_("same birth date"))
            candidate.matched.append("birth_date")
            candidate.score += 1
        if sim >= DUPLICATE_NAME_THRESHOLD:
            candidate.reasons.append(_("similar name"))
            candidate.matched.append("name")
        candidate.score += sim + given_match + family_mean
        if nationality and person.nationality and str(person.nationality) != nationality:
            candidate.score -= 0.5
        candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.score, c.person.pk))
    return candidates[:limit]


# --- The person page ------------------------------------------------------------------------------

HISTORY_LIMIT = 50

TRACKED_FIELDS = [
    "given_names",
    "family_names",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "nationality",
    "population_type",
    "phone",
    "district",
    "arrived_on",
    "site",
    "registered_on",
    "household",
    "relationship",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "archived_at",
]


@dataclass
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass
class PersonChange:
    record: Any
    kind: str  # created, changed
    changes: list[FieldChange] = field(default_factory=list)


def _display(person_field, value, lookups):
    if value is None or value == "":
        return ""
    if person_field.name == "nationality":
        from django_countries import countries

        return countries.name(value) or value
    if person_field.is_relation:
        return lookups.get(person_field.name, {}).get(value, value)
    if person_field.choices:
        return dict(person_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def person_changes(person: Person, *, limit: int = HISTORY_LIMIT) -> list[PersonChange]:
    """The person's own history: who changed which field, from what to what (newest first)."""
    records = list(
        person.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    fields = [Person._meta.get_field(name) for name in TRACKED_FIELDS]
    raw_changes = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        if older is None:
            raw_changes.append((record, "created", []))
            continue
        diffs = [
            (f, getattr(older, f.attname), getattr(record, f.attname))
            for f in fields
            if getattr(older, f.attname) != getattr(record, f.attname)
        ]
        if diffs:
            raw_changes.append((record, "changed", diffs))
    wanted: dict[str, set] = {"site": set(), "school": set(), "district": set(), "household": set()}
    for _record, _kind, diffs in raw_changes:
        for f, old, new in diffs:
            if f.is_relation:
                wanted[f.name].update(v for v in (old, new) if v is not None)
    lookups = {
        "site": {pk: str(s) for pk, s in Site.objects.in_bulk(wanted["site"]).items()}
        if wanted["site"]
        else {},
        "district": (
            {pk: str(d) for pk, d in District.objects.in_bulk(wanted["district"]).items()}
            if wanted["district"]
            else {}
        ),
        "household": (
            {pk: h.code for pk, h in Household.objects.in_bulk(wanted["household"]).items()}
            if wanted["household"]
            else {}
        ),
    }
    return [
        PersonChange(
            record=record,
            kind=kind,
            changes=[
                FieldChange(
                    label=f.verbose_name, old=_display(f, old, lookups), new=_display(f, new, lookups)
                )
                for f, old, new in diffs
            ],
        )
        for record, kind, diffs in raw_changes
    ]


def person_page(user, person: Person) -> dict[str, Any]:
    """Everything the person page shows, in a fixed number of queries whatever the number of rows.

    The timeline holds the records of the apps above ``cases`` too (services, referrals, sport
    attendance): each adds its part through cases/person_records.py."""
    documents = list(person.documents.order_by("doc_type", "-created_at"))
    statuses = list(person.regularization_statuses.select_related("recorded_by"))
    consents = list(person.consents.select_related("recorded_by", "withdrawn_by"))
    intakes = list(person.intakes.for_timeline().order_by("-date", "-created_at")[:TIMELINE_LIMIT])
    parts = person_records.timeline_parts(user, person)
    notes = list(
        CaseNote.objects.filter(person=person)
        .visible_to(user)
        .select_related("author", "site")
        .order_by("-created_at")[:TIMELINE_LIMIT]
    )
    changes = person_changes(person)
    timezone_day = timezone.localdate
    entries = (
        [TimelineEntry("intake", i.date, i, (i.created_at,)) for i in intakes]
        + [entry for part in parts for entry in part.entries]
        + [TimelineEntry("note", timezone_day(n.created_at), n, (n.created_at,)) for n in notes]
        + [TimelineEntry("consent", c.given_on, c, (c.created_at,)) for c in consents]
        + [TimelineEntry("document", timezone_day(d.created_at), d, (d.created_at,)) for d in documents]
        + [TimelineEntry("status", s.since, s, (s.created_at,)) for s in statuses]
        + [
            TimelineEntry("change", timezone_day(c.record.history_date), c, (c.record.history_date,))
            for c in changes
            if c.kind == "changed"
        ]
    )
    entries.sort(key=lambda e: (e.day, e.order), reverse=True)
    today = timezone.localdate()
    current_status = statuses[0] if statuses else None
    page = dict(person_records.PAGE_DEFAULTS)
    for part in parts:
        page.update(part.context)
    return page | {
        "documents": documents,
        "statuses": statuses,
        "current_status": current_status,
        "consents": consents,
        "active_consents": {c.purpose for c in consents if c.is_active},
        "timeline": entries,
        "changes": changes,
        "members": household_members(person),
        "age": person.age(today),
        "expiring_soon": [
            x
            for x in [*documents, *([current_status] if current_status else [])]
            if x.expires_on and x.expires_on <= today + timedelta(days=30)
        ],
    }


# --- Intakes --------------------------------------------------------------------------------------


def intakes_today(user, *, site: Site | None = None) -> QuerySet[Intake]:
    """Intakes recorded today at the user's sites (newest first)."""
    if not roles.has_role(user, roles.CASE_READERS):
        return Intake.objects.none()
    qs = Intake.objects.filter(date=timezone.localdate())
    if not roles.has_role(user, roles.ADMIN):
        qs = qs.filter(site_id__in=site_ids_visible_to(user))
    if site is not None:
        qs = qs.filter(site=site)
    return qs.for_list().order_by("-created_at", "-pk")


def consent_get_for_user(user, pk, *, write: bool = False):
    """A consent of a person the user may open (or change, with ``write``)."""
    from .models import Consent

    person_id = Consent.objects.filter(pk=pk).values_list("person_id", flat=True).first()
    if person_id is None:
        raise Http404
    person = person_get_for_user(user, person_id, write=write)
    return person.consents.get(pk=pk)


# --- Documents about to expire --------------------------------------------------------------------

EXPIRY_WINDOWS = (30, 60, 90)


def documents_expiring_for(user, *, within: int = 30, site: Site | None = None, today: date | None = None):
    """Identity documents (PTP, CPP, carné de extranjería…) of people at the user's sites that
    expire from today to ``within`` days on, the soonest first. Archived and anonymized people
    are left out."""
    if not roles.has_role(user, roles.CASE_READERS):
        return IdentityDocument.objects.none()
    today = today or timezone.localdate()
    qs = IdentityDocument.objects.filter(
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=within),
        person__archived_at__isnull=True,
        person__anonymized_at__isnull=True,
    )
    if not roles.has_role(user, roles.ADMIN):
        # The people the user may open (a coordinator: those with a record of their programs).
        qs = qs.filter(person__in=people_visible_to(user))
    if site is not None:
        qs = qs.filter(person__site=site)
    return qs.select_related("person", "person__site").order_by("expires_on", "person__family_names", "pk")
