"""Possible duplicates of a person being registered: names, birth dates, documents, phones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, Value
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation import roles
from orientation.selectors import site_ids_visible_to

from ..models import DuplicateDismissal, IdentityDocument, Person, PersonMerge, normalize_text
from ..search import Similarity, name_words, phonetic_key
from ..validators import document_number_normalize, phone_normalize_or_none
from .people import _document_person_ids, person_is_open_to

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
    from ..search import word_similarity

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


@dataclass
class _Probe:
    """What is known of the person being checked: the typed form, or a registered record."""

    key: str
    given_words: list[str]
    family_words: list[str]
    birth_date: date | None
    estimated: bool
    sex: str
    nationality: str
    household_id: int | None = None

    @classmethod
    def of(cls, person: Person) -> _Probe:
        return cls(
            key=person.name_key,
            given_words=_key_words(person.given_names),
            family_words=_key_words(person.family_names),
            birth_date=person.birth_date,
            estimated=person.birth_date_estimated,
            sex=person.sex,
            nationality=str(person.nationality or ""),
        )


def _judge(
    probe: _Probe, person: Person, *, same_document: bool, same_phone: bool
) -> DuplicateCandidate | None:
    """Whether ``person`` may be the one ``probe`` describes, and how likely (the rules of
    ``person_duplicate_candidates``); None when not."""
    from ..search import similarity

    given_key = phonetic_key(normalize_text(person.given_names))
    family_key = phonetic_key(normalize_text(person.family_names))
    given_match, _given_mean = _names_match(probe.given_words, given_key)
    family_match, family_mean = _names_match(probe.family_words, family_key)
    same_birth = bool(probe.birth_date) and person.birth_date == probe.birth_date
    same_household = probe.household_id is not None and person.household_id == probe.household_id
    same_phone = same_phone and not same_household
    if not same_document:
        if not _plausibly_same(person, sex=probe.sex, birth_date=probe.birth_date, estimated=probe.estimated):
            return None
        if same_household:
            if given_match < DUPLICATE_WORD_MATCH_HOUSEHOLD:
                return None
        elif not same_phone:
            needed = DUPLICATE_WORD_MATCH_SAME_BIRTH if same_birth else DUPLICATE_WORD_MATCH
            # Every family name must match; or, with the same given names, one of two
            # (Roxas for Rojas is too far for trigrams, but Mendoza is right).
            family_ok = family_match >= DUPLICATE_WORD_MATCH or (
                given_match >= DUPLICATE_WORD_MATCH_HOUSEHOLD
                and family_mean >= DUPLICATE_FAMILY_MEAN_SAME_GIVEN
            )
            if given_match < needed or not family_ok:
                return None
    sim = similarity(probe.key, person.name_key)
    candidate = DuplicateCandidate(person=person, name_similarity=sim)
    if same_document:
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
    if probe.nationality and person.nationality and str(person.nationality) != probe.nationality:
        candidate.score -= 0.5
    return candidate


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
    people = Person.objects.filter(pk__in=ids, merged_into__isnull=True).select_related("site")
    probe = _Probe(
        key=key,
        given_words=given_words,
        family_words=family_words,
        birth_date=birth_date,
        estimated=birth_date_estimated,
        sex=sex,
        nationality=nationality,
        household_id=household_id,
    )
    candidates = []
    for person in people:
        candidate = _judge(
            probe, person, same_document=person.pk in doc_ids, same_phone=person.pk in phone_ids
        )
        if candidate is not None:
            candidate.open = person_is_open_to(user, person)
            candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.score, c.person.pk))
    return candidates[:limit]


# --- The duplicates review: pairs of registered records -------------------------------------------

# The review gathers pairs within blocks of records that share a sound-alike name, a phone, a
# birth date or a document number at the user's sites; a block bigger than this (a birth date
# shared by many) is left out, and at most REVIEW_PAIR_LIMIT pairs are judged per page load.
REVIEW_BLOCK_LIMIT = 12
REVIEW_PAIR_LIMIT = 2000


@dataclass
class DuplicatePair:
    first: Person
    second: Person
    reasons: list[str]
    score: float

    @property
    def key(self) -> tuple[int, int]:
        return (self.first.pk, self.second.pk)


def _review_base(user):
    base = Person.objects.filter(
        merged_into__isnull=True, anonymized_at__isnull=True, archived_at__isnull=True
    )
    if roles.has_role(user, roles.ADMIN):
        return base
    if not roles.has_role(user, roles.CASE_WORKERS):
        return base.none()
    return base.filter(site_id__in=site_ids_visible_to(user))


def duplicate_pairs_for_user(user) -> list[DuplicatePair]:
    """Likely duplicate pairs among the records at the user's sites (a case worker's; every site
    for an admin), judged by the registration's rules (``_judge``), the most likely first; pairs
    dismissed as two people are left out. A fixed number of queries, whatever the rows."""
    base = _review_base(user)
    blocks: dict[int, set[tuple[str, object]]] = {}
    for field_name in ("name_key", "phone", "birth_date"):
        filled = base.exclude(**{f"{field_name}__isnull": True})
        if field_name != "birth_date":
            filled = filled.exclude(**{field_name: ""})
        shared = (
            filled.order_by()
            .values(field_name)
            .annotate(n=Count("pk"))
            .filter(n__gt=1, n__lte=REVIEW_BLOCK_LIMIT)
            .values(field_name)
        )
        for pk, value in filled.filter(**{f"{field_name}__in": shared}).values_list("pk", field_name)[
            :REVIEW_PAIR_LIMIT
        ]:
            blocks.setdefault(pk, set()).add((field_name, value))
    documents = IdentityDocument.objects.filter(person__in=base).annotate(number_lower=Lower("number"))
    shared_numbers = (
        documents.order_by()
        .values("number_lower")
        .annotate(n=Count("person", distinct=True))
        .filter(n__gt=1, n__lte=REVIEW_BLOCK_LIMIT)
        .values("number_lower")
    )
    for pk, number in documents.filter(number_lower__in=shared_numbers).values_list(
        "person_id", "number_lower"
    )[:REVIEW_PAIR_LIMIT]:
        blocks.setdefault(pk, set()).add(("document", number))
    by_block: dict[tuple[str, object], list[int]] = {}
    for pk, keys in blocks.items():
        for block in keys:
            by_block.setdefault(block, []).append(pk)
    shared_by_pair: dict[tuple[int, int], set[str]] = {}
    for (field_name, _value), pks in by_block.items():
        pks.sort()
        for i, a in enumerate(pks):
            for b in pks[i + 1 :]:
                shared_by_pair.setdefault((a, b), set()).add(field_name)
                if len(shared_by_pair) >= REVIEW_PAIR_LIMIT:
                    break
    if not shared_by_pair:
        return []
    dismissed = set(
        DuplicateDismissal.objects.filter(
            first_id__in=blocks.keys(), second_id__in=blocks.keys()
        ).values_list("first_id", "second_id")
    )
    people = {p.pk: p for p in Person.objects.filter(pk__in=blocks.keys()).select_related("site")}
    pairs = []
    for (a, b), shared in shared_by_pair.items():
        if (a, b) in dismissed or a not in people or b not in people:
            continue
        first, second = people[a], people[b]
        candidate = _judge(
            _Probe.of(first), second, same_document="document" in shared, same_phone="phone" in shared
        )
        if candidate is not None:
            pairs.append(DuplicatePair(first, second, candidate.reasons, candidate.score))
    pairs.sort(key=lambda p: (-p.score, p.key))
    return pairs


def duplicate_pair_get(user, first_pk: int, second_pk: int) -> tuple[Person, Person]:
    """Two records the user may review, merge or dismiss together: both at the user's sites (a
    case worker's own, not opened by breaking the glass), neither merged already. 404 otherwise."""
    if first_pk == second_pk:
        raise Http404
    people = {p.pk: p for p in _review_base(user).filter(pk__in=[first_pk, second_pk]).for_detail()}
    if len(people) != 2:
        raise Http404
    return people[first_pk], people[second_pk]


