"""Writes for the youth sport program: groups, sessions, attendance, light profiles, head counts.

Every attendance row stamps the person's population type when it is first recorded; a second tap
on the same person and session updates the one row (unique constraint + ``update_or_create``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cases.choices import AgeBand, Sex, age_on
from cases.models import Consent, Person
from orientation import roles
from orientation.actions import save_audited
from orientation.models import Program, Site, SiteMembership
from orientation.versioning import version_check

from .models import Activity, Attendance, GroupParticipant, HeadCount, SportGroup, SportSession

ADULT_AGE = 18


def _check_session_open(session: SportSession) -> None:
    """Attendance (and head counts) may only be recorded once the session's day has come."""
    if session.date > timezone.localdate():
        raise ValidationError(
            _("This session is dated %(date)s, in the future: attendance can be taken from that day on.")
            % {"date": formats.date_format(session.date, "SHORT_DATE_FORMAT")}
        )


def _check_group_setup(*, program: Program, site: Site, facilitators) -> None:
    errors: dict[str, list[str]] = {}
    if not program.sites.filter(pk=site.pk).exists():
        errors["site"] = [_("This site is not part of the program %(program)s.") % {"program": program.code}]
    working_here = set(
        SiteMembership.objects.filter(site=site, user__in=[u.pk for u in facilitators]).values_list(
            "user_id", flat=True
        )
    )
    strangers = [u for u in facilitators if u.pk not in working_here]
    if strangers:
        errors["facilitators"] = [
            _("Not working at %(site)s: %(names)s. An administrator can add them to the site first.")
            % {"names": ", ".join(u.get_full_name() or u.username for u in strangers), "site": site.code}
        ]
    if errors:
        raise ValidationError(errors)


def _with_self(user, facilitators) -> list:
    """Facilitators who set a group up always stay among its facilitators."""
    people = list(facilitators)
    if roles.has_role(user, roles.FACILITATOR) and not roles.has_role(user, roles.ADMIN, roles.COORDINATOR):
        if user.pk not in {u.pk for u in people}:
            people.append(user)
    return people


@transaction.atomic
def sport_group_create(
    *,
    user,
    program: Program,
    site: Site,
    name: str,
    age_min: int,
    age_max: int,
    facilitators,
) -> SportGroup:
    roles.require(user, roles.SPORT_GROUP_MANAGERS)
    facilitators = _with_self(user, facilitators)
    _check_group_setup(program=program, site=site, facilitators=facilitators)
    group = SportGroup(program=program, site=site, name=name.strip(), age_min=age_min, age_max=age_max)
    group.full_clean()
    group.save()
    group.facilitators.set(facilitators)
    return group


@transaction.atomic
def sport_group_update(
    *,
    group: SportGroup,
    user,
    program: Program,
    site: Site,
    name: str,
    age_min: int,
    age_max: int,
    facilitators,
    active: bool,
    version: str | None = None,
) -> SportGroup:
    roles.require(user, roles.SPORT_GROUP_MANAGERS)
    version_check(group, version)
    facilitators = _with_self(user, facilitators)
    _check_group_setup(program=program, site=site, facilitators=facilitators)
    group.program, group.site, group.name = program, site, name.strip()
    group.age_min, group.age_max, group.active = age_min, age_max, active
    group.full_clean()
    group.save()
    group.facilitators.set(facilitators)
    return group


@transaction.atomic
def sport_session_start(
    *,
    user,
    group: SportGroup,
    date: date,
    activity: str,
    topic: str = "",
    facilitators=None,
) -> tuple[SportSession, bool]:
    """Open a session of a group; when the same one (day and activity) exists, return it instead."""
    roles.require(user, roles.SPORT_WRITERS)
    if date > timezone.localdate():
        raise ValidationError({"date": [_("A session cannot be dated in the future.")]})
    if not group.program.is_active_on(date):
        raise ValidationError(
            {
                "date": [
                    _("The program %(program)s does not run on that date.") % {"program": group.program.code}
                ]
            }
        )
    if not group.active:
        raise ValidationError(_("This group is no longer active."))
    key = {"program": group.program, "site": group.site, "group": group, "date": date, "activity": activity}
    existing = SportSession.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    session = SportSession(**key, topic=topic.strip(), created_by=user)
    session.full_clean()
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:  # someone else opened the same session a moment ago
        return SportSession.objects.get(**key), False
    session.facilitators.set(list(facilitators) if facilitators else list(group.facilitators.all()))
    return session, True


@transaction.atomic
def attendance_record(*, user, session: SportSession, person: Person, present: bool) -> Attendance:
    """Mark a person present or absent; ticking twice leaves one row with the last answer."""
    roles.require(user, roles.SPORT_WRITERS)
    _check_session_open(session)
    if not (
        GroupParticipant.objects.filter(group_id=session.group_id, person=person).exists()
        or Attendance.objects.filter(session=session, person=person).exists()
    ):
        raise ValidationError(_("This person is not a participant of the group."))
    attendance, _created = Attendance.objects.update_or_create(
        session=session,
        person=person,
        defaults={"present": present, "recorded_by": user},
        create_defaults={
            "present": present,
            "recorded_by": user,
            "population_type": person.population_type,
        },
    )
    return attendance


