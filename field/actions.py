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
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django_countries import countries

from cases.actions import person_register
from cases.choices import AgeBand, PopulationType, Sex
from cases.models import Consent, Person
from orientation import roles
from orientation.selectors import site_ids_visible_to
from services.sport import actions as sport_actions
from services.sport.models import Activity, Attendance, SportSession
from services.sport.selectors import WRITE, sport_group_get_for_user, sport_session_get_for_user

from .models import FieldSubmission

ACCEPTED, DUPLICATE, REFUSED = "accepted", "duplicate", "refused"
MAX_BATCH = 200


class Refused(Exception):
    """A submission the server will not apply, with the reason to show on the device."""


def _session_for(user, item: dict) -> SportSession:
    """The session a submission names: by id, or by its group, day and activity (a session the
    device opened offline, started here the first time one of its submissions arrives)."""
    if item.get("session"):
        session = sport_session_get_for_user(user, item["session"], mode=WRITE)
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
    try:
        person = Person.objects.get(pk=int(person_pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Refused(_("This participant is no longer on the group's list.")) from None
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
    total = sport_actions.head_count_set(user=user, session=session, counts=counts)
    return {"session": session.pk, "total": total}


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
    roles.require(user, roles.SPORT_WRITERS)
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


def _received(key: uuid.UUID) -> bool:
    """The early look-up: most replays stop here, without opening a transaction."""
    return FieldSubmission.objects.filter(key=key).exists()


def _answer(key, status: str, **extra) -> dict:
    return {"key": str(key) if key else None, "status": status, **extra}


def field_submissions_apply(*, user, submissions: list) -> list[dict]:
    """Apply a batch in order; one answer per submission, in the same order. A refused one does not
    stop the others (each is its own transaction)."""
    answers = []
    for item in submissions[:MAX_BATCH]:
        key = _key_of(item)
        if key is None:
            answers.append(_answer(None, REFUSED, reason=_("This submission has no valid key.")))
            continue
        if _received(key):
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
            answers.append(
                _answer(key, REFUSED, reason=_("You may no longer record in this group or session."))
            )
        else:
            answers.append(_answer(key, ACCEPTED, record=record))
    return answers
