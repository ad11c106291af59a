"""Writes of transfers and shares between sites (docs/transfer.md): asking to move a person's case
to another orientation site or to share it with one until a date, the receiving site's decision,
and the requesting site's cancelling (or ending a share early).

Each function is one use case, atomic, validated and in the change history with the acting user;
the person's new site, on an accepted transfer, is saved with a reason like every change of a
person. Notifications go to the receiving site's caseworkers when a request arrives and to the
requester when it is decided.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orientation import roles
from orientation.actions import notification_send, save_audited
from orientation.selectors import site_ids_visible_to

from .models import Person, SiteRequest


def _at_my_sites(user, site_id: int) -> None:
    if not roles.has_role(user, roles.ADMIN) and site_id not in site_ids_visible_to(user):
        raise PermissionDenied


def _inbox_url() -> str:
    return reverse("cases:site_requests")


def _receiving_caseworkers(site_id: int):
    User = get_user_model()
    return (
        User.objects.filter(site_memberships__site_id=site_id, groups__name=roles.CASEWORKER, is_active=True)
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def site_request_make(
    *, user, person: Person, kind: str, to_site, reason: str, share_until: date | None = None
) -> SiteRequest:
    """Ask to move the person's case to ``to_site`` (``transfer``) or to share it with that site
    until ``share_until`` (``share``). Asked by a caseworker of the person's site (an admin: any);
    one open request per person and kind."""
    roles.require(user, roles.SITE_REQUESTERS)
    person = Person.objects.select_for_update().select_related("site").get(pk=person.pk)
    _at_my_sites(user, person.site_id)
    if kind not in SiteRequest.Kind.values:
        raise ValidationError({"kind": _("Choose whether to transfer or to share the case.")})
    if to_site is None:
        raise ValidationError({"to_site": _("Choose the site.")})
    if to_site.pk == person.site_id:
        raise ValidationError({"to_site": _("Choose a site other than the person's own.")})
    if SiteRequest.objects.open().filter(person=person, kind=kind).exists():
        if kind == SiteRequest.Kind.TRANSFER:
            raise ValidationError(_("This person already has a transfer request awaiting a decision."))
        raise ValidationError(_("This person already has a share request awaiting a decision."))
    if kind == SiteRequest.Kind.SHARE and (
        SiteRequest.objects.shares_active().filter(person=person, to_site=to_site).exists()
    ):
        raise ValidationError({"to_site": _("The case is already shared with this site.")})
    site_request = SiteRequest(
        kind=kind,
        person=person,
        from_site_id=person.site_id,
        to_site=to_site,
        reason=reason,
        share_until=share_until if kind == SiteRequest.Kind.SHARE else None,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    save_audited(site_request, user=user, reason=f"{kind} requested")
    if kind == SiteRequest.Kind.TRANSFER:
        message = _("%(site)s asks to transfer a person's case to your site.")
    else:
        message = _("%(site)s asks to share a person's case with your site.")
    for staff in _receiving_caseworkers(to_site.pk):
        notification_send(
            user=staff,
            message=message % {"site": person.site.name},
            url=_inbox_url(),
            key=f"site-request:{site_request.pk}",
        )
    return site_request


def _locked_open(site_request: SiteRequest) -> SiteRequest:
    site_request = SiteRequest.objects.select_for_update().get(pk=site_request.pk)
    if not site_request.is_open:
        raise ValidationError(_("This request was already decided or cancelled."))
    return site_request


def _decided(site_request: SiteRequest, *, user, status: str, note: str) -> SiteRequest:
    site_request.status = status
    site_request.decided_by = user if getattr(user, "is_authenticated", False) else None
    site_request.decided_at = timezone.now()
    site_request.decision_note = (note or "").strip()
    save_audited(site_request, user=user, reason=f"{site_request.kind} {status}")
    if site_request.requested_by_id:
        if status == SiteRequest.Status.ACCEPTED:
            message = _("%(site)s accepted your request for a person's case.")
        else:
            message = _("%(site)s declined your request for a person's case.")
        notification_send(
            user=site_request.requested_by,
            message=message % {"site": site_request.to_site.name},
            url=_inbox_url(),
            key=f"site-request-decided:{site_request.pk}",
        )
    return site_request


@transaction.atomic
def site_request_accept(*, user, site_request: SiteRequest, note: str = "") -> SiteRequest:
    """The receiving site accepts: a transfer moves the person to it (and ends the person's shares,
    which the new site now decides); a share opens the person to it until its last day."""
    roles.require(user, roles.SITE_REQUEST_DECIDERS)
    site_request = _locked_open(site_request)
    _at_my_sites(user, site_request.to_site_id)
    today = timezone.localdate()
    if site_request.kind == SiteRequest.Kind.SHARE:
        if site_request.share_until < today:
            raise ValidationError(_("The last day of this share has passed: the site may ask again."))
    else:
        person = Person.objects.select_for_update().get(pk=site_request.person_id)
        if person.site_id != site_request.from_site_id:
            raise ValidationError(_("The person's site changed since this request was made."))
        person.site_id = site_request.to_site_id
        save_audited(
            person,
            user=user,
            reason=f"transferred to {site_request.to_site.code}",
            update_fields=["site", "updated_at"],
            validate=False,
        )
        for other in SiteRequest.objects.select_for_update().filter(
            person_id=person.pk, kind=SiteRequest.Kind.SHARE, status__in=["requested", "accepted"]
        ):
            other.status = SiteRequest.Status.CANCELLED if other.is_open else SiteRequest.Status.ENDED
            other.closed_by = user if getattr(user, "is_authenticated", False) else None
            other.closed_at = timezone.now()
            save_audited(other, user=user, reason="closed by a transfer")
    return _decided(site_request, user=user, status=SiteRequest.Status.ACCEPTED, note=note)


@transaction.atomic
def site_request_decline(*, user, site_request: SiteRequest, note: str = "") -> SiteRequest:
    """The receiving site declines: nothing else changes."""
    roles.require(user, roles.SITE_REQUEST_DECIDERS)
    site_request = _locked_open(site_request)
    _at_my_sites(user, site_request.to_site_id)
    return _decided(site_request, user=user, status=SiteRequest.Status.DECLINED, note=note)


@transaction.atomic
def site_request_close(*, user, site_request: SiteRequest) -> SiteRequest:
    """The requesting site cancels a request awaiting a decision, or ends an active share early."""
    roles.require(user, roles.SITE_REQUESTERS)
    site_request = SiteRequest.objects.select_for_update().get(pk=site_request.pk)
    _at_my_sites(user, site_request.from_site_id)
    if site_request.is_open:
        site_request.status = SiteRequest.Status.CANCELLED
    elif site_request.is_share_active:
        site_request.status = SiteRequest.Status.ENDED
    else:
        raise ValidationError(_("This request is already closed."))
    site_request.closed_by = user if getattr(user, "is_authenticated", False) else None
    site_request.closed_at = timezone.now()
    return save_audited(site_request, user=user, reason=f"{site_request.kind} {site_request.status}")
