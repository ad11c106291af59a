"""Writes for reception: check-in with a ticket, and each step of a ticket through the line.

Every action takes the acting user, checks the capability its write needs (orientation/roles.py),
validates, saves in one transaction and stamps the history user (``save_audited``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.actions import person_register
from cases.models import Area, IdentityDocument, Person, Vulnerability
from cases.plan import plan_action_done_by, plan_action_link_check
from orientation import roles
from orientation.actions import access_log_record, save_audited
from orientation.models import AccessLog, Site

from .models import (
    PRIORITY_VULNERABILITIES,
    TICKET_LETTERS,
    Appointment,
    ReceptionSetting,
    TicketCounter,
    Visit,
)
from .selectors import reception_people_for, reception_setting_for, reception_sites_for, staff_works_at

MANUAL_PRIORITY = "manual"
# A second "no answer" applies the site's setting (back to the end of the line, or out).
NO_ANSWER_LIMIT = 2


def _check_site(user, site: Site) -> None:
    if not reception_sites_for(user).filter(pk=site.pk).exists():
        raise PermissionDenied


def ticket_number_next(*, site: Site, day: date) -> int:
    """The next ticket number of the site on the day, in one atomic upsert: two check-ins at the
    same moment never get the same number (on PostgreSQL the second waits on the counter row until
    the first commits). The unique constraint on (site, day, number) guards it as well."""
    table = TicketCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (site_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608  # nosec B608 (our table name)
            f"ON CONFLICT (site_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [site.pk, connection.ops.adapt_datefield_value(day)],
        )
        return cursor.fetchone()[0]


def ticket_label(*, area: str, number: int) -> str:
    """``D-007``: the letter of the line and the number (unique per site and day)."""
    return f"{TICKET_LETTERS.get(area, 'O')}-{number:03d}"


def priority_reasons_for(person: Person, *, manual: bool) -> list[str]:
    """The person's vulnerabilities that give priority, and "manual" for the receptionist's mark."""
    codes = sorted(
        person.vulnerabilities.filter(code__in=PRIORITY_VULNERABILITIES).values_list("code", flat=True)
    )
    return [*codes, MANUAL_PRIORITY] if manual else codes


@transaction.atomic
def visit_check_in(
    *,
    user,
    site: Site,
    person: Person,
    area: str,
    returning: bool = False,
    manual_priority: bool = False,
    appointment: Appointment | None = None,
    now: datetime | None = None,
) -> Visit:
    """Check a person in at a site: a visit in the line of ``area`` with the next ticket of the day.

    Arriving for one of today's appointments: the visit waits in the appointment's line, ahead of
    walk-ins, and the appointment is kept."""
    roles.require(user, roles.RECEPTIONISTS)
    _check_site(user, site)
    if not reception_people_for(user).filter(pk=person.pk).exists():
        raise PermissionDenied
    now = now or timezone.now()
    day = timezone.localdate(now)
    if appointment is not None:
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if (appointment.person_id, appointment.site_id, appointment.date) != (person.pk, site.pk, day) or (
            appointment.status != Appointment.Status.BOOKED
        ):
            raise ValidationError(
                {"appointment": _("This appointment is not booked for today at this site.")}
            )
        area, returning = appointment.area, True
    if area not in Area.values:
        raise ValidationError({"area": _("Choose the reason for the visit.")})
    if Visit.objects.filter(person=person, site=site, day=day).open().exists():
        raise ValidationError(_("This person is already in the line today."))
    reasons = priority_reasons_for(person, manual=manual_priority)
    if reasons:
        rank = Visit.Rank.PRIORITY
    elif returning:
        rank = Visit.Rank.APPOINTMENT
    else:
        rank = Visit.Rank.WALK_IN
    number = ticket_number_next(site=site, day=day)
    visit = Visit(
        site=site,
        person=person,
        day=day,
        number=number,
        ticket=ticket_label(area=area, number=number),
        area=area,
        returning=returning,
        priority=bool(reasons),
        priority_reasons=",".join(reasons),
        rank=rank,
        arrived_at=now,
        queued_at=now,
        checked_in_by=user,
        appointment=appointment,
    )
    if appointment is not None:
        appointment.status = Appointment.Status.KEPT
        appointment.status_changed_at = now
        save_audited(appointment, user=user, reason="kept")
        plan_action_done_by(
            action_id=appointment.plan_action_id,
            person_id=person.pk,
            user=user,
            note=_("Appointment kept on %(day)s.") % {"day": day.isoformat()},
        )
    return save_audited(visit, user=user, reason="check-in")


@transaction.atomic
def person_quick_register(
    *,
    user,
    person: Person,
    document: IdentityDocument | None = None,
    vulnerabilities: Iterable[Vulnerability] = (),
    consents: Iterable = (),
    duplicates_confirmed: Sequence[int] = (),
    request=None,
) -> Person:
    """Register a person at the door: ``cases``' registration, with its race-safe duplicate check."""
    roles.require(user, roles.PERSON_REGISTRARS)
    _check_site(user, person.site)
    return person_register(
        user=user,
        person=person,
        vulnerabilities=vulnerabilities,
        document=document,
        consents=consents,
        duplicates_confirmed=duplicates_confirmed,
        request=request,
    )


