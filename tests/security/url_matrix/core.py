"""The core's and two-factor's URLs (orientation, mfa) in the authorization walk."""

from __future__ import annotations

from .common import (
    LOGIN,
    Entry,
    Redirect,
    everyone,
    with_unverified_totp,
    with_verified_totp,
)

MATRIX: dict[str, Entry] = {
    # Core (orientation)
    "home": Entry(get=everyone(200)),
    "login": Entry(
        get=everyone(Redirect("home"), anonymous=200),
        post=everyone(Redirect("home"), anonymous=200),
    ),
    "logout": Entry(get=everyone(405), post=everyone(LOGIN), fuzz=False),
    "set_language": Entry(
        get=everyone(Redirect("home"), anonymous=Redirect("home")),
        post=everyone(Redirect("home"), anonymous=Redirect("home")),
        post_fields=["language", "next"],
    ),
    "health": Entry(get=everyone(200, anonymous=200), fuzz=False),
    "notification_list": Entry(get=everyone(200), fuzz_query=["page"]),
    "notification_mark_read": Entry(
        get=everyone(405), post=everyone(Redirect("notification_list")), post_fields=[]
    ),
    # Two-factor authentication (orientation.mfa)
    "mfa:mfa_setup": Entry(get=everyone(200), post=everyone(200)),
    "mfa:mfa_verify": Entry(
        get=everyone(Redirect("home")),
        post=everyone(Redirect("home")),
        post_fields=["token", "next"],
        fuzz_prepare=with_unverified_totp,
    ),
    "mfa:mfa_disable": Entry(
        get=everyone(405),
        post=everyone(Redirect("mfa:mfa_setup")),
        post_fields=["token"],
        fuzz_prepare=with_verified_totp,
    ),
}
