"""The people list: search (posted, tolerant of misspellings), filters, sorting, other sites."""

import re
from datetime import date, timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from cases.models import Vulnerability
from cases.selectors import break_glass_token_person_id
from tests.factories import IdentityDocumentFactory, PersonFactory, ReferralFactory, site

LIST = reverse("cases:person_list")


def _search(client, term, **params):
    url = LIST + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    response = client.post(url, {"q": term})
    assert response.status_code == 302
    location = response["Location"]
    return location, client.get(location)


def _names(response):
    return [f"{p.given_names} {p.family_names}" for p in response.context["people"]]


@pytest.fixture
def people(ref):
    return {
        "yusmary": PersonFactory(given_names="Yusmary", family_names="González Pérez", phone="987111222"),
        "jesus": PersonFactory(given_names="Jesús", family_names="Rodríguez", phone="+584121234567"),
        "rosa": PersonFactory(given_names="Rosa", family_names="Mamani Quispe"),
    }


@pytest.mark.parametrize(
    "term",
    [
        "Yusmary González",
        "yusmari gonsales",
        "GONZALEZ PEREZ",
        "perez gonzalez yusmary",
        "Yusmary",
        "gonsalez",
    ],
)
def test_search_by_name_tolerates_case_accents_order_and_misspellings(client_for, caseworker, people, term):
    _location, response = _search(client_for(caseworker), term)
    assert _names(response)[0] == "Yusmary González Pérez"
    assert "Rosa Mamani Quispe" not in _names(response)


def test_search_by_document_never_puts_the_number_in_the_url(client_for, caseworker, people):
    IdentityDocumentFactory(person=people["rosa"], doc_type="cpp", number="C1234567")
    location, response = _search(client_for(caseworker), "c 1234567")
    assert "1234567" not in location and "s=" in location
    assert _names(response) == ["Rosa Mamani Quispe"]
    assert "c 1234567" in response.content.decode()  # shown back in the box, from the session


@pytest.mark.parametrize(
    ("term", "who"), [("987 111 222", "yusmary"), ("+51987111222", "yusmary"), ("+58 412 1234567", "jesus")]
)
def test_search_by_phone(client_for, caseworker, people, term, who):
    location, response = _search(client_for(caseworker), term)
    assert [p.pk for p in response.context["people"]] == [people[who].pk]
    assert "987" not in location and "412" not in location


def test_a_get_search_is_moved_out_of_the_url(client_for, caseworker, people):
    client = client_for(caseworker)
    response = client.get(LIST + "?q=987111222&site=")
    assert response.status_code == 302 and "987111222" not in response["Location"]
    assert [p.pk for p in client.get(response["Location"]).context["people"]] == [people["yusmary"].pk]


