"""Reads of case plans (docs/case-plan.md): a person's plan, the actions a staff member is
responsible for, a site's overdue actions, and who may be responsible at a site.

Who may see a plan: the case readers who may open the person (``person_get_for_user``); a
receptionist or a facilitator never. The lists here are scoped to the user's sites the same way.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from orientation import roles
from orientation.models import Site
from orientation.params import query_id
from orientation.selectors import program_ids_coordinated_by, site_ids_visible_to

from .. import person_records
from ..models import Intake, IntakeNeed, Person, PlanAction
from .people import person_get_for_user, reads_by_program


def plan_staff_for_site(site_id: int, *, include_id: int | None = None) -> QuerySet:
    """Who may be responsible for a plan action at a site: the active caseworkers and
    psychosocial specialists who work there (admins and coordinators are not case staff), and
    ``include_id`` (an action's current responsible, who may have left the site since)."""
    User = get_user_model()
    condition = Q(
        site_memberships__site_id=site_id,
        groups__name__in=roles.CASE_STAFF,
        is_active=True,
        is_superuser=False,
    )
    if include_id is not None:
        condition |= Q(pk=include_id)
    return User.objects.filter(condition).distinct().order_by("first_name", "last_name", "username")


def plan_staff_works_at(user, site_id: int) -> bool:
    return user is not None and plan_staff_for_site(site_id).filter(pk=user.pk).exists()


def person_plan(person: Person) -> QuerySet[PlanAction]:
    """A person's plan, open actions first (called after the person was fetched for the user)."""
    return PlanAction.objects.filter(person=person).for_list()


def _actions_visible_to(user) -> QuerySet[PlanAction]:
    """Plan actions of the people the user reaches without breaking the glass: case workers at
    their sites, coordinators at their programs' sites for their programs' people, admins all."""
    if not roles.has_role(user, roles.CASE_READERS):
        return PlanAction.objects.none()
    qs = PlanAction.objects.all()
    if roles.has_role(user, roles.ADMIN):
        return qs
    qs = qs.filter(site_id__in=site_ids_visible_to(user))
    if reads_by_program(user):
        programs = program_ids_coordinated_by(user)
        qs = qs.filter(
            person__in=Person.objects.filter(person_records.program_condition(programs)).values("pk")
        )
    return qs


def plan_action_get_for_user(user, pk, *, write: bool = False) -> PlanAction:
    """An action whose person the user may open (or change, with ``write``): the same answers as
    ``person_get_for_user`` (404, 403, break the glass)."""
    if write and not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    if not roles.has_role(user, roles.CASE_READERS):
        raise PermissionDenied
    action = PlanAction.objects.select_related("responsible").filter(pk=query_id(pk) or 0).first()
    if action is None:
        raise Http404
    action.person = person_get_for_user(user, action.person_id, write=write)
    return action


def intake_get_for_plan(user, person: Person, pk) -> Intake:
    """One of the person's intakes, to make a plan from (the person was fetched for the user)."""
    intake = Intake.objects.filter(person=person, pk=query_id(pk) or 0).select_related("site").first()
    if intake is None:
        raise Http404
    return intake


def intake_needs_without_plan(intake: Intake) -> list[IntakeNeed]:
    """The intake's needs that no plan action answers yet, in the order of the areas."""
    return list(intake.needs.filter(plan_actions__isnull=True).order_by("area"))


def person_needs(person: Person) -> QuerySet[IntakeNeed]:
    """The needs of a person's intakes (an action may name one), the most recent intake first."""
    return (
        IntakeNeed.objects.filter(intake__person=person)
        .select_related("intake")
        .order_by("-intake__date", "area")
    )


def my_plan_actions(user, *, overdue_only: bool = False, today: date | None = None) -> QuerySet[PlanAction]:
    """The open actions the user is responsible for, the one due first on top."""
    qs = _actions_visible_to(user).filter(responsible=user).open()
    if overdue_only:
        qs = qs.filter(due_on__lt=today or timezone.localdate())
    return qs.for_queue()


def my_plan_summary(user, *, today: date | None = None) -> dict[str, int]:
    """How many open actions the user is responsible for, and how many are overdue (one query)."""
    today = today or timezone.localdate()
    return (
        _actions_visible_to(user)
        .filter(responsible=user)
        .open()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )


def week_end(day: date) -> date:
    """The Sunday of ``day``'s week (weeks run Monday to Sunday)."""
    return day + timedelta(days=6 - day.weekday())


def my_plan_actions_due(user, *, today: date | None = None) -> QuerySet[PlanAction]:
    """The open actions the user is responsible for that are overdue or due by the end of this
    week, the one due first on top (the home page's follow-ups)."""
    today = today or timezone.localdate()
    return my_plan_actions(user).filter(due_on__lte=week_end(today))


def my_plan_due_summary(user, *, today: date | None = None) -> dict[str, int]:
    """Of the open actions the user is responsible for: how many are overdue, due today, and due
    later this week (one query)."""
    today = today or timezone.localdate()
    return (
        _actions_visible_to(user)
        .filter(responsible=user, due_on__lte=week_end(today))
        .open()
        .aggregate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            today=Count("pk", filter=Q(due_on=today)),
            week=Count("pk", filter=Q(due_on__gt=today)),
        )
    )


