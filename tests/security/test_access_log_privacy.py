"""The access log records who opened what, never the person's name, documents or notes.

One journey through every view that writes the access log: ARCO exports, printing and
anonymization, the psychosocial note (session and case note), break the glass, the consent
override of a referral, the referral slip, the people export and a duplicate confirmation.
"""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from cases.arco.models import ArcoRequest
from cases.models import CaseNote, Person
from cases.selectors import break_glass_token
from orientation.models import AccessLog
from services.models import PsychosocialSession, Referral
from tests.factories import PartnerFactory, program, service_type, site

from .arco_data import SECRETS, person_with_everything

LOGGED_BY_THE_JOURNEY = {
    "view",
    "break_glass",
    "export",
    "print",
    "consent_override",
    "duplicate_confirmed",
    "anonymize",
}


def _assert_no_personal_data(entries, person) -> None:
    numbers = list(person.documents.values_list("number", flat=True)) or [SECRETS["document"]]
    words = [w for secret in SECRETS.values() for w in secret.split() if len(w) > 3]
    for entry in entries:
        for f in AccessLog._meta.concrete_fields:
            value = str(getattr(entry, f.attname) or "").lower()
            for word in [*words, *numbers]:
                found = re.search(rf"\b{re.escape(word.lower())}\b", value)
                assert not found, f"{entry.action}: {word!r} in AccessLog.{f.name}: {value}"


def _registration_of_the_same_person(person) -> dict:
    return {
        "person-given_names": person.given_names,
        "person-family_names": person.family_names,
        "person-sex": "F",
        "person-birth_date": person.birth_date.isoformat(),
        "person-nationality": "VE",
        "person-population_type": "transit",
        "person-phone": SECRETS["phone"],
        "person-site": str(site("PAO-LS").pk),
        "person-registered_on": date.today().isoformat(),
        "household-mode": "none",
        "consent-purposes": ["data_processing"],
        "consent-method": "written",
        "consent-given_by": "self",
    }


def test_a_journey_leaves_no_personal_data_in_the_access_log(client, make_user, ref):
    person = person_with_everything()
    numbers = list(person.documents.values_list("number", flat=True))
    access = ArcoRequest.objects.get(person=person)
    session = PsychosocialSession.objects.get(direct_services__person=person)
    psy_note = CaseNote.objects.get(person=person, kind=CaseNote.Kind.PSYCHOSOCIAL)
    completed = Referral.objects.get(person=person)

    psychosocial = make_user("psychosocial", sites=["PAO-LS"])
    client.force_login(psychosocial)
    create = reverse("arco:arco_request_create", kwargs={"person_pk": person.pk})
    assert client.post(create, {"kind": "cancellation", "received_on": "2025-03-03"}).status_code == 302
    cancellation = ArcoRequest.objects.get(person=person, kind="cancellation")
    for name in [
        "arco:arco_request_detail",
        "arco:arco_request_export_json",
        "arco:arco_request_export_print",
    ]:
        assert client.get(reverse(name, kwargs={"pk": access.pk})).status_code == 200
    # The confidential notes: a psychosocial session's and a psychosocial case note.
    assert client.get(reverse("services:psychosocial_note", kwargs={"pk": session.pk})).status_code == 200
    assert client.get(reverse("cases:case_note_detail", kwargs={"pk": psy_note.pk})).status_code == 200
    # A referral without sharing consent, sent anyway with a logged reason; then its slip.
    override = "Crisis aguda; no puede firmar hoy."
    response = client.post(
        reverse("services:referral_create", kwargs={"person_pk": person.pk}),
        {
            "service_type": service_type("phc-consultation").pk,
            "partner": PartnerFactory().pk,
            "program": program("PAO").pk,
            "referred_on": "2025-03-10",
            "reason": "Dolor persistente, necesita consulta.",
            "consent_override_reason": override,
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.exclude(pk=completed.pk).get(person=person)
    assert client.post(reverse("services:referral_slip", kwargs={"pk": referral.pk})).status_code == 200
    # A new registration with the same name, confirmed despite the duplicate warning.
    register = reverse("cases:person_register")
    data = _registration_of_the_same_person(person)
    response = client.post(register, data)
    assert response.status_code == 200 and str(person.pk) in response.context["duplicates_seen"].split(",")
    data.update(confirm_new="1", duplicates_seen=response.context["duplicates_seen"])
    assert client.post(register, data).status_code == 302
    duplicate = Person.objects.exclude(pk=person.pk).get(family_names=person.family_names)

    # Another site's caseworker breaks the glass with a reason, then opens the file.
    elsewhere = make_user("caseworker", sites=["SCH-01"])
    client.force_login(elsewhere)
    detail = reverse("cases:person_detail", kwargs={"pk": person.pk})
    response = client.post(
        reverse("cases:break_glass_open", kwargs={"token": break_glass_token(elsewhere, person.pk)}),
        {"reason": "Atiende hoy en el colegio, sin ficha local", "next": detail},
    )
    assert response.status_code == 302 and response["Location"] == detail
    assert client.get(detail).status_code == 200

    client.force_login(make_user("coordinator", programs=["PAO"]))
    assert client.get(reverse("arco:arco_request_export_json", kwargs={"pk": access.pk})).status_code == 200
    response = client.post(
        reverse("imports:people_export"), {"reason": "Informe mensual al donante", "format": "csv"}
    )
    assert response.status_code == 200
    exported = b"".join(response.streaming_content).decode("utf-8")
    assert SECRETS["family"] in exported  # the file has the data; the log must not
    anonymize = reverse("arco:arco_request_anonymize", kwargs={"pk": cancellation.pk})
    assert client.post(anonymize, {"confirm": "on"}).status_code == 302

    entries = list(AccessLog.objects.all())
    assert {e.action for e in entries} == LOGGED_BY_THE_JOURNEY
    assert len(entries) >= 10
    _assert_no_personal_data(entries, person)
    for entry in entries:
        assert not any(n.lower() in str(entry.path).lower() for n in numbers)
    per_action = {e.action: e for e in entries}
    assert (per_action["break_glass"].object_type, per_action["break_glass"].object_id) == (
        "cases.person",
        str(person.pk),
    )
    assert per_action["duplicate_confirmed"].object_id == str(duplicate.pk)
    assert per_action["consent_override"].reason == override
    assert len([e for e in entries if e.action == "export" and e.object_id == ""]) == 1  # the people export
    # Every opening of a case file is logged too (README, "Who reads what").
    assert {e.object_type for e in entries if e.action == "view"} == {
        "services.psychosocialsession",
        "cases.casenote",
        "cases.person",
    }