def _locked(visit: Visit) -> Visit:
    """The visit re-read under a row lock (two desks acting on one ticket wait for each other)."""
    return Visit.objects.select_for_update().select_related("site", "person").get(pk=visit.pk)


def _refuse_other_site(visit: Visit, site: Site) -> None:
    if visit.site_id != site.pk:
        raise ValidationError(_("This ticket was given at another site: it can only be called there."))


@transaction.atomic
def visit_call(*, user, visit: Visit, site: Site, desk: str, now: datetime | None = None) -> Visit:
    """Call a ticket to a desk of ``site`` (the site the caller's queue page is at)."""
    roles.require(user, roles.QUEUE_CALLERS)
    _check_site(user, site)
    _refuse_other_site(visit, site)
    visit = _locked(visit)
    if visit.status not in (Visit.Status.WAITING, Visit.Status.CALLED):
        raise ValidationError(_("This ticket is no longer waiting."))
    if visit.day != timezone.localdate(now or timezone.now()):
        raise ValidationError(_("This ticket is from another day."))
    desk = (desk or "").strip()[:20]
    if not desk:
        raise ValidationError({"desk": _("Write your desk number before calling.")})
    if any(ord(c) < 32 for c in desk):  # a NUL or a control character: not a desk
        raise ValidationError({"desk": _("Write the desk with letters and numbers.")})
    visit.status = Visit.Status.CALLED
    visit.called_at = now or timezone.now()
    visit.desk = desk
    visit.served_by = user
    return save_audited(visit, user=user, reason="call")


@transaction.atomic
def visit_call_next(*, user, site: Site, area: str, desk: str, now: datetime | None = None) -> Visit | None:
    """Call the first person of the line of ``area`` at ``site``; None when nobody waits. Two
    desks pressing "call next" at once call two different people (the first waiting row is taken
    with a lock that the other desk skips)."""
    roles.require(user, roles.QUEUE_CALLERS)
    _check_site(user, site)
    now = now or timezone.now()
    line = Visit.objects.filter(site=site, day=timezone.localdate(now), status=Visit.Status.WAITING)
    if area:
        line = line.filter(area=area)
    line = line.in_line_order()
    if connection.features.has_select_for_update_skip_locked:
        line = line.select_for_update(skip_locked=True, of=("self",))
    visit = line.first()
    if visit is None:
        return None
    return visit_call(user=user, visit=visit, site=site, desk=desk, now=now)


@transaction.atomic
def visit_no_answer(*, user, visit: Visit, now: datetime | None = None) -> Visit:
    """Nobody came to the desk. The first time the ticket waits again in its place; the second
    time the site's setting decides: back to the end of the line, or out (left without service)."""
    roles.require(user, roles.QUEUE_CALLERS)
    _check_site(user, visit.site)
    visit = _locked(visit)
    if visit.status != Visit.Status.CALLED:
        raise ValidationError(_("Only a called ticket can be marked as not answering."))
    now = now or timezone.now()
    visit.calls += 1
    visit.desk = ""
    if visit.calls >= NO_ANSWER_LIMIT:
        if reception_setting_for(visit.site).no_answer == ReceptionSetting.NoAnswer.LEAVE:
            visit.status = Visit.Status.LEFT
            visit.finished_at = now
            return save_audited(visit, user=user, reason="no answer: out of the line")
        visit.queued_at = now
    visit.status = Visit.Status.WAITING
    return save_audited(visit, user=user, reason="no answer")


