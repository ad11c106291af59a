"""The cases app's URLs in the authorization walk."""

from __future__ import annotations

from .common import (
    BREAK_GLASS_BY_ID,
    BREAK_GLASS_LINK,
    CASE_READ,
    CASE_WORKERS_ONLY,
    CASE_WRITE,
    LOGIN,
    NOTE_READ,
    OBJECTS,
    Entry,
    Redirect,
    _break_glass_link,
    _person,
    _probe_other_person,
    everyone,
    roles_,
)

MATRIX: dict[str, Entry] = {
    # Closing a case: the open items and the reason form (an empty POST shows it again, with errors).
    # Case staff of the person's site; another site's person sends a caseworker to break the glass,
    # and even then the action refuses (tests/cases/test_case_status.py); coordinators only read.
    "cases:case_close": Entry(
        kwargs=_person,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    # Reopening a closed case: the same roles; an empty POST shows the form again (the note is
    # optional, but an empty body changes nothing).
    "cases:case_reopen": Entry(
        kwargs=lambda w, x: {"pk": w.closed_person(x).pk},
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    "cases:break_glass": Entry(
        fuzz=False,  # no form: a typed id only says to search; the reason is asked on break_glass_open
        kwargs=_person,
        get=BREAK_GLASS_BY_ID,
        post=BREAK_GLASS_BY_ID,
    ),
    "cases:break_glass_open": Entry(
        objects=["other", "own", "missing"],  # fuzz the reason form, shown for another site's person
        post_fields=["reason", "next"],
        kwargs=_break_glass_link,
        get=BREAK_GLASS_LINK,
        post=BREAK_GLASS_LINK,
    ),
    "cases:case_note_create": Entry(
        kwargs=_person,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    "cases:case_note_detail": Entry(
        fuzz=False,  # a page, not a form (a POST shows it)
        objects=[*OBJECTS, "psy"],  # "psy": a confidential psychosocial note of the own site's person
        kwargs=lambda w, x: {
            "pk": (w.case_note("own", kind="psychosocial") if x == "psy" else w.case_note(x)).pk
        },
        get=NOTE_READ,
        post=NOTE_READ,
    ),
    "cases:consent_create": Entry(
        kwargs=_person,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    "cases:consent_withdraw": Entry(
        post_fields=["withdrawn_on"],
        kwargs=lambda w, x: {"pk": w.consent(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:break_glass"),
                "missing": 404,
            },
            psychosocial={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:break_glass"),
                "missing": 404,
            },
            facilitator=403,
            coordinator=403,
            admin={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:person_detail"),
                "missing": 404,
            },
        ),
    ),
    "cases:document_create": Entry(
        kwargs=_person,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    "cases:duplicate_check": Entry(
        probe_other=lambda w: _probe_other_person(w),
        post_fields=[
            "person-given_names",
            "person-family_names",
            "person-birth_date",
            "document-number",
            "person-phone",
            "duplicates_seen",
        ],
        get=everyone(405),
        post=CASE_WORKERS_ONLY,
    ),
    "cases:intake_create": Entry(
        kwargs=_person,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    # Documents about to expire: every case reader, each sees their own sites (tests/cases).
    "cases:documents_expiring": Entry(
        fuzz_query=["within", "site", "page"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=200,
            psychosocial=200,
            coordinator=200,
            admin=200,
        ),
        post=everyone(405),
    ),
    "cases:intake_today": Entry(
        fuzz_query=["site", "page"],
        get=CASE_WORKERS_ONLY,
        post=CASE_WORKERS_ONLY,
    ),
    "cases:person_archive": Entry(
        post_fields=["archive-reason"],
        kwargs=_person,
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:break_glass"),
                "missing": 404,
            },
            psychosocial={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:break_glass"),
                "missing": 404,
            },
            facilitator=403,
            coordinator=403,
            admin={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:person_detail"),
                "missing": 404,
            },
        ),
    ),
    "cases:person_detail": Entry(
        fuzz=False,  # a page, not a form (a POST shows it)
        kwargs=_person,
        get=CASE_READ,
        post=CASE_READ,
    ),
    "cases:person_duplicates": Entry(
        kwargs=_person,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    "cases:person_edit": Entry(
        kwargs=_person,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
    "cases:person_list": Entry(
        fuzz_query=[
            "site",
            "nationality",
            "population_type",
            "vulnerability",
            "age_band",
            "open_referrals",
            "archived",
            "status",
            "sort",
            "page",
            "s",
            "q",
        ],
        post_fields=["q"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=200,
            psychosocial=200,
            facilitator=403,
            coordinator=200,
            admin=200,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=Redirect("cases:person_list"),
            psychosocial=Redirect("cases:person_list"),
            facilitator=403,
            coordinator=Redirect("cases:person_list"),
            admin=Redirect("cases:person_list"),
        ),
    ),
    "cases:person_register": Entry(
        probe_other=lambda w: _probe_other_person(w),
        fuzz_query=["household"],
        get=CASE_WORKERS_ONLY,
        post=CASE_WORKERS_ONLY,
    ),
    "cases:person_restore": Entry(
        post_fields=[],
        kwargs=_person,
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:break_glass"),
                "missing": 404,
            },
            psychosocial={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:break_glass"),
                "missing": 404,
            },
            facilitator=403,
            coordinator=403,
            admin={
                "own": Redirect("cases:person_detail"),
                "other": Redirect("cases:person_detail"),
                "missing": 404,
            },
        ),
    ),
    "cases:status_create": Entry(
        kwargs=_person,
        get=CASE_WRITE,
        post=CASE_WRITE,
    ),
}
