"""Transfers and shares between sites (cases/transfer_views.py, docs/transfer.md) in the
authorization walk. A caseworker of the person's site (an admin: anyone) asks to move or share the
case; caseworkers and coordinators of the receiving site decide; the requesting site's caseworkers
cancel or end what it asked. Psychosocial specialists who are not caseworkers, facilitators,
receptionists and users without a role are refused (403); a request or a person of a site the user
does not work at is not found (404).

Objects: to decide, "own" is a share with the role's site of a person of the role's other site, and
"other" a transfer of such a person to a third orientation site nobody of the walk works at; sent,
"own" and "other" are shares of the world's own and other person with that third site."""

from __future__ import annotations

from datetime import timedelta

from .common import LOGIN, Entry, Missing, Redirect, everyone, roles_

THIRD_SITE = "PAO-SU"


def _third_site():
    from orientation.models import Site
    from tests.factories import site

    third, _created = Site.objects.get_or_create(
        code=THIRD_SITE, defaults={"name": "Punto de Atención y Orientación – Lima Sur", "kind": site().kind}
    )
    return third


def _request(w, *, person, to_site, kind: str):
    def build():
        from django.utils import timezone

        from cases.models import SiteRequest

        return SiteRequest.objects.create(
            kind=kind,
            person=person,
            from_site_id=person.site_id,
            to_site=to_site,
            reason="La persona se mudó a otro distrito.",
            share_until=timezone.localdate() + timedelta(days=30) if kind == "share" else None,
        )

    return w._cached(("site-request", kind, person.pk, to_site.pk), build)


def _person_at(w, site_, key: str):
    """A person of its own for the requests to decide (one per receiving site), so that the walk's
    roles never ask twice for one person."""

    def build():
        from tests.factories import PersonFactory

        return PersonFactory(site=site_)

    return w._cached(("site-request-person", key, site_.pk), build)


def _to_decide(w, which: str):
    if which == "missing":
        return Missing()
    if which == "own":
        to_site = w.site("own")
        person = _person_at(w, w.site("other"), f"to-{to_site.code}")
        return _request(w, person=person, to_site=to_site, kind="share")
    return _request(
        w, person=_person_at(w, w.site("other"), "to-third"), to_site=_third_site(), kind="transfer"
    )


def _sent(w, which: str):
    if which == "missing":
        return Missing()
    return _request(w, person=w.person(which), to_site=_third_site(), kind="share")


INBOX = Redirect("cases:site_requests")
ACT_HERE = {"own": INBOX, "other": 404, "missing": 404}
ACT_ANYWHERE = {"own": INBOX, "other": INBOX, "missing": 404}
REQUEST_FORM = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker={"own": 200, "other": 404, "missing": 404},
    psychosocial=403,
    coordinator=403,
    admin={"own": 200, "other": 200, "missing": 404},
)
DECIDE = roles_(
    anonymous=LOGIN,
    norole=403,
    facilitator=403,
    caseworker=ACT_HERE,
    psychosocial=403,
    coordinator=ACT_HERE,
    admin=ACT_ANYWHERE,
)

MATRIX: dict[str, Entry] = {
    # The request form, from the person's page (an empty POST shows the form again).
    "cases:site_request_create": Entry(
        kwargs=lambda w, x: {"pk": w.person(x).pk},
        post_fields=["kind", "to_site", "share_until", "reason"],
        get=REQUEST_FORM,
        post=REQUEST_FORM,
    ),
    # The inbox: requests to decide and requests sent, of the user's sites.
    "cases:site_requests": Entry(
        fuzz_query=["page", "sent"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=200,
            psychosocial=403,
            coordinator=200,
            admin=200,
        ),
    ),
    "cases:site_request_accept": Entry(
        kwargs=lambda w, x: {"pk": _to_decide(w, x).pk}, post_fields=["note"], get=everyone(405), post=DECIDE
    ),
    "cases:site_request_decline": Entry(
        kwargs=lambda w, x: {"pk": _to_decide(w, x).pk}, post_fields=["note"], get=everyone(405), post=DECIDE
    ),
    # Cancel a request awaiting a decision, or end a share early: the requesting site.
    "cases:site_request_close": Entry(
        kwargs=lambda w, x: {"pk": _sent(w, x).pk},
        post_fields=[],
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=ACT_HERE,
            psychosocial=403,
            coordinator=403,
            admin=ACT_ANYWHERE,
        ),
    ),
}
