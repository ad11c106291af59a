"""Writes for services, referrals, partner feedback and psychosocial sessions.

Each function is one use case: it validates, saves in a transaction and records who did it.
Bad input raises ``ValidationError`` with a clear message and changes nothing.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Person
from cases.plan import plan_action_done_by, plan_action_link_check
from orientation import roles
from orientation.actions import access_log_record, notification_send, save_audited
from orientation.models import AccessLog, Program, Site
from orientation.outbox import enqueue
from orientation.overdue import overdue_sweep
from orientation.versioning import version_check

from .models import (
    DirectService,
    Partner,
    PartnerLink,
    PsychosocialSession,
    Referral,
    ReferralFollowUp,
    ReferralTransition,
    ServiceType,
)
from .selectors import PSYCHOSOCIAL_CODE_PREFIX, partner_token_hash, referral_consent_active

logger = logging.getLogger(__name__)

MIN_REASON_LENGTH = 10


def _event_date_check(*, program: Program, day: date, field: str) -> None:
    """An event may not be in the future nor outside its program's dates (docs/import.md)."""
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not program.is_active_on(day):
        if program.end_date:
            message = _("The program %(program)s runs from %(start)s to %(end)s; %(day)s is outside it.")
        else:
            message = _("The program %(program)s starts on %(start)s; %(day)s is before it.")
        raise ValidationError(
            {
                field: message
                % {
                    "program": program.code,
                    "start": program.start_date.isoformat(),
                    "end": program.end_date.isoformat() if program.end_date else "",
                    "day": day.isoformat(),
                }
            }
        )


def _program_check(*, program: Program, site: Site, allowed_programs) -> None:
    if not allowed_programs.filter(pk=program.pk).exists():
        raise ValidationError(
            {"program": _("This program does not run at the person's site, or is not yours.")}
        )


# --- Direct services ------------------------------------------------------------------------------


@transaction.atomic
def direct_service_record(
    *,
    user,
    person: Person,
    service_type: ServiceType,
    program: Program,
    delivered_on: date,
    notes: str = "",
    allowed_programs,
    plan_action=None,
) -> DirectService:
    """Record a service delivered at the site; the person's current population type is stamped.
    With ``plan_action`` (an open action of the person's plan), the action is done."""
    roles.require(user, roles.CASE_WORKERS)
    plan_action_link_check(action=plan_action, person=person)
    _program_check(program=program, site=person.site, allowed_programs=allowed_programs)
    _event_date_check(program=program, day=delivered_on, field="delivered_on")
    if not service_type.active:
        raise ValidationError({"service_type": _("This service is no longer offered.")})
    service = DirectService(
        person=person,
        site=person.site,
        program=program,
        service_type=service_type,
        delivered_on=delivered_on,
        staff=user,
        population_type=person.population_type,
        notes=notes.strip(),
        plan_action=plan_action,
    )
    save_audited(service, user=user)
    plan_action_done_by(
        action_id=service.plan_action_id,
        person_id=person.pk,
        user=user,
        note=_("Service recorded: %(service)s, %(date)s.")
        % {"service": service_type.display_name, "date": delivered_on.isoformat()},
    )
    return service


# --- Referrals --------------------------------------------------------------------------------------


def _transition_record(
    *, referral: Referral, from_status: str, user, comment: str = "", via_partner_link=False
):
    return ReferralTransition.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=referral.status,
        by=user if getattr(user, "is_authenticated", False) else None,
        via_partner_link=via_partner_link,
        comment=comment.strip(),
    )


