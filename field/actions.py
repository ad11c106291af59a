"""Writes for the offline field screens: a batch of queued submissions, each applied exactly once.

Each submission carries a key made on the device (a UUID). It is applied in its own transaction,
which first stores the key (``FieldSubmission``, unique): a second arrival of the same key, a
replay or the same queue sent from two tabs at once, finds the key and changes nothing. Each
answer is one of ``accepted``, ``duplicate`` (accepted before: nothing changed) or ``refused``,
with the reason in the user's language; the device keeps refused submissions in its "needs
attention" list.

The written rule for conflicts (docs/field.md): two facilitators marking the same session combine
their present marks. A present mark stands; an absent mark sent later by someone else does not
overturn it (the answer says so), while a user may always correct their own mark.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from cases.actions import person_register
from cases.choices import AgeBand, PopulationType, Sex, age_on
from cases.models import Consent, Person
from orientation import roles
from orientation.actions import save_audited
from orientation.selectors import site_ids_visible_to
from services.sport import actions as sport_actions
from services.sport.models import Activity, Attendance, GroupParticipant, SportSession
from services.sport.selectors import (
    WRITE,
    sport_group_get_for_user,
    sport_groups_visible_to,
    sport_session_get_for_user,
)

from .models import FieldSubmission
from .selectors import head_count_cells, head_count_version

ACCEPTED, DUPLICATE, REFUSED = "accepted", "duplicate", "refused"
MAX_BATCH = 200


class Refused(Exception):
    """A submission the server will not apply, with the reason to show on the device."""


NO_LONGER_IN_GROUP = gettext_lazy(
    "You no longer take attendance in this group: it was given to another facilitator, or it is at a "
    "site you no longer work at. This save was not recorded."
)
NO_LONGER_A_WRITER = gettext_lazy(
    "Your role no longer allows recording attendance, head counts or participants. This save was not "
    "recorded: ask an administrator if that is a mistake."
)


def _session_for(user, item: dict) -> SportSession:
    """The session a submission names: by id, or by its group, day and activity (a session the
    device opened offline, started here the first time one of its submissions arrives). A group or
    session the user may no longer write to (reassigned, another site's) is refused with its reason."""
    try:
        return _session_lookup(user, item)
    except (PermissionDenied, Http404):
        raise Refused(str(NO_LONGER_IN_GROUP)) from None


@dataclass
class _Batch:
    """What one batch has looked up already: the sessions found writable, by id (a batch of 200
    marks of one session checks the session and the user's right to it once), and the people
    its submissions name, read in one query."""

    sessions: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)


_batch: ContextVar[_Batch | None] = ContextVar("field_batch", default=None)


def _session_lookup(user, item: dict) -> SportSession:
    if item.get("session"):
        batch = _batch.get()
        session = batch.sessions.get(str(item["session"])) if batch is not None else None
        if session is None:
            session = sport_session_get_for_user(user, item["session"], mode=WRITE)
            if batch is not None:
                batch.sessions[str(item["session"])] = session
    else:
        group = sport_group_get_for_user(user, item.get("group"), mode=WRITE)
        day = _date(item.get("date"))
        activity = item.get("activity")
        if day is None or activity not in Activity.values:
            raise Refused(_("The session's day or activity is missing or not valid."))
        session, _created = sport_actions.sport_session_start(
            user=user, group=group, date=day, activity=activity
        )
    if session.group_id is None or not session.group.active:
        raise Refused(_("This group has been closed: nothing more can be recorded in it."))
    return session


def _person_for(person_pk) -> Person:
    pk = _int(person_pk)
    batch = _batch.get()
    person = batch.people.get(pk) if batch is not None else None
    if person is None and pk is not None:
        person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Refused(_("This participant is no longer on the group's list."))
    if person.anonymized_at is not None:
        raise Refused(_("This participant's record has been anonymized: it can no longer be changed."))
    return person


def _attendance(user, item: dict, receipt: FieldSubmission) -> dict:
    session = _session_for(user, item)
    person = _person_for(item.get("person"))
    present = item.get("present")
    if not isinstance(present, bool):
        raise Refused(_("Say whether the participant was present."))
    receipt.session, receipt.person = session, person
    existing = Attendance.objects.select_for_update().filter(session=session, person=person).first()
    if (
        existing is not None
        and existing.present
        and not present
        and existing.recorded_by_id not in (None, user.pk)
    ):
        receipt.attendance = existing
        return {
            "session": session.pk,
            "person": person.pk,
            "present": True,
            "notice": _("Another facilitator marked this participant present: their mark stands."),
        }
    attendance = sport_actions.attendance_record(user=user, session=session, person=person, present=present)
    receipt.attendance = attendance
    return {"session": session.pk, "person": person.pk, "present": attendance.present}


