"""Demo data: the five demo users and a year of realistic activity. Never in production."""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from orientation.dates import add_months

DEMO_PASSWORD = "orienta-demo"  # noqa: S105 (documented demo password, refused in production)
DEMO_USERS = [
    # username, first name, last name, role, sites, programs
    ("caseworker", "Carla", "Quispe", "caseworker", ["PAO-LS"], []),
    ("psychosocial", "Pablo", "Rengifo", "psychosocial", ["PAO-LS"], []),
    ("facilitator", "Fiorella", "Huamán", "facilitator", ["SCH-01", "SCH-02"], []),
    ("coordinator", "Cecilia", "Torres", "coordinator", [], ["PAO", "BALON", "SALUD"]),
    ("receptionist", "Rocío", "Mamani", "receptionist", ["PAO-LS"], []),
    ("admin", "Andrés", "Salazar", "admin", ["PAO-LS", "SCH-01", "SCH-02"], ["PAO", "BALON", "SALUD"]),
]

GIVEN_F = [
    "María",
    "Yusmary",
    "Andreína",
    "Daniela",
    "Génesis",
    "Rosa",
    "Lucía",
    "Valentina",
    "Ana Karina",
    "Mariángel",
    "Yelitza",
    "Carmen",
    "Sofía",
    "Camila",
    "Milagros",
    "Luz",
]
GIVEN_M = [
    "José",
    "Luis",
    "Jesús",
    "Carlos",
    "Yorman",
    "Daniel",
    "Miguel Ángel",
    "Anderson",
    "Jhonny",
    "Pedro",
    "Juan",
    "Samuel",
    "Diego",
    "Ángel",
    "Kevin",
    "Renzo",
]
FAMILY = [
    "González",
    "Rodríguez",
    "Pérez",
    "Hernández",
    "García",
    "Martínez",
    "López",
    "Ramírez",
    "Díaz",
    "Rojas",
    "Quispe",
    "Mamani",
    "Flores",
    "Sánchez",
    "Torres",
    "Castillo",
    "Mendoza",
    "Vásquez",
    "Gutiérrez",
    "Chávez",
    "Núñez",
    "Medina",
    "Silva",
    "Paredes",
]
NATIONALITIES = ["VE"] * 14 + ["PE"] * 4 + ["CO"] * 2 + ["EC"]


def ensure_demo_users(stdout=None) -> list:
    """Create (or reset) the demo users; idempotent."""
    from orientation.models import Program, ProgramMembership, Site, SiteMembership

    User = get_user_model()
    users = []
    for username, first, last, role, sites, programs in DEMO_USERS:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        user.first_name, user.last_name = first, last
        user.is_staff = role == "admin"
        user.is_superuser = role == "admin"
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        if role == "coordinator":
            # The demo coordinator also answers data requests and imports: the data-steward
            # permission, which an admin grants (README, "Who reads what").
            user.groups.add(Group.objects.get(name="data_steward"))
        for site in Site.objects.filter(code__in=sites):
            SiteMembership.objects.get_or_create(user=user, site=site)
        for program in Program.objects.filter(code__in=programs):
            ProgramMembership.objects.get_or_create(user=user, program=program)
        users.append(user)
    return users