@transaction.atomic
def referral_create(
    *,
    user,
    person: Person,
    partner: Partner,
    service_type: ServiceType,
    program: Program,
    referred_on: date,
    allowed_programs,
    reason: str = "",
    follow_up_due: date | None = None,
    responsible=None,
    consent_override_reason: str = "",
    request=None,
    plan_action=None,
) -> Referral:
    """Refer a person to a partner institution. Needs the person's active sharing consent, or an override.

    An override is only for ``CONSENT_OVERRIDERS``, needs a reason, and is written on the referral
    and in the access log.
    """
    roles.require(user, roles.CASE_WORKERS)
    plan_action_link_check(action=plan_action, person=person)
    override = consent_override_reason.strip()
    consent = referral_consent_active(person)
    if consent is None:
        if not roles.has_role(user, roles.CONSENT_OVERRIDERS):
            raise ValidationError(
                _(
                    "This person has not consented to share their data with a partner institution. "
                    "Record their consent first."
                )
            )
        if len(override) < MIN_REASON_LENGTH:
            raise ValidationError(
                {
                    "consent_override_reason": _(
                        "Without the person's consent, write why the referral cannot wait "
                        "(at least %(n)d characters)."
                    )
                    % {"n": MIN_REASON_LENGTH}
                }
            )
    else:
        override = ""  # consent is there: nothing to override
    _program_check(program=program, site=person.site, allowed_programs=allowed_programs)
    _event_date_check(program=program, day=referred_on, field="referred_on")
    if not partner.active:
        raise ValidationError({"partner": _("This partner institution is no longer active.")})
    if not service_type.active:
        raise ValidationError({"service_type": _("This service is no longer offered.")})
    if partner.areas and service_type.area not in partner.areas:
        raise ValidationError(
            {
                "partner": _("%(partner)s does not offer services in the area “%(area)s”.")
                % {"partner": partner.name, "area": service_type.get_area_display()}
            }
        )
    referral = Referral(
        person=person,
        site=person.site,
        program=program,
        service_type=service_type,
        partner=partner,
        referred_on=referred_on,
        status=Referral.Status.PENDING,
        follow_up_due=follow_up_due or referred_on + timedelta(days=Referral.FOLLOW_UP_DAYS),
        population_type=person.population_type,
        reason=reason.strip(),
        consent_override_reason=override,
        responsible=responsible or user,
        created_by=user,
        plan_action=plan_action,
    )
    save_audited(referral, user=user)
    _transition_record(referral=referral, from_status="", user=user)
    if override:
        access_log_record(
            user=user,
            action=AccessLog.Action.CONSENT_OVERRIDE,
            obj=referral,
            reason=override,
            request=request,
        )
    return referral


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    user,
    to_status: str,
    completed_on: date | None = None,
    outcome: str = "",
    comment: str = "",
    via_partner_link: bool = False,
    version: str | None = None,
) -> Referral:
    """Move a referral along its workflow; the move is kept with who, when and why. With the
    ``version`` the caseworker's form was opened at, a change saved by someone else since then
    (another status, a new follow-up date, a new responsible) is refused, never overwritten."""
    if not via_partner_link:  # a partner answers through its link, without an account
        roles.require(user, roles.CASE_WORKERS)
    referral = version_check(referral, version)
    if to_status not in Referral.Status.values:
        raise ValidationError({"to_status": _("Unknown status.")})
    if not referral.can_move_to(to_status):
        raise ValidationError(
            {
                "to_status": _("A referral that is “%(from)s” cannot become “%(to)s”.")
                % {
                    "from": referral.get_status_display(),
                    "to": Referral.Status(to_status).label,
                }
            }
        )
    from_status = referral.status
    referral.status = to_status
    if to_status == Referral.Status.COMPLETED:
        referral.completed_on = completed_on
    elif completed_on:
        raise ValidationError({"completed_on": _("Only a completed referral has a completion date.")})
    if outcome.strip():
        referral.outcome = outcome.strip()
    if not referral.is_open:
        referral.is_overdue = False
    save_audited(referral, user=user)
    _transition_record(
        referral=referral,
        from_status=from_status,
        user=user,
        comment=comment,
        via_partner_link=via_partner_link,
    )
    if to_status == Referral.Status.COMPLETED:
        plan_action_done_by(
            action_id=referral.plan_action_id,
            person_id=referral.person_id,
            user=user,
            note=_("Referral %(code)s completed.") % {"code": referral.code},
        )
    return referral


