"""The sport app's URLs in the authorization walk."""

from __future__ import annotations

from .common import (
    ANY_SITE,
    LOGIN,
    SCOPED,
    SPORT_READ,
    SPORT_WRITE,
    Entry,
    Redirect,
    everyone,
    roles_,
)

MATRIX: dict[str, Entry] = {
    "sport:sport_attendance": Entry(
        kwargs=lambda w, x: {"pk": w.sport_session(x).pk},
        get=SPORT_READ,
        post=everyone(405),
    ),
    "sport:sport_attendance_add": Entry(
        post_fields=["person"],
        fuzz_as="caseworker",  # no person posted: 404, the person to add is not found
        kwargs=lambda w, x: {"pk": w.sport_session(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=404,
            psychosocial=404,
            facilitator=404,
            coordinator=403,
            admin=404,
        ),
    ),
    "sport:sport_attendance_mark": Entry(
        post_fields=["present"],
        kwargs=lambda w, x: {"pk": w.sport_session(x).pk, "person_pk": w.sport_participant(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": 400, "other": 404, "missing": 404},
            psychosocial={"own": 400, "other": 404, "missing": 404},
            facilitator={"own": 400, "other": 404, "missing": 404},
            coordinator=403,
            admin={"own": 400, "other": 400, "missing": 404},
        ),
    ),
    # "All present": one POST marks everyone not recorded yet, then back to the list.
    "sport:sport_attendance_all_present": Entry(
        post_fields=[],
        kwargs=lambda w, x: {"pk": w.sport_session(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            psychosocial={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            facilitator={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            coordinator=403,
            admin={
                "own": Redirect("sport:sport_attendance"),
                "other": Redirect("sport:sport_attendance"),
                "missing": 404,
            },
        ),
    ),
    "sport:sport_attendance_search": Entry(
        kwargs=lambda w, x: {"pk": w.sport_session(x).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            psychosocial={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            facilitator={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            coordinator=403,
            admin={
                "own": Redirect("sport:sport_attendance"),
                "other": Redirect("sport:sport_attendance"),
                "missing": 404,
            },
        ),
        post=everyone(405),
    ),
    "sport:sport_group_create": Entry(
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=200,
            coordinator=403,
            admin=200,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=200,
            coordinator=403,
            admin=200,
        ),
    ),
    "sport:sport_group_detail": Entry(
        fuzz_query=["page"],
        kwargs=lambda w, x: {"pk": w.sport_group(x).pk},
        get=SPORT_READ,
        post=everyone(405),
    ),
    "sport:sport_group_edit": Entry(
        kwargs=lambda w, x: {"pk": w.sport_group(x).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=SCOPED,
            coordinator=403,
            admin=ANY_SITE,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=SCOPED,
            coordinator=403,
            admin=ANY_SITE,
        ),
    ),
    "sport:sport_group_list": Entry(
        fuzz_query=["q", "show", "site", "page"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=200,
            psychosocial=200,
            facilitator=200,
            coordinator=200,
            admin=200,
        ),
        post=everyone(405),
    ),
    "sport:sport_head_count": Entry(
        post_fields=["hc_F_0_4", "hc_M_5_11", "hc_X_12_17", "hc_F_18_59", "hc_M_60plus"],
        kwargs=lambda w, x: {"pk": w.sport_session(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            psychosocial={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            facilitator={"own": Redirect("sport:sport_attendance"), "other": 404, "missing": 404},
            coordinator=403,
            admin={
                "own": Redirect("sport:sport_attendance"),
                "other": Redirect("sport:sport_attendance"),
                "missing": 404,
            },
        ),
    ),
    "sport:sport_light_profile_create": Entry(
        kwargs=lambda w, x: {"pk": w.sport_session(x).pk},
        get=SPORT_WRITE,
        post=SPORT_WRITE,
    ),
    "sport:sport_participant_detail": Entry(
        kwargs=lambda w, x: {"pk": w.sport_participant(x).pk},
        get=SPORT_READ,
        post=everyone(405),
    ),
    "sport:sport_participant_leave": Entry(
        post_fields=[],
        kwargs=lambda w, x: {"pk": w.sport_group(x).pk, "person_pk": w.sport_participant(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": Redirect("sport:sport_group_detail"), "other": 404, "missing": 404},
            psychosocial={"own": Redirect("sport:sport_group_detail"), "other": 404, "missing": 404},
            facilitator={"own": Redirect("sport:sport_group_detail"), "other": 404, "missing": 404},
            coordinator=403,
            admin={
                "own": Redirect("sport:sport_group_detail"),
                "other": Redirect("sport:sport_group_detail"),
                "missing": 404,
            },
        ),
    ),
    "sport:sport_session_create": Entry(
        fuzz_query=["activity", "date"],
        kwargs=lambda w, x: {"pk": w.sport_group(x).pk},
        get=SPORT_WRITE,
        post=SPORT_WRITE,
    ),
}
