"""The read API's URLs and the API tokens page in the authorization walk."""

from __future__ import annotations

from .common import (
    ANY_SITE,
    LOGIN,
    ROLES,
    SITE,
    Entry,
    Redirect,
    everyone,
    roles_,
)

# The read API (api/): the web session works there too, so the walk signs in as usual. Without a
# session or token it answers 401 (problem+json), not a redirect; it only reads, so a POST is a 405
# for a role that may see the endpoint (403 before that for one that may not).
# Reference lists (programs, sites, the catalog, partners): every role, receptionists included.
API_REFERENCE = roles_(
    anonymous=401,
    norole=403,
    facilitator=200,
    caseworker=200,
    psychosocial=200,
    coordinator=200,
    admin=200,
    receptionist=200,
)
API_REPORTS = roles_(
    anonymous=401, norole=403, facilitator=403, caseworker=403, psychosocial=403, coordinator=200, admin=200
)
API_PEOPLE = roles_(
    anonymous=401, norole=403, facilitator=403, caseworker=200, psychosocial=200, coordinator=200, admin=200
)
# A person through the API: own sites only; no break-the-glass redirect, another site's is a 403.
API_PERSON = roles_(
    anonymous=401,
    norole=403,
    facilitator=403,
    caseworker=SITE,
    psychosocial=SITE,
    coordinator=SITE,
    admin=ANY_SITE,
)


def _api(get, *, query=None, kwargs=None, get_override=None) -> Entry:
    post = {role: (405 if table not in (401, 403) else table) for role, table in get.items()}
    for role, table in get.items():
        if isinstance(table, dict):
            post[role] = 405
    # Read-only: nothing to post, so no form fuzzing; the query strings are fuzzed (``fuzz_query``).
    return Entry(get=get_override or get, post=post, kwargs=kwargs, fuzz_query=query, fuzz=False)


MATRIX: dict[str, Entry] = {
    "api:program_list": _api(API_REFERENCE, query=["page"]),
    "api:site_list": _api(API_REFERENCE, query=["page"]),
    "api:service_type_list": _api(API_REFERENCE, query=["page"]),
    "api:partner_list": _api(API_REFERENCE, query=["page"]),
    "api:indicator_list": _api(API_REPORTS, query=["program", "page"]),
    "api:target_list": _api(API_REPORTS, query=["program", "indicator", "month", "page"]),
    # Without ``month`` the report is a 400 that names the missing parameter.
    "api:monthly_report": _api(
        API_REPORTS,
        query=["month", "program"],
        get_override=roles_(
            anonymous=401,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=400,
            admin=400,
        ),
    ),
    "api:person_list": _api(API_PEOPLE, query=["q", "site", "population_type", "page"]),
    "api:person_detail": _api(API_PERSON, kwargs=lambda w, x: {"pk": w.person(x).pk}),
    "api:schema": Entry(get=everyone(200, anonymous=401), post=everyone(405, anonymous=401), fuzz=False),
    "api:docs": Entry(get=everyone(200), post=everyone(405)),
    # Personal API tokens, on the user's account (any signed-in user, their own tokens only).
    "api_tokens": Entry(get=everyone(200), post=everyone(400), post_fields=["name", "days"]),
    "api_token_revoke": Entry(
        kwargs=lambda w, x: {"pk": w.api_token(x).pk},
        get=everyone(405),
        post={
            role: (
                LOGIN
                if role == "anonymous"
                else {"own": Redirect("api_tokens"), "other": 404, "missing": 404}
            )
            for role in ROLES
        },
        fuzz=False,
    ),
}
