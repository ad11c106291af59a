"""Two caseworkers merging the same pair at once, each keeping another record: one merge, one
consistent result (PostgreSQL row locks, real threads)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from cases.merging import person_merge
from cases.models import Person, PersonMerge
from services.models import DirectService
from tests.factories import DirectServiceFactory, PersonFactory

from .conftest import postgres_only, run_together


@postgres_only
def test_two_merges_of_one_pair_at_once_end_with_one(make_user):
    first = PersonFactory(given_names="Yuleisy", family_names="Rojas", birth_date=date(1991, 2, 3))
    second = PersonFactory(given_names="Yulesy", family_names="Rojas", birth_date=date(1991, 2, 3))
    services = [DirectServiceFactory(person=first).pk, DirectServiceFactory(person=second).pk]
    one, other = make_user("caseworker", sites=["PAO-LS"]), make_user("caseworker", sites=["PAO-LS"])

    def merging(user, survivor, merged):
        def call():
            try:
                return person_merge(user=user, survivor_id=survivor.pk, merged_id=merged.pk).survivor_id
            except ValidationError:
                return "refused"

        return call

    results = run_together(merging(one, first, second), merging(other, second, first))

    assert sorted(results, key=str).count("refused") == 1
    assert PersonMerge.objects.count() == 1
    survivor_id = next(r for r in results if r != "refused")
    tombstone = Person.objects.exclude(pk=survivor_id).get(pk__in=[first.pk, second.pk])
    assert tombstone.merged_into_id == survivor_id
    assert Person.objects.get(pk=survivor_id).merged_into_id is None
    assert set(DirectService.objects.filter(pk__in=services).values_list("person_id", flat=True)) == {
        survivor_id
    }