def overdue_plan_actions_for(
    user, *, site_id: int | None = None, today: date | None = None
) -> QuerySet[PlanAction]:
    """Open actions at the user's sites whose due date has passed, the oldest due first (a site's
    overdue queue, beside its overdue referrals)."""
    qs = _actions_visible_to(user).overdue(today)
    if site_id is not None:
        if not roles.has_role(user, roles.ADMIN) and site_id not in site_ids_visible_to(user):
            return qs.none()
        qs = qs.filter(site_id=site_id)
    return qs.for_queue()


def caseload_sites_for(user) -> QuerySet[Site]:
    """The sites where the user may hand a caseload to someone else."""
    if not roles.has_role(user, roles.CASELOAD_REASSIGNERS):
        return Site.objects.none()
    if roles.has_role(user, roles.ADMIN):
        return Site.objects.order_by("code")
    return Site.objects.filter(pk__in=site_ids_visible_to(user)).order_by("code")


def caseloads_at(site: Site) -> list[dict]:
    """Who holds open plan actions at a site, and how many (one query)."""
    User = get_user_model()
    rows = (
        PlanAction.objects.open()
        .filter(site=site, responsible__isnull=False)
        .order_by()
        .values("responsible")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate())))
    )
    counts = {r["responsible"]: r for r in rows}
    users = User.objects.filter(pk__in=counts).order_by("first_name", "last_name", "username")
    return [{"user": u, "open": counts[u.pk]["open"], "overdue": counts[u.pk]["overdue"]} for u in users]


def caseload_holders_at(site: Site) -> QuerySet:
    """Staff with open plan actions at a site (who a caseload may be taken from), active or not."""
    User = get_user_model()
    ids = PlanAction.objects.open().filter(site=site).order_by().values("responsible")
    return User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "username")


def intakes_with_unplanned_needs(person: Person) -> list[Intake]:
    """The person's intakes with a need that no action answers yet (to make a plan from), the
    most recent first (one query)."""
    return list(
        Intake.objects.filter(person=person, needs__isnull=False, needs__plan_actions__isnull=True)
        .distinct()
        .order_by("-date", "-pk")[:5]
    )


def plan_actions_open_of(person: Person) -> QuerySet[PlanAction]:
    """The open actions of a person's plan (the person was fetched for the user), for a referral,
    a service or an appointment to name the one it serves."""
    return PlanAction.objects.filter(person=person).open().order_by("due_on", "pk")


def plan_action_initial(request) -> dict:
    """``?plan_action=<id>`` on a form's address: the action it will serve, chosen beforehand (the
    form's choices are the person's open actions, so another person's id is simply not offered)."""
    action_id = query_id(request.GET.get("plan_action"))
    return {"plan_action": action_id} if action_id else {}
