"""Possible duplicates of a person being registered: names, birth dates, documents, phones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Value
from django.utils.translation import gettext_lazy as _

from ..models import Person, normalize_text
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
    from ..search import similarity

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