@transaction.atomic
def attendance_mark_rest_present(*, user, session: SportSession) -> int:
    """Mark present everyone on the group's list who is not recorded yet, in one go; those already
    marked (present, or corrected to absent) keep their answer. A rerun changes nothing. Returns how
    many were marked."""
    roles.require(user, roles.SPORT_WRITERS)
    _check_session_open(session)
    SportSession.objects.select_for_update().filter(pk=session.pk).first()  # one "all present" at a time
    members = GroupParticipant.objects.filter(group_id=session.group_id).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=session.date)
    )
    missing = (
        Person.objects.filter(pk__in=members.values("person_id"))
        .exclude(pk__in=Attendance.objects.filter(session=session).values("person_id"))
        .only("pk", "population_type")
    )
    rows = [
        Attendance(
            session=session, person=p, present=True, recorded_by=user, population_type=p.population_type
        )
        for p in missing
    ]
    if rows:
        bulk_create_with_history(rows, Attendance, ignore_conflicts=True, default_user=user)
    return len(rows)


@transaction.atomic
def sport_participant_add(*, user, session: SportSession, person: Person) -> Attendance:
    """Add someone already registered to the session's group and mark them present."""
    roles.require(user, roles.SPORT_WRITERS)
    _check_session_open(session)
    membership, created = GroupParticipant.objects.get_or_create(
        group=session.group, person=person, defaults={"joined_on": session.date}
    )
    if not created and membership.left_on is not None:
        membership.left_on = None
        membership.joined_on = session.date
        save_audited(membership, user=user)
    return attendance_record(user=user, session=session, person=person, present=True)


@transaction.atomic
def sport_light_profile_create(
    *,
    user,
    session: SportSession,
    given_names: str,
    family_names: str,
    sex: str,
    birth_date: date,
    birth_date_estimated: bool = False,
    nationality: str,
    population_type: str,
    school: Site | None,
    guardian_name: str = "",
    guardian_relationship: str = "",
    guardian_phone: str = "",
    consent_method: str,
    data_consent: bool,
    image_consent: bool,
) -> Person:
    """Register a young participant with a light profile at a session and mark them present.

    A minor (under 18) needs a parent's or guardian's consent to the processing of their data;
    the consents are recorded as given by the guardian. A caseworker can complete the profile
    into a full case file later.
    """
    roles.require(user, roles.SPORT_WRITERS)
    _check_session_open(session)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    guardian_name, guardian_relationship = guardian_name.strip(), guardian_relationship.strip()
    if birth_date > today:
        errors["birth_date"] = [_("The birth date cannot be in the future.")]
    minor = (age_on(birth_date, today) or 0) < ADULT_AGE
    if minor:
        if not data_consent:
            errors["data_consent"] = [
                _(
                    "A minor can only be registered with a parent's or guardian's consent to process their data."
                )
            ]
        if not guardian_name:
            errors["guardian_name"] = [_("A minor's parent or guardian is required.")]
        if not guardian_relationship:
            errors["guardian_relationship"] = [_("Say how the guardian is related to the participant.")]
    elif not data_consent:
        errors["data_consent"] = [_("Consent to the processing of personal data is required.")]
    if errors:
        raise ValidationError(errors)

    person = Person(
        given_names=given_names.strip(),
        family_names=family_names.strip(),
        sex=sex,
        birth_date=birth_date,
        birth_date_estimated=birth_date_estimated,
        nationality=nationality,
        population_type=population_type,
        site=session.site,
        school=school,
        registered_on=today,
        is_light_profile=True,
        guardian_name=guardian_name,
        guardian_relationship=guardian_relationship,
        guardian_phone="".join(guardian_phone.split()),
        created_by=user,
    )
    save_audited(person, user=user)
    purposes = [Consent.Purpose.DATA_PROCESSING] + ([Consent.Purpose.IMAGE_USE] if image_consent else [])
    for purpose in purposes:
        consent = Consent(
            person=person,
            purpose=purpose,
            method=consent_method,
            given_on=today,
            given_by=Consent.GivenBy.GUARDIAN if minor else Consent.GivenBy.SELF,
            guardian_name=guardian_name if minor else "",
            guardian_relationship=guardian_relationship if minor else "",
            recorded_by=user,
        )
        save_audited(consent, user=user)
    sport_participant_add(user=user, session=session, person=person)
    return person


@transaction.atomic
def sport_participant_leave(*, user, group: SportGroup, person: Person) -> GroupParticipant:
    """Take someone off a group's list from today on; their attendance stays."""
    roles.require(user, roles.SPORT_WRITERS)
    membership = GroupParticipant.objects.select_for_update().get(group=group, person=person)
    if membership.left_on is None:
        membership.left_on = max(timezone.localdate(), membership.joined_on)
        save_audited(membership, user=user)
    return membership


@transaction.atomic
def head_count_set(*, user, session: SportSession, counts: dict[tuple[str, str], int]) -> int:
    """Store the anonymous head count of a community activity by sex and age band; return the total.

    Head counts are not people: reports keep them apart from every count of unique people.
    """
    roles.require(user, roles.SPORT_WRITERS)
    if session.activity != Activity.COMMUNITY_ACTIVITY:
        raise ValidationError(_("Anonymous head counts are only recorded at community activities."))
    _check_session_open(session)
    total = 0
    for (sex, band), count in counts.items():
        if sex not in Sex.values or band not in AgeBand.values:
            raise ValidationError(_("Unknown sex or age band."))
        if count is None or count < 0:
            raise ValidationError(_("A head count cannot be negative."))
        if count:
            HeadCount.objects.update_or_create(
                session=session, sex=sex, age_band=band, defaults={"count": count}
            )
            total += count
        else:
            HeadCount.objects.filter(session=session, sex=sex, age_band=band).delete()
    return total
