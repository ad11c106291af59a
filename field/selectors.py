"""Reads for the offline field screens, scoped to the user asking.

What a device may keep (docs/field.md): the groups the user may take attendance in, the sessions of
those groups from today to the end of the offline window, the marks already recorded at them, and
for each participant only what recognises a child at the pitch (given and family names, age). No
case file, document, contact, consent or psychosocial data ever leaves through here.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q

from cases.choices import age_on
from orientation import roles
from orientation.models import Site
from orientation.selectors import site_ids_visible_to
from services.sport.models import Activity, Attendance, GroupParticipant, HeadCount, SportSession
from services.sport.selectors import WRITE, sport_groups_visible_to


def field_offline_days() -> int:
    """How many days a device keeps what it downloaded (setting ``FIELD_OFFLINE_DAYS``, default 7)."""
    return max(int(getattr(settings, "FIELD_OFFLINE_DAYS", 7)), 1)


def head_count_cells(session) -> dict[str, int]:
    """A session's anonymous head count as ``{"sex:band": count}``, the cells above zero."""
    return {
        f"{sex}:{band}": count
        for sex, band, count in HeadCount.objects.filter(session=session, count__gt=0)
        .order_by("sex", "age_band")
        .values_list("sex", "age_band", "count")
    }


def head_count_version(cells: dict[str, int]) -> str:
    """A fingerprint of a head count: the device sends back the one it kept with its edit, and the
    server tells by it whether the count changed since (docs/field.md, "Conflicts")."""
    text = ";".join(f"{cell}={count}" for cell, count in sorted(cells.items()) if count)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def field_data_for(user, *, today: date) -> dict:
    """Everything the field screens need offline, in at most five queries whatever the number of
    rows (and the sites of a caseworker's outreach registrations: two more)."""
    until = today + timedelta(days=field_offline_days())
    groups = list(
        sport_groups_visible_to(user, mode=WRITE)
        .filter(active=True)
        .select_related("program", "site")
        .order_by("site__code", "name")
    )
    group_ids = [g.pk for g in groups]
    memberships = list(
        GroupParticipant.objects.filter(group_id__in=group_ids, person__anonymized_at__isnull=True)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .select_related("person")
        .only(
            "group_id",
            "person__id",
            "person__given_names",
            "person__family_names",
            "person__birth_date",
            "person__is_light_profile",
            "person__updated_at",
        )
        .order_by("person__given_names", "person__family_names", "person_id")
    )
    sessions = list(
        SportSession.objects.filter(group_id__in=group_ids, date__gte=today, date__lte=until).order_by(
            "date", "pk"
        )
    )
    marks = list(
        Attendance.objects.filter(session__in=[s.pk for s in sessions]).values_list(
            "session_id", "person_id", "present"
        )
    )
    head_counts: dict[int, dict[str, int]] = {
        s.pk: {} for s in sessions if s.activity == Activity.COMMUNITY_ACTIVITY
    }
    for session_id, sex, band, count in HeadCount.objects.filter(
        session__in=list(head_counts), count__gt=0
    ).values_list("session_id", "sex", "age_band", "count"):
        head_counts[session_id][f"{sex}:{band}"] = count
    people: dict[int, dict] = {}
    members: dict[int, list[int]] = {pk: [] for pk in group_ids}
    for membership in memberships:
        person = membership.person
        members[membership.group_id].append(person.pk)
        people.setdefault(
            person.pk,
            {
                "id": person.pk,
                "given_names": person.given_names,
                "family_names": person.family_names,
                "age": age_on(person.birth_date, today),
                "light": person.is_light_profile,
                "updated": person.updated_at.isoformat(),
            },
        )
    outreach_sites = []
    if roles.has_role(user, roles.CASE_WORKERS):
        outreach_sites = [
            {"id": pk, "name": name}
            for pk, name in Site.objects.filter(pk__in=site_ids_visible_to(user), active=True)
            .order_by("code")
            .values_list("pk", "name")
        ]
    return {
        "user": user.pk,
        "outreach_sites": outreach_sites,
        "today": today.isoformat(),
        "expires_in_days": field_offline_days(),
        "groups": [
            {
                "id": g.pk,
                "name": g.name,
                "site": g.site.name,
                "program": g.program.code,
                "age_min": g.age_min,
                "age_max": g.age_max,
                "participants": members[g.pk],
            }
            for g in groups
        ],
        "people": list(people.values()),
        "sessions": [
            {
                "id": s.pk,
                "group": s.group_id,
                "date": s.date.isoformat(),
                "activity": s.activity,
                "activity_label": s.get_activity_display(),
                "topic": s.topic,
                **(
                    {
                        "head_count": head_counts[s.pk],
                        "head_count_version": head_count_version(head_counts[s.pk]),
                    }
                    if s.pk in head_counts
                    else {}
                ),
            }
            for s in sessions
        ],
        "marks": [{"session": s, "person": p, "present": present} for s, p, present in marks],
    }