@transaction.atomic
def visit_start(*, user, visit: Visit, now: datetime | None = None) -> Visit:
    """The person came to the desk: their service starts (the view opens their intake)."""
    roles.require(user, roles.QUEUE_CALLERS)
    _check_site(user, visit.site)
    visit = _locked(visit)
    if visit.status != Visit.Status.CALLED:
        raise ValidationError(_("Call this ticket before starting the service."))
    visit.status = Visit.Status.IN_SERVICE
    visit.service_started_at = now or timezone.now()
    visit.served_by = user
    return save_audited(visit, user=user, reason="service started")


@transaction.atomic
def visit_done(*, user, visit: Visit, now: datetime | None = None) -> Visit:
    roles.require(user, roles.QUEUE_CALLERS)
    _check_site(user, visit.site)
    visit = _locked(visit)
    if visit.status not in (Visit.Status.CALLED, Visit.Status.IN_SERVICE):
        raise ValidationError(_("Only a ticket at a desk can be finished."))
    now = now or timezone.now()
    visit.service_started_at = visit.service_started_at or now
    visit.status = Visit.Status.DONE
    visit.finished_at = now
    return save_audited(visit, user=user, reason="done")


@transaction.atomic
def visit_left(*, user, visit: Visit, now: datetime | None = None) -> Visit:
    """The person left before being served."""
    roles.require(user, roles.RECEPTIONISTS)
    _check_site(user, visit.site)
    visit = _locked(visit)
    if visit.status not in (Visit.Status.WAITING, Visit.Status.CALLED):
        raise ValidationError(_("Only a ticket still in the line can be marked as gone."))
    visit.status = Visit.Status.LEFT
    visit.finished_at = now or timezone.now()
    return save_audited(visit, user=user, reason="left without service")


# --- Appointments ---------------------------------------------------------------------------------


def _appointment_check(*, user, person: Person, site: Site, staff, day: date, time) -> None:
    _check_site(user, site)
    if not reception_people_for(user).filter(pk=person.pk).exists():
        raise PermissionDenied
    errors = {}
    if staff is None or not roles.has_role(staff, roles.CASE_STAFF) or not staff_works_at(staff, site):
        errors["staff"] = _("Choose a caseworker or specialist who works at this site.")
    now = timezone.localtime()
    if day is None or time is None:
        errors["date"] = _("Choose the day and the time.")
    elif (day, time) < (now.date(), now.time().replace(second=0, microsecond=0)):
        errors["date"] = _("The appointment cannot be in the past.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def appointment_book(
    *, user, person: Person, site: Site, area: str, staff, day: date, time, plan_action=None
) -> Appointment:
    """Book a follow-up for a person at a site with a staff member (one booking per staff slot).
    ``plan_action``: the action of the person's plan it serves (case workers only: a receptionist
    never sees plans), done when the person keeps the appointment."""
    roles.require(user, roles.RECEPTIONISTS)
    _appointment_check(user=user, person=person, site=site, staff=staff, day=day, time=time)
    if plan_action is not None:
        roles.require(user, roles.CASE_WORKERS)
        plan_action_link_check(action=plan_action, person=person)
    appointment = Appointment(
        person=person,
        site=site,
        area=area,
        staff=staff,
        date=day,
        time=time,
        booked_by=user,
        plan_action=plan_action,
    )
    return save_audited(appointment, user=user, reason="booked")


@transaction.atomic
def appointment_reschedule(*, user, appointment: Appointment, staff, day: date, time) -> Appointment:
    """Move a booked appointment: the old one is kept as rescheduled, a new one is booked."""
    roles.require(user, roles.RECEPTIONISTS)
    old = Appointment.objects.select_for_update().select_related("person", "site").get(pk=appointment.pk)
    if old.status != Appointment.Status.BOOKED:
        raise ValidationError(_("Only a booked appointment can be rescheduled."))
    _appointment_check(user=user, person=old.person, site=old.site, staff=staff, day=day, time=time)
    old.status = Appointment.Status.RESCHEDULED
    old.status_changed_at = timezone.now()
    save_audited(old, user=user, reason="rescheduled")
    new = Appointment(
        person=old.person,
        site=old.site,
        area=old.area,
        staff=staff,
        date=day,
        time=time,
        booked_by=user,
        rescheduled_from=old,
        plan_action_id=old.plan_action_id,
    )
    return save_audited(new, user=user, reason="booked (rescheduled)")


