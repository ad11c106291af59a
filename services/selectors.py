"""Reads of services, referrals and psychosocial sessions, always scoped to the user asking.

A record is visible when the person it belongs to is at a site the user may see (or, for
referrals, when it was made at such a site). People themselves are fetched only through
``cases.selectors.person_get_for_user``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import CaseStatus, Consent, Person
from cases.selectors import break_glass_person_ids, reads_by_program
from orientation import roles
from orientation.models import Program, Site, name_in_language
from orientation.selectors import program_ids_coordinated_by, programs_visible_to, site_ids_visible_to

from .models import (
    DirectService,
    Partner,
    PartnerLink,
    PsychosocialSession,
    Referral,
    ServiceType,
)

PSYCHOSOCIAL_CODE_PREFIX = "mhpss-"
SESSION_ONLY_CODES = ("mhpss-individual", "mhpss-group")


# --- Catalog and programs -------------------------------------------------------------------------


def service_types_active() -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(active=True).order_by("area", "name")


def service_types_for_direct_service(user) -> QuerySet[ServiceType]:
    """Services a user may record in the quick form. Psychosocial sessions (individual or group)
    are recorded by the psychosocial role, with their confidential note, in the session form."""
    qs = service_types_active()
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        qs = qs.exclude(code__in=SESSION_ONLY_CODES)
    return qs


def service_types_psychosocial() -> QuerySet[ServiceType]:
    return service_types_active().filter(code__startswith=PSYCHOSOCIAL_CODE_PREFIX)


def partners_active() -> QuerySet[Partner]:
    return Partner.objects.filter(active=True).order_by("name")


def programs_for_person(user, person: Person) -> QuerySet[Program]:
    """Programs the user may record under for this person: visible to the user, run at the person's site."""
    return programs_visible_to(user).filter(sites=person.site_id).order_by("code")


def programs_active_on(programs: QuerySet[Program], day: date) -> QuerySet[Program]:
    return programs.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


# Indicator event kinds (reports.models.Indicator.EventKind; services does not import reports).
SERVICE_EVENT_KINDS = ("service_received",)
REFERRAL_EVENT_KINDS = ("service_received", "referral_made")


def program_areas_counted(programs: QuerySet[Program], *, event_kinds) -> dict[int, frozenset[str] | None]:
    """For each of these programs with an active indicator of these kinds, the service areas it
    counts (``None``: any area). A program missing from the result counts no such service (one query)."""
    counted: dict[int, set[str] | None] = {}
    rows = programs.filter(indicators__event_kind__in=event_kinds, indicators__active=True).values_list(
        "pk", "indicators__areas"
    )
    for pk, areas in rows.order_by():
        if not areas:
            counted[pk] = None
        elif counted.get(pk, set()) is not None:
            counted.setdefault(pk, set()).update(areas)
    return {pk: (None if areas is None else frozenset(areas)) for pk, areas in counted.items()}


def program_last_chosen(user, *, kind: str) -> int | None:
    """The program of the user's last direct service, referral or psychosocial session (one query)."""
    models = {
        "direct_service": (DirectService, "staff"),
        "referral": (Referral, "created_by"),
        "psychosocial": (PsychosocialSession, "staff"),
    }
    model, field = models[kind]
    return model.objects.filter(**{field: user}).order_by("-pk").values_list("program_id", flat=True).first()


