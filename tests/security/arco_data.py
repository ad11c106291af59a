"""A person with a row in every model linked to people, for the ARCO export and anonymization tests."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

from django.utils import timezone

from cases.arco.models import ArcoRequest
from cases.models import (
    CaseNote,
    CaseStatusChange,
    Consent,
    DuplicateDismissal,
    IntakeNeed,
    PersonMerge,
    PlanAction,
    RegularizationStatus,
    SiteRequest,
    Vulnerability,
)
from field.models import FieldSubmission
from reception.models import Appointment, Reminder, Visit
from reports.models import FirstEvent, Indicator, YearFirstEvent
from services.models import (
    DirectService,
    PartnerLink,
    PsychosocialSession,
    ReferralFollowUp,
    ReferralTransition,
)
from services.sport.models import GroupParticipant
from tests.factories import (
    AttendanceFactory,
    CaseNoteFactory,
    DirectServiceFactory,
    HouseholdFactory,
    IdentityDocumentFactory,
    IntakeFactory,
    PersonFactory,
    ReferralFactory,
    SportGroupFactory,
    UserFactory,
    program,
    second_orientation_site,
    service_type,
    site,
)

SECRETS = {
    "given": "Yusmary Andreína",
    "family": "Colmenares Ibáñez",
    "phone": "987654321",
    "document": "V27123456",
    "passport": "PA1234567",
    "general_note": "Vive con su tía en Pachacámac",
    "psy_note": "Refiere pesadillas desde el cruce por Tumbes",
    "guardian": "Carmen Ibáñez",
    "guardian_phone": "912345678",
    "address": "Mz B Lt 12 AAHH Los Jardines",
    "intake_notes": "Llegó sin documentos con dos hijos",
    "need_detail": "Necesita control prenatal",
    "status_notes": "Expediente CEPR en trámite",
    "outcome": "Atendida por la Dra. Quispe",
    "referral_reason": "Dolor abdominal persistente",
    "override": "Urgencia médica sin firma",
    "transition_comment": "Llamó la usuaria",
    "service_notes": "Entregado kit de higiene",
    "resolution": "Se envió copia al correo yusmary@example.org",
    "session_note": "Duelo migratorio, llanto al hablar de su madre",
    "follow_up_note": "Su prima contestó el celular en Surquillo",
    "archive_reason": "Se mudó con el señor Colmenares a Arequipa",
    "case_reason": "Viajó a Santiago con su pareja",
    "case_note": "Su hermana avisará si regresa a Lima",
    "plan_action": "Acompañarla al consulado por la partida de su hijo",
    "plan_close_note": "El consulado de Lima Sur no recibe a la señora Colmenares",
    "transfer_reason": "Se muda con su tía Carmen a Comas",
    "transfer_note": "La esperamos el lunes con la señora Ibáñez",
}


def person_with_everything():
    household = HouseholdFactory(address=SECRETS["address"])
    person = PersonFactory(
        given_names=SECRETS["given"],
        family_names=SECRETS["family"],
        phone=SECRETS["phone"],
        guardian_name=SECRETS["guardian"],
        guardian_relationship="tía",
        guardian_phone=SECRETS["guardian_phone"],
        household=household,
        relationship="head",
        birth_date=date(2009, 6, 1),
        arrived_on=date(2023, 2, 1),
        sex="F",
        nationality="VE",
        population_type="transit",
        archive_reason=SECRETS["archive_reason"],
    )
    person.vulnerabilities.add(*Vulnerability.objects.all()[:2])
    document = IdentityDocumentFactory(person=person, number=SECRETS["document"], expires_on=date(2025, 4, 1))
    IdentityDocumentFactory(person=person, doc_type="passport", number=SECRETS["passport"])
    RegularizationStatus.objects.create(person=person, status="asylum_seeker", notes=SECRETS["status_notes"])
    Consent.objects.create(
        person=person,
        purpose="data_processing",
        method="written",
        given_by="guardian",
        guardian_name=SECRETS["guardian"],
        guardian_relationship="tía",
    )
    intake = IntakeFactory(person=person, notes=SECRETS["intake_notes"], date=date(2025, 2, 3))
    need = IntakeNeed.objects.create(intake=intake, area="primary_care", detail=SECRETS["need_detail"])
    PlanAction.objects.create(
        person=person,
        site=person.site,
        need=need,
        area=need.area,
        description=SECRETS["plan_action"],
        due_on=date(2025, 2, 20),
        status=PlanAction.Status.NOT_POSSIBLE,
        closed_at=timezone.now(),
        close_note=SECRETS["plan_close_note"],
    )
    SiteRequest.objects.create(
        kind=SiteRequest.Kind.TRANSFER,
        person=person,
        from_site=person.site,
        to_site=second_orientation_site(),
        reason=SECRETS["transfer_reason"],
        status=SiteRequest.Status.DECLINED,
        decision_note=SECRETS["transfer_note"],
        decided_at=timezone.now(),
    )
    CaseNoteFactory(person=person, text=SECRETS["general_note"])
    CaseNoteFactory(person=person, kind=CaseNote.Kind.PSYCHOSOCIAL, text=SECRETS["psy_note"])
    DirectServiceFactory(person=person, notes=SECRETS["service_notes"], delivered_on=date(2025, 3, 4))
    referral = ReferralFactory(
        person=person,
        status="completed",
        referred_on=date(2025, 3, 5),
        completed_on=date(2025, 3, 20),
        outcome=SECRETS["outcome"],
        reason=SECRETS["referral_reason"],
        consent_override_reason=SECRETS["override"],
    )
    ReferralTransition.objects.create(
        referral=referral, from_status="pending", to_status="completed", comment=SECRETS["transition_comment"]
    )
    ReferralFollowUp.objects.create(
        referral=referral, note=SECRETS["follow_up_note"], next_due=date(2025, 3, 15)
    )
    session = PsychosocialSession.objects.create(
        site=person.site,
        program=program("PAO"),
        service_type=service_type("mhpss-individual"),
        date=date(2025, 3, 6),
        duration_minutes=50,
        confidential_note=SECRETS["session_note"],
    )
    DirectService.objects.create(
        person=person,
        site=person.site,
        program=session.program,
        service_type=session.service_type,
        delivered_on=session.date,
        population_type=person.population_type,
        psychosocial_session=session,
    )
    FirstEvent.objects.create(
        person=person,
        indicator=Indicator.objects.get(code="PAO-ANY"),
        first_on=date(2025, 3, 4),
        population_type="transit",
        sex="F",
        nationality="VE",
        age=15,
    )
    YearFirstEvent.objects.create(
        person=person,
        indicator=Indicator.objects.get(code="PAO-ANY"),
        year=2025,
        first_on=date(2025, 3, 4),
        population_type="transit",
        sex="F",
        nationality="VE",
        age=15,
    )
    PartnerLink.objects.create(
        referral=referral, token_hash="a" * 64, expires_at=timezone.now() + timedelta(days=30)
    )
    group = SportGroupFactory(site=site("PAO-LS"))
    GroupParticipant.objects.create(group=group, person=person)
    attendance = AttendanceFactory(
        person=person, session__site=site("PAO-LS"), session__date=date(2025, 3, 12)
    )
    # The receipt of the offline tap that recorded it (field app).
    FieldSubmission.objects.create(
        key=uuid.UUID(int=person.pk),
        kind=FieldSubmission.Kind.ATTENDANCE,
        user=UserFactory(username="arco-field-facilitator"),
        session=attendance.session,
        person=person,
        attendance=attendance,
    )
    appointment = Appointment.objects.create(
        person=person,
        site=person.site,
        area="documentation",
        staff=UserFactory(role="caseworker", sites=[person.site.code], username="arco-staff"),
        date=date(2025, 3, 7),
        time=time(9, 0),
        status="kept",
    )
    Reminder.objects.create(
        person=person,
        appointment=appointment,
        to=SECRETS["phone"],
        body="Orienta: le recordamos su cita",
        status="sent",
    )
    Reminder.objects.create(
        person=person,
        document=document,
        expires_on=document.expires_on,
        kind=Reminder.Kind.DOCUMENT_EXPIRY,
        to=SECRETS["phone"],
        body="Orienta: uno de sus documentos vence",
        status="sent",
    )
    Visit.objects.create(
        site=person.site,
        person=person,
        day=date(2025, 3, 7),
        number=1,
        ticket="D-001",
        area="documentation",
        appointment=appointment,
        priority=True,
        priority_reasons="unaccompanied_child",
    )
    # Her case closed for another reason, with a note (the story of the case).
    CaseStatusChange.objects.create(
        person=person,
        from_status="open",
        to_status="closed",
        reason="other",
        reason_other=SECRETS["case_reason"],
        note=SECRETS["case_note"],
    )
    ArcoRequest.objects.create(
        person=person,
        kind="access",
        received_on=date(2025, 3, 1),
        due_on=date(2025, 3, 28),
        resolution=SECRETS["resolution"],
    )
    # A record of her merged into this one, and a pair dismissed as two people.
    twin = PersonFactory(site=site("PAO-LS"), given_names="Twin", family_names="Record")
    PersonMerge.objects.create(survivor=person, merged=twin, undo={"survivor": "{}", "merged": "{}"})
    stranger = PersonFactory(site=site("PAO-LS"), given_names="Other", family_names="Person")
    first, second = sorted([person, stranger], key=lambda p: p.pk)
    DuplicateDismissal.objects.create(first=first, second=second)
    return person
