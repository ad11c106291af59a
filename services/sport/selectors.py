"""Reads for the youth sport program, always scoped to the user asking.

Who sees which groups (the role table in README.md):

- facilitators: the groups they facilitate, and the light profiles of those groups' participants;
- caseworkers and psychosocial specialists: the groups at their sites;
- coordinators: the groups of their programs at their sites, read-only (they may set groups up);
- admins: every group.

Figures per group (attendance rate, retention, who stopped coming) are computed in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Replace
from django.http import Http404

from cases.models import Consent, Person, normalize_text
from cases.selectors import people_visible_to
from orientation import roles
from orientation.models import Program, Site
from orientation.selectors import programs_visible_to, site_ids_visible_to

from .models import Attendance, GroupParticipant, HeadCount, SportGroup, SportSession

READ, WRITE, MANAGE = "read", "write", "manage"

# "Stopped coming": attended before, but not present in the group's last this-many sessions.
STOPPED_AFTER_SESSIONS = 4
# Retention: of those present 90 to 61 days ago, who was present in the last 30 days.
RETENTION_DAYS = 90
RETENTION_SLICE_DAYS = 30
SEARCH_LIMIT = 10


# --- Groups -------------------------------------------------------------------------------------


def _facilitated_group_ids(user):
    return SportGroup.facilitators.through.objects.filter(user_id=user.pk).values("sportgroup_id")


def sport_groups_visible_to(user, *, mode: str = READ) -> QuerySet[SportGroup]:
    """The groups the user may read (``read``), take attendance in (``write``) or set up (``manage``)."""
    user_roles = roles.user_roles(user)
    if not user_roles & roles.SPORT_STAFF:
        return SportGroup.objects.none()
    if roles.ADMIN in user_roles:
        return SportGroup.objects.all()
    scope = Q(pk__in=[])
    if roles.FACILITATOR in user_roles:
        scope |= Q(pk__in=_facilitated_group_ids(user))
    if mode in (READ, WRITE) and user_roles & {roles.CASEWORKER, roles.PSYCHOSOCIAL}:
        scope |= Q(site_id__in=site_ids_visible_to(user))
    if mode == READ and roles.COORDINATOR in user_roles:
        scope |= Q(site_id__in=site_ids_visible_to(user), program__in=programs_visible_to(user).values("pk"))
    return SportGroup.objects.filter(scope)


def sport_group_get_for_user(user, pk, *, mode: str = READ) -> SportGroup:
    """The group if the user may see it: 404 when it is not theirs to see, 403 when read-only."""
    try:
        group = sport_groups_visible_to(user).select_related("program", "site").get(pk=pk)
    except (SportGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if mode != READ and not sport_groups_visible_to(user, mode=mode).filter(pk=group.pk).exists():
        raise PermissionDenied
    return group


def sport_group_can(user, group: SportGroup, mode: str) -> bool:
    """Whether the user may write to (or set up) a group they can already read; for templates."""
    return sport_groups_visible_to(user, mode=mode).filter(pk=group.pk).exists()


def sport_groups_for_list(user, *, query: str = "", site_id: int | None = None, active: bool | None = True):
    """Groups for the list page, with their participant count and last session in the same query."""
    qs = sport_groups_visible_to(user)
    if query:
        qs = qs.filter(name__icontains=query.strip())
    if site_id:
        qs = qs.filter(site_id=site_id)
    if active is not None:
        qs = qs.filter(active=active)
    participants = (
        GroupParticipant.objects.filter(group=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_session = SportSession.objects.filter(group=OuterRef("pk")).order_by("-date").values("date")[:1]
    return (
        qs.select_related("program", "site")
        .prefetch_related("facilitators")
        .annotate(
            participant_count=Coalesce(Subquery(participants, output_field=IntegerField()), 0),
            last_session_on=Subquery(last_session),
        )
        .order_by("site__code", "name")
    )


def sport_group_sites_for_filter(user) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=sport_groups_visible_to(user).values("site_id")).order_by("code")


def sport_groups_for_widget(user, *, today: date) -> QuerySet[SportGroup]:
    """The active groups the user facilitates, each with today's sessions (home-page widget)."""
    if not roles.has_role(user, roles.SPORT_WRITERS):
        return SportGroup.objects.none()
    return (
        SportGroup.objects.filter(pk__in=_facilitated_group_ids(user), active=True)
        .select_related("site")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=SportSession.objects.filter(date=today).order_by("id"),
                to_attr="today_sessions",
            )
        )
        .order_by("site__code", "name")
    )


def sport_program_choices(user) -> QuerySet[Program]:
    """Programs a group may be set up in by this user."""
    return programs_visible_to(user).order_by("code")