@transaction.atomic
def referral_follow_up_log(*, referral: Referral, user, note: str, next_due: date | None) -> ReferralFollowUp:
    """Record a follow-up contact and, optionally, the next date to check on the referral."""
    roles.require(user, roles.CASE_WORKERS)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_open:
        raise ValidationError(_("This referral is closed: there is nothing left to follow up."))
    if not note.strip():
        raise ValidationError({"note": _("Write what you learned.")})
    if next_due is not None:
        if next_due < timezone.localdate():
            raise ValidationError({"next_due": _("The next follow-up cannot be in the past.")})
        referral.follow_up_due = next_due
        referral.is_overdue = False
        save_audited(referral, user=user, update_fields=["follow_up_due", "is_overdue", "updated_at"])
    follow_up = ReferralFollowUp(referral=referral, by=user, note=note.strip(), next_due=next_due)
    return save_audited(follow_up, user=user)


@transaction.atomic
def referral_responsible_set(
    *, referral: Referral, user, responsible, version: str | None = None
) -> Referral:
    """Hand a referral's follow-up to someone else (refused if the referral changed since the form
    was opened at ``version``)."""
    roles.require(user, roles.CASE_WORKERS)
    referral = version_check(referral, version)
    referral.responsible = responsible
    return save_audited(referral, user=user, update_fields=["responsible", "updated_at"], validate=False)


# --- Slip and partner links -----------------------------------------------------------------------