def staff_for_site(site_id: int, *, include=None) -> QuerySet:
    """Staff who may be responsible for a follow-up at a site: the active caseworkers and
    psychosocial specialists who belong to it, plus ``include`` (the user asking, who may have
    broken the glass for another site) when that user is case staff too. Admins and coordinators
    are not case staff and are never offered."""
    User = get_user_model()
    condition = Q(site_memberships__site_id=site_id, groups__name__in=roles.CASE_STAFF)
    if include is not None and roles.has_role(include, roles.CASE_STAFF):
        condition |= Q(pk=include.pk)
    return (
        User.objects.filter(condition, is_active=True, is_superuser=False)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def referral_consent_active(person: Person) -> Consent | None:
    """The person's active consent to share data with a partner institution, if any."""
    return (
        Consent.objects.filter(
            person=person,
            purpose=Consent.Purpose.REFERRAL_SHARING,
            withdrawn_on__isnull=True,
            given_on__lte=timezone.localdate(),
        )
        .order_by("-given_on", "-created_at")
        .first()
    )


# --- Scoping ----------------------------------------------------------------------------------------


def _visible_site_filter(user, *, person_field: str = "person__site_id", site_field: str = "site_id") -> Q:
    """Records of the user's sites; for a coordinator, only those of their programs."""
    site_ids = site_ids_visible_to(user)
    condition = Q(**{f"{person_field}__in": site_ids}) | Q(**{f"{site_field}__in": site_ids})
    if reads_by_program(user):
        condition &= Q(program_id__in=program_ids_coordinated_by(user))
    return condition


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals of people at the user's sites (or made at them). Case readers only."""
    if not roles.has_role(user, roles.CASE_READERS):
        return Referral.objects.none()
    if roles.has_role(user, roles.ADMIN):
        return Referral.objects.all()
    return Referral.objects.filter(_visible_site_filter(user))


def direct_services_visible_to(user) -> QuerySet[DirectService]:
    if not roles.has_role(user, roles.CASE_READERS):
        return DirectService.objects.none()
    if roles.has_role(user, roles.ADMIN):
        return DirectService.objects.all()
    return DirectService.objects.filter(_visible_site_filter(user))


def psychosocial_sessions_visible_to(user) -> QuerySet[PsychosocialSession]:
    """Sessions whose every participant the user may open: people of the user's sites, or of
    another site after breaking the glass for them. A group session with a participant the user
    may not see stays hidden, like that person's file. Psychosocial specialists only."""
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        return PsychosocialSession.objects.none()
    participants = DirectService.objects.filter(psychosocial_session=OuterRef("pk"))
    hidden = participants.exclude(person__site_id__in=site_ids_visible_to(user)).exclude(
        person_id__in=break_glass_person_ids(user)
    )
    return PsychosocialSession.objects.filter(Exists(participants)).exclude(Exists(hidden))


def referral_get_for_user(user, pk, *, write: bool = False) -> Referral:
    """The referral with this id if the user may open it (or change it, with ``write``).

    Http404 when it does not exist or is out of the user's sites; PermissionDenied for a role
    that may not open case files, or may not write.
    """
    if not roles.has_role(user, roles.CASE_READERS):
        raise PermissionDenied
    if write and not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    try:
        return referrals_visible_to(user).for_detail().get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def psychosocial_session_get_for_user(user, pk) -> PsychosocialSession:
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        raise PermissionDenied
    try:
        return psychosocial_sessions_visible_to(user).for_list().get(pk=pk)
    except (PsychosocialSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def referral_timeline(referral: Referral) -> list[tuple[str, object]]:
    """Status changes and follow-up contacts of a referral, oldest first (two queries)."""
    events = [("transition", t) for t in referral.transitions.select_related("by")]
    events += [("follow_up", f) for f in referral.follow_ups.select_related("by")]
    return sorted(events, key=lambda e: (e[1].at, e[0] == "follow_up"))


# --- Lists --------------------------------------------------------------------------------------


def followups_for(user, *, today: date | None = None, overdue_only: bool = False) -> QuerySet[Referral]:
    """The open referrals the user is responsible for, the one due first on top (not those of
    closed cases: closing a case showed them first, docs/case-status.md)."""
    qs = (
        referrals_visible_to(user)
        .filter(responsible=user, person__case_status=CaseStatus.OPEN)
        .for_followups()
    )
    if overdue_only:
        qs = qs.filter(follow_up_due__lt=today or timezone.localdate())
    return qs


def followups_summary(user, *, today: date | None = None) -> dict[str, int]:
    """How many open follow-ups the user has, and how many of them are overdue (one query)."""
    today = today or timezone.localdate()
    return (
        referrals_visible_to(user)
        .filter(responsible=user, person__case_status=CaseStatus.OPEN)
        .open()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(follow_up_due__lt=today)))
    )


def overdue_sites_for(user) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=site_ids_visible_to(user)).order_by("code")


def overdue_queue_for(user, *, site_id: int | None = None, today: date | None = None) -> QuerySet[Referral]:
    """Open referrals made at the user's sites whose follow-up date has passed, the oldest due
    first. The queue is a site's: the site that made a referral follows it up (a referral made
    elsewhere for one of the site's people is in that other site's queue, and on the person's
    page); a closed case's referrals leave it. Filtering on the referral's own site lets the partial index ``referral_open_due``
    return a page without reading every overdue referral (bench/PLANS.md)."""
    if not roles.has_role(user, roles.CASE_READERS):
        return Referral.objects.none()
    # Not those of closed cases (the person is joined for the list anyway).
    qs = Referral.objects.overdue(today).filter(person__case_status=CaseStatus.OPEN).for_list()
    if not roles.has_role(user, roles.ADMIN):
        site_ids = site_ids_visible_to(user)
        if site_id is not None and site_id not in site_ids:
            return qs.none()
        qs = qs.filter(site_id__in=[site_id] if site_id is not None else site_ids)
        if reads_by_program(user):
            qs = qs.filter(program_id__in=program_ids_coordinated_by(user))
    elif site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs.order_by("follow_up_due", "referred_on", "id")


