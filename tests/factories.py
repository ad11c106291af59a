"""factory_boy factories for Orienta's models. Reference data (sites, programs, service types,
indicators) comes from ``load_reference_data`` through the ``ref`` fixture, so factories look it up."""

from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import (
    CaseNote,
    Consent,
    Household,
    IdentityDocument,
    Intake,
    IntakeNeed,
    Person,
    PlanAction,
    RegularizationStatus,
)
from orientation.models import Program, Site, SiteMembership
from services.models import DirectService, Partner, Referral, ServiceType
from services.sport.models import Attendance, SportGroup, SportSession

GIVEN = ["Ana", "Luis", "Rosa", "Jesús", "Daniela", "Carlos", "Lucía", "Miguel", "Sofía", "Yorman", "Génesis"]
FAMILY = [
    "Rojas",
    "Mendoza",
    "Castillo",
    "Paredes",
    "Salas",
    "Vílchez",
    "Ortega",
    "Ibáñez",
    "Cárdenas",
    "Zambrano",
    "Acosta",
    "Bermúdez",
    "Colmenares",
]


def site(code="PAO-LS") -> Site:
    return Site.objects.get(code=code)


def program(code="PAO") -> Program:
    return Program.objects.get(code=code)


def service_type(code="doc-orientation") -> ServiceType:
    return ServiceType.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    password = factory.PostGenerationMethodCall("set_password", "orienta-test-pass")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == "admin":
                self.is_staff = self.is_superuser = True
        self.save()

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        for code in extracted or []:
            SiteMembership.objects.get_or_create(user=self, site=site(code))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"H-T{n:05d}")
    site = factory.LazyFunction(site)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_names = factory.Sequence(lambda n: GIVEN[n % len(GIVEN)])
    family_names = factory.Sequence(
        lambda n: f"{FAMILY[n % len(FAMILY)]} {FAMILY[(n * 7 + 3) % len(FAMILY)]}"
    )
    sex = "F"
    birth_date = date(1990, 5, 17)
    nationality = "VE"
    population_type = "destination"
    phone = factory.Sequence(lambda n: f"9{n:08d}")
    site = factory.LazyFunction(site)
    registered_on = date(2025, 1, 15)


class IdentityDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdentityDocument

    person = factory.SubFactory(PersonFactory)
    doc_type = "cedula_ve"
    number = factory.Sequence(lambda n: f"{20000000 + n}")
    issuing_country = "VE"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    purpose = "referral_sharing"
    method = "written"
    given_on = date(2025, 1, 15)


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    person = factory.SubFactory(PersonFactory)
    site = factory.LazyAttribute(lambda o: o.person.site)
    date = date(2025, 1, 15)
    population_type = factory.LazyAttribute(lambda o: o.person.population_type)


class CaseNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseNote

    person = factory.SubFactory(PersonFactory)
    kind = "general"
    text = "Llamar la próxima semana."


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"partner-{n}")
    name = factory.Sequence(lambda n: f"Socio {n}")
    kind = "ngo"
    areas = ["documentation", "primary_care", "psychosocial", "protection", "other"]


class DirectServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectService

    person = factory.SubFactory(PersonFactory)
    site = factory.LazyAttribute(lambda o: o.person.site)
    program = factory.LazyFunction(program)
    service_type = factory.LazyFunction(service_type)
    delivered_on = date(2025, 3, 10)
    population_type = factory.LazyAttribute(lambda o: o.person.population_type)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    person = factory.SubFactory(PersonFactory)
    site = factory.LazyAttribute(lambda o: o.person.site)
    program = factory.LazyFunction(program)
    service_type = factory.LazyFunction(lambda: service_type("phc-consultation"))
    partner = factory.SubFactory(PartnerFactory)
    referred_on = date(2025, 3, 10)
    population_type = factory.LazyAttribute(lambda o: o.person.population_type)


class SportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SportGroup

    program = factory.LazyFunction(lambda: program("BALON"))
    site = factory.LazyFunction(lambda: site("SCH-01"))
    name = factory.Sequence(lambda n: f"Grupo {n}")


class SportSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SportSession

    program = factory.LazyFunction(lambda: program("BALON"))
    site = factory.LazyFunction(lambda: site("SCH-01"))
    date = date(2025, 3, 12)
    activity = "soccer_clinic"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SportSessionFactory)
    person = factory.SubFactory(PersonFactory, site=factory.LazyFunction(lambda: site("SCH-01")))
    present = True
    population_type = factory.LazyAttribute(lambda o: o.person.population_type)


class RegularizationStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegularizationStatus

    person = factory.SubFactory(PersonFactory)
    status = "cpp_in_process"
    since = date(2025, 1, 15)


class IntakeNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeNeed

    intake = factory.SubFactory(IntakeFactory)
    area = "documentation"


def second_orientation_site() -> Site:
    """A second orientation point (PAO-NO, Lima Norte) served by PAO and SALUD: its staff must not
    reach PAO-LS's people without breaking the glass, and the reverse."""
    wanted = site("PAO-LS")
    other, _created = Site.objects.get_or_create(
        code="PAO-NO",
        defaults={"name": "Punto de Atención y Orientación – Lima Norte", "kind": wanted.kind},
    )
    for code in ("PAO", "SALUD"):
        program(code).sites.add(other)
    return other


class PlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    person = factory.SubFactory(PersonFactory)
    site = factory.LazyAttribute(lambda o: o.person.site)
    area = "documentation"
    description = "Acompañar el trámite del CPP"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
