"""What ``services`` shows and counts about a person in ``cases`` (cases/person_records.py):
direct services and referrals on the person's timeline, a coordinator's people, open referrals
(the people list's flag, and what closing a case shows as still open), and the services and
referrals recorded after a case was closed."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cases.person_records import (
    TIMELINE_LIMIT,
    CaseItem,
    Movable,
    PersonRecords,
    TimelineEntry,
    TimelinePart,
    register,
)
from orientation import roles

from .models import DirectService, Referral


def _of_programs(program_ids) -> list:
    return [
        DirectService.objects.filter(program_id__in=program_ids),
        Referral.objects.filter(program_id__in=program_ids),
    ]


def _timeline(user, person) -> TimelinePart:
    services_qs = DirectService.objects.filter(person=person)
    specialist_follows = False
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        # That a person receives psychosocial care is itself sensitive: the sessions stay off the
        # timeline of other roles; case workers, who need to know, see only that a specialist
        # follows the person (one query, for them only).
        sessions = services_qs.filter(psychosocial_session__isnull=False)
        services_qs = services_qs.filter(psychosocial_session__isnull=True)
        specialist_follows = roles.has_role(user, roles.CASE_WORKERS) and sessions.exists()
    services = list(
        services_qs.select_related("service_type", "site", "program", "staff").order_by(
            "-delivered_on", "-id"
        )[:TIMELINE_LIMIT]
    )
    referrals = list(
        Referral.objects.filter(person=person)
        .select_related("service_type", "partner", "site", "program")
        .order_by("-referred_on", "-id")[:TIMELINE_LIMIT]
    )
    return TimelinePart(
        entries=[
            TimelineEntry(
                "service", s.delivered_on, s, (s.created_at,), "services/includes/_timeline_service.html"
            )
            for s in services
        ]
        + [
            TimelineEntry(
                "referral", r.referred_on, r, (r.created_at,), "services/includes/_timeline_referral.html"
            )
            for r in referrals
        ],
        context={
            "specialist_follows": specialist_follows,
            "open_referrals": sum(
                1 for r in referrals if r.status in (Referral.Status.PENDING, Referral.Status.ACCEPTED)
            ),
        },
    )


# At most this many items of each kind in what closing a case shows, and in the notice of activity.
CASE_ITEMS_LIMIT = 20


def _referral_item(referral) -> CaseItem:
    text = str(referral.service_type)
    if referral.partner_id:
        text = f"{text} → {referral.partner}"
    return CaseItem(
        key=f"referral:{referral.pk}",
        kind=_("Referral (%(status)s)") % {"status": referral.get_status_display()},
        text=text,
        day=referral.follow_up_due or referral.referred_on,
        url=reverse("services:referral_detail", args=[referral.pk]),
    )


def _open_items(user, person) -> list[CaseItem]:
    referrals = (
        Referral.objects.open()
        .filter(person=person)
        .select_related("service_type", "partner")
        .order_by("referred_on", "pk")[:CASE_ITEMS_LIMIT]
    )
    return [_referral_item(r) for r in referrals]


def _activity_since(user, person, since) -> list[CaseItem]:
    services = DirectService.objects.filter(person=person, created_at__gt=since)
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        services = services.filter(psychosocial_session__isnull=True)
    items = [
        CaseItem(key=f"service:{s.pk}", kind=_("Service"), text=str(s.service_type), day=s.delivered_on)
        for s in services.select_related("service_type").order_by("created_at", "pk")[:CASE_ITEMS_LIMIT]
    ]
    referrals = (
        Referral.objects.filter(person=person, created_at__gt=since)
        .select_related("service_type", "partner")
        .order_by("created_at", "pk")[:CASE_ITEMS_LIMIT]
    )
    return items + [_referral_item(r) for r in referrals]


register(
    PersonRecords(
        name="services",
        of_programs=_of_programs,
        timeline=_timeline,
        open_work=lambda: Referral.objects.open(),
        open_items=_open_items,
        activity_since=_activity_since,
        # Psychosocial sessions reach their participants through their direct services.
        movable=(
            Movable("services.directservice", program="program"),
            Movable("services.referral", program="program"),
        ),
    )
)
