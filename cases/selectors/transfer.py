"""Reads of transfers and shares between sites (docs/transfer.md): the person a caseworker may ask
to move or share, the sites that may receive it, a site's inbox of requests to decide and of
requests it sent, and one request fetched for the user who may act on it (404 otherwise)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from orientation import roles
from orientation.models import Site
from orientation.params import query_id
from orientation.selectors import site_ids_visible_to

from ..models import Person, SiteRequest


def _at_my_sites(user, site_id: int) -> bool:
    return roles.has_role(user, roles.ADMIN) or site_id in site_ids_visible_to(user)


def person_for_site_request(user, pk) -> Person:
    """A person whose case the user may ask to move or share: one of their sites' people (an
    admin: anyone), not anonymized, not merged into another record. Anyone else: 404 (a site that
    only broke the glass, or that the person is shared with, does not move the case)."""
    person = (
        Person.objects.select_related("site")
        .filter(pk=query_id(pk) or 0, anonymized_at__isnull=True, merged_into__isnull=True)
        .first()
    )
    if person is None or not _at_my_sites(user, person.site_id):
        raise Http404
    return person


def site_request_destinations(person: Person) -> QuerySet[Site]:
    """The sites a person's case may move to or be shared with: the other active orientation sites."""
    return (
        Site.objects.filter(kind=Site.Kind.ORIENTATION_POINT, active=True)
        .exclude(pk=person.site_id)
        .order_by("code")
    )


def site_requests_to_decide(user) -> QuerySet[SiteRequest]:
    """Requests to the user's sites awaiting a decision, the oldest first."""
    qs = SiteRequest.objects.open()
    if not roles.has_role(user, roles.ADMIN):
        qs = qs.filter(to_site_id__in=site_ids_visible_to(user))
    return qs.for_list().order_by("requested_at", "pk")


def site_requests_sent(user) -> QuerySet[SiteRequest]:
    """Requests the user's sites sent, in every status, the newest first."""
    qs = SiteRequest.objects.all()
    if not roles.has_role(user, roles.ADMIN):
        qs = qs.filter(from_site_id__in=site_ids_visible_to(user))
    return qs.for_list().order_by("-requested_at", "-pk")


def site_request_to_decide_get(user, pk) -> SiteRequest:
    """A request to one of the user's sites (an admin: any): 404 for anyone else."""
    request = SiteRequest.objects.for_list().filter(pk=query_id(pk) or 0).first()
    if request is None or not _at_my_sites(user, request.to_site_id):
        raise Http404
    return request


def site_request_sent_get(user, pk) -> SiteRequest:
    """A request one of the user's sites sent (an admin: any): 404 for anyone else."""
    request = SiteRequest.objects.for_list().filter(pk=query_id(pk) or 0).first()
    if request is None or not _at_my_sites(user, request.from_site_id):
        raise Http404
    return request


def person_site_requests(person: Person) -> list[SiteRequest]:
    """A person's open requests and active shares, for the person's page (one query)."""
    return [
        r
        for r in SiteRequest.objects.filter(person=person, status__in=["requested", "accepted"])
        .select_related("from_site", "to_site")
        .order_by("-requested_at", "-pk")
        if r.is_open or r.is_share_active
    ]
