"""Each list of the API costs the same number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from api.actions import api_token_create
from api.models import ApiToken
from cases.models import Vulnerability
from orientation.models import Program, ProgramMembership, Site
from reports.models import Indicator, Target
from services.models import ServiceType
from tests.factories import PartnerFactory, PersonFactory, site

pytestmark = pytest.mark.django_db


def _add_people(n, user):
    vulnerabilities = list(Vulnerability.objects.all()[:2])
    for _ in range(n):
        person = PersonFactory(site=site("PAO-LS"))
        person.vulnerabilities.set(vulnerabilities)


def _add_partners(n, user):
    PartnerFactory.create_batch(n)


def _add_sites(n, user):
    pao = Program.objects.get(code="PAO")
    for i in range(n):
        pao.sites.add(Site.objects.create(code=f"QC-{i}", name=f"Sitio {i}", kind="school"))


def _add_programs(n, user):
    for i in range(n):
        program = Program.objects.create(code=f"QC{i}", name=f"Programa {i}", start_date=date(2024, 1, 1))
        program.sites.add(site("PAO-LS"), site("SCH-01"))
        ProgramMembership.objects.create(user=user, program=program)


def _add_service_types(n, user):
    for i in range(n):
        ServiceType.objects.create(code=f"qc-{i}", name=f"Servicio {i}", area="other")


def _add_indicators(n, user):
    pao = Program.objects.get(code="PAO")
    for i in range(n):
        Indicator.objects.create(
            program=pao, code=f"PAO-QC{i}", name=f"Indicador {i}", event_kind="referral_made"
        )


def _add_targets(n, user):
    indicator = Indicator.objects.get(code="PAO-DOC")
    for i in range(n):
        Target.objects.update_or_create(
            indicator=indicator, month=date(2030, 1 + i % 12, 1), defaults={"value": i}
        )


# URL → (how to add rows, as whom, queries: the token, its user's language, the roles, then the
# list's own: its scope, the count, the page and any prefetch).
CASES = {
    "/api/v1/people/": (_add_people, "caseworker", 8),  # 7, and the people shared with the user's sites
    "/api/v1/partners/": (_add_partners, "coordinator", 5),
    "/api/v1/sites/": (_add_sites, "coordinator", 5),
    "/api/v1/programs/": (_add_programs, "coordinator", 6),
    "/api/v1/service-types/": (_add_service_types, "coordinator", 5),
    "/api/v1/indicators/": (_add_indicators, "coordinator", 5),
    "/api/v1/targets/": (_add_targets, "coordinator", 5),
}


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.parametrize("url", list(CASES))
def test_list_queries_do_not_grow_with_rows(
    client, coordinator, caseworker, django_assert_num_queries, url, rows
):
    add, role, expected = CASES[url]
    user = {"coordinator": coordinator, "caseworker": caseworker}[role]
    add(rows, user)
    token, raw = api_token_create(user=user, name="qc", days=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # no last-use write
    with django_assert_num_queries(expected):
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["count"] >= rows


def test_the_person_detail_and_its_access_log(client, caseworker, django_assert_num_queries):
    person = PersonFactory(site=site("PAO-LS"))
    token, raw = api_token_create(user=caseworker, name="qc", days=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    # The token, its user's language, the roles, the person, its case's last closing, the
    # access-log write and its savepoint.
    with django_assert_num_queries(8):
        response = client.get(f"/api/v1/people/{person.pk}/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