def _head_count(user, item: dict, receipt: FieldSubmission) -> dict:
    """The whole head count of a community activity (every cell the device shows, zeros included).

    ``base`` is the version of the head count the device had kept (``field_data``): when the
    count changed on the server since, the newer count stays, the device's count is kept in the
    receipt's history (``overtaken``), and the answer carries the newer count with a notice."""
    session = _session_for(user, item)
    counts: dict[tuple[str, str], int] = {}
    raw = item.get("counts")
    if not isinstance(raw, dict):
        raise Refused(_("The head count is missing."))
    for cell, value in raw.items():
        sex, _sep, band = str(cell).partition(":")
        if sex not in Sex.values or band not in AgeBand.values:
            raise Refused(_("Unknown sex or age band."))
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 100_000:
            raise Refused(_("A head count must be a whole number, zero or more."))
        counts[(sex, band)] = value
    receipt.session = session
    SportSession.objects.select_for_update().filter(pk=session.pk).first()  # one head count at a time
    base = item.get("base")
    open_now = session.activity == Activity.COMMUNITY_ACTIVITY and session.date <= timezone.localdate()
    if open_now and isinstance(base, str) and base:  # (otherwise head_count_set refuses it)
        stored = head_count_cells(session)
        if head_count_version(stored) != base:
            mine = {f"{sex}:{band}": n for (sex, band), n in counts.items() if n}
            receipt.overtaken = {"counts": mine, "base": base}
            total = sum(stored.values())
            return {
                "session": session.pk,
                "total": total,
                "counts": stored,
                "version": head_count_version(stored),
                "notice": _(
                    "The head count was changed on the server after this device kept it: the newer "
                    "count (%(total)s people) stays, and yours (%(mine)s people) is kept in the history."
                )
                % {"total": total, "mine": sum(mine.values())},
            }
    total = sport_actions.head_count_set(user=user, session=session, counts=counts)
    stored = head_count_cells(session)
    return {"session": session.pk, "total": total, "counts": stored, "version": head_count_version(stored)}


def _profile(user, item: dict, receipt: FieldSubmission) -> dict:
    """A light profile's names (and birth date, when given) corrected on the device.

    ``base`` is when the profile was last saved as the device kept it (``field_data``). When it was
    saved since by someone else, the device's correction is written to the person's history and
    the newer version is put back at once (both rows name the user and say why): the newer version
    stays and the answer carries it with a notice. A correction of one's own last change applies."""
    person = _person_for(item.get("person"))
    writable = sport_groups_visible_to(user, mode=WRITE).filter(active=True)
    if not GroupParticipant.objects.filter(group__in=writable, person=person).exists():
        raise Refused(str(NO_LONGER_IN_GROUP))
    if not person.is_light_profile:
        raise Refused(_("This participant has a full case file: correct it on-line."))
    given_names, family_names = _text(item, "given_names", 120), _text(item, "family_names", 120)
    if not given_names or not family_names:
        raise Refused(_("The participant's given and family names are required."))
    birth_date = None
    if item.get("birth_date"):
        birth_date = _date(item.get("birth_date"))
        if birth_date is None or birth_date > timezone.localdate():
            raise Refused(_("The participant's birth date is not valid."))
    stored = Person._base_manager.select_for_update().get(pk=person.pk)
    base = _made_at(item.get("base"))
    overtaken = False
    if base is not None and stored.updated_at > base:
        last = stored.history.order_by("-history_date", "-history_id").first()
        overtaken = last is None or last.history_user_id != user.pk
    newer = {name: getattr(stored, name) for name in PROFILE_FIELDS}
    stored.given_names, stored.family_names = given_names, family_names
    if birth_date is not None:
        stored.birth_date = birth_date
    if overtaken:
        save_audited(stored, user=user, reason=_("Corrected offline; a newer version was saved before"))
        for name, value in newer.items():
            setattr(stored, name, value)
        save_audited(stored, user=user, reason=_("The newer version kept over an offline correction"))
    else:
        save_audited(stored, user=user, reason=_("Corrected on the field screens"))
    receipt.person = stored
    record = {
        "person": stored.pk,
        "given_names": stored.given_names,
        "family_names": stored.family_names,
        "age": age_on(stored.birth_date, timezone.localdate()),
        "updated": stored.updated_at.isoformat(),
    }
    if overtaken:
        record["notice"] = _(
            "This participant's profile was changed on the server after this device kept it: the "
            "newer version is shown, and your correction is kept in the history."
        )
    return record


