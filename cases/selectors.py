"""Reads of people and their records, always scoped to the user asking.

No view fetches a person with a bare ``Person.objects.get``: it calls ``person_get_for_user``,
which checks the role, the sites and break-the-glass grants.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from orientation import roles
from orientation.models import AccessLog
from orientation.selectors import site_ids_visible_to

from .models import Person

BREAK_GLASS_HOURS = 8


class BreakGlassRequired(PermissionDenied):
    """The person belongs to a site the user does not work at: a typed reason is needed first."""

    def __init__(self, person_id: int):
        super().__init__("break the glass")
        self.person_id = person_id


def people_visible_to(user) -> QuerySet[Person]:
    """People the user may list and open without breaking the glass."""
    if roles.has_role(user, roles.ADMIN):
        return Person.objects.all()
    if roles.has_role(user, roles.CASE_READERS):
        return Person.objects.filter(site_id__in=site_ids_visible_to(user))
    if roles.has_role(user, roles.FACILITATOR):
        # Facilitators see only the participants of their own groups (light profiles).
        return Person.objects.filter(group_memberships__group__facilitators=user).distinct()
    return Person.objects.none()


def break_glass_person_ids(user) -> set[int]:
    """People of other sites this user opened with a logged reason in the last hours."""
    since = timezone.now() - timedelta(hours=BREAK_GLASS_HOURS)
    ids = AccessLog.objects.filter(
        user=user, action=AccessLog.Action.BREAK_GLASS, object_type="cases.person", at__gte=since
    ).values_list("object_id", flat=True)
    return {int(i) for i in ids if i.isdigit()}


def person_get_for_user(user, pk, *, write: bool = False) -> Person:
    """The person with this id if the user may open it (or change it, with ``write``).

    Raises Http404 when it does not exist, PermissionDenied when the role may not open case files
    (or may not write), and BreakGlassRequired when it belongs to another site and no recent
    break-the-glass reason was logged.
    """
    if write and not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    if not roles.has_role(user, roles.CASE_READERS):
        raise PermissionDenied
    try:
        person = Person.objects.select_related("site", "district", "household").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if roles.has_role(user, roles.ADMIN) or person.site_id in site_ids_visible_to(user):
        return person
    if roles.has_role(user, roles.CASE_WORKERS) and person.pk in break_glass_person_ids(user):
        return person
    if roles.has_role(user, roles.CASE_WORKERS):
        raise BreakGlassRequired(person.pk)
    raise PermissionDenied