@transaction.atomic
def appointment_cancel(*, user, appointment: Appointment) -> Appointment:
    roles.require(user, roles.RECEPTIONISTS)
    appointment = Appointment.objects.select_for_update().select_related("site").get(pk=appointment.pk)
    _check_site(user, appointment.site)
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError(_("Only a booked appointment can be cancelled."))
    appointment.status = Appointment.Status.CANCELLED
    appointment.status_changed_at = timezone.now()
    return save_audited(appointment, user=user, reason="cancelled")


def appointments_mark_missed(*, today: date | None = None, batch_size: int = 500) -> int:
    """Daily (Celery beat): booked appointments of the days before ``today`` that nobody checked in
    for are missed. Idempotent: only booked ones are touched, each batch in one transaction, and a
    rerun (or a second beat) finds nothing left to mark. Each row keeps its history."""
    today = today or timezone.localdate()
    marked = 0
    while True:
        with transaction.atomic():
            qs = Appointment.objects.filter(status=Appointment.Status.BOOKED, date__lt=today).order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            batch = list(qs[:batch_size])
            if not batch:
                return marked
            now = timezone.now()
            for appointment in batch:
                appointment.status = Appointment.Status.MISSED
                appointment.status_changed_at = now
                save_audited(appointment, user=None, reason="missed", validate=False)
            marked += len(batch)


def visit_opened(*, user, visit: Visit, request=None) -> AccessLog:
    """A visit's page (a person's name and priority reasons) was opened: in the access log."""
    return access_log_record(user=user, action=AccessLog.Action.VIEW, obj=visit, request=request)


# --- Reminders ------------------------------------------------------------------------------------


def _contact_consent(person_ref):
    from django.db.models import Exists

    from cases.models import Consent

    return Exists(
        Consent.objects.filter(person=person_ref, purpose=Consent.Purpose.CONTACT, withdrawn_on__isnull=True)
    )


def _message_language(person: Person) -> str:
    """The person's language for messages, when Orienta speaks it; otherwise Spanish."""
    languages = {code for code, _name in settings.LANGUAGES}
    return person.message_language if person.message_language in languages else "es"


def reminder_text(appointment: Appointment, *, language: str | None = None) -> str:
    """The day-before message: day, time and place only (never the service or the person's case),
    in the person's language for messages (Spanish unless they chose another)."""
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override(language or _message_language(appointment.person)):
        return _(
            "Orienta: we remind you of your appointment on %(day)s at %(time)s at %(site)s. "
            "If you cannot come, please let us know. To receive no more reminders, tell us at the centre."
        ) % {
            "day": date_format(appointment.date, "SHORT_DATE_FORMAT"),
            "time": appointment.time.strftime("%H:%M"),
            "site": appointment.site.name,
        }


def document_reminder_text(*, expires_on: date, site: Site, language: str) -> str:
    """The message before a document expires: "a document" and its expiry date, never its kind
    or number; where to come for help; in the person's language for messages."""
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override(language):
        return _(
            "Orienta: one of your documents expires on %(day)s. We can help you renew it at %(site)s. "
            "To receive no more messages, tell us at the centre."
        ) % {"day": date_format(expires_on, "SHORT_DATE_FORMAT"), "site": site.name}


def _reminder_create(*, enqueue, **fields):
    """One reminder row and its outbox message, in one transaction; ``None`` when another run (a
    second beat, a retried task) made it already (the unique constraints)."""
    from django.db import IntegrityError

    from .models import Reminder

    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(channel=settings.REMINDER_CHANNEL, **fields)
            enqueue("reception.tasks.reminder_send_task", reminder_id=reminder.pk)
    except IntegrityError:
        return None
    return reminder


def appointment_reminders_queue(*, today: date | None = None) -> int:
    """Daily (Celery beat): a reminder for each appointment booked for tomorrow whose person agreed
    to be contacted and has a phone. Each reminder row and its outbox message are written in one
    transaction (orientation/outbox.py: a broker outage loses nothing); the unique constraint on
    (appointment, kind) makes a second run, or a second beat, create nothing."""
    from django.db.models import Exists, OuterRef

    from orientation.outbox import enqueue

    from .models import Reminder

    today = today or timezone.localdate()
    due = (
        Appointment.objects.filter(date=today + timedelta(days=1), status=Appointment.Status.BOOKED)
        .filter(_contact_consent(OuterRef("person")))
        .exclude(person__phone="")
        .exclude(person__anonymized_at__isnull=False)
        .exclude(Exists(Reminder.objects.filter(appointment=OuterRef("pk"), kind=Reminder.Kind.DAY_BEFORE)))
        .select_related("person", "site")
        .order_by("pk")
    )
    created = 0
    for appointment in due:
        language = _message_language(appointment.person)
        reminder = _reminder_create(
            enqueue=enqueue,
            person=appointment.person,
            appointment=appointment,
            kind=Reminder.Kind.DAY_BEFORE,
            to=appointment.person.phone,
            language=language,
            body=reminder_text(appointment, language=language),
        )
        created += reminder is not None
    return created