def test_htmx_search_returns_the_results_and_a_clean_url(client_for, caseworker, people):
    response = client_for(caseworker).post(LIST, {"q": "mamani"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Push-Url"].startswith(LIST + "?s=")
    assert "mamani" not in response["HX-Push-Url"]
    assert [p.pk for p in response.context["people"]] == [people["rosa"].pk]
    assert b"<html" not in response.content


def test_people_elsewhere_show_name_and_site_only(client_for, caseworker, people):
    elsewhere = PersonFactory(
        given_names="Yusmary", family_names="González Pérez", site=site("SCH-01"), phone="955000111"
    )
    _location, response = _search(client_for(caseworker), "Yusmary Gonzalez")
    assert elsewhere.pk not in [p.pk for p in response.context["people"]]
    [other] = response.context["elsewhere"]
    assert (other.pk, other.name, other.open) == (elsewhere.pk, "Yusmary González Pérez", False)
    html = response.content.decode()
    assert reverse("cases:break_glass", args=[elsewhere.pk]) not in html
    [link] = re.findall(r'href="(/[^"]*/break-glass/[^"]+)"', html)
    assert resolve(link).kwargs == {"token": link.split("/")[-2]}
    assert break_glass_token_person_id(caseworker, resolve(link).kwargs["token"]) == elsewhere.pk
    assert "955000111" not in html


def test_archived_people_are_out_of_the_list_unless_asked(client_for, caseworker, people):
    people["rosa"].archived_at = timezone.now()
    people["rosa"].save()
    client = client_for(caseworker)
    assert "Rosa Mamani Quispe" not in _names(client.get(LIST))
    assert _names(client.get(LIST + "?archived=on")) == ["Rosa Mamani Quispe"]


def test_filters(client_for, make_user, ref):
    admin = make_user("admin")
    today = timezone.localdate()
    pregnant = Vulnerability.objects.get(code="pregnant")
    child = PersonFactory(
        given_names="Niño",
        birth_date=today - timedelta(days=365 * 7),
        nationality="PE",
        population_type="host",
    )
    adult = PersonFactory(given_names="Adulta", birth_date=date(1980, 1, 1), site=site("SCH-01"))
    adult.vulnerabilities.add(pregnant)
    unknown = PersonFactory(given_names="Sin fecha", birth_date=None, population_type="transit")
    ReferralFactory(person=unknown, status="pending")
    client = client_for(admin)

    def pks(query):
        return {p.pk for p in client.get(LIST + "?" + query).context["people"]}

    assert pks(f"site={site('SCH-01').pk}") == {adult.pk}
    assert pks("nationality=PE") == {child.pk}
    assert pks("population_type=transit") == {unknown.pk}
    assert pks("vulnerability=pregnant") == {adult.pk}
    assert pks("age_band=5-11") == {child.pk}
    assert pks("age_band=18-59") == {adult.pk}
    assert pks("age_band=unknown") == {unknown.pk}
    assert pks("open_referrals=on") == {unknown.pk}
    assert pks("nationality=XX") == {child.pk, adult.pk, unknown.pk}  # an invalid filter is ignored


def test_sorting(client_for, caseworker, ref):
    a = PersonFactory(
        given_names="Ana", family_names="Acosta", birth_date=date(1990, 1, 1), registered_on=date(2025, 3, 1)
    )
    z = PersonFactory(
        given_names="Zoe",
        family_names="Zambrano",
        birth_date=date(2010, 1, 1),
        registered_on=date(2025, 1, 1),
    )
    client = client_for(caseworker)

    def order(sort):
        return [p.pk for p in client.get(LIST + f"?sort={sort}").context["people"]]

    assert order("name") == [a.pk, z.pk]
    assert order("-name") == [z.pk, a.pk]
    assert order("age") == [z.pk, a.pk]
    assert order("-registered") == [a.pk, z.pk]


def test_pagination_and_empty_state(client_for, caseworker, ref):
    client = client_for(caseworker)
    assert b"empty-state" in client.get(LIST).content
    PersonFactory.create_batch(27)
    response = client.get(LIST + "?page=2")
    assert len(response.context["people"]) == 2
    assert response.context["page_obj"].paginator.num_pages == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(client_for, caseworker, django_assert_num_queries, rows):
    pregnant = Vulnerability.objects.get(code="pregnant")
    for person in PersonFactory.create_batch(rows, family_names="Rojas Mendoza"):
        person.vulnerabilities.add(pregnant)
        ReferralFactory(person=person)
    PersonFactory.create_batch(rows, family_names="Rojas Mendoza", site=site("SCH-01"))
    client = client_for(caseworker)
    with django_assert_num_queries(12):  # the people shared with the user's sites: one query
        response = client.get(LIST)
    assert len(response.context["people"]) == min(rows, 25)
    location = client.post(LIST, {"q": "rojas mendosa"})["Location"]
    # A search adds the people found at other sites and the caseworker's open glass (two queries)
    # and does not count its matches (one fewer: the closest come first, page by page).
    with django_assert_num_queries(13):
        response = client.get(location)
    assert len(response.context["people"]) == min(rows, 25)
    assert len(response.context["elsewhere"]) == min(rows, 10)


def test_open_referral_flag_marks_only_people_with_an_open_referral(client_for, caseworker, ref):
    waiting = PersonFactory(family_names="Abad")
    ReferralFactory(person=waiting, status="accepted")
    done = PersonFactory(family_names="Bravo")
    ReferralFactory(person=done, status="declined")
    none = PersonFactory(family_names="Cueva")
    response = client_for(caseworker).get(LIST)
    flags = {p.pk: p.has_open_referrals for p in response.context["people"]}
    assert flags == {waiting.pk: True, done.pk: False, none.pk: False}
    assert response.content.count(b"bi-arrow-right-circle") == 1


def test_a_long_list_is_counted_up_to_the_cap_only(client_for, caseworker, ref, monkeypatch):
    monkeypatch.setattr("orientation.paginator.LIST_CAP", 30)
    PersonFactory.create_batch(32, family_names="Rojas Mendoza")
    client = client_for(caseworker)
    response = client.get(LIST)
    paginator = response.context["page_obj"].paginator
    assert (paginator.capped, paginator.count, paginator.num_pages) == (True, 30, 2)
    assert "Más de 30 personas".encode() in response.content
    assert "Página 1 de más de 2".encode() in response.content
    assert len(client.get(LIST + "?page=2").context["people"]) == 5  # rows 26-30 of the cap
    location, found = _search(client, "rojas mendosa")
    # A search is not counted: a page fetches one row more to know whether another follows.
    assert found.context["page_obj"].paginator.uncounted
    assert "Más de 25 personas coinciden".encode() in found.content
    assert "Página 1<".encode() in found.content
    last = client.get(location + "&page=2")
    assert len(last.context["people"]) == 7
    assert b"32 personas coinciden" in last.content
    assert not last.context["page_obj"].has_next()
    assert client.get(location + "&page=9").context["page_obj"].number == 1  # past the end
    monkeypatch.setattr("orientation.paginator.LIST_CAP", 40)
    response = client.get(LIST)
    paginator = response.context["page_obj"].paginator
    assert (paginator.capped, paginator.count) == (False, 32)


def test_closest_names_first(client_for, caseworker, ref):
    exact = PersonFactory(given_names="Flor", family_names="Acosta Rivas")
    near = PersonFactory(given_names="Flora", family_names="Acosta Rivas")
    PersonFactory(given_names="Rosa", family_names="Mamani Quispe")
    _location, found = _search(client_for(caseworker), "flor acozta")
    assert [p.pk for p in found.context["people"]] == [exact.pk, near.pk]


def test_a_name_search_is_ordered_by_the_indexed_distance_alone(caseworker, ref):
    """On PostgreSQL the GiST index returns the closest names in order only if the distance is the
    whole ORDER BY (a tie-break makes PostgreSQL rank every match: bench/PLANS.md)."""
    from django.db import connection

    from cases import selectors

    term = selectors.SearchTerm.parse("yusmari")
    qs = selectors.people_for_list(caseworker, term=term)
    sql = str(qs.query)
    order_by = sql.rsplit("ORDER BY", 1)[1]
    if connection.vendor == "postgresql":
        # One key: the distance (Django may name it by its position in the SELECT list).
        assert "," not in order_by
        distance = f'(LOWER("cases_person"."name_key") <->> {term.key})'
        assert f'{distance} AS "distance"' in sql
        # By its position in the SELECT list when Django names it so (it moves as Person gains fields).
        assert order_by.strip() == f"{distance} ASC" or re.fullmatch(r"\d+ ASC", order_by.strip())
    else:
        assert "family_names" in order_by
    # With a number as well, the search is an OR of conditions: tie-breaks, no index order.
    qs = selectors.people_for_list(caseworker, term=selectors.SearchTerm.parse("gonsales 987111222"))
    assert "family_names" in str(qs.query).rsplit("ORDER BY", 1)[1]
    # Several words: the GIN index intersects the matches of each word, ranked with tie-breaks
    # so that pages do not overlap.
    qs = selectors.people_for_list(caseworker, term=selectors.SearchTerm.parse("yusmari gonsales"))
    sql = str(qs.query)
    assert 'LOWER("cases_person"."name_key") %> ' not in sql.split("ORDER BY")[0].split("WHERE", 1)[1]
    assert "family_names" in sql.rsplit("ORDER BY", 1)[1]


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("perez yusmari", True),  # every word, any order, spelt as it sounds
        ("Gonsales", True),
        ("955000111", True),  # the phone number
        ("yusmari gnzales", True),  # a dropped letter
        ("Yusmary Peres", True),  # the first name and the second surname
        ("yusmary gonzalez rojas", False),  # a word the name does not have
        ("rosa perez", False),
    ],
)
def test_people_elsewhere_need_every_word_of_the_name(client_for, caseworker, ref, term, found):
    other = PersonFactory(
        given_names="Yusmary", family_names="González Pérez", site=site("SCH-01"), phone="955000111"
    )
    _location, response = _search(client_for(caseworker), term)
    assert [p.pk for p in response.context["elsewhere"]] == ([other.pk] if found else [])


