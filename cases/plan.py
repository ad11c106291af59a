"""Writes of case plans (docs/case-plan.md): the actions that answer the needs found at intake.

Each function is one use case, atomic, validated (``full_clean``) and in the change history with
the acting user. The apps above ``cases`` (a referral, a direct service, an appointment) close the
action they serve with ``plan_action_done_by`` from their own actions; the daily overdue job of
``services`` calls ``plan_actions_mark_overdue`` beside its referrals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orientation import roles
from orientation.actions import save_audited
from orientation.overdue import overdue_sweep
from orientation.selectors import site_ids_visible_to

from .models import Intake, IntakeNeed, Person, PlanAction
from .selectors.plan import intake_needs_without_plan, plan_staff_works_at


@dataclass
class PlanRow:
    """One action of a plan made from an intake: the need it answers and what the caseworker set."""

    need: IntakeNeed
    description: str
    responsible: object
    due_on: date


def _responsible_check(responsible, site_id: int, field: str = "responsible") -> None:
    if responsible is None or not plan_staff_works_at(responsible, site_id):
        raise ValidationError({field: _("Choose a caseworker or specialist who works at the person's site.")})


def _due_check(due_on: date | None, field: str = "due_on") -> None:
    if due_on is None:
        raise ValidationError({field: _("Choose a due date.")})
    if due_on < timezone.localdate():
        raise ValidationError({field: _("The due date cannot be in the past.")})


@transaction.atomic
def plan_make_from_intake(*, user, intake: Intake, rows: list[PlanRow]) -> tuple[Intake, list[PlanAction]]:
    """One action per need of the intake, saved together or not at all. Needs that an action
    already answers are refused (a plan is made once per need)."""
    roles.require(user, roles.CASE_WORKERS)
    person = Person.objects.select_for_update().get(pk=intake.person_id)
    if not rows:
        raise ValidationError(_("Every need of this intake already has an action in the plan."))
    open_needs = {n.pk for n in intake_needs_without_plan(intake)}
    created = []
    for index, row in enumerate(rows):
        if row.need.intake_id != intake.pk or row.need.pk not in open_needs:
            raise ValidationError(_("A need of this intake already has an action in the plan."))
        try:
            _responsible_check(row.responsible, person.site_id)
            _due_check(row.due_on)
        except ValidationError as error:
            error.row = index
            raise
        action = PlanAction(
            person=person,
            site_id=person.site_id,
            need=row.need,
            area=row.need.area,
            description=row.description.strip(),
            responsible=row.responsible,
            due_on=row.due_on,
            created_by=user,
        )
        created.append(save_audited(action, user=user, reason="plan made from intake"))
    return intake, created


@transaction.atomic
def plan_action_add(
    *, user, person: Person, area: str, description: str, responsible, due_on: date, need=None
) -> PlanAction:
    roles.require(user, roles.CASE_WORKERS)
    _responsible_check(responsible, person.site_id)
    _due_check(due_on)
    action = PlanAction(
        person=person,
        site_id=person.site_id,
        need=need,
        area=need.area if need is not None else area,
        description=description.strip(),
        responsible=responsible,
        due_on=due_on,
        created_by=user,
    )
    return save_audited(action, user=user, reason="plan action added")


def _locked(action: PlanAction) -> PlanAction:
    return PlanAction.objects.select_for_update().get(pk=action.pk)


@transaction.atomic
def plan_action_update(
    *, user, action: PlanAction, description: str, responsible, due_on: date, status: str
) -> PlanAction:
    """Change an open action: what, who, by when, to do or in progress."""
    roles.require(user, roles.CASE_WORKERS)
    action = _locked(action)
    if not action.is_open:
        raise ValidationError(_("This action is closed: it cannot be changed."))
    if status not in PlanAction.OPEN_STATUSES:
        raise ValidationError({"status": _("Mark the action done or not possible with its own buttons.")})
    if responsible != action.responsible:
        _responsible_check(responsible, action.site_id)
    if due_on != action.due_on:
        _due_check(due_on)
    action.description = description.strip()
    action.responsible = responsible
    action.due_on = due_on
    action.status = status
    if due_on >= timezone.localdate():
        action.is_overdue = False
    return save_audited(action, user=user, reason="plan action changed")


def _close(action: PlanAction, *, user, status: str, note: str, reason: str) -> PlanAction:
    action.status = status
    action.closed_at = timezone.now()
    action.closed_by = user if getattr(user, "is_authenticated", False) else None
    action.close_note = note.strip()[:300]
    action.is_overdue = False
    return save_audited(action, user=user, reason=reason)


@transaction.atomic
def plan_action_close(*, user, action: PlanAction, status: str, note: str = "") -> PlanAction:
    """Mark an open action done, or not possible (with why)."""
    roles.require(user, roles.CASE_WORKERS)
    action = _locked(action)
    if not action.is_open:
        raise ValidationError(_("This action is already closed."))
    if status not in PlanAction.CLOSED_STATUSES:
        raise ValidationError({"status": _("Unknown status.")})
    if status == PlanAction.Status.NOT_POSSIBLE and not note.strip():
        raise ValidationError({"note": _("Write why the action is not possible.")})
    return _close(action, user=user, status=status, note=note, reason=f"plan action {status}")


def plan_action_done_by(*, action_id: int | None, person_id: int, user, note: str) -> PlanAction | None:
    """A referral completed, a service recorded or an appointment kept that serves an action: the
    action is done (if it is still open and is the same person's). Called inside the caller's
    transaction; ``user`` may be nobody (a partner answering through its link)."""
    if action_id is None:
        return None
    action = PlanAction.objects.select_for_update().filter(pk=action_id, person_id=person_id).first()
    if action is None or not action.is_open:
        return action
    return _close(
        action, user=user, status=PlanAction.Status.DONE, note=note, reason="done by a linked record"
    )


def plan_action_link_check(*, action, person: Person, field: str = "plan_action") -> None:
    """A record may serve only an open action of its own person."""
    if action is not None and (action.person_id != person.pk or not action.is_open):
        raise ValidationError({field: _("Choose an open action of this person's plan.")})


@transaction.atomic
def plan_actions_reassign(*, user, person: Person, to_user) -> int:
    """Hand every open action of a person to another staff member of the person's site."""
    roles.require(user, roles.CASE_WORKERS)
    _responsible_check(to_user, person.site_id, field="to_user")
    actions = list(
        PlanAction.objects.select_for_update().filter(person=person).open().exclude(responsible=to_user)
    )
    for action in actions:
        action.responsible = to_user
        save_audited(action, user=user, reason="plan actions reassigned")
    return len(actions)


@transaction.atomic
def plan_caseload_reassign(*, user, site, from_user, to_user) -> int:
    """Hand every open action of ``from_user`` at a site to ``to_user`` (someone leaving the
    centre): a coordinator of the site, or an admin."""
    roles.require(user, roles.CASELOAD_REASSIGNERS)
    if not roles.has_role(user, roles.ADMIN) and site.pk not in site_ids_visible_to(user):
        raise PermissionDenied
    if from_user is None:
        raise ValidationError({"from_user": _("Choose whose actions to hand over.")})
    if from_user == to_user:
        raise ValidationError({"to_user": _("Choose someone else to take the actions.")})
    _responsible_check(to_user, site.pk, field="to_user")
    actions = list(PlanAction.objects.select_for_update().filter(site=site, responsible=from_user).open())
    for action in actions:
        action.responsible = to_user
        save_audited(action, user=user, reason="caseload reassigned")
    return len(actions)


def plan_actions_mark_overdue(*, today: date | None = None, batch_size: int = 500) -> dict[str, int]:
    """Flag open actions past their due date and tell each responsible once (the daily overdue
    job of ``services`` runs it beside its referrals; orientation/overdue.py)."""

    def notice(action):
        due = action.due_on.isoformat()
        return (
            _("An action of a case plan is overdue (due %(due)s).") % {"due": due},
            reverse("cases:person_detail", args=[action.person_id]) + "#plan",
            f"plan-action-overdue:{action.pk}:{due}",
        )

    return overdue_sweep(
        PlanAction,
        today=today or timezone.localdate(),
        notice=notice,
        batch_size=batch_size,
    )
