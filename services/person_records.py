"""What ``services`` shows and counts about a person in ``cases`` (cases/person_records.py):
direct services and referrals on the person's timeline, a coordinator's people, open referrals."""

from __future__ import annotations

from cases.person_records import TIMELINE_LIMIT, Movable, PersonRecords, TimelineEntry, TimelinePart, register
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


register(
    PersonRecords(
        name="services",
        of_programs=_of_programs,
        timeline=_timeline,
        open_work=lambda: Referral.objects.open(),
        # Psychosocial sessions reach their participants through their direct services.
        movable=(
            Movable("services.directservice", program="program"),
            Movable("services.referral", program="program"),
        ),
    )
)