REAL_NAMES = {
    "yuleisy": ("Yuleisy Carolina", "Hernández Gutiérrez"),
    "giovanny": ("Giovanny Alberto", "Villalobos Chirinos"),
    "yorbelis": ("Yorbelis", "Zambrano Cequea"),
    "jhoan": ("Jhoan Sebastián", "Vivas Bello"),
}


@pytest.fixture
def real_people(ref):
    """Names as they are written at the orientation point, and others that share a word with them."""
    for given, family in [
        ("Julio César", "Hernández"),
        ("Carlos", "Gutiérrez Rojas"),
        ("María", "Hernández López"),
        ("Yusmary", "González Pérez"),
        ("Rosa", "Mamani Quispe"),
        ("Alberto", "Chirinos Paz"),
    ]:
        PersonFactory(given_names=given, family_names=family)
    return {key: PersonFactory(given_names=g, family_names=f) for key, (g, f) in REAL_NAMES.items()}


@pytest.mark.parametrize(
    ("who", "term"),
    [
        ("yuleisy", "Yuleisy Gutierrez"),  # first name and second surname
        ("yuleisy", "Yulesy"),  # a dropped letter
        ("yuleisy", "Julesy Hernández"),  # J for Y, and a dropped letter
        ("yuleisy", "Juleisy Hernandez"),
        ("yuleisy", "Yuleisi"),  # i for y
        ("yuleisy", "Yuleisy Ernandes"),  # no h, s for z
        ("yuleisy", "Yuleisy Carolina"),  # no surnames
        ("yuleisy", "Carolina Gutierres"),
        ("yuleisy", "Yuleysi Gutierres Hernandez"),  # surnames swapped
        ("yuleisy", "Hernandez Gutierrez"),
        ("giovanny", "Yovanny Villalobos"),  # Y for Gi
        ("giovanny", "Jovany Bilalobos"),  # J for Gi, b for v, a dropped l
        ("giovanny", "Giovani Chirino"),
        ("yorbelis", "Llorbelis Sambrano"),  # ll for y, s for z
        ("yorbelis", "Yorbelys Zambrano"),
        ("yorbelis", "Yorbeli Sanbrano Sekea"),  # c written k, n for m
        ("jhoan", "Jhoan Bivas"),  # b for v, second given name missing
        ("jhoan", "Yoan Sebastian Vello"),  # Y for Jh, v for b
        ("jhoan", "Johan Vivaz"),
    ],
)
def test_search_finds_real_world_misspellings(client_for, caseworker, real_people, who, term):
    _location, response = _search(client_for(caseworker), term)
    found = [p.pk for p in response.context["people"]]
    assert found[:1] == [real_people[who].pk], (term, _names(response))
    # Another person who shares one word of the name is not found for all of it.
    assert len(found) == 1, _names(response)
