"""Writes on people and their case files. Each action validates (``full_clean``), saves in one
transaction and stamps the history user; sensitive steps write the access log."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orientation import roles
from orientation.actions import access_log_record, save_audited
from orientation.models import AccessLog, District, Site
from orientation.outbox import enqueue
from orientation.versioning import version_check

from .models import (
    Area,
    CaseNote,
    Consent,
    Household,
    IdentityDocument,
    Intake,
    IntakeNeed,
    Person,
    RegularizationStatus,
    Vulnerability,
    normalize_text,
)

HOUSEHOLD_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
BREAK_GLASS_MIN_REASON = 15


def household_create(*, user, site: Site, district: District | None = None, address: str = "") -> Household:
    """A new household with a short unambiguous code (H-7KQ2MX)."""
    for _attempt in range(5):
        code = "H-" + "".join(secrets.choice(HOUSEHOLD_CODE_ALPHABET) for _ in range(6))
        if not Household.objects.filter(code=code).exists():
            break
    return save_audited(Household(code=code, site=site, district=district, address=address), user=user)


def _advisory_lock_keys(*, person: Person, document: IdentityDocument | None) -> list[int]:
    """Lock keys for registering this person: their birth date (or, without one, their sound-alike
    name, word order ignored), their document number and their phone."""
    import hashlib

    from .search import phonetic_key
    from .validators import document_number_normalize

    names = sorted(phonetic_key(normalize_text(f"{person.given_names} {person.family_names}")).split())
    parts = [f"birth:{person.birth_date.isoformat()}" if person.birth_date else "name:" + " ".join(names)]
    if document is not None and document.number:
        parts.append("doc:" + document_number_normalize(document.number))
    if person.phone:
        parts.append(f"phone:{person.phone}")
    return sorted(
        int.from_bytes(
            hashlib.blake2b(f"orienta-register:{p}".encode(), digest_size=8).digest(), "big", signed=True
        )
        for p in parts
    )


class DuplicateJustRegistered(ValidationError):
    """Someone registered a possible duplicate while this form was being filled in."""

    def __init__(self, message, candidates):
        super().__init__(message)
        self.candidates = candidates


def person_register_guard(
    *, user, person: Person, document: IdentityDocument | None, duplicates_confirmed: Sequence[int]
) -> None:
    """Registration's duplicate check, race-safe: inside the registering transaction, take a lock
    per birth date (or sound-alike name), document and phone, then look for possible duplicates
    again. Two simultaneous posts of one person wait for each other; the second sees the first and
    is shown it instead of creating a second record. (PostgreSQL advisory locks, released at
    commit; SQLite runs one write at a time.)"""
    from django.db import connection

    from .selectors import person_duplicate_candidates

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for key in _advisory_lock_keys(person=person, document=document):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    candidates = person_duplicate_candidates(
        user,
        given_names=person.given_names,
        family_names=person.family_names,
        birth_date=person.birth_date,
        document_number=document.number if document is not None else "",
        phone=person.phone,
    )
    if {c.person.pk for c in candidates} - set(duplicates_confirmed):
        raise DuplicateJustRegistered(
            _(
                "Someone has just registered a person who may be the same. Check the possible "
                "duplicates below before saving."
            ),
            candidates,
        )


@transaction.atomic
def person_register(
    *,
    user,
    person: Person,
    vulnerabilities: Iterable[Vulnerability] = (),
    household_mode: str = "none",
    household: Household | None = None,
    household_address: str | None = None,
    relationship: str = "",
    document: IdentityDocument | None = None,
    documents: Sequence[IdentityDocument] = (),
    status: RegularizationStatus | None = None,
    consents: Iterable[Consent] = (),
    duplicates_confirmed: Sequence[int] = (),
    request=None,
) -> Person:
    """Register a person with their documents (``document`` and/or ``documents``), status,
    consents and household.

    ``duplicates_confirmed``: ids of possible duplicates the caseworker saw and set aside; the
    decision is kept in the access log (ids only).
    """
    if not roles.has_role(user, roles.PERSON_REGISTRARS):
        raise PermissionDenied
    first_document = document or next((d for d in documents if d is not None), None)
    person_register_guard(
        user=user, person=person, document=first_document, duplicates_confirmed=duplicates_confirmed
    )
    if household_mode == "new":
        household = household_create(
            user=user, site=person.site, district=person.district, address=household_address or ""
        )
        relationship = Person.Relationship.HEAD
    elif household_mode != "join":
        household, relationship = None, ""
    elif household is not None and household_address and household_address != household.address:
        # The address the member gave is the household's (kept in its history; left empty: unchanged).
        household.address = household_address
        save_audited(household, user=user, update_fields=["address"])
    person.household = household
    person.relationship = relationship if household else ""
    person.created_by = user
    save_audited(person, user=user)
    person.vulnerabilities.set(list(vulnerabilities))

    for doc in [d for d in (document, *documents) if d is not None]:
        doc.person = person
        try:
            with transaction.atomic():
                save_audited(doc, user=user)
        except IntegrityError:
            raise ValidationError(
                {
                    "number": _(
                        "A document of this type with this number is already registered for someone else."
                    )
                }
            ) from None
    if status is not None:
        status.person = person
        status.recorded_by = user
        save_audited(status, user=user)
    for consent in consents:
        consent.person = person
        consent.recorded_by = user
        save_audited(consent, user=user)
    if duplicates_confirmed:
        access_log_record(
            user=user,
            action=AccessLog.Action.DUPLICATE_CONFIRMED,
            obj=person,
            reason="candidates: " + ", ".join(str(i) for i in sorted(duplicates_confirmed)),
            request=request,
        )
    return person


@transaction.atomic
def duplicate_check_record(*, user, candidates, request=None) -> None:
    """A duplicate check told the caseworker that people of other sites may be the person they
    register (without saying who): one access-log row for each, with the kinds of match (never
    the name, number or date typed)."""
    for candidate in candidates:
        if candidate.open:
            continue
        access_log_record(
            user=user,
            action=AccessLog.Action.VIEW,
            obj=candidate.person,
            reason="duplicate check, another site: " + ", ".join(candidate.matched or ["name"]),
            request=request,
        )


@transaction.atomic
def person_update(
    *,
    user,
    person: Person,
    vulnerabilities: Iterable[Vulnerability] | None = None,
    household_mode: str | None = None,
    household: Household | None = None,
    relationship: str = "",
    change_reason: str = "",
    version: str | None = None,
) -> Person:
    """Save changes made to a person (kept in their history with who, when and why). With the
    ``version`` the form was opened at, a change saved by someone else since then is refused
    (``EditConflict``), never overwritten.

    ``household_mode``: "keep" (their household; ``relationship`` changes it when given), "new"
    (a new household at their site, the person its head), "join" (``household``, as
    ``relationship``), "none" (they leave their household); None leaves both untouched. A new
    household is created in the same transaction: a refused update leaves none behind."""
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    version_check(person, version)
    if household_mode is not None:
        if household_mode == "keep":
            household, relationship = person.household, relationship or person.relationship
        elif household_mode == "new":
            household = household_create(user=user, site=person.site, district=person.district)
            relationship = Person.Relationship.HEAD
        elif household_mode == "none":
            household, relationship = None, ""
        elif household_mode != "join":
            raise ValueError(f"unknown household mode: {household_mode!r}")
        person.household = household
        person.relationship = relationship if household else ""
    save_audited(person, user=user, reason=change_reason)
    if vulnerabilities is not None:
        person.vulnerabilities.set(list(vulnerabilities))
    return person


@transaction.atomic
def person_archive(*, user, person: Person, reason: str = "") -> Person:
    """Archive instead of delete: the file stays, out of lists and searches."""
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    if person.archived_at is None:
        person.archived_at = timezone.now()
        person.archive_reason = reason[:300]
        fields = ["archived_at", "archive_reason", "updated_at"]
        save_audited(person, user=user, reason="archived", update_fields=fields, validate=False)
    return person


@transaction.atomic
def person_restore(*, user, person: Person) -> Person:
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    if person.archived_at is not None:
        person.archived_at = None
        person.archive_reason = ""
        fields = ["archived_at", "archive_reason", "updated_at"]
        save_audited(person, user=user, reason="restored", update_fields=fields, validate=False)
    return person


@transaction.atomic
def intake_record(
    *,
    user,
    person: Person,
    site: Site,
    day: date,
    priority: str,
    population_type: str,
    needs: Mapping[str, str],
    notes: str = "",
) -> Intake:
    """One visit: needs by area (area -> detail), priority and the population type at this contact.

    A population type different from the person's becomes their current one, unless the intake
    is older than their latest intake (a late entry of an old visit does not undo a newer one).
    """
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    unknown = set(needs) - set(Area.values)
    if unknown:
        raise ValidationError(_("Unknown area of need."))
    latest = person.intakes.order_by("-date").values_list("date", flat=True).first()
    intake = Intake(
        person=person,
        site=site,
        date=day,
        caseworker=user,
        priority=priority,
        population_type=population_type,
        notes=notes,
    )
    save_audited(intake, user=user)
    for area, detail in needs.items():
        save_audited(IntakeNeed(intake=intake, area=area, detail=(detail or "")[:300]), user=user)
    if population_type != person.population_type and (latest is None or day >= latest):
        person.population_type = population_type
        fields = ["population_type", "updated_at"]
        save_audited(person, user=user, reason="intake", update_fields=fields, validate=False)
    enqueue("cases.tasks.intake_triage_task", intake_id=intake.pk)
    return intake


TRIAGE_AREAS = {Area.PSYCHOSOCIAL, Area.PROTECTION}
TRIAGE_PRIORITIES = {Intake.Priority.HIGH, Intake.Priority.URGENT}


def intake_triage(*, intake: Intake) -> int:
    """Tell the site's psychosocial specialists about an intake with a psychosocial or protection
    need at high or urgent priority. Idempotent: one notification per intake and specialist (the
    message holds no name; the link opens the file). Returns how many specialists were told."""
    from django.urls import reverse

    from orientation.actions import notification_send
    from orientation.models import SiteMembership

    if intake.priority not in TRIAGE_PRIORITIES:
        return 0
    if not intake.needs.filter(area__in=TRIAGE_AREAS).exists():
        return 0
    specialists = (
        SiteMembership.objects.filter(
            site_id=intake.site_id, user__is_active=True, user__groups__name=roles.PSYCHOSOCIAL
        )
        .select_related("user")
        .order_by("user_id")
    )
    users = {m.user_id: m.user for m in specialists}
    message = _("A new intake needs psychosocial attention (priority: %(priority)s).") % {
        "priority": intake.get_priority_display()
    }
    url = reverse("cases:person_detail", args=[intake.person_id])
    for user in users.values():
        notification_send(user=user, message=message, url=url, key=f"intake-triage:{intake.pk}")
    return len(users)


@transaction.atomic
def case_note_add(*, user, person: Person, kind: str, text: str, site: Site | None = None) -> CaseNote:
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    if kind == CaseNote.Kind.PSYCHOSOCIAL and not roles.has_role(user, roles.PSYCHOSOCIAL_READERS):
        raise PermissionDenied
    return save_audited(
        CaseNote(person=person, kind=kind, text=text.strip(), author=user, site=site), user=user
    )


@transaction.atomic
def consent_give(*, user, person: Person, consent: Consent) -> Consent:
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    consent.person = person
    consent.recorded_by = user
    return save_audited(consent, user=user)


@transaction.atomic
def consent_withdraw(*, user, consent: Consent, on: date | None = None) -> Consent:
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    if consent.withdrawn_on is not None:
        return consent
    consent.withdrawn_on = on or timezone.localdate()
    consent.withdrawn_by = user
    return save_audited(consent, user=user, update_fields=["withdrawn_on", "withdrawn_by"])


@transaction.atomic
def identity_document_add(*, user, person: Person, document: IdentityDocument) -> IdentityDocument:
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    document.person = person
    return save_audited(document, user=user)


@transaction.atomic
def regularization_status_add(*, user, person: Person, status: RegularizationStatus) -> RegularizationStatus:
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    status.person = person
    status.recorded_by = user
    return save_audited(status, user=user)


@transaction.atomic
def person_break_glass(*, user, person: Person, reason: str, request=None) -> AccessLog:
    """Open another site's person with a typed reason, kept in the access log with user and time."""
    if not roles.has_role(user, roles.CASE_WORKERS):
        raise PermissionDenied
    reason = " ".join((reason or "").split())
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError(
            {"reason": _("Explain the reason in at least %(n)d characters.") % {"n": BREAK_GLASS_MIN_REASON}}
        )
    return access_log_record(
        user=user, action=AccessLog.Action.BREAK_GLASS, obj=person, reason=reason, request=request
    )