PROFILE_FIELDS = ("given_names", "family_names", "birth_date")


def _text(item: dict, name: str, limit: int) -> str:
    value = item.get(name) or ""
    if not isinstance(value, str):
        raise Refused(_("A field of the form is not valid: %(field)s.") % {"field": name})
    return value.strip()[:limit]


def _light_profile(user, item: dict, receipt: FieldSubmission) -> dict:
    session = _session_for(user, item)
    given_names, family_names = _text(item, "given_names", 120), _text(item, "family_names", 120)
    birth_date = _date(item.get("birth_date"))
    if not given_names or not family_names:
        raise Refused(_("The participant's given and family names are required."))
    if birth_date is None:
        raise Refused(_("The participant's birth date is missing or not valid."))
    if item.get("sex") not in Sex.values:
        raise Refused(_("Say the participant's sex."))
    if item.get("population_type") not in PopulationType.values:
        raise Refused(_("Say the participant's population type."))
    nationality = _text(item, "nationality", 10).upper()
    if nationality not in countries:
        raise Refused(_("Say the participant's nationality."))
    method = item.get("consent_method") or Consent.Method.WRITTEN
    if method not in Consent.Method.values:
        raise Refused(_("Say how consent was given."))
    person = sport_actions.sport_light_profile_create(
        user=user,
        session=session,
        given_names=given_names,
        family_names=family_names,
        sex=item["sex"],
        birth_date=birth_date,
        birth_date_estimated=bool(item.get("birth_date_estimated")),
        nationality=nationality,
        population_type=item["population_type"],
        school=session.site if session.site.kind == "school" else None,
        guardian_name=_text(item, "guardian_name", 200),
        guardian_relationship=_text(item, "guardian_relationship", 60),
        guardian_phone=_text(item, "guardian_phone", 20),
        consent_method=method,
        data_consent=item.get("data_consent") is True,
        image_consent=item.get("image_consent") is True,
    )
    receipt.session, receipt.person = session, person
    receipt.attendance = Attendance.objects.filter(session=session, person=person).first()
    return {"session": session.pk, "person": person.pk, "present": True}


def _outreach(user, item: dict, receipt: FieldSubmission) -> dict:
    """A short registration at an outreach day: what finds the person again later, with their
    consent to the processing of their data. A possible duplicate is refused (the caseworker
    checks it on-line, where the duplicate check shows what it may)."""
    roles.require(user, roles.CASE_WORKERS)
    try:
        site_pk = int(item.get("site"))
    except (TypeError, ValueError):
        site_pk = None
    if site_pk is None or site_pk not in site_ids_visible_to(user):
        raise Refused(_("Choose a site you work at."))
    given_names, family_names = _text(item, "given_names", 120), _text(item, "family_names", 120)
    if not given_names or not family_names:
        raise Refused(_("The person's given and family names are required."))
    if item.get("sex") not in Sex.values:
        raise Refused(_("Say the person's sex."))
    if item.get("population_type") not in PopulationType.values:
        raise Refused(_("Say the person's population type."))
    nationality = _text(item, "nationality", 10).upper()
    if nationality not in countries:
        raise Refused(_("Say the person's nationality."))
    birth_date = _date(item.get("birth_date")) if item.get("birth_date") else None
    if item.get("birth_date") and birth_date is None:
        raise Refused(_("The person's birth date is not valid."))
    if item.get("data_consent") is not True:
        raise Refused(_("Consent to the processing of personal data is required."))
    method = item.get("consent_method") or Consent.Method.VERBAL
    if method not in Consent.Method.values:
        raise Refused(_("Say how consent was given."))
    today = timezone.localdate()
    person = Person(
        given_names=given_names,
        family_names=family_names,
        sex=item["sex"],
        birth_date=birth_date,
        nationality=nationality,
        population_type=item["population_type"],
        phone="".join(_text(item, "phone", 20).split()),
        site_id=site_pk,
        registered_on=today,
    )
    consent = Consent(
        purpose=Consent.Purpose.DATA_PROCESSING, method=method, given_on=today, given_by=Consent.GivenBy.SELF
    )
    person = person_register(user=user, person=person, consents=[consent])
    receipt.person = person
    return {"person": person.pk}