@transaction.atomic
def partner_link_create(*, referral: Referral, user) -> tuple[PartnerLink, str]:
    """A new one-time link for the partner; earlier unused links of the referral stop working.

    Returns the link and the raw token, which is never stored (only its SHA-256).
    """
    roles.require(user, roles.CASE_WORKERS)
    now = timezone.now()
    PartnerLink.objects.filter(referral=referral, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    link = PartnerLink.objects.create(
        referral=referral,
        token_hash=partner_token_hash(token),
        created_by=user,
        expires_at=now + timedelta(days=settings.PARTNER_LINK_DAYS),
    )
    return link, token


@transaction.atomic
def referral_slip_print(*, referral: Referral, user, request=None) -> str:
    """Log the printing of a slip and make the partner's link for it; returns the raw token."""
    roles.require(user, roles.CASE_WORKERS)
    if not referral.is_open:
        raise ValidationError(_("This referral is closed: no slip can be printed for it."))
    access_log_record(user=user, action=AccessLog.Action.PRINT, obj=referral, request=request)
    _link, token = partner_link_create(referral=referral, user=user)
    return token


class PartnerLinkError(Exception):
    """The link cannot be used: ``reason`` is ``missing``, ``expired``, ``used`` or ``closed``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def partner_link_check(link: PartnerLink | None, *, now=None) -> PartnerLink:
    now = now or timezone.now()
    if link is None:
        raise PartnerLinkError("missing")
    if link.used_at is not None or link.revoked_at is not None:
        raise PartnerLinkError("used")
    if now >= link.expires_at:
        raise PartnerLinkError("expired")
    if not link.referral.is_open:
        raise PartnerLinkError("closed")
    return link


PARTNER_STATUSES = (Referral.Status.ACCEPTED, Referral.Status.COMPLETED, Referral.Status.DECLINED)


@transaction.atomic
def partner_feedback_record(
    *, link_id: int, to_status: str, completed_on: date | None = None, comment: str = ""
) -> Referral:
    """The partner's answer through its link: accepted, attended (completed) or declined.

    The link is used once: it is locked, checked again and marked used in the same transaction.
    """
    link = PartnerLink.objects.select_for_update().select_related("referral").filter(pk=link_id).first()
    partner_link_check(link)
    if to_status not in PARTNER_STATUSES:
        raise ValidationError({"to_status": _("Choose one of the answers offered.")})
    referral = referral_transition(
        referral=link.referral,
        user=None,
        to_status=to_status,
        completed_on=completed_on if to_status == Referral.Status.COMPLETED else None,
        outcome=comment if to_status == Referral.Status.COMPLETED else "",
        comment=comment,
        via_partner_link=True,
    )
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    answer = (
        referral.transitions.filter(via_partner_link=True).order_by("-pk").values_list("pk", flat=True)[0]
    )
    enqueue(PARTNER_ANSWER_TASK, transition_id=answer)
    return referral


PARTNER_ANSWER_TASK = "services.tasks.referral_partner_answer_notify_task"


def referral_partner_answer_notify(*, transition_id: int) -> int:
    """Tell the caseworker responsible for a referral that the partner answered through its link.

    Sent to the responsible (or, without one, to whoever made the referral). Keyed by the answer,
    so a redelivered task never notifies twice. Returns how many were told (0 or 1).
    """
    transition = (
        ReferralTransition.objects.select_related("referral__responsible", "referral__created_by")
        .filter(pk=transition_id, via_partner_link=True)
        .first()
    )
    if transition is None:
        return 0
    referral = transition.referral
    user = referral.responsible or referral.created_by
    if user is None or not user.is_active:
        return 0
    notification_send(
        user=user,
        message=_("The partner institution answered referral %(code)s: %(status)s.")
        % {"code": referral.code, "status": transition.get_to_status_display()},
        url=reverse("services:referral_detail", args=[referral.pk]),
        key=f"referral-partner-answer:{transition.pk}",
    )
    return 1


# --- Overdue follow-ups -----------------------------------------------------------------------------


def referrals_mark_overdue(*, today: date | None = None, batch_size: int = 500) -> dict[str, int]:
    """Flag open referrals past their follow-up date and tell each responsible caseworker once
    (idempotent: orientation/overdue.py)."""

    def notice(referral):
        due = referral.follow_up_due.isoformat()
        return (
            _("Referral %(code)s is overdue for follow-up (due %(due)s).")
            % {"code": referral.code, "due": due},
            reverse("services:referral_detail", args=[referral.pk]),
            f"referral-overdue:{referral.pk}:{due}",
        )

    return overdue_sweep(
        Referral,
        today=today or timezone.localdate(),
        notice=notice,
        batch_size=batch_size,
    )


# --- Psychosocial sessions ---------------------------------------------------------------------


@transaction.atomic
def psychosocial_session_record(
    *,
    user,
    participants: list[Person],
    kind: str,
    service_type: ServiceType,
    program: Program,
    date: date,
    allowed_programs,
    confidential_note: str = "",
    duration_minutes: int | None = None,
) -> PsychosocialSession:
    """Record a session and one counted direct service per participant (the note stays on the session)."""
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        raise ValidationError(_("Only psychosocial specialists record psychosocial sessions."))
    if not participants:
        raise ValidationError({"participants": _("Add at least one participant.")})
    unique = list({p.pk: p for p in participants}.values())
    if kind == PsychosocialSession.Kind.INDIVIDUAL and len(unique) != 1:
        raise ValidationError({"participants": _("An individual session has exactly one participant.")})
    if service_type.area != "psychosocial" or not service_type.code.startswith(PSYCHOSOCIAL_CODE_PREFIX):
        raise ValidationError({"service_type": _("Choose a psychosocial service.")})
    site = unique[0].site
    _program_check(program=program, site=site, allowed_programs=allowed_programs)
    _event_date_check(program=program, day=date, field="date")
    session = PsychosocialSession(
        kind=kind,
        site=site,
        program=program,
        service_type=service_type,
        date=date,
        duration_minutes=duration_minutes,
        staff=user,
        confidential_note=confidential_note.strip(),
    )
    save_audited(session, user=user)
    for person in unique:
        service = DirectService(
            person=person,
            site=person.site,
            program=program,
            service_type=service_type,
            delivered_on=date,
            staff=user,
            population_type=person.population_type,
            psychosocial_session=session,
        )
        save_audited(service, user=user)
    return session


def psychosocial_note_open(*, session: PsychosocialSession, user, request=None) -> str:
    """Return the confidential note to a psychosocial reader; every opening is logged."""
    if not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        raise ValidationError(_("Only psychosocial specialists may read this note."))
    access_log_record(user=user, action=AccessLog.Action.VIEW, obj=session, request=request)
    return session.confidential_note
