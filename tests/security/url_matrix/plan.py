"""Case plans (cases/plan_views.py, docs/case-plan.md) in the authorization walk. Case workers of
the person's site (and admins) write a plan; another site's person sends a case worker to break the
glass first; coordinators read plans on the person's page but write nothing here, except handing a
whole caseload to someone else; receptionists and facilitators never reach a plan.

Objects: "own" and "other": the world's person of the role's site or of another site, with an
intake of two needs and one open action of their plan; "missing": ids that do not exist."""

from __future__ import annotations

from datetime import date

from .common import CASE_WRITE, LOGIN, Entry, Missing, Redirect, everyone, roles_


def _intake(w, which: str):
    if which == "missing":
        return Missing()
    person = w.person(which)

    def build():
        from tests.factories import IntakeFactory, IntakeNeedFactory

        intake = IntakeFactory(person=person, date=date(2025, 3, 4))
        IntakeNeedFactory(intake=intake, area="documentation", detail="Tramitar el CPP")
        IntakeNeedFactory(intake=intake, area="primary_care")
        return intake

    return w._cached(("plan-intake", person.pk), build)


def _action(w, which: str):
    if which == "missing":
        return Missing()
    person = w.person(which)

    def build():
        from tests.factories import PlanActionFactory

        return PlanActionFactory(person=person)

    return w._cached(("plan-action", person.pk), build)


def _plan_make(w, which: str) -> dict:
    if which == "missing":
        return {"pk": Missing().pk, "intake_pk": Missing().pk}
    return {"pk": w.person(which).pk, "intake_pk": _intake(w, which).pk}


CLOSED = {"own": Redirect("cases:person_detail"), "other": Redirect("cases:break_glass"), "missing": 404}
CASELOADS = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker=403,
    psychosocial=403,
    coordinator=200,
    admin=200,
)

MATRIX: dict[str, Entry] = {
    # Make a plan from an intake: one row per need (an empty POST shows the form again).
    "cases:plan_make": Entry(kwargs=_plan_make, get=CASE_WRITE, post=CASE_WRITE),
    "cases:plan_action_add": Entry(
        kwargs=lambda w, x: {"pk": w.person(x).pk}, get=CASE_WRITE, post=CASE_WRITE
    ),
    "cases:plan_reassign": Entry(kwargs=lambda w, x: {"pk": w.person(x).pk}, get=CASE_WRITE, post=CASE_WRITE),
    "cases:plan_action_edit": Entry(
        kwargs=lambda w, x: {"pk": _action(w, x).pk}, get=CASE_WRITE, post=CASE_WRITE
    ),
    # Done or not possible, from the person's page: an empty POST is refused with a message.
    "cases:plan_action_close": Entry(
        kwargs=lambda w, x: {"pk": _action(w, x).pk},
        post_fields=["status", "note"],
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=CLOSED,
            psychosocial=CLOSED,
            coordinator=403,
            admin={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:person_detail"),
                "missing": 404,
            },
        ),
    ),
    # A whole caseload handed to someone else: coordinators (of the site) and admins.
    "cases:caseload_reassign": Entry(
        fuzz_query=["site"],
        post_fields=["site", "from_user", "to_user"],
        get=CASELOADS,
        post=CASELOADS,
    ),
}