def document_reminders_queue(*, today: date | None = None, days: int | None = None) -> int:
    """Daily (Celery beat): a reminder for each identity document that expires within ``days``
    (``DOCUMENT_REMINDER_DAYS``, 30) of a person who agreed to be contacted, has a phone and whose
    record is neither archived, anonymized nor merged into another. Once per document and expiry
    date (a unique constraint): a second beat or a rerun creates nothing, and a document renewed
    with a new expiry date gets its own reminder when that one comes near. A day the job did not
    run is caught up the next day (the whole window is looked at, not one day)."""
    from django.db.models import Exists, OuterRef

    from orientation.outbox import enqueue

    from .models import Reminder

    today = today or timezone.localdate()
    days = settings.DOCUMENT_REMINDER_DAYS if days is None else days
    due = (
        IdentityDocument.objects.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=days))
        .filter(_contact_consent(OuterRef("person")))
        .exclude(person__phone="")
        .filter(
            person__anonymized_at__isnull=True,
            person__archived_at__isnull=True,
            person__merged_into__isnull=True,
        )
        .exclude(
            Exists(
                Reminder.objects.filter(
                    document=OuterRef("pk"),
                    expires_on=OuterRef("expires_on"),
                    kind=Reminder.Kind.DOCUMENT_EXPIRY,
                )
            )
        )
        .select_related("person__site")
        .only(
            "pk",
            "expires_on",
            "person__id",
            "person__phone",
            "person__message_language",
            "person__site__id",
            "person__site__name",
        )
        .order_by("expires_on", "pk")
    )
    created = 0
    for document in due:
        person = document.person
        language = _message_language(person)
        reminder = _reminder_create(
            enqueue=enqueue,
            person=person,
            document=document,
            expires_on=document.expires_on,
            kind=Reminder.Kind.DOCUMENT_EXPIRY,
            to=person.phone,
            language=language,
            body=document_reminder_text(expires_on=document.expires_on, site=person.site, language=language),
        )
        created += reminder is not None
    return created


def _still_due(reminder) -> bool:
    """The appointment is still booked, or the document still expires on the same day."""
    from .models import Reminder

    if reminder.kind == Reminder.Kind.DOCUMENT_EXPIRY:
        return (
            reminder.document is not None
            and reminder.document.expires_on == reminder.expires_on
            and reminder.expires_on >= timezone.localdate()
        )
    return reminder.appointment is not None and reminder.appointment.status == Appointment.Status.BOOKED


def reminder_send(*, reminder_id: int) -> str:
    """Send one queued reminder through the backend; return its status afterwards.

    Sent once: the row is locked and only a queued reminder is sent, so a retried task or a second
    delivery of the message finds it sent. Not sent (cancelled) when the person withdrew their
    consent to be contacted (the opt-out), the appointment is no longer booked, or the document was
    renewed (another expiry date) or has expired. A provider error
    counts an attempt: the reminder stays queued for the task to try again, and after
    ``REMINDER_MAX_ATTEMPTS`` it is recorded as failed."""
    from .models import Reminder
    from .reminders import ReminderBackendError, reminder_backend

    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("appointment", "document")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.status != Reminder.Status.QUEUED:
            return reminder.status if reminder is not None else ""
        consented = Person.objects.filter(
            _contact_consent(reminder.person_id), pk=reminder.person_id
        ).exists()
        if not consented or not _still_due(reminder):
            reminder.status = Reminder.Status.CANCELLED
            save_audited(reminder, user=None, reason="not sent")
            return reminder.status
        reminder.attempts += 1
        try:
            reminder.provider_id = reminder_backend().send(
                channel=reminder.channel, to=reminder.to, body=reminder.body
            )[:100]
        except ReminderBackendError as exc:
            reminder.last_error = str(exc)[:300]
            if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
                reminder.status = Reminder.Status.FAILED
            save_audited(reminder, user=None, reason="provider error")
            return reminder.status
        reminder.status = Reminder.Status.SENT
        reminder.sent_at = timezone.now()
        save_audited(reminder, user=None, reason="sent")
        return reminder.status
