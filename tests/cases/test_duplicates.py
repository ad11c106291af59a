"""Duplicate detection: before a person is created, as-you-type, and on demand."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import Person
from cases.search import phonetic_key, similarity, word_similarity
from cases.selectors import person_duplicate_candidates
from orientation.models import AccessLog
from tests.factories import HouseholdFactory, IdentityDocumentFactory, PersonFactory, site


def _candidates(user, **kwargs):
    kwargs.setdefault("birth_date", None)
    return {c.person.pk: c for c in person_duplicate_candidates(user, **kwargs)}


def test_trigram_similarity_matches_pg_trgm_examples():
    # pg_trgm: similarity('word', 'two words') = 0.363636 (4 shared of 11 trigrams).
    assert similarity("word", "two words") == pytest.approx(4 / 11)
    assert similarity("ana rojas mendoza", "ana mendoza rojas") == 1.0
    assert similarity("", "ana") == 0.0
    assert word_similarity("rojas", "ana rojas mendoza") == 1.0
    assert word_similarity("zzz", "ana rojas") == 0.0
    # pg_trgm: word_similarity('word', 'two words') = 0.8.
    assert word_similarity("word", "two words") == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("yusmary gonzalez", "yusmari gonsales"),
        ("jhonny chavez", "johnny chaves"),
        ("kevin villa", "kebin biya"),
        ("guillermo quispe", "guiyermo kispe"),
        ("hector cespedes", "ector sespedes"),
        ("rocio aguilar", "rosio aguylar"),
        ("daniela cardona", "danyela kardona"),
        ("yanet castro", "ianet kastro"),
        ("ariana aponte", "aryana aponte"),
        ("yolanda castillo", "iolanda kastiyo"),
        ("juleisy hernandez", "yuleisy ernandes"),  # an opening J said as Y
        ("jhonny gil", "yonny jil"),
        ("giovanny villa", "yovany biya"),
    ],
)
def test_spanish_sound_alike_spellings_share_a_key(one, other):
    assert phonetic_key(one) == phonetic_key(other)


def test_different_names_keep_different_keys():
    assert phonetic_key("rosa mamani") != phonetic_key("rosa mendoza")


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Ana María", "Rojas Mendoza"),  # identical
        ("ANA MARIA", "ROJAS MENDOZA"),  # case and accents
        ("ana maría", "rojás méndoza"),  # stray accents
        ("Ana María", "Mendoza Rojas"),  # family names swapped
        ("Ana María", "Rojas"),  # second family name missing
        ("Anna Maria", "Rojas Mendosa"),  # misspelt
        ("Ana Marya", "Roxas Mendosa"),  # misspelt, sound-alike
    ],
)
def test_name_variants_are_found(caseworker, given, family):
    existing = PersonFactory(given_names="Ana María", family_names="Rojas Mendoza")
    PersonFactory(given_names="Luis", family_names="Castillo Paredes")
    found = _candidates(caseworker, given_names=given, family_names=family)
    assert existing.pk in found
    assert "similar name" in [str(r) for r in found[existing.pk].reasons]
    assert len(found) == 1


def test_unrelated_names_are_not_candidates(caseworker):
    PersonFactory(given_names="Ana María", family_names="Rojas Mendoza")
    assert _candidates(caseworker, given_names="Yorman", family_names="Colmenares Zambrano") == {}


def test_same_document_number_whatever_the_name_and_spacing(caseworker):
    existing = PersonFactory(given_names="Rosa", family_names="Paredes")
    IdentityDocumentFactory(person=existing, doc_type="cedula_ve", number="V12345678")
    found = _candidates(caseworker, given_names="Carla", family_names="Núñez", document_number="v 1234 5678")
    assert existing.pk in found
    assert [str(r) for r in found[existing.pk].reasons] == ["same document number"]


def test_same_phone_in_any_format(caseworker):
    existing = PersonFactory(given_names="Rosa", family_names="Paredes", phone="987654321")
    found = _candidates(caseworker, given_names="Carla", family_names="Núñez", phone="+51 987 654 321")
    assert [str(r) for r in found[existing.pk].reasons] == ["same phone"]


def test_same_birth_date_counts_with_a_loosely_similar_name(caseworker):
    born = date(1991, 2, 3)
    close = PersonFactory(given_names="María", family_names="Rojas", birth_date=born)
    far = PersonFactory(given_names="Yorman", family_names="Zambrano", birth_date=born)
    found = _candidates(caseworker, given_names="Marisol", family_names="Rojas Pérez", birth_date=born)
    assert close.pk in found
    assert "same birth date" in [str(r) for r in found[close.pk].reasons]
    assert far.pk not in found


def test_candidates_at_other_sites_are_found_but_not_open(caseworker):
    elsewhere = PersonFactory(given_names="Ana", family_names="Rojas Mendoza", site=site("SCH-01"))
    found = _candidates(caseworker, given_names="Ana", family_names="Rojas Mendoza")
    assert found[elsewhere.pk].open is False


def test_sharing_one_surname_is_not_a_duplicate(caseworker):
    # A 70-year-old Peruvian man was listed for a 32-year-old Venezuelan woman.
    PersonFactory(
        given_names="Juan Carlos",
        family_names="Hernández Quispe",
        sex="M",
        birth_date=date(1955, 3, 1),
        nationality="PE",
    )
    PersonFactory(given_names="Yuleisy", family_names="Rojas Torres", sex="F", birth_date=date(1993, 6, 2))
    found = _candidates(
        caseworker,
        given_names="Yuleisy Carolina",
        family_names="Hernández Gutiérrez",
        sex="F",
        birth_date=date(1993, 6, 2),
        nationality="VE",
    )
    assert found == {}


def test_a_different_sex_or_a_distant_age_is_another_person(caseworker):
    PersonFactory(given_names="Ana María", family_names="Rojas Mendoza", sex="M")
    PersonFactory(given_names="Ana María", family_names="Rojas Mendoza", sex="F", birth_date=date(1950, 1, 1))
    near = PersonFactory(
        given_names="Ana María",
        family_names="Rojas Mendoza",
        sex="F",
        birth_date=date(1984, 1, 1),
        birth_date_estimated=True,
    )
    found = _candidates(
        caseworker, given_names="Ana", family_names="Rojas", sex="F", birth_date=date(1987, 6, 1)
    )
    assert list(found) == [near.pk]  # an estimated birth date may be a few years off


def test_siblings_are_not_duplicates_of_a_member_joining_the_household(caseworker):
    household = HouseholdFactory()
    PersonFactory(
        given_names="Rosa",
        family_names="Pérez Rojas",
        household=household,
        relationship="head",
        phone="987000111",
        birth_date=date(1985, 1, 1),
    )
    sister = PersonFactory(
        given_names="Daniela",
        family_names="Mendoza Pérez",
        household=household,
        relationship="child",
        phone="987000111",
        birth_date=date(2015, 1, 1),
    )
    member = {
        "family_names": "Mendoza Pérez",
        "sex": "F",
        "birth_date": date(2016, 3, 3),
        "phone": "987000111",
    }
    assert list(_candidates(caseworker, given_names="Valeria", **member)) == [sister.pk]  # same phone
    found = _candidates(caseworker, given_names="Valeria", household_id=household.pk, **member)
    assert found == {}
    # The same child registered again in the household is still caught.
    member["birth_date"] = date(2015, 1, 1)
    again = _candidates(caseworker, given_names="Danyela", household_id=household.pk, **member)
    assert list(again) == [sister.pk]


def test_the_same_document_comes_first(caseworker):
    namesake = PersonFactory(given_names="Ana María", family_names="Rojas Mendoza")
    holder = PersonFactory(given_names="Ana", family_names="Rojas")
    IdentityDocumentFactory(person=holder, number="V555666777")
    found = person_duplicate_candidates(
        caseworker, given_names="Ana María", family_names="Rojas Mendoza", document_number="V555666777"
    )
    assert [c.person.pk for c in found] == [holder.pk, namesake.pk]


def _registration(**overrides):
    data = {
        "person-given_names": "Ana María",
        "person-family_names": "Rojas Mendoza",
        "person-sex": "F",
        "person-birth_date": "1990-05-17",
        "person-nationality": "VE",
        "person-population_type": "destination",
        "person-phone": "912345678",
        "person-site": str(site().pk),
        "person-registered_on": date.today().isoformat(),
        "household-mode": "none",
        "consent-purposes": ["data_processing", "referral_sharing"],
        "consent-method": "written",
        "consent-given_by": "self",
    }
    data.update(overrides)
    return data


def test_registration_warns_then_records_the_confirmation(client_for, caseworker):
    existing = PersonFactory(given_names="Ana Maria", family_names="Mendoza Rojas")
    client = client_for(caseworker)
    url = reverse("cases:person_register")

    response = client.post(url, _registration())
    assert response.status_code == 200
    assert b'data-testid="duplicate-warning"' in response.content
    assert Person.objects.count() == 1
    assert response.context["duplicates_seen"] == str(existing.pk)

    # Confirming without having seen the candidates does not register.
    response = client.post(url, _registration(confirm_new="1", duplicates_seen=""))
    assert response.status_code == 200
    assert Person.objects.count() == 1

    response = client.post(url, _registration(confirm_new="1", duplicates_seen=str(existing.pk)))
    assert response.status_code == 302
    new = Person.objects.exclude(pk=existing.pk).get()
    log = AccessLog.objects.get(action=AccessLog.Action.DUPLICATE_CONFIRMED)
    assert (log.user, log.object_type, log.object_id) == (caseworker, "cases.person", str(new.pk))
    assert log.reason == f"candidates: {existing.pk}"
    assert "Ana" not in log.reason


def test_registration_without_candidates_logs_nothing(client_for, caseworker):
    response = client_for(caseworker).post(reverse("cases:person_register"), _registration())
    assert response.status_code == 302
    assert not AccessLog.objects.filter(action=AccessLog.Action.DUPLICATE_CONFIRMED).exists()


def test_live_check_lists_candidates_while_typing(client_for, caseworker):
    PersonFactory(given_names="Ana María", family_names="Rojas Mendoza")
    client = client_for(caseworker)
    response = client.post(
        reverse("cases:duplicate_check"),
        {"person-given_names": "ana maria", "person-family_names": "rojas"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b'data-testid="duplicate-candidate"' in response.content
    empty = client.post(reverse("cases:duplicate_check"), {"person-given_names": "Zoe"})
    assert b"duplicate-candidate" not in empty.content


def test_on_demand_check_from_the_person_page(client_for, caseworker):
    person = PersonFactory(given_names="Ana María", family_names="Rojas Mendoza")
    twin = PersonFactory(given_names="Ana", family_names="Mendoza Rojas")
    response = client_for(caseworker).get(reverse("cases:person_duplicates", args=[person.pk]))
    assert [c.person.pk for c in response.context["candidates"]] == [twin.pk]