@transaction.atomic
def load_demo_data(*, people: int = 240, seed: int = 20261122) -> dict[str, int]:
    if not settings.ORIENTA_DEMO:
        raise ImproperlyConfigured("Demo data is refused in production settings (ORIENTA_DEMO is off).")
    from cases.choices import PopulationType
    from cases.models import Consent, Household, IdentityDocument, Intake, IntakeNeed, Person, Vulnerability
    from orientation.models import District, Program, Site
    from services.models import DirectService, Partner, Referral, ReferralTransition, ServiceType
    from services.sport.models import Activity, Attendance, GroupParticipant, SportGroup, SportSession

    users = {u.username: u for u in ensure_demo_users()}
    if Person.objects.filter(ref__startswith="DEMO-").exists():
        reception_demo_day(users)
        return {"people": Person.objects.filter(ref__startswith="DEMO-").count(), "created": 0}

    rng = random.Random(seed)
    today = timezone.localdate()
    pao = Site.objects.get(code="PAO-LS")
    schools = list(Site.objects.filter(code__in=["SCH-01", "SCH-02"]))
    programs = {p.code: p for p in Program.objects.all()}
    districts = list(District.objects.filter(department="Lima"))
    vulns = list(Vulnerability.objects.all())
    stypes = list(ServiceType.objects.all())
    partners = list(Partner.objects.all())
    caseworker, psychosocial = users["caseworker"], users["psychosocial"]

    def birth(min_age, max_age):
        age_days = rng.randint(min_age * 365, max_age * 365 + 364)
        return today - timedelta(days=age_days)

    def day_in_last_year():
        return today - timedelta(days=rng.randint(0, 360))

    created = {"people": 0, "services": 0, "referrals": 0, "attendance": 0}
    adults = int(people * 0.7)
    households = []
    for i in range(adults):
        sex = rng.choice("FFFM")
        nat = rng.choice(NATIONALITIES)
        poptype = (
            PopulationType.HOST
            if nat == "PE" and rng.random() < 0.7
            else rng.choice(
                [
                    "destination",
                    "destination",
                    "destination",
                    "transit",
                    "pendular",
                    "returnee" if nat == "PE" else "destination",
                ]
            )
        )
        registered = day_in_last_year()
        person = Person.objects.create(
            ref=f"DEMO-{i + 1:04d}",
            given_names=rng.choice(GIVEN_F if sex == "F" else GIVEN_M),
            family_names=f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}",
            sex=sex,
            # Some people only know their age: an estimated birth date (R4V needs an age for everyone).
            birth_date_estimated=rng.random() < 0.04,
            birth_date=birth(18, 70),
            nationality=nat,
            population_type=poptype,
            phone=f"9{rng.randint(10000000, 99999999)}",
            district=rng.choice(districts),
            arrived_on=None if nat == "PE" else registered - timedelta(days=rng.randint(10, 2000)),
            site=pao,
            registered_on=registered,
            created_by=caseworker,
        )
        if rng.random() < 0.25:
            person.vulnerabilities.add(rng.choice(vulns))
        if rng.random() < 0.4:
            household = Household.objects.create(code=f"H-{i + 1:05d}", site=pao, district=person.district)
            person.household, person.relationship = household, Person.Relationship.HEAD
            person.save(update_fields=["household", "relationship"])
            households.append(person)
        doc_type = "dni" if nat == "PE" else rng.choice(["cedula_ve", "cpp", "passport", "ptp", "ce"])
        IdentityDocument.objects.create(
            person=person,
            doc_type=doc_type,
            number=f"{rng.randint(10000000, 99999999)}"
            if doc_type in ("dni", "cedula_ve")
            else f"{doc_type[:1].upper()}{rng.randint(1000000, 9999999)}",
            issuing_country=nat,
        )
        Consent.objects.create(
            person=person,
            purpose="data_processing",
            method="written",
            given_on=registered,
            recorded_by=caseworker,
        )
        if rng.random() < 0.85:
            Consent.objects.create(
                person=person,
                purpose="referral_sharing",
                method="written",
                given_on=registered,
                recorded_by=caseworker,
            )
        # Visits: an intake, then services and maybe a referral, at most a few times a year.
        for _visit in range(rng.choice([1, 1, 1, 2, 2, 3])):
            day = registered + timedelta(days=rng.randint(0, max(0, (today - registered).days)))
            intake = Intake.objects.create(
                person=person,
                site=pao,
                date=day,
                caseworker=caseworker,
                priority=rng.choice(["low", "medium", "medium", "high"]),
                population_type=person.population_type,
            )
            areas = rng.sample(
                ["documentation", "primary_care", "psychosocial", "protection"], rng.randint(1, 2)
            )
            for area in areas:
                IntakeNeed.objects.create(intake=intake, area=area)
            for area in areas:
                stype = rng.choice([s for s in stypes if s.area == area])
                program = (
                    programs["SALUD"]
                    if area in ("primary_care", "psychosocial") and rng.random() < 0.3
                    else programs["PAO"]
                )
                if day < program.start_date:
                    continue
                DirectService.objects.create(
                    person=person,
                    site=pao,
                    program=program,
                    service_type=stype,
                    delivered_on=day,
                    staff=psychosocial if area == "psychosocial" else caseworker,
                    population_type=person.population_type,
                )
                created["services"] += 1
            if rng.random() < 0.35 and day >= programs["PAO"].start_date:
                stype = rng.choice(stypes)
                partner = rng.choice([p for p in partners if stype.area in p.areas] or partners)
                status = rng.choice(
                    [
                        "pending",
                        "accepted",
                        "completed",
                        "completed",
                        "completed",
                        "declined",
                        "no_show",
                        "cancelled",
                    ]
                )
                completed_on = None
                if status == "completed":
                    completed_on = min(today, day + timedelta(days=rng.randint(1, 30)))
                referral = Referral.objects.create(
                    person=person,
                    site=pao,
                    program=programs["PAO"],
                    service_type=stype,
                    partner=partner,
                    referred_on=day,
                    status=status,
                    completed_on=completed_on,
                    follow_up_due=day + timedelta(days=14),
                    population_type=person.population_type,
                    responsible=caseworker,
                    created_by=caseworker,
                    is_overdue=status in ("pending", "accepted") and day + timedelta(days=14) < today,
                )
                ReferralTransition.objects.create(
                    referral=referral, from_status="", to_status="pending", by=caseworker
                )
                if status != "pending":
                    ReferralTransition.objects.create(
                        referral=referral, from_status="pending", to_status=status, by=caseworker
                    )
                created["referrals"] += 1
        created["people"] += 1

    # Children: household members who join the sport program.
    groups = []
    for school in schools:
        for name, low, high in [("Sub-10", 6, 10), ("Sub-14", 11, 14), ("Sub-16", 13, 16)]:
            group, _ = SportGroup.objects.get_or_create(
                program=programs["BALON"],
                site=school,
                name=f"{name} {school.code}",
                defaults={"age_min": low, "age_max": high},
            )
            group.facilitators.add(users["facilitator"])
            groups.append(group)
    children = people - adults
    for j in range(children):
        group = groups[j % len(groups)]
        head = rng.choice(households) if households and rng.random() < 0.6 else None
        nat = rng.choice(NATIONALITIES)
        sex = rng.choice("FM")
        child = Person.objects.create(
            ref=f"DEMO-{adults + j + 1:04d}",
            given_names=rng.choice(GIVEN_F if sex == "F" else GIVEN_M),
            family_names=head.family_names if head else f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}",
            sex=sex,
            birth_date=birth(group.age_min, group.age_max),
            nationality=nat,
            population_type="host" if nat == "PE" else "destination",
            site=group.site,
            school=group.site,
            registered_on=today - timedelta(days=rng.randint(30, 360)),
            household=head.household if head else None,
            relationship=Person.Relationship.CHILD if head else "",
            is_light_profile=head is None,
            guardian_name=str(head) if head else f"{rng.choice(GIVEN_F)} {rng.choice(FAMILY)}",
            guardian_relationship="madre",
            guardian_phone=f"9{rng.randint(10000000, 99999999)}",
            created_by=users["facilitator"],
        )
        for purpose in ("data_processing", "image_use"):
            Consent.objects.create(
                person=child,
                purpose=purpose,
                method="written",
                given_by="guardian",
                guardian_name=child.guardian_name,
                guardian_relationship="madre",
                given_on=child.registered_on,
                recorded_by=users["facilitator"],
            )
        GroupParticipant.objects.create(group=group, person=child, joined_on=child.registered_on)
        created["people"] += 1

    # Weekly sessions for each group over the last 12 months, attendance for members who had joined.
    members = {g.pk: list(GroupParticipant.objects.filter(group=g).select_related("person")) for g in groups}
    for group in groups:
        start = add_months(today, -11)
        day = start + timedelta(days=(group.pk % 5))
        while day <= today:
            activity = rng.choices(
                [Activity.SOCCER_CLINIC, Activity.LEADERSHIP_WORKSHOP, Activity.COMMUNITY_ACTIVITY], [6, 2, 1]
            )[0]
            session, _ = SportSession.objects.get_or_create(
                program=programs["BALON"],
                site=group.site,
                group=group,
                date=day,
                activity=activity,
                defaults={"created_by": users["facilitator"]},
            )
            session.facilitators.add(users["facilitator"])
            rows = []
            for membership in members[group.pk]:
                if membership.joined_on <= day:
                    rows.append(
                        Attendance(
                            session=session,
                            person=membership.person,
                            present=rng.random() < 0.8,
                            population_type=membership.person.population_type,
                            recorded_by=users["facilitator"],
                        )
                    )
            Attendance.objects.bulk_create(rows, ignore_conflicts=True)
            created["attendance"] += len(rows)
            day += timedelta(days=7)
    _demo_duplicates(pao)
    created["visits"] = reception_demo_day(users)
    return created