def person_opened(*, user, person: Person, request=None) -> AccessLog:
    """Every opening of a case file is kept in the access log (one insert: who, which file, when)."""
    return access_log_record(user=user, action=AccessLog.Action.VIEW, obj=person, request=request)


def person_break_glass_page_shown(*, user, person_id, request=None) -> AccessLog:
    """Every look at a break-the-glass page is logged, reason given or not (the id asked for only)."""
    return access_log_record(
        user=user,
        action=AccessLog.Action.BREAK_GLASS_PAGE,
        object_type="cases.person",
        object_id=str(person_id or ""),
        request=request,
    )


def case_note_opened(*, user, note: CaseNote, request=None) -> AccessLog:
    """Every opening of a confidential psychosocial note is kept in the access log."""
    return access_log_record(user=user, action=AccessLog.Action.VIEW, obj=note, request=request)


def expiry_reminders_send(*, today: date | None = None, days: int = 30) -> int:
    """Tell the case workers of a person's site that an identity document or the current
    migratory status expires within ``days``. Idempotent: one notification per record, expiry
    date and staff member (the message holds no name; the link opens the file)."""
    from collections import defaultdict
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef
    from django.urls import reverse

    from orientation.actions import notification_send
    from orientation.models import SiteMembership

    today = today or timezone.localdate()
    window = (today, today + timedelta(days=days))
    live = {"person__archived_at__isnull": True, "person__anonymized_at__isnull": True}
    fields = ("pk", "person_id", "person__site_id", "expires_on")
    documents = IdentityDocument.objects.filter(expires_on__range=window, **live).values_list(*fields)
    newer = RegularizationStatus.objects.filter(person=OuterRef("person"), since__gt=OuterRef("since"))
    statuses = (
        RegularizationStatus.objects.filter(expires_on__range=window, **live)
        .exclude(Exists(newer))
        .values_list(*fields)
    )
    items = [("document", row) for row in documents] + [("status", row) for row in statuses]
    if not items:
        return 0
    staff = defaultdict(list)
    memberships = SiteMembership.objects.filter(
        site_id__in={row[2] for _kind, row in items},
        user__is_active=True,
        user__groups__name__in=sorted(roles.CASE_WORKERS - {roles.ADMIN}),
    ).values_list("site_id", "user_id")
    for site_id, user_id in set(memberships):
        staff[site_id].append(user_id)
    users = get_user_model().objects.in_bulk({u for ids in staff.values() for u in ids})
    messages = {
        "document": _("An identity document expires on %(day)s."),
        "status": _("A migratory status expires on %(day)s."),
    }
    sent = 0
    for kind, (pk, person_id, site_id, expires_on) in items:
        for user_id in staff.get(site_id, []):
            notification_send(
                user=users[user_id],
                message=messages[kind] % {"day": expires_on.strftime("%d/%m/%Y")},
                url=reverse("cases:person_detail", args=[person_id]),
                key=f"expiry:{kind}:{pk}:{expires_on.isoformat()}",
            )
            sent += 1
    return sent