def sport_site_choices(user) -> QuerySet[Site]:
    """Sites where this user may set a group up: admins any, coordinators their programs' sites,
    facilitators the sites they work at."""
    if roles.has_role(user, roles.ADMIN):
        return Site.objects.filter(active=True)
    return Site.objects.filter(pk__in=site_ids_visible_to(user), active=True)


def sport_facilitator_choices():
    """Users with the facilitator role, with their sites (to check they work where the group meets)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(groups__name=roles.FACILITATOR, is_active=True)
        .prefetch_related("site_memberships")
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


# --- Sessions -----------------------------------------------------------------------------------


def sport_session_get_for_user(user, pk, *, mode: str = READ) -> SportSession:
    """A session of a group the user may see; 403 when the user may only read it."""
    try:
        session = (
            SportSession.objects.for_list()
            .filter(group__in=sport_groups_visible_to(user).values("pk"))
            .get(pk=pk)
        )
    except (SportSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if mode != READ and not sport_groups_visible_to(user, mode=mode).filter(pk=session.group_id).exists():
        raise PermissionDenied
    return session


def sport_group_sessions(group: SportGroup) -> QuerySet[SportSession]:
    """A group's sessions, newest first, with present and recorded counts and the anonymous head count."""
    head_count = (
        HeadCount.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return (
        SportSession.objects.filter(group=group)
        .annotate(
            present_count=Count("attendances", filter=Q(attendances__present=True)),
            recorded_count=Count("attendances"),
            head_count_total=Subquery(head_count, output_field=IntegerField()),
        )
        .order_by("-date", "-id")
    )


# --- The attendance screen ----------------------------------------------------------------------


def sport_age_outside_range(group: SportGroup | None, person: Person, *, on: date) -> bool:
    """True when the person's age on that day is known and outside the group's age range."""
    if group is None:
        return False
    age = person.age(on=on)
    return age is not None and not (group.age_min <= age <= group.age_max)


def _attendance_people(session: SportSession) -> QuerySet[Person]:
    members = GroupParticipant.objects.filter(group_id=session.group_id).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=session.date)
    )
    recorded = Attendance.objects.filter(session=session)
    return (
        Person.objects.filter(Q(pk__in=members.values("person_id")) | Q(pk__in=recorded.values("person_id")))
        .annotate(
            attendance_present=Subquery(
                Attendance.objects.filter(session=session, person=OuterRef("pk")).values("present")[:1]
            ),
            has_image_consent=Exists(
                Consent.objects.filter(
                    person=OuterRef("pk"), purpose=Consent.Purpose.IMAGE_USE, withdrawn_on__isnull=True
                )
            ),
        )
        .only("pk", "given_names", "family_names", "birth_date", "birth_date_estimated", "is_light_profile")
    )


def _decorate(person: Person, session: SportSession) -> Person:
    person.session_age = person.age(on=session.date)
    person.outside_age_range = sport_age_outside_range(session.group, person, on=session.date)
    return person


def sport_attendance_rows(session: SportSession) -> list[Person]:
    """Everyone on the session's list: the group's participants and anyone already recorded.

    Each person carries ``attendance_present`` (True, False or None when not recorded yet),
    ``has_image_consent``, ``session_age`` and ``outside_age_range``. One query for any size.
    """
    people = _attendance_people(session).order_by("given_names", "family_names", "pk")
    return [_decorate(p, session) for p in people]


def sport_attendance_row(session: SportSession, person_pk) -> Person:
    """One row of the attendance list; 404 when the person is not on this session's list."""
    try:
        return _decorate(_attendance_people(session).get(pk=person_pk), session)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class Tally:
    listed: int
    present: int
    absent: int

    @property
    def pending(self) -> int:
        return max(self.listed - self.present - self.absent, 0)


def sport_session_tally(session: SportSession, rows: list[Person] | None = None) -> Tally:
    """Present, absent and not yet recorded on a session's list."""
    if rows is None:
        rows = list(_attendance_people(session).only("pk"))
    present = sum(1 for p in rows if p.attendance_present is True)
    absent = sum(1 for p in rows if p.attendance_present is False)
    return Tally(listed=len(rows), present=present, absent=absent)


def sport_session_head_counts(session: SportSession) -> dict[str, int]:
    """The anonymous head count of a session as ``{"F:5-11": 12, ...}``."""
    return {
        f"{hc.sex}:{hc.age_band}": hc.count for hc in HeadCount.objects.filter(session=session).order_by()
    }


# --- Finding people to add ----------------------------------------------------------------------


