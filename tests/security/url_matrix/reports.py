"""The reports app's URLs in the authorization walk."""

from __future__ import annotations

from .common import (
    ANY_SITE,
    LOGIN,
    SCOPED,
    Entry,
    Redirect,
    everyone,
    roles_,
)

MATRIX: dict[str, Entry] = {
    # Monthly figures (reports): coordinators for their programs, admins for all.
    "reports:dashboard": Entry(
        fuzz_query=["program", "month"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=200,
            admin=200,
        ),
        post=everyone(405),
    ),
    "reports:recompute": Entry(
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=Redirect("reports:dashboard"),
            admin=Redirect("reports:dashboard"),
        ),
        post_fields=["program", "month"],
    ),
    "reports:run_status": Entry(
        kwargs=lambda w, x: {"pk": w.report_run(x).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator={"own": Redirect("reports:dashboard"), "other": 404, "missing": 404},
            admin={
                "own": Redirect("reports:dashboard"),
                "other": Redirect("reports:dashboard"),
                "missing": 404,
            },
        ),
        post=everyone(405),
    ),
    "reports:export": Entry(
        fuzz_query=["program", "month", "format", "mask"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=Redirect("reports:dashboard"),
            admin=Redirect("reports:dashboard"),
        ),
        post=everyone(405),
    ),
    # Reception's figures of a month as CSV (aggregates of the reader's sites, no person).
    "reports:reception_export": Entry(
        fuzz_query=["month", "mask"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=200,
            admin=200,
        ),
        post=everyone(405),
    ),
    "reports:r4v": Entry(
        fuzz_query=["program", "month", "download"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=200,
            admin=200,
        ),
        post=everyone(405),
    ),
    # DHIS2 data values (reports/dhis2): scoped like the R4V page; pushes of the user's programs.
    "dhis2:page": Entry(
        fuzz_query=["program", "month", "download", "page"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=200,
            admin=200,
        ),
        post=everyone(405),
    ),
    "dhis2:push": Entry(
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=Redirect("reports:dashboard"),
            admin=Redirect("reports:dashboard"),
        ),
        post_fields=["program", "month"],
    ),
    "dhis2:push_detail": Entry(
        kwargs=lambda w, x: {"pk": w.dhis2_push(x).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=SCOPED,
            admin=ANY_SITE,
        ),
        post=everyone(405),
    ),
}
