"""How right the duplicate warning is, on a generated register with planted duplicates.

A register of families (households sharing surnames and a phone) and unrelated people who share
surnames with them; then three kinds of registration are checked against it:

- planted duplicates: someone already registered comes back, their name misspelt the way names are
  at the orientation point (a dropped letter, y/i, j/y, no h, s/z, b/v, a surname missing or the
  two swapped), sometimes with their phone, their birth date sometimes estimated a year off;
- new household members: a child or partner joining a registered household (same surnames and
  phone as their relatives, who are not duplicates);
- new people who share one surname (and often a given name) with people registered.

Precision is the share of all candidates shown that are the true duplicate; the true duplicate
must come first. The figures are printed (``pytest -s``) and held to a floor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from cases.selectors import person_duplicate_candidates
from tests.factories import HouseholdFactory, PersonFactory

GIVEN = {
    "F": [
        "Yuleisy Carolina",
        "María José",
        "Ana Lucía",
        "Yusmary",
        "Rosa Elena",
        "Daniela",
        "Génesis",
        "Yorbelis",
        "Carmen Rosa",
        "Luisa Fernanda",
        "Andreína",
        "Milagros",
        "Valentina",
        "Yelitza",
    ],
    "M": [
        "José Gregorio",
        "Luis Alberto",
        "Carlos Eduardo",
        "Jhoan Sebastián",
        "Giovanny",
        "Pedro Pablo",
        "Yorman",
        "Jesús Alberto",
        "Wilmer",
        "Kevin",
        "Jorge Luis",
        "Richard",
        "Víctor Hugo",
        "Héctor",
    ],
}
FAMILY = [
    "Hernández",
    "Gutiérrez",
    "Rodríguez",
    "González",
    "Pérez",
    "Rojas",
    "Mendoza",
    "Quispe",
    "Mamani",
    "Castillo",
    "Zambrano",
    "Villalobos",
    "Chirinos",
    "Vivas",
    "Torres",
    "Flores",
    "Bello",
    "Cequea",
]
NATIONALITIES = ["VE"] * 6 + ["PE", "PE", "CO"]


def _misspell(rng: random.Random, given: str, family: str) -> tuple[str, str]:
    """One or two of the misspellings seen at registration."""
    surnames = family.split()
    kinds = rng.sample(["letter", "y_i", "j_y", "h", "s_z", "b_v", "drop_surname", "swap", "drop_given"], 2)
    for kind in kinds:
        if kind == "drop_surname" and len(surnames) == 2:
            surnames = surnames[:1]
        elif kind == "swap" and len(surnames) == 2:
            surnames = surnames[::-1]
        elif kind == "drop_given" and " " in given:
            given = given.split()[0]
        elif kind == "letter":
            word = given.split()[0]
            if len(word) > 5:
                i = rng.randrange(2, len(word) - 1)
                given = given.replace(word, word[:i] + word[i + 1 :], 1)
        elif kind not in ("drop_surname", "swap", "drop_given"):
            pairs = {
                "y_i": ("y", "i"),
                "j_y": ("Y", "J"),
                "h": ("h", ""),
                "s_z": ("z", "s"),
                "b_v": ("v", "b"),
            }
            old, new = pairs[kind]
            text = f"{given}|{' '.join(surnames)}"
            if old in text:
                text = text.replace(old, new, 1)
            elif new and new in text:
                text = text.replace(new, old, 1)
            given, rest = text.split("|")
            surnames = rest.split()
    return given, " ".join(surnames)


@dataclass
class Query:
    kind: str
    expected: int | None
    kwargs: dict


def _register(seed: int = 11):
    rng = random.Random(seed)
    today = date(2025, 6, 1)
    people = []

    def person(sex, given, family, born, nationality, phone, household=None, relationship=""):
        p = PersonFactory(
            given_names=given,
            family_names=family,
            sex=sex,
            birth_date=born,
            nationality=nationality,
            phone=phone,
            household=household,
            relationship=relationship,
        )
        people.append(p)
        return p

    households = []
    for n in range(18):
        nationality = rng.choice(NATIONALITIES)
        father, mother = rng.sample(FAMILY, 2)
        phone = f"9{10_000_000 + n * 1000:08d}"
        household = HouseholdFactory()
        head_born = today - timedelta(days=rng.randrange(25 * 365, 45 * 365))
        head = person(
            "F",
            rng.choice(GIVEN["F"]),
            f"{mother} {rng.choice(FAMILY)}",
            head_born,
            nationality,
            phone,
            household,
            "head",
        )
        children = []
        for _child in range(rng.randrange(2, 4)):
            sex = rng.choice("FM")
            born = today - timedelta(days=rng.randrange(2 * 365, 17 * 365))
            given = rng.choice([g for g in GIVEN[sex] if all(g != c.given_names for c in children)])
            children.append(
                person(sex, given, f"{father} {mother}", born, nationality, phone, household, "child")
            )
        households.append((household, head, children, father, mother, phone, nationality))
    for n in range(60):
        sex = rng.choice("FM")
        person(
            sex,
            rng.choice(GIVEN[sex]),
            " ".join(rng.sample(FAMILY, 2)),
            today - timedelta(days=rng.randrange(1 * 365, 80 * 365)),
            rng.choice(NATIONALITIES),
            f"9{20_000_000 + n:08d}",
        )

    queries = []
    for target in rng.sample(people, 30):
        given, family = _misspell(rng, target.given_names, target.family_names)
        born, estimated = target.birth_date, False
        if rng.random() < 0.3:
            born, estimated = born + timedelta(days=rng.choice([-1, 1]) * rng.randrange(100, 400)), True
        queries.append(
            Query(
                "planted duplicate",
                target.pk,
                {
                    "given_names": given,
                    "family_names": family,
                    "sex": target.sex,
                    "birth_date": born,
                    "birth_date_estimated": estimated,
                    "phone": target.phone if rng.random() < 0.4 else "",
                    "nationality": str(target.nationality),
                },
            )
        )
    for household, _head, children, father, mother, phone, nationality in rng.sample(households, 15):
        sex = rng.choice("FM")
        given = rng.choice([g for g in GIVEN[sex] if all(g != c.given_names for c in children)])
        queries.append(
            Query(
                "new household member",
                None,
                {
                    "given_names": given,
                    "family_names": f"{father} {mother}",
                    "sex": sex,
                    "birth_date": today - timedelta(days=rng.randrange(1 * 365, 16 * 365)),
                    "phone": phone,
                    "nationality": nationality,
                    "household_id": household.pk,
                },
            )
        )
    for _n in range(15):
        other = rng.choice(people)
        sex = "M" if other.sex == "F" else "F"
        queries.append(
            Query(
                "shares a surname",
                None,
                {
                    "given_names": rng.choice(GIVEN[sex]),
                    "family_names": f"{other.family_names.split()[0]} {rng.choice(FAMILY)}",
                    "sex": sex,
                    "birth_date": today - timedelta(days=rng.randrange(18 * 365, 80 * 365)),
                    "phone": "",
                    "nationality": rng.choice(NATIONALITIES),
                },
            )
        )
    return queries


def measure(user, queries) -> dict:
    shown = right = first = planted = 0
    noise = {}
    for query in queries:
        found = [c.person.pk for c in person_duplicate_candidates(user, **query.kwargs)]
        shown += len(found)
        if query.expected is not None:
            planted += 1
            right += query.expected in found
            first += found[:1] == [query.expected]
        wrong = [pk for pk in found if pk != query.expected]
        noise[query.kind] = noise.get(query.kind, 0) + len(wrong)
    return {
        "precision": right / shown if shown else 1.0,
        "recall": right / planted,
        "first": first / planted,
        "shown": shown,
        "wrong_by_kind": noise,
    }


@pytest.mark.django_db
def test_duplicate_warning_precision_on_planted_duplicates(caseworker, ref):
    figures = measure(caseworker, _register())
    print("duplicate warning:", figures)  # noqa: T201
    assert figures["precision"] >= 0.85, figures  # measured 0.88 (0.09 before the filters)
    assert figures["first"] >= 0.9, figures
    assert figures["recall"] >= 0.9, figures
    assert figures["wrong_by_kind"]["new household member"] == 0, figures