def reception_demo_day(users: dict) -> int:
    """Today's morning at PAO-LS's reception: a few people served, some at a desk, a line waiting
    (once a day: nothing is added when today already has tickets)."""
    from cases.models import Area, Person
    from orientation.models import Site
    from reception import actions as reception
    from reception.models import Appointment, Visit

    site = Site.objects.get(code="PAO-LS")
    now = timezone.now()
    if Visit.objects.filter(site=site, day=timezone.localdate(now)).exists():
        return 0
    start = max(
        now - timedelta(hours=2), timezone.localtime(now).replace(hour=0, minute=1, second=0, microsecond=0)
    )
    step = (now - start) / 12
    people = list(Person.objects.filter(ref__startswith="DEMO-", site=site).order_by("ref")[:14])
    people, booked = people[:10], people[10:]
    areas = [Area.DOCUMENTATION, Area.DOCUMENTATION, Area.PRIMARY_CARE, Area.PSYCHOSOCIAL, Area.PROTECTION]
    receptionist, caseworker = users["receptionist"], users["caseworker"]
    visits = []
    for i, person in enumerate(people):
        visits.append(
            reception.visit_check_in(
                user=receptionist,
                site=site,
                person=person,
                area=areas[i % len(areas)],
                returning=i % 4 == 1,
                now=start + step * i,
            )
        )
    for i, visit in enumerate(visits[:4]):
        at = start + step * (i + 2)
        visit = reception.visit_call(user=caseworker, visit=visit, site=site, desk=str(1 + i % 2), now=at)
        if i < 3:
            visit = reception.visit_start(user=caseworker, visit=visit, now=at + step / 3)
        if i < 2:
            reception.visit_done(user=caseworker, visit=visit, now=at + step)
    # Appointments: two people expected this afternoon, two tomorrow, one missed yesterday.
    today = timezone.localdate(now)
    staff = [caseworker, users["psychosocial"]]
    for i, person in enumerate(booked):
        day, hour = (today, 15) if i < 2 else (today + timedelta(days=1), 9)
        Appointment.objects.get_or_create(
            person=person,
            site=site,
            date=day,
            time=time(hour, 30 * (i % 2)),
            defaults={"area": areas[i], "staff": staff[i % 2], "booked_by": receptionist},
        )
    if booked:
        Appointment.objects.get_or_create(
            person=booked[0],
            site=site,
            date=today - timedelta(days=1),
            time=time(11, 0),
            defaults={"area": Area.DOCUMENTATION, "staff": caseworker, "booked_by": receptionist},
        )
        reception.appointments_mark_missed(today=today)
    return len(visits)


def _demo_duplicates(site) -> int:
    """The last three people of the demo are the first three registered again at the desk (a typo
    in the name, one family name, another phone), each record with what was recorded on it: the
    duplicates review has pairs to merge (docs/merge.md). Returns the people made twins."""
    from cases.models import Person

    people = list(
        Person.objects.filter(ref__startswith="DEMO-", site=site, birth_date__isnull=False).order_by("ref")
    )
    pairs = list(zip(people[:3], reversed(people[3:]), strict=False)) if len(people) >= 6 else []
    for original, twin in pairs:
        given = original.given_names
        twin.given_names = given[:-1] + "y" if given.endswith("i") else given
        twin.family_names = original.family_names.split(" ")[0]
        twin.sex, twin.birth_date = original.sex, original.birth_date
        twin.birth_date_estimated = original.birth_date_estimated
        twin.nationality = original.nationality
        twin.save()
    return len(pairs)