HANDLERS = {
    FieldSubmission.Kind.OUTREACH: _outreach,
    FieldSubmission.Kind.ATTENDANCE: _attendance,
    FieldSubmission.Kind.HEAD_COUNT: _head_count,
    FieldSubmission.Kind.LIGHT_PROFILE: _light_profile,
    FieldSubmission.Kind.PROFILE: _profile,
}


def _key_of(item) -> uuid.UUID | None:
    if not isinstance(item, dict):
        return None
    try:
        return uuid.UUID(str(item.get("key")))
    except (ValueError, TypeError, AttributeError):
        return None


@transaction.atomic
def field_submission_apply(*, user, key: uuid.UUID, item: dict) -> dict:
    """Apply one queued submission: store its key and write its records, all or nothing.

    Raises ``IntegrityError`` when the key is already stored (by an earlier or a concurrent
    request), ``Refused``, ``ValidationError``, ``PermissionDenied`` or ``Http404`` otherwise.
    """
    kind = item.get("kind")
    if kind == FieldSubmission.Kind.OUTREACH and not roles.has_role(user, roles.CASE_WORKERS):
        raise Refused(_("Only caseworkers register people."))
    if not roles.has_role(user, roles.SPORT_WRITERS):
        raise Refused(str(NO_LONGER_A_WRITER))
    if kind not in HANDLERS:
        raise Refused(_("This kind of submission is not known."))
    made_at = _made_at(item.get("made_at"))
    receipt = FieldSubmission(key=key, kind=kind, user=user, made_at=made_at)
    receipt.save()  # first: a second arrival of the key stops here
    record = HANDLERS[kind](user, item, receipt)
    receipt.save()
    return record


def _date(value) -> date | None:
    try:
        return parse_date(str(value or ""))
    except ValueError:
        return None


def _made_at(value) -> datetime | None:
    """When the device made the save, as it says (kept for the record; never trusted for rules)."""
    try:
        moment = parse_datetime(str(value or ""))
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _answer(key, status: str, **extra) -> dict:
    return {"key": str(key) if key else None, "status": status, **extra}


def field_submissions_apply(*, user, submissions: list) -> list[dict]:
    """Apply a batch in order; one answer per submission, in the same order. A refused one does not
    stop the others (each is its own transaction)."""
    submissions = submissions[:MAX_BATCH]
    keys = [key for key in map(_key_of, submissions) if key is not None]
    received = _received(keys)
    people = {_int(item.get("person")) for item in submissions if isinstance(item, dict)} - {None}
    token = _batch.set(_Batch(people=Person.objects.in_bulk(people) if people else {}))
    try:
        return _apply_each(user, submissions, received)
    finally:
        _batch.reset(token)


def _received(keys: list[uuid.UUID]) -> set[uuid.UUID]:
    """The early look-up: most replays stop here, without opening a transaction."""
    return set(FieldSubmission.objects.filter(key__in=keys).values_list("key", flat=True))


def _int(value) -> int | None:
    """A record id as the device sent it, or None when it cannot be one."""
    try:
        number = int(value)
    except (ValueError, TypeError, OverflowError):
        return None
    return number if 0 < number < 2**63 else None


def _apply_each(user, submissions: list, received: set) -> list[dict]:
    answers = []
    for item in submissions:
        key = _key_of(item)
        if key is None:
            answers.append(_answer(None, REFUSED, reason=_("This submission has no valid key.")))
            continue
        if key in received:
            answers.append(_answer(key, DUPLICATE))
            continue
        try:
            record = field_submission_apply(user=user, key=key, item=item)
        except IntegrityError:
            if FieldSubmission.objects.filter(key=key).exists():  # a twin committed first
                answers.append(_answer(key, DUPLICATE))
            else:
                answers.append(_answer(key, REFUSED, reason=_("This submission could not be saved.")))
        except Refused as exc:
            answers.append(_answer(key, REFUSED, reason=str(exc)))
        except ValidationError as exc:
            answers.append(_answer(key, REFUSED, reason=" ".join(exc.messages)))
        except (PermissionDenied, Http404):
            answers.append(_answer(key, REFUSED, reason=str(NO_LONGER_IN_GROUP)))
        else:
            received.add(key)  # the same key again in this batch is a duplicate
            answers.append(_answer(key, ACCEPTED, record=record))
    return answers