def sport_people_searchable_by(user) -> QuerySet[Person]:
    """People a user may find and add to a group.

    Facilitators: light profiles registered at their sites and the participants of their own
    groups, never anyone else's case file. Caseworkers: the people of their sites. Coordinators
    are read-only and find no one.
    """
    user_roles = roles.user_roles(user)
    base = Person.objects.filter(archived_at__isnull=True, anonymized_at__isnull=True)
    if roles.ADMIN in user_roles:
        return base
    scope = Q(pk__in=[])
    if roles.FACILITATOR in user_roles:
        scope |= Q(is_light_profile=True, site_id__in=site_ids_visible_to(user))
        scope |= Q(
            pk__in=GroupParticipant.objects.filter(group__in=_facilitated_group_ids(user)).values("person_id")
        )
    if user_roles & {roles.CASEWORKER, roles.PSYCHOSOCIAL}:
        scope |= Q(site_id__in=site_ids_visible_to(user))
    return base.filter(scope)


def _name_filter(query: str) -> Q | None:
    text = normalize_text(query)
    if len(text) < 2:
        return None
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) >= 4 and len(digits) == len(text.replace(" ", "").replace("+", "")):
        return Q(phone__contains=digits) | Q(guardian_phone_digits__contains=digits)
    condition = Q()
    for token in text.split():
        condition &= Q(search_name__contains=token)
    return condition


def sport_people_search(user, session: SportSession, query: str) -> list[Person]:
    """Up to ten people matching a name (or a phone number) who are not on the session's list yet."""
    condition = _name_filter(query)
    if condition is None:
        return []
    on_list = _attendance_people(session).values("pk")
    people = (
        sport_people_searchable_by(user)
        .annotate(guardian_phone_digits=Replace("guardian_phone", Value(" "), Value("")))
        .filter(condition)
        .exclude(pk__in=on_list)
        .select_related("school")
        .only(
            "pk",
            "given_names",
            "family_names",
            "birth_date",
            "birth_date_estimated",
            "is_light_profile",
            "school__code",
            "school__name",
        )
        .order_by("given_names", "family_names", "pk")[:SEARCH_LIMIT]
    )
    return [_decorate(p, session) for p in people]


def sport_person_for_adding(user, pk) -> Person:
    """A person the user may add to a group (the same scope as the search); 404 otherwise."""
    try:
        return sport_people_searchable_by(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sport_light_profile_duplicates(user, *, given_names: str, family_names: str, birth_date) -> list[Person]:
    """People the user could add instead of registering a new light profile (same name and birth date)."""
    if not birth_date:
        return []
    name = normalize_text(f"{given_names} {family_names}")
    return list(
        sport_people_searchable_by(user)
        .filter(search_name=name, birth_date=birth_date)
        .select_related("school")
        .order_by("pk")[:5]
    )


# --- Light profiles -----------------------------------------------------------------------------


def sport_participant_get_for_user(user, pk) -> Person:
    """A participant's light profile. Facilitators: only participants of their own groups."""
    if not roles.has_role(user, roles.SPORT_STAFF):
        raise PermissionDenied
    user_roles = roles.user_roles(user)
    if roles.ADMIN in user_roles:
        qs = Person.objects.all()
    else:
        scope = Q(pk__in=[])
        if user_roles & roles.CASE_READERS:
            scope |= Q(pk__in=people_visible_to(user).values("pk"))
        if roles.FACILITATOR in user_roles:
            scope |= Q(
                pk__in=GroupParticipant.objects.filter(group__in=_facilitated_group_ids(user)).values(
                    "person_id"
                )
            )
        qs = Person.objects.filter(scope)
    try:
        return qs.select_related("school", "site").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sport_participant_consents(person: Person) -> QuerySet[Consent]:
    """Consents a facilitator needs to know about (data processing and images)."""
    return person.consents.filter(
        purpose__in=[Consent.Purpose.DATA_PROCESSING, Consent.Purpose.IMAGE_USE]
    ).order_by("purpose", "-given_on")


def sport_participant_memberships(user, person: Person) -> QuerySet[GroupParticipant]:
    return (
        GroupParticipant.objects.filter(person=person, group__in=sport_groups_visible_to(user).values("pk"))
        .select_related("group", "group__site")
        .order_by("left_on", "-joined_on")
    )


def sport_participant_attendance(user, person: Person) -> QuerySet[Attendance]:
    """The person's attendance in the groups the user may see, newest first."""
    return (
        Attendance.objects.filter(
            person=person, session__group__in=sport_groups_visible_to(user).values("pk")
        )
        .select_related("session", "session__group")
        .order_by("-session__date", "-session_id")
    )


# --- Figures per group --------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupStats:
    participants: int  # active members
    sessions_taken: int  # sessions up to today with attendance recorded
    expected: int  # member-sessions: members enrolled on each of those sessions' dates
    present: int  # of those, the ones present
    unique_people: int  # distinct people present at least once
    retention_cohort: int  # present 90 to 61 days ago
    retention_kept: int  # of those, present again in the last 30 days
    head_count_total: int  # anonymous head counts, reported apart and never in the counts above

    @property
    def attendance_rate(self) -> int | None:
        if not self.expected:
            return None
        return round(100 * min(self.present, self.expected) / self.expected)

    @property
    def retention_rate(self) -> int | None:
        if not self.retention_cohort:
            return None
        return round(100 * self.retention_kept / self.retention_cohort)


def _member_on_session_date(prefix: str = "") -> Q:
    """Q for a membership enrolled on the session's date; ``prefix`` leads from the query's model."""
    return Q(**{f"{prefix}joined_on__lte": F("date")}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": F("date")})
    )


def _sessions_taken(group: SportGroup, today: date) -> QuerySet[SportSession]:
    return SportSession.objects.filter(group=group, date__lte=today).filter(
        Exists(Attendance.objects.filter(session=OuterRef("pk")))
    )


def sport_group_stats(group: SportGroup, *, today: date) -> GroupStats:
    """Attendance rate, retention over three months and counts for a group, in SQL aggregates."""
    taken = _sessions_taken(group, today)
    session_figures = taken.aggregate(
        sessions=Count("pk", distinct=True),
        expected=Count("group__memberships", filter=_member_on_session_date("group__memberships__")),
    )
    enrolled = GroupParticipant.objects.filter(
        group=group,
        person=OuterRef("person"),
        joined_on__lte=OuterRef("session__date"),
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("session__date")))
    present_rows = Attendance.objects.filter(session__in=taken.values("pk"), present=True)
    attendance_figures = present_rows.aggregate(
        present=Count("pk", filter=Q(Exists(enrolled))),
        unique_people=Count("person", distinct=True),
    )
    start = today - timedelta(days=RETENTION_DAYS - 1)
    early_end = start + timedelta(days=RETENTION_SLICE_DAYS - 1)
    late_start = today - timedelta(days=RETENTION_SLICE_DAYS - 1)
    per_person = (
        Attendance.objects.filter(session__group=group, present=True, session__date__range=(start, today))
        .order_by()
        .values("person")
        .annotate(
            early=Count("pk", filter=Q(session__date__lte=early_end)),
            late=Count("pk", filter=Q(session__date__gte=late_start)),
        )
        .filter(early__gt=0)
    )
    cohort = per_person.count()
    kept = per_person.filter(late__gt=0).count() if cohort else 0
    head_count = HeadCount.objects.filter(session__group=group).aggregate(total=Sum("count"))["total"] or 0
    participants = GroupParticipant.objects.filter(group=group, left_on__isnull=True).count()
    return GroupStats(
        participants=participants,
        sessions_taken=session_figures["sessions"],
        expected=session_figures["expected"],
        present=attendance_figures["present"],
        unique_people=attendance_figures["unique_people"],
        retention_cohort=cohort,
        retention_kept=kept,
        head_count_total=head_count,
    )


