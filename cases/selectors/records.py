"""Intakes of the day, consents, and identity documents about to expire, scoped to the user."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from orientation import roles
from orientation.models import Site
from orientation.selectors import site_ids_visible_to

from ..models import IdentityDocument, Intake
from .people import people_visible_to, person_get_for_user

# --- Intakes --------------------------------------------------------------------------------------


def intakes_today(user, *, site: Site | None = None) -> QuerySet[Intake]:
    """Intakes recorded today at the user's sites (newest first)."""
    if not roles.has_role(user, roles.CASE_READERS):
        return Intake.objects.none()
    qs = Intake.objects.filter(date=timezone.localdate())
    if not roles.has_role(user, roles.ADMIN):
        qs = qs.filter(site_id__in=site_ids_visible_to(user))
    if site is not None:
        qs = qs.filter(site=site)
    return qs.for_list().order_by("-created_at", "-pk")


def consent_get_for_user(user, pk, *, write: bool = False):
    """A consent of a person the user may open (or change, with ``write``)."""
    from ..models import Consent

    person_id = Consent.objects.filter(pk=pk).values_list("person_id", flat=True).first()
    if person_id is None:
        raise Http404
    person = person_get_for_user(user, person_id, write=write)
    return person.consents.get(pk=pk)


# --- Documents about to expire --------------------------------------------------------------------

EXPIRY_WINDOWS = (30, 60, 90)


def documents_expiring_for(user, *, within: int = 30, site: Site | None = None, today: date | None = None):
    """Identity documents (PTP, CPP, carné de extranjería…) of people at the user's sites that
    expire from today to ``within`` days on, the soonest first. Archived and anonymized people
    are left out."""
    if not roles.has_role(user, roles.CASE_READERS):
        return IdentityDocument.objects.none()
    today = today or timezone.localdate()
    qs = IdentityDocument.objects.filter(
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=within),
        person__archived_at__isnull=True,
        person__anonymized_at__isnull=True,
    )
    if not roles.has_role(user, roles.ADMIN):
        # The people the user may open (a coordinator: those with a record of their programs).
        qs = qs.filter(person__in=people_visible_to(user))
    if site is not None:
        qs = qs.filter(person__site=site)
    return qs.select_related("person", "person__site").order_by("expires_on", "person__family_names", "pk")
