"""Reads for reception, always scoped to the user asking: the sites they work at (admins: all).

A receptionist sees of a person only what checking in needs (name, birth year, the vulnerabilities
that give priority); the case file stays closed to them (cases.selectors.person_get_for_user).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Person, Vulnerability
from cases.search import order_by_distance
from cases.selectors import SearchTerm, people_matching
from orientation import roles
from orientation.models import Site
from orientation.selectors import site_ids_visible_to

from .models import PRIORITY_VULNERABILITIES, Appointment, ReceptionSetting, Visit

SEARCH_LIMIT = 15
# The display shows the last calls of this long ago at most, the newest first.
DISPLAY_WINDOW_MINUTES = 30
DISPLAY_CALLS = 8


def reception_sites_for(user) -> QuerySet[Site]:
    """Active sites where the user may run reception."""
    if not roles.has_role(user, roles.RECEPTIONISTS):
        return Site.objects.none()
    qs = Site.objects.filter(active=True)
    if not roles.has_role(user, roles.ADMIN):
        qs = qs.filter(pk__in=site_ids_visible_to(user))
    return qs.order_by("code")


def reception_site_get(user, site_id) -> Site:
    """One of the user's reception sites (404 otherwise)."""
    try:
        return reception_sites_for(user).get(pk=site_id)
    except (Site.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reception_site_choose(user, site_id) -> Site | None:
    """The site asked for if it is the user's, else their first; None when they have none."""
    sites = reception_sites_for(user)
    if site_id:
        found = sites.filter(pk=site_id).first()
        if found is not None:
            return found
    return sites.first()


def reception_site_by_code(user, code: str) -> Site:
    try:
        return reception_sites_for(user).get(code=code)
    except Site.DoesNotExist:
        raise Http404 from None


def reception_setting_for(site: Site) -> ReceptionSetting:
    """The site's setting (unsaved defaults when it has none)."""
    return ReceptionSetting.objects.filter(site=site).first() or ReceptionSetting(site=site)


# --- People at the door ---------------------------------------------------------------------------


def _priority_prefetch() -> Prefetch:
    return Prefetch(
        "vulnerabilities",
        queryset=Vulnerability.objects.filter(code__in=PRIORITY_VULNERABILITIES).order_by("code"),
        to_attr="priority_vulnerabilities",
    )


def reception_people_for(user) -> QuerySet[Person]:
    """People a user may check in: registered at their reception sites, not archived."""
    return Person.objects.filter(
        site__in=reception_sites_for(user), archived_at__isnull=True, anonymized_at__isnull=True
    )


def reception_people_search(user, raw: str) -> list[Person]:
    """Up to fifteen people of the user's sites matching a name, document or phone number (the
    people list's search of ``cases``), each with only what checking in needs."""
    term = SearchTerm.parse(raw)
    if not term:
        return []
    qs = people_matching(reception_people_for(user), term)
    if term.name:
        qs = order_by_distance(qs, "family_names", "given_names", "pk", indexed=False)
    else:
        qs = qs.order_by("family_names", "given_names", "pk")
    qs = qs.select_related("site").only(
        "pk", "given_names", "family_names", "birth_date", "site__code", "site__name"
    )
    return list(qs.prefetch_related(_priority_prefetch())[:SEARCH_LIMIT])


def reception_person_get(user, pk) -> Person:
    """A person the user may check in, with their priority vulnerabilities (404 otherwise)."""
    try:
        return (
            reception_people_for(user)
            .select_related("site")
            .prefetch_related(_priority_prefetch())
            .get(pk=pk)
        )
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reception_open_visit(person: Person, *, site: Site, day: date) -> Visit | None:
    """The person's visit still in the line at the site today, if any."""
    return Visit.objects.filter(person=person, site=site, day=day).open().first()


# --- Visits and the line --------------------------------------------------------------------------


def visits_visible_to(user) -> QuerySet[Visit]:
    if not roles.has_role(user, roles.RECEPTIONISTS):
        return Visit.objects.none()
    if roles.has_role(user, roles.ADMIN):
        return Visit.objects.all()
    return Visit.objects.filter(site_id__in=site_ids_visible_to(user))


def visit_get_for_user(user, pk) -> Visit:
    """A visit at one of the user's sites (404 otherwise: another site's visit is not found)."""
    try:
        return visits_visible_to(user).select_related("person", "site").get(pk=pk)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class LineCount:
    area: str
    label: str
    waiting: int
    active: bool


def reception_line(site: Site, *, day: date, area: str = "") -> QuerySet[Visit]:
    """Who is waiting at the site today (in one area, or all), in the order they will be called."""
    qs = Visit.objects.for_list().filter(site=site, day=day).waiting()
    if area:
        qs = qs.filter(area=area)
    return qs.in_line_order()


def reception_at_desks(site: Site, *, day: date, area: str = "") -> QuerySet[Visit]:
    """Tickets called or in service at the site today, the latest call first."""
    qs = Visit.objects.for_list().filter(
        site=site, day=day, status__in=[Visit.Status.CALLED, Visit.Status.IN_SERVICE]
    )
    if area:
        qs = qs.filter(area=area)
    return qs.order_by("-called_at", "-pk")


def reception_line_counts(site: Site, *, day: date, area: str = "") -> list[LineCount]:
    """People waiting in each area's line at the site today (one query)."""
    from django.db.models import Count

    from cases.models import Area

    counts = dict(
        Visit.objects.filter(site=site, day=day, status=Visit.Status.WAITING)
        .order_by()
        .values_list("area")
        .annotate(n=Count("pk"))
    )
    return [LineCount(code, label, counts.get(code, 0), code == area) for code, label in Area.choices]


def reception_day_visits(site: Site, *, day: date, query: str = "", status: str = "") -> QuerySet[Visit]:
    """Every visit at the site on a day (the receptionist's list), newest first."""
    qs = Visit.objects.for_list().filter(site=site, day=day)
    if status in Visit.Status.values:
        qs = qs.filter(status=status)
    query = query.strip().upper()
    if query:
        qs = qs.filter(ticket__icontains=query)
    return qs.order_by("-arrived_at", "-pk")


@dataclass(frozen=True)
class DisplayCall:
    """What the waiting room sees of a call: the ticket and the desk, nothing else."""

    ticket: str
    desk: str
    called_at: object
    calls: int


def reception_display_calls(site: Site, *, now=None) -> list[DisplayCall]:
    """The latest calls at the site (tickets and desks only: no name ever leaves this function)."""
    now = now or timezone.now()
    rows = (
        Visit.objects.filter(
            site=site,
            day=timezone.localdate(now),
            status=Visit.Status.CALLED,
            called_at__gte=now - timedelta(minutes=DISPLAY_WINDOW_MINUTES),
        )
        .order_by("-called_at", "-pk")
        .values_list("ticket", "desk", "called_at", "calls")[:DISPLAY_CALLS]
    )
    return [DisplayCall(*row) for row in rows]


def visit_priority_labels(visit: Visit) -> list[str]:
    """Why a visit has priority, in words: the vulnerabilities' names and the receptionist's mark."""
    from django.utils.translation import gettext

    codes = visit.priority_codes
    names = {v.code: str(v) for v in Vulnerability.objects.filter(code__in=codes)}
    return [names.get(c) or (gettext("marked at reception") if c == "manual" else c) for c in codes]


# --- Appointments ---------------------------------------------------------------------------------


def appointments_visible_to(user) -> QuerySet[Appointment]:
    """Appointments at the user's reception sites."""
    if not roles.has_role(user, roles.RECEPTIONISTS):
        return Appointment.objects.none()
    if roles.has_role(user, roles.ADMIN):
        return Appointment.objects.all()
    return Appointment.objects.filter(site_id__in=site_ids_visible_to(user))


def appointment_get_for_user(user, pk) -> Appointment:
    try:
        return appointments_visible_to(user).select_related("person", "site", "staff").get(pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def appointment_staff_choices(user):
    """Staff who may be booked (caseworkers and specialists) at the user's reception sites."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            groups__name__in=sorted(roles.CASE_STAFF),
            is_active=True,
            site_memberships__site__in=reception_sites_for(user),
        )
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def staff_works_at(staff, site: Site) -> bool:
    return staff.site_memberships.filter(site=site).exists()


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week that holds ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def appointments_agenda(
    site: Site, *, start: date, end: date, staff_id: int | None = None, status: str = ""
) -> QuerySet[Appointment]:
    """A site's appointments from ``start`` to ``end`` (a day or a week), by day and time; one staff
    member's when asked. Rescheduled and cancelled ones are left out unless asked by status."""
    qs = Appointment.objects.for_list().filter(site=site, date__range=(start, end))
    if staff_id:
        qs = qs.filter(staff_id=staff_id)
    if status in Appointment.Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status__in=[Appointment.Status.CANCELLED, Appointment.Status.RESCHEDULED])
    return qs.order_by("date", "time", "pk")


def appointments_for_check_in(person: Person, *, site: Site, day: date) -> QuerySet[Appointment]:
    """The person's appointments booked at the site today: the check-in offers them."""
    return (
        Appointment.objects.filter(person=person, site=site, date=day)
        .booked()
        .select_related("staff")
        .order_by("time")
    )


def appointments_upcoming(person: Person, *, user, today: date) -> QuerySet[Appointment]:
    """The person's next booked appointments at the user's sites."""
    return (
        appointments_visible_to(user)
        .filter(person=person, date__gte=today)
        .booked()
        .select_related("site", "staff")
        .order_by("date", "time")[:5]
    )
