"""Reads for data-subject (ARCO) requests and retention, scoped to the user asking."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Person
from cases.selectors import people_visible_to, person_in_scope, reads_by_program
from orientation import roles
from orientation.dates import years_before
from orientation.selectors import site_ids_visible_to

from .models import ArcoRequest
from .policy import CONTACTS


def _may_see(user, person: Person) -> bool:
    return person_in_scope(user, person)


def arco_person_get_for_user(user, pk) -> Person:
    """A person whose ARCO requests this user may register: one of the user's own sites.

    ARCO requests are handled where the person is registered: no break-the-glass here.
    """
    if not roles.has_role(user, roles.ARCO_HANDLERS):
        raise PermissionDenied
    try:
        person = Person.objects.select_related("site").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not _may_see(user, person):
        raise PermissionDenied
    return person


def arco_requests_visible_to(user) -> QuerySet[ArcoRequest]:
    if not roles.has_role(user, roles.ARCO_READERS):
        return ArcoRequest.objects.none()
    qs = ArcoRequest.objects.select_related("person", "person__site", "handled_by")
    if roles.has_role(user, roles.ADMIN):
        return qs
    if reads_by_program(user):
        return qs.filter(person__in=people_visible_to(user))
    return qs.filter(person__site_id__in=site_ids_visible_to(user))


def arco_request_get_for_user(user, pk, *, capability=roles.ARCO_HANDLERS) -> ArcoRequest:
    """An ARCO request of a person the user may see, if the user has the capability."""
    """An ARCO request of one of the user's sites, if the user's role has the capability."""
    if not roles.has_role(user, capability):
        raise PermissionDenied
    try:
        request_obj = ArcoRequest.objects.select_related("person", "person__site", "handled_by").get(pk=pk)
    except (ArcoRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not _may_see(user, request_obj.person):
        raise PermissionDenied
    return request_obj


def retention_cutoff(today: date | None = None) -> date:
    """The day before which a last contact makes a person due for anonymization."""
    return years_before(today or timezone.localdate(), settings.RETENTION_YEARS)


def people_due_for_retention(today: date | None = None) -> QuerySet[Person]:
    """Not yet anonymized people with no contact of any kind since the cutoff.

    A contact is the registration, or a row some app declared a contact in its ``personal_data.py``
    (an intake, a direct service, a referral made, followed up or completed, an attendance at a
    sport session).

    A record merged into another (a tombstone) is left to its survivor: its contacts moved there,
    and it is anonymized with the survivor (``person_anonymize``), never before it, so an unmerge
    within the undo period still finds it whole.
    """
    cutoff = retention_cutoff(today)
    qs = Person.objects.filter(anonymized_at__isnull=True, merged_into__isnull=True, registered_on__lt=cutoff)
    for recent in CONTACTS.values():
        qs = qs.exclude(Exists(recent(cutoff).filter(person=OuterRef("pk"))))
    return qs.order_by("pk")
