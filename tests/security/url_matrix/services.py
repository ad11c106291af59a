"""The services app's URLs in the authorization walk."""

from __future__ import annotations

from .common import (
    ANY_SITE,
    CASE_READ,
    CASE_WORKERS_ONLY,
    CASE_WRITE,
    LOGIN,
    OBJECTS,
    PARTNER_LINK,
    PSYCHOSOCIAL_READ,
    PSYCHOSOCIAL_WRITE,
    REPORTS_ONLY,
    SCOPED,
    Entry,
    _person_pk,
    everyone,
    roles_,
)

MATRIX: dict[str, Entry] = {
    "services:direct_service_create": Entry(
        fuzz_query=["intake"],
        kwargs=_person_pk,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    "services:followups": Entry(
        fuzz_query=["overdue", "q", "page"],
        get=CASE_WORKERS_ONLY,
        post=everyone(405),
    ),
    "services:overdue_queue": Entry(
        fuzz_query=["site", "page"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=200,
            psychosocial=200,
            facilitator=403,
            coordinator=200,
            admin=200,
        ),
        post=everyone(405),
    ),
    # The partner's one-time link works without an account: a live link shows the form, a used or
    # replaced one is gone (410), an unknown token is not found.
    "services:partner_feedback": Entry(
        kwargs=lambda w, x: {"token": w.partner_token(x)},
        get=everyone(PARTNER_LINK, anonymous=PARTNER_LINK),
        post=everyone(PARTNER_LINK, anonymous=PARTNER_LINK),
        post_fields=["to_status", "completed_on", "comment"],
    ),
    "services:partner_feedback_done": Entry(
        get=everyone(200, anonymous=200),
        post=everyone(405, anonymous=405),
    ),
    "services:person_services": Entry(
        kwargs=_person_pk,
        get=CASE_READ,
        post=everyone(405),
    ),
    "services:psychosocial_note": Entry(
        objects=[*OBJECTS, "group"],  # "group": with a participant of the other site
        kwargs=lambda w, x: {"pk": w.psychosocial_session(x).pk},
        get=PSYCHOSOCIAL_READ,
        post=everyone(405),
    ),
    "services:psychosocial_participant_search": Entry(
        fuzz_query=["q"],
        kwargs=_person_pk,
        get=PSYCHOSOCIAL_WRITE,
        post=everyone(405),
    ),
    "services:psychosocial_session_create": Entry(
        kwargs=_person_pk,
        get=PSYCHOSOCIAL_WRITE,
        post=PSYCHOSOCIAL_WRITE,
    ),
    "services:psychosocial_session_detail": Entry(
        objects=[*OBJECTS, "group"],  # "group": with a participant of the other site
        kwargs=lambda w, x: {"pk": w.psychosocial_session(x).pk},
        get=PSYCHOSOCIAL_READ,
        post=everyone(405),
    ),
    "services:referral_create": Entry(
        kwargs=_person_pk,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    "services:referral_detail": Entry(
        kwargs=lambda w, x: {"pk": w.referral(x).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=SCOPED,
            psychosocial=SCOPED,
            facilitator=403,
            coordinator=SCOPED,
            admin=ANY_SITE,
        ),
        post=everyone(405),
    ),
    "services:referral_follow_up": Entry(
        post_fields=["note", "next_due"],
        kwargs=lambda w, x: {"pk": w.referral(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": 400, "other": 404, "missing": 404},
            psychosocial={"own": 400, "other": 404, "missing": 404},
            facilitator=403,
            coordinator=403,
            admin={"own": 400, "other": 400, "missing": 404},
        ),
    ),
    "services:referral_responsible": Entry(
        post_fields=["responsible"],
        kwargs=lambda w, x: {"pk": w.referral(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": 400, "other": 404, "missing": 404},
            psychosocial={"own": 400, "other": 404, "missing": 404},
            facilitator=403,
            coordinator=403,
            admin={"own": 400, "other": 400, "missing": 404},
        ),
    ),
    "services:referral_slip": Entry(
        post_fields=[],
        kwargs=lambda w, x: {"pk": w.referral(x).pk},
        # Opened directly (a bookmark, a reload): a page that explains and offers to print again.
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=SCOPED,
            psychosocial=SCOPED,
            facilitator=403,
            coordinator=403,
            admin=ANY_SITE,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=SCOPED,
            psychosocial=SCOPED,
            facilitator=403,
            coordinator=403,
            admin=ANY_SITE,
        ),
    ),
    "services:referral_stats": Entry(
        fuzz_query=["date_from", "date_to", "program", "site"],
        get=REPORTS_ONLY,
        post=everyone(405),
    ),
    "services:referral_transition": Entry(
        post_fields=["to_status", "outcome", "comment"],
        kwargs=lambda w, x: {"pk": w.referral(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": 400, "other": 404, "missing": 404},
            psychosocial={"own": 400, "other": 404, "missing": 404},
            facilitator=403,
            coordinator=403,
            admin={"own": 400, "other": 400, "missing": 404},
        ),
    ),
}
