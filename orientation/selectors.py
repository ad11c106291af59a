"""Reads for the core app, always scoped to the user asking."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification, Program, Site
from .roles import ADMIN, COORDINATOR, has_role


def sites_visible_to(user) -> QuerySet[Site]:
    """Sites whose people the user may see without breaking the glass.

    Staff see the sites they belong to; coordinators also every site of their programs; admins all.
    """
    if not getattr(user, "is_authenticated", False):
        return Site.objects.none()
    if has_role(user, ADMIN):
        return Site.objects.all()
    qs = Site.objects.filter(memberships__user=user)
    if has_role(user, COORDINATOR):
        qs = Site.objects.filter(pk__in=qs.values("pk")) | Site.objects.filter(
            programs__memberships__user=user
        )
    return qs.distinct()


def site_ids_visible_to(user) -> list[int]:
    """The ids of ``sites_visible_to``, cached on the user for the request."""
    cached = getattr(user, "_orienta_site_ids", None)
    if cached is None:
        cached = list(sites_visible_to(user).values_list("pk", flat=True))
        user._orienta_site_ids = cached
    return cached


def program_ids_coordinated_by(user) -> list[int]:
    """The programs a coordinator coordinates (their program memberships), cached on the user."""
    cached = getattr(user, "_orienta_program_ids", None)
    if cached is None:
        cached = []
        if has_role(user, COORDINATOR):
            cached = list(Program.objects.filter(memberships__user=user).values_list("pk", flat=True))
        user._orienta_program_ids = cached
    return cached


def programs_visible_to(user) -> QuerySet[Program]:
    if not getattr(user, "is_authenticated", False):
        return Program.objects.none()
    if has_role(user, ADMIN):
        return Program.objects.all()
    if has_role(user, COORDINATOR):
        return Program.objects.filter(memberships__user=user).distinct()
    return Program.objects.filter(sites__in=site_ids_visible_to(user)).distinct()


def notifications_unread_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)