# --- Merges ---------------------------------------------------------------------------------------


def merges_undoable_of(person: Person) -> list[PersonMerge]:
    """The merges into this person still within the period an admin may undo them."""
    since = timezone.now() - timedelta(days=settings.MERGE_UNDO_DAYS)
    return list(
        PersonMerge.objects.filter(survivor=person, unmerged_at__isnull=True, merged_at__gte=since)
        .select_related("merged", "merged_by")
        .order_by("-merged_at")
    )


def merge_of_pair(user, first_pk: int, second_pk: int) -> PersonMerge | None:
    """The merge that already joined these two records (not undone), if the user may see the
    record kept: a form sent twice leads there."""
    merge = (
        PersonMerge.objects.filter(
            Q(survivor_id=first_pk, merged_id=second_pk) | Q(survivor_id=second_pk, merged_id=first_pk),
            unmerged_at__isnull=True,
        )
        .order_by("-merged_at")
        .first()
    )
    if merge is not None and _review_base(user).filter(pk=merge.survivor_id).exists():
        return merge
    return None


def person_merge_get_for_user(user, pk: int) -> PersonMerge:
    """A merge an admin may undo (404 for anyone else and for an unknown id)."""
    if not roles.has_role(user, roles.ADMIN):
        raise Http404
    merge = PersonMerge.objects.filter(pk=pk).first()
    if merge is None:
        raise Http404
    return merge
