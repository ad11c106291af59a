"""Factories for the sport tests (the shared ones live in tests/factories.py)."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from cases.models import Consent
from orientation.dates import years_before
from services.sport.models import GroupParticipant, HeadCount

from ..factories import PersonFactory, SportGroupFactory, SportSessionFactory, site


def years_ago(years: int, days: int = 40) -> date:
    today = timezone.localdate()
    return years_before(today, years) - timedelta(days=days)


class ChildFactory(PersonFactory):
    """A young light-profile participant registered at a school, with a guardian."""

    birth_date = factory.LazyFunction(lambda: years_ago(10))
    site = factory.LazyFunction(lambda: site("SCH-01"))
    school = factory.LazyAttribute(lambda o: o.site)
    is_light_profile = True
    population_type = "destination"
    guardian_name = "Yusmary Rojas"
    guardian_relationship = "madre"
    guardian_phone = factory.Sequence(lambda n: f"98{n:07d}")


class GroupParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupParticipant

    group = factory.SubFactory(SportGroupFactory)
    person = factory.SubFactory(ChildFactory)
    joined_on = date(2025, 1, 6)


class GuardianConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(ChildFactory)
    purpose = "image_use"
    method = "written"
    given_by = "guardian"
    guardian_name = "Yusmary Rojas"
    guardian_relationship = "madre"
    given_on = date(2025, 1, 6)


class HeadCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeadCount

    session = factory.SubFactory(SportSessionFactory, activity="community_activity")
    sex = "F"
    age_band = "5-11"
    count = 10
