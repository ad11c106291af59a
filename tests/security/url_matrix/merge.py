"""The duplicates review, merging two records and undoing a merge (cases/merge_views.py) in the
authorization walk. Only case workers of both people's sites, and admins, review and merge;
facilitators and coordinators never; only admins undo a merge.

Objects: "own": two records of one person at the role's site; "other": two at another site;
"mixed": one at the role's site and one at another (a case worker trying to merge a person of
another site); "missing": ids that do not exist."""

from __future__ import annotations

from datetime import date

from .common import LOGIN, Entry, Missing, Redirect, everyone, roles_

PAIR_OBJECTS = ["own", "other", "mixed", "missing"]
PAIR_SITE = {"own": 200, "other": 404, "mixed": 404, "missing": 404}
PAIR_ANY = {"own": 200, "other": 200, "mixed": 200, "missing": 404}
PAIR_ROLES = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker=PAIR_SITE,
    psychosocial=PAIR_SITE,
    coordinator=403,
    admin=PAIR_ANY,
)
DISMISSED = Redirect("cases:duplicate_review")


def _twin(w, which: str):
    """A second record of the world's person (the same name and birth date, another phone)."""
    person = w.person(which)

    def build():
        from tests.factories import PersonFactory

        return PersonFactory(
            site=person.site,
            given_names=person.given_names,
            family_names=person.family_names,
            birth_date=person.birth_date,
        )

    return w._cached(("twin", person.pk), build)


def _pair(w, which: str) -> dict:
    if which == "missing":
        return {"first": Missing().pk, "second": Missing().pk + 1}
    if which == "mixed":
        first, second = w.person("own"), _twin(w, "other")
    else:
        first, second = w.person(which), _twin(w, which)
    return {"first": first.pk, "second": second.pk}


def _merge(w, which: str) -> dict:
    """A merge of two records at the role's site ("own") or at another site ("other")."""
    if which == "missing":
        return {"pk": Missing().pk}
    site = w.site(which)

    def build():
        from cases.merging import person_merge
        from tests.factories import PersonFactory

        kept = PersonFactory(
            site=site, given_names="Doble", family_names="Registro Uno", birth_date=date(1990, 1, 1)
        )
        other = PersonFactory(
            site=site, given_names="Doble", family_names="Registro Uno", birth_date=date(1990, 1, 1)
        )
        return person_merge(user=w.users["admin"], survivor_id=kept.pk, merged_id=other.pk)

    return {"pk": w._cached(("merge", site.code), build).pk}


MATRIX: dict[str, Entry] = {
    "cases:duplicate_review": Entry(
        fuzz_query=["page"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=200,
            psychosocial=200,
            coordinator=403,
            admin=200,
        ),
        post=everyone(405),
    ),
    # The two records side by side, and the merge form (an empty POST shows the form again).
    "cases:duplicate_pair": Entry(
        objects=PAIR_OBJECTS,
        kwargs=_pair,
        post_fields=["survivor"],
        get=PAIR_ROLES,
        post=PAIR_ROLES,
    ),
    "cases:duplicate_dismiss": Entry(
        objects=PAIR_OBJECTS,
        kwargs=_pair,
        post_fields=[],
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker={"own": DISMISSED, "other": 404, "mixed": 404, "missing": 404},
            psychosocial={"own": DISMISSED, "other": 404, "mixed": 404, "missing": 404},
            coordinator=403,
            admin={"own": DISMISSED, "other": DISMISSED, "mixed": DISMISSED, "missing": 404},
        ),
    ),
    "cases:merge_undo": Entry(
        kwargs=_merge,
        post_fields=[],
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=403,
            admin={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:person_detail"),
                "missing": 404,
            },
        ),
    ),
}
