"""Creating a referral: consent gating, the logged override, and bad input refused cleanly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from orientation.models import AccessLog, Program
from services.models import Referral
from tests.factories import ConsentFactory, PartnerFactory, program, service_type


def _data(partner_obj, **over):
    data = {
        "service_type": service_type("phc-consultation").pk,
        "partner": partner_obj.pk,
        "program": program("PAO").pk,
        "referred_on": "2025-03-10",
        "follow_up_due": "",
        "reason": "Dolor persistente, necesita consulta.",
    }
    data.update(over)
    return data


def _url(person):
    return reverse("services:referral_create", args=[person.pk])


def test_form_shows_the_consent_and_offers_the_site_programs(person, caseworker, client_for, today):
    response = client_for(caseworker).get(_url(person))
    assert response.status_code == 200
    form = response.context["form"]
    offered = {p.code for p in form.programs_offered}
    assert offered == {"PAO", "SALUD"}  # all three run at PAO-LS, but BALON counts only sport attendance
    assert form.initial["responsible"] == caseworker.pk
    assert 'data-areas="primary_care psychosocial"' in response.content.decode()


def test_referral_with_consent(person, partner, caseworker, client_for):
    response = client_for(caseworker).post(_url(person), _data(partner))
    referral = Referral.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("services:referral_detail", args=[referral.pk])
    assert referral.status == "pending"
    assert referral.follow_up_due == date(2025, 3, 24)  # 14 days by default
    assert referral.population_type == "transit"  # stamped from the person
    assert referral.responsible == caseworker and referral.created_by == caseworker
    assert referral.site == person.site
    assert referral.consent_override_reason == ""
    assert list(referral.transitions.values_list("from_status", "to_status", "by")) == [
        ("", "pending", caseworker.pk)
    ]
    assert not AccessLog.objects.filter(action=AccessLog.Action.CONSENT_OVERRIDE).exists()


def test_chosen_follow_up_date_and_responsible(person, partner, caseworker, make_user, client_for):
    colleague = make_user("caseworker", sites=["PAO-LS"])
    client_for(caseworker).post(
        _url(person), _data(partner, follow_up_due="2025-03-15", responsible=colleague.pk)
    )
    referral = Referral.objects.get(person=person)
    assert (referral.follow_up_due, referral.responsible) == (date(2025, 3, 15), colleague)


def test_responsible_from_another_site_is_refused(person, partner, caseworker, make_user, client_for):
    outsider = make_user("caseworker", sites=["SCH-01"])
    response = client_for(caseworker).post(_url(person), _data(partner, responsible=outsider.pk))
    assert response.status_code == 200
    assert "responsible" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_without_consent_a_caseworker_is_refused(person_no_consent, partner, caseworker, client_for):
    client = client_for(caseworker)
    page = client.get(_url(person_no_consent))
    assert 'data-testid="consent-missing"' in page.content.decode()
    assert 'data-testid="referral-form"' not in page.content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(_url(person_no_consent), _data(partner, consent_override_reason="x" * 40))
    assert response.status_code == 200
    assert "has not consented" in response.content.decode()
    assert not Referral.objects.exists()
    assert not AccessLog.objects.exists()


def test_withdrawn_consent_counts_as_none(person_no_consent, partner, caseworker, client_for):
    ConsentFactory(person=person_no_consent, withdrawn_on=date(2025, 2, 1))
    ConsentFactory(person=person_no_consent, purpose="data_processing")  # another purpose
    response = client_for(caseworker).post(_url(person_no_consent), _data(partner))
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_override_by_psychosocial_needs_a_reason(person_no_consent, partner, psychosocial, client_for):
    client = client_for(psychosocial)
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(_url(person_no_consent), _data(partner, consent_override_reason="urgente"))
    assert response.status_code == 200
    assert "write why the referral cannot wait" in response.content.decode()
    assert not Referral.objects.exists()
    assert not AccessLog.objects.exists()


def test_override_by_psychosocial_is_logged(person_no_consent, partner, psychosocial, client_for):
    reason = "Crisis aguda; la persona no puede firmar hoy."
    response = client_for(psychosocial).post(
        _url(person_no_consent), _data(partner, consent_override_reason=reason)
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person=person_no_consent)
    assert referral.consent_override_reason == reason
    log = AccessLog.objects.get(action=AccessLog.Action.CONSENT_OVERRIDE)
    assert (log.user, log.object_type, log.object_id, log.reason) == (
        psychosocial,
        "services.referral",
        str(referral.pk),
        reason,
    )
    detail = client_for(psychosocial).get(reverse("services:referral_detail", args=[referral.pk]))
    assert reason in detail.content.decode()


def test_override_reason_is_ignored_when_consent_exists(person, partner, psychosocial, client_for):
    client_for(psychosocial).post(_url(person), _data(partner, consent_override_reason="No hace falta aquí."))
    referral = Referral.objects.get(person=person)
    assert referral.consent_override_reason == ""
    assert not AccessLog.objects.filter(action=AccessLog.Action.CONSENT_OVERRIDE).exists()


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"referred_on": "2999-01-01"}, "cannot be in the future"),
        ({"referred_on": "2024-07-31"}, "starts on 2024-08-01"),
        ({"follow_up_due": "2025-03-01"}, "follow-up date cannot be before"),
        ({"service_type": "doc-cpp"}, "does not offer services in the area"),
        ({"partner": "inactive"}, "valid choice"),
        ({"referred_on": "10/99/2025"}, "valid date"),
    ],
)
def test_bad_input_is_explained_and_saves_nothing(person, partner, caseworker, client_for, over, message):
    if over.get("service_type"):
        over["service_type"] = service_type(over["service_type"]).pk
    if over.get("partner") == "inactive":
        over["partner"] = PartnerFactory(active=False).pk
    client = client_for(caseworker)
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(_url(person), _data(partner, **over))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_program_of_another_site_is_refused(person, partner, caseworker, client_for):
    other = Program.objects.create(code="OTRO", name="Otro", start_date=date(2020, 1, 1))
    response = client_for(caseworker).post(_url(person), _data(partner, program=other.pk))
    assert response.status_code == 200
    assert "program" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_ended_program_is_not_offered_but_explained(person, partner, caseworker, client_for, today):
    pao = program("PAO")
    pao.end_date = today - timedelta(days=10)
    pao.save()
    client = client_for(caseworker)
    form = client.get(_url(person)).context["form"]
    assert "PAO" not in {p.code for p in form.programs_offered}
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(_url(person), _data(partner, referred_on=today.isoformat()))
    assert "is outside it" in response.content.decode()
    assert not Referral.objects.exists()


def test_responsible_offers_only_the_case_staff_of_the_persons_site(
    person, caseworker, admin_user, make_user, make_referral, client_for
):
    """Not the admin, nor a coordinator or coach, nor another site's or a departed caseworker."""
    colleague = make_user("psychosocial", sites=["PAO-LS"])
    make_user("coordinator", sites=["PAO-LS"])
    make_user("facilitator", sites=["PAO-LS"])
    make_user("caseworker", sites=["SCH-01"])
    make_user("caseworker", sites=["PAO-LS"], is_active=False)
    expected = {caseworker, colleague}
    client = client_for(caseworker)
    offered = set(client.get(_url(person)).context["form"].fields["responsible"].queryset)
    assert offered == expected
    referral = make_referral(person=person, responsible=caseworker)
    detail = client.get(reverse("services:referral_detail", args=[referral.pk]))
    assert set(detail.context["responsible_form"].fields["responsible"].queryset) == expected
    hand_over = reverse("services:referral_responsible", args=[referral.pk])
    assert client.post(hand_over, {"responsible": admin_user.pk}).status_code == 400
    # An admin opening the form is not offered as responsible either.
    admin_form = client_for(admin_user).get(_url(person)).context["form"]
    assert set(admin_form.fields["responsible"].queryset) == expected