def sport_group_participants(group: SportGroup) -> QuerySet[Person]:
    """The group's active participants with their sessions attended and last day present."""
    attended = Q(attendances__session__group=group, attendances__present=True)
    return (
        Person.objects.filter(group_memberships__group=group, group_memberships__left_on__isnull=True)
        .annotate(
            sessions_present=Count("attendances", filter=attended),
            last_present_on=Max("attendances__session__date", filter=attended),
        )
        .select_related("school")
        .order_by("given_names", "family_names", "pk")
    )


def sport_group_membership_get(group: SportGroup, person_pk) -> GroupParticipant:
    """A person's membership of a group the caller already fetched through a scoped selector."""
    try:
        return GroupParticipant.objects.select_related("person").get(group=group, person_id=person_pk)
    except (GroupParticipant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sport_group_stopped_coming(group: SportGroup, *, today: date) -> tuple[list[Person], bool]:
    """Active participants who came before but were not present in the group's last four sessions.

    Returns the people (with ``last_present_on``) and whether the group has had enough sessions to
    tell at all.
    """
    recent_ids = list(
        _sessions_taken(group, today)
        .order_by("-date", "-id")
        .values_list("pk", flat=True)[:STOPPED_AFTER_SESSIONS]
    )
    if len(recent_ids) < STOPPED_AFTER_SESSIONS:
        return [], False
    came_recently = Attendance.objects.filter(session_id__in=recent_ids, present=True).values("person_id")
    people = (
        Person.objects.filter(group_memberships__group=group, group_memberships__left_on__isnull=True)
        .annotate(
            last_present_on=Max(
                "attendances__session__date",
                filter=Q(attendances__session__group=group, attendances__present=True),
            )
        )
        .filter(last_present_on__isnull=False)
        .exclude(pk__in=came_recently)
        .only("pk", "given_names", "family_names", "guardian_phone", "birth_date")
        .order_by("last_present_on", "given_names", "pk")
    )
    return list(people), True