def person_referrals(user, person: Person) -> QuerySet[Referral]:
    return referrals_visible_to(user).filter(person=person).for_person_list()


def person_direct_services(user, person: Person) -> QuerySet[DirectService]:
    """A person's direct services; the ones of psychosocial sessions only for specialists."""
    qs = direct_services_visible_to(user).filter(person=person)
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        qs = qs.filter(psychosocial_session__isnull=True)
    return qs.for_person_list()


def person_psychosocial_sessions(user, person: Person) -> QuerySet[PsychosocialSession]:
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        return PsychosocialSession.objects.none()
    # The person's sessions by subquery, so the count below sees every participant, not only them.
    mine = DirectService.objects.filter(person=person, psychosocial_session__isnull=False).values(
        "psychosocial_session"
    )
    return (
        psychosocial_sessions_visible_to(user)
        .filter(pk__in=mine)
        .for_list()
        .annotate(participant_count=Count("direct_services"))
        .order_by("-date", "-id")
    )


def session_participants(session: PsychosocialSession) -> QuerySet[DirectService]:
    return session.direct_services.select_related("person").order_by(
        "person__family_names", "person__given_names"
    )


# --- Referral completion rates --------------------------------------------------------------------


@dataclass
class StatsFilter:
    date_from: date | None = None
    date_to: date | None = None
    program_id: int | None = None
    site_id: int | None = None


def _stats_counts() -> dict:
    s = Referral.Status
    return {
        "total": Count("pk"),
        "completed": Count("pk", filter=Q(status=s.COMPLETED)),
        "open": Count("pk", filter=Q(status__in=Referral.OPEN_STATUSES)),
        "declined": Count("pk", filter=Q(status=s.DECLINED)),
        "no_show": Count("pk", filter=Q(status=s.NO_SHOW)),
    }


def _with_rates(rows) -> list[dict]:
    result = []
    for row in rows:
        closed = row["total"] - row["open"]
        row["closed"] = closed
        row["rate"] = round(100 * row["completed"] / row["total"]) if row["total"] else None
        row["rate_closed"] = round(100 * row["completed"] / closed) if closed else None
        result.append(row)
    return result


def referral_stats(user, flt: StatsFilter) -> dict:
    """Completion rates per partner and per service type, computed by the database.

    Cancelled referrals are left out (they never reached the partner). ``rate`` is completed over
    all referrals; ``rate_closed`` is completed over those with a final answer.
    """
    qs = referrals_visible_to(user).exclude(status=Referral.Status.CANCELLED)
    if flt.date_from:
        qs = qs.filter(referred_on__gte=flt.date_from)
    if flt.date_to:
        qs = qs.filter(referred_on__lte=flt.date_to)
    if flt.program_id:
        qs = qs.filter(program_id=flt.program_id)
    if flt.site_id:
        qs = qs.filter(site_id=flt.site_id)
    counts = _stats_counts()
    by_partner = (
        qs.values("partner_id", partner_name=F("partner__name"))
        .annotate(**counts)
        .order_by("-total", "partner_name")
    )
    by_service = (
        qs.values(
            "service_type_id",
            service_name=F("service_type__name"),
            service_name_en=F("service_type__name_en"),
            area=F("service_type__area"),
        )
        .annotate(**counts)
        .order_by("-total", "service_name")
    )
    by_service = [
        {**row, "service_name": name_in_language(row["service_name"], row["service_name_en"])}
        for row in by_service
    ]
    totals = qs.aggregate(**counts)
    return {
        "by_partner": _with_rates(by_partner),
        "by_service": _with_rates(by_service),
        "totals": _with_rates([totals])[0],
    }


# --- Partner links --------------------------------------------------------------------------------


def partner_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def partner_link_by_token(token: str) -> PartnerLink | None:
    """The link of this raw token, looked up by its hash (no comparison of secrets in Python)."""
    if not token or len(token) > 100:
        return None
    return (
        PartnerLink.objects.select_related("referral__person", "referral__service_type", "referral__partner")
        .filter(token_hash=partner_token_hash(token))
        .first()
    )
