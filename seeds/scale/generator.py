"""The generator: people, their contacts month by month, and what goes with them."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from orientation.dates import add_months

from .bulk import TableWriter
from .distributions import (
    ACTIVITIES,
    ADULT_AGES,
    ADULT_PROGRAMS,
    DIRECT_AREAS,
    FAMILY,
    FEB_29_EVERY,
    GIVEN_F,
    GIVEN_M,
    GROUP_KINDS,
    NATIONALITIES,
    NO_BIRTH_DATE,
    POPULATION_FOREIGN,
    POPULATION_PERUVIAN,
    PRESENT,
    REFERRAL_AREAS,
    REFERRAL_SHARE,
    REFERRAL_STATUS,
    SEX_ADULT,
    SEX_YOUTH,
    SWITCH_SHARE,
    YOUTH_PER_GROUP_MONTH,
    _normalize,
    _table,
    referral_code,
)
from .plan import Plan, _allocate, plan_months


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    shortfall: int = 0
    plan: Plan | None = None

    @property
    def events(self) -> int:
        return sum(self.counts.get(k, 0) for k in ("direct_services", "referrals", "attendance"))


def person_derived_fields(person_model) -> dict:
    """Person columns that ``Person.save()`` derives from the normalised name, besides
    ``search_name`` (which the generator writes itself): each name with how to compute it. The
    bulk load bypasses ``save()``, so these are filled here, e.g. the cases app's sound-alike
    ``name_key`` used by the misspelling-tolerant search."""
    names = {f.attname for f in person_model._meta.concrete_fields}
    derived = {}
    if "name_key" in names:
        from functools import lru_cache

        from cases.search import phonetic_key  # present whenever the model has name_key

        derived["name_key"] = lru_cache(maxsize=200_000)(phonetic_key)
    return derived


class Generator:
    def __init__(self, *, people: int, events: int, months: int, seed: int, end: date | None, say):
        from orientation.models import District, Program, Site
        from services.models import Partner, ServiceType

        self.say = say
        self.rng = random.Random(seed)
        programs = {p.code: p for p in Program.objects.all()}
        self.program_ids = {code: p.pk for code, p in programs.items()}
        self.plan = plan_months(
            people=people,
            events=events,
            months=months,
            end=end,
            programs={code: (p.start_date, p.end_date) for code, p in programs.items()},
        )
        self.sites = {s.code: s.pk for s in Site.objects.all()}
        self.stypes: dict[str, list[int]] = {}
        for st in ServiceType.objects.order_by("code"):
            self.stypes.setdefault(st.area, []).append(st.pk)
        self.partners: dict[str, list[int | None]] = {}
        for partner in Partner.objects.order_by("code"):
            for area in partner.areas:
                self.partners.setdefault(area, []).append(partner.pk)
        self.districts = list(
            District.objects.filter(department="Lima").order_by("ubigeo").values_list("ubigeo", flat=True)
        ) or [None]
        self.today = timezone.localdate()
        self.today_ord = self.today.toordinal()
        self._iso: dict[int, str] = {}
        self.tables = {
            "nat": _table(NATIONALITIES),
            "pop_foreign": _table(POPULATION_FOREIGN),
            "pop_pe": _table(POPULATION_PERUVIAN),
            "adult_age": _table(ADULT_AGES),
            "sex_adult": _table(SEX_ADULT),
            "sex_youth": _table(SEX_YOUTH),
            "status": _table(REFERRAL_STATUS),
            "activity": _table(ACTIVITIES),
            **{f"direct_{p}": _table(a) for p, a in DIRECT_AREAS.items()},
            **{f"referral_{p}": _table(a) for p, a in REFERRAL_AREAS.items()},
        }
        self.given = {"F": GIVEN_F, "M": GIVEN_M, "X": GIVEN_F + GIVEN_M}
        self.norm = {name: _normalize(name) for name in set(GIVEN_F + GIVEN_M + FAMILY)}
        # Per person (index = id - 1): population type at registration, after the switch, switch month.
        self.pop0: list[str] = []
        self.pop1: list[str] = []
        self.switch: list[int] = []

    def iso(self, ordinal: int) -> str:
        text = self._iso.get(ordinal)
        if text is None:
            text = self._iso[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    # People -----------------------------------------------------------------------------------

    def _population(self, nationality: str, m: int) -> tuple[str, str, int]:
        rng = self.rng
        if nationality == "PE":
            first = self.tables["pop_pe"][int(rng.random() * len(self.tables["pop_pe"]))]
            return first, first, 1 << 30
        first = self.tables["pop_foreign"][int(rng.random() * len(self.tables["pop_foreign"]))]
        if first in ("transit", "pendular") and rng.random() < SWITCH_SHARE / 0.32:
            return first, "destination", m + rng.randint(1, 12)
        return first, first, 1 << 30

    def _birth(self, pid: int, reg_ord: int, low: int, high: int, kind: str) -> str | None:
        rng = self.rng
        ordinal = min(reg_ord, reg_ord - int(rng.uniform(low, high + 1) * 365.2425))
        if pid % FEB_29_EVERY == 1:  # a few born on 29 February, at any size
            year = date.fromordinal(ordinal).year
            while not calendar.isleap(year) or date(year, 2, 29).toordinal() > ordinal:
                year -= 1
            return self.iso(date(year, 2, 29).toordinal())
        if rng.random() < NO_BIRTH_DATE[kind]:
            return None
        return self.iso(ordinal)

    def new_person(self, pid: int, kind: str, m: int, reg_ord: int, site: int, school: int | None, ages):
        """Write one person registered on ``reg_ord``; ``ages`` is (low, high) in years."""
        rng, t = self.rng, self.tables
        sex_table = t["sex_adult"] if kind == "adult" else t["sex_youth"]
        sex = sex_table[int(rng.random() * len(sex_table))]
        nat = t["nat"][int(rng.random() * len(t["nat"]))]
        if kind == "youth" and rng.random() < 0.25:
            nat = "PE"  # the sport program brings migrant and host-community children together
        pop0, pop1, switch = self._population(nat, m)
        self.pop0.append(pop0)
        self.pop1.append(pop1)
        self.switch.append(switch)
        given_pool = self.given[sex]
        given = given_pool[int(rng.random() * len(given_pool))]
        family = f"{FAMILY[int(rng.random() * len(FAMILY))]} {FAMILY[int(rng.random() * len(FAMILY))]}"
        fam1, fam2 = family.split(" ", 1)
        search = f"{self.norm[given]} {self.norm[fam1]} {self.norm[fam2]}"
        birth = self._birth(pid, reg_ord, ages[0], ages[1], kind)
        current = pop1 if switch <= len(self.plan.months) - 1 else pop0
        reg = self.iso(reg_ord)
        arrived = None if nat == "PE" and pop0 == "host" else self.iso(reg_ord - rng.randint(5, 2500))
        district = self.districts[int(rng.random() * len(self.districts))]
        phone = f"9{(pid * 7919 + rng.randint(0, 9999)) % 100000000:08d}"
        created = f"{reg} 14:{(pid // 60) % 60:02d}:{pid % 60:02d}"  # UTC: 09:xx in Lima
        if kind == "youth":
            guardian = f"{GIVEN_F[int(rng.random() * len(GIVEN_F))]} {fam1}"
            row = (pid, f"G{pid:08d}", given, family, search, sex, birth, False, nat, current, "",
                   district, arrived, site, reg, True, school, guardian, "madre",
                   f"9{(pid * 104729) % 100000000:08d}", created, created)  # fmt: skip
        else:
            row = (pid, f"G{pid:08d}", given, family, search, sex, birth, birth is not None and rng.random() < 0.05,
                   nat, current, phone, district, arrived, site, reg, False, None, "", "", "", created, created)  # fmt: skip
        if self.derived:
            row += tuple(compute(search) for compute in self.derived.values())
        self.w["person"].add(row)
        # Consents (data processing for all; sharing with partners for most adults; images for youth).
        self.consent_id += 1
        minor = birth is not None and (reg_ord - date.fromisoformat(birth).toordinal()) < 14 * 365.2425
        by = "guardian" if kind == "youth" or minor else "self"
        guardian_name = f"{GIVEN_F[pid % len(GIVEN_F)]} {fam1}" if by == "guardian" else ""
        self.w["consent"].add(
            (self.consent_id, pid, "data_processing", "written", reg, by, guardian_name, created)
        )
        second = "image_use" if kind == "youth" else ("referral_sharing" if rng.random() < 0.85 else None)
        if second:
            self.consent_id += 1
            self.w["consent"].add((self.consent_id, pid, second, "written", reg, by, guardian_name, created))
        if kind == "adult":
            self.intake_id += 1
            priority = ("low", "medium", "medium", "high", "urgent")[int(rng.random() * 5)]
            self.w["intake"].add((self.intake_id, pid, site, reg, priority, pop0, created))
            if birth is None or not minor:
                doc = "dni" if nat == "PE" else ("cedula_ve", "cpp", "ptp", "passport", "ce")[pid % 5]
                number = f"{40000000 + pid}" if doc in ("dni", "cedula_ve") else f"{doc[0].upper()}{pid:09d}"
                self.doc_id += 1
                self.w["document"].add((self.doc_id, pid, doc, number, nat, created))

    # Events -------------------------------------------------------------------------------------

    def stamp(self, pid: int, m: int) -> str:
        i = pid - 1
        return self.pop0[i] if m < self.switch[i] else self.pop1[i]

    def service_event(self, pid: int, m: int, program: str, day_ord: int) -> None:
        rng, t = self.rng, self.tables
        pop = self.stamp(pid, m)
        day = self.iso(day_ord)
        site = self.sites["PAO-LS"]
        if rng.random() < REFERRAL_SHARE[program]:
            areas = t[f"referral_{program}"]
            area = areas[int(rng.random() * len(areas))]
            stype = self.stypes[area][int(rng.random() * len(self.stypes[area]))]
            partners = self.partners.get(area) or [None]
            partner = None if rng.random() < 0.15 else partners[int(rng.random() * len(partners))]
            status = t["status"][int(rng.random() * len(t["status"]))]
            completed = None
            if status == "completed":
                completed = self.iso(min(day_ord + int(rng.expovariate(1 / 12)), self.last_ord))
            due_ord = day_ord + 14
            overdue = status in ("pending", "accepted") and due_ord < self.today_ord
            self.referral_id += 1
            rid = self.referral_id
            created = f"{day} {13 + rid % 10:02d}:{(rid // 60) % 60:02d}:{rid % 60:02d}"
            # Every transition kept: created pending, then (some through accepted) to the final
            # status; the referral's last change is its last transition.
            moves = [("", "pending", created)]
            if status != "pending":
                done_ord = date.fromisoformat(completed).toordinal() if completed else min(day_ord + rng.randint(1, 10), self.last_ord)  # fmt: skip
                if status in ("completed", "no_show", "cancelled", "declined") and rng.random() < 0.5:
                    moves.append(("pending", "accepted", f"{self.iso(min(day_ord + 1, done_ord))} 23:00:00"))
                    moves.append(("accepted", status, f"{self.iso(done_ord)} 23:30:00"))
                else:
                    moves.append(("pending", status, f"{self.iso(done_ord)} 23:30:00"))
            self.w["referral"].add((rid, referral_code(rid), pid, site, self.program_ids[program], stype, partner,
                                    day, status, self.iso(due_ord), completed, overdue, pop, created, moves[-1][2]))  # fmt: skip
            for before, after, at in moves:
                self.transition(rid, before, after, at)
        else:
            areas = t[f"direct_{program}"]
            area = areas[int(rng.random() * len(areas))]
            stype = self.stypes[area][int(rng.random() * len(self.stypes[area]))]
            self.direct_id += 1
            did = self.direct_id
            created = f"{day} {13 + did % 10:02d}:{(did // 60) % 60:02d}:{did % 60:02d}"
            self.w["direct"].add(
                (did, pid, site, self.program_ids[program], stype, day, pop, created, created)
            )

    def transition(self, referral_id: int, before: str, after: str, at: str) -> None:
        self.transition_id += 1
        self.w["transition"].add((self.transition_id, referral_id, before, after, at))

    def attendance(self, session_id: int, pid: int, m: int, present: bool, day: str) -> None:
        self.attendance_id += 1
        created = f"{day} 21:{(self.attendance_id // 60) % 60:02d}:{self.attendance_id % 60:02d}"
        self.w["attendance"].add((self.attendance_id, session_id, pid, present, self.stamp(pid, m), created))

    # The run ------------------------------------------------------------------------------------

    def run(self, directory: str | None) -> Result:
        from cases.models import Consent, IdentityDocument, Intake, Person
        from services.models import DirectService, Referral, ReferralTransition
        from services.sport.models import Attendance, GroupParticipant, SportGroup, SportSession

        rng, plan = self.rng, self.plan
        months = plan.months
        self.derived = person_derived_fields(Person)
        self.last_ord = max(hi for (_lo, hi) in plan.ranges.values()).toordinal() if plan.ranges else 0
        self.w = {
            "person": TableWriter(
                Person,
                [
                    "id",
                    "ref",
                    "given_names",
                    "family_names",
                    "search_name",
                    "sex",
                    "birth_date",
                    "birth_date_estimated",
                    "nationality",
                    "population_type",
                    "phone",
                    "district_id",
                    "arrived_on",
                    "site_id",
                    "registered_on",
                    "is_light_profile",
                    "school_id",
                    "guardian_name",
                    "guardian_relationship",
                    "guardian_phone",
                    "created_at",
                    "updated_at",
                ]
                + list(self.derived),
                directory,
            ),  # fmt: skip
            "consent": TableWriter(
                Consent,
                [
                    "id",
                    "person_id",
                    "purpose",
                    "method",
                    "given_on",
                    "given_by",
                    "guardian_name",
                    "created_at",
                ],
                directory,
            ),
            "intake": TableWriter(
                Intake,
                ["id", "person_id", "site_id", "date", "priority", "population_type", "created_at"],
                directory,
            ),
            "document": TableWriter(
                IdentityDocument,
                ["id", "person_id", "doc_type", "number", "issuing_country", "created_at"],
                directory,
            ),
            "session": TableWriter(
                SportSession,
                ["id", "program_id", "site_id", "group_id", "date", "activity", "created_at"],
                directory,
            ),
            "member": TableWriter(GroupParticipant, ["id", "group_id", "person_id", "joined_on"], directory),
            "direct": TableWriter(
                DirectService,
                [
                    "id",
                    "person_id",
                    "site_id",
                    "program_id",
                    "service_type_id",
                    "delivered_on",
                    "population_type",
                    "created_at",
                    "updated_at",
                ],
                directory,
            ),  # fmt: skip
            "referral": TableWriter(
                Referral,
                [
                    "id",
                    "code",
                    "person_id",
                    "site_id",
                    "program_id",
                    "service_type_id",
                    "partner_id",
                    "referred_on",
                    "status",
                    "follow_up_due",
                    "completed_on",
                    "is_overdue",
                    "population_type",
                    "created_at",
                    "updated_at",
                ],
                directory,
            ),  # fmt: skip
            "transition": TableWriter(
                ReferralTransition, ["id", "referral_id", "from_status", "to_status", "at"], directory
            ),
            "attendance": TableWriter(
                Attendance,
                ["id", "session_id", "person_id", "present", "population_type", "recorded_at"],
                directory,
            ),
        }
        self.consent_id = self.intake_id = self.doc_id = 0
        self.direct_id = self.referral_id = self.attendance_id = self.transition_id = 0
        result = Result(plan=plan)

        # Sport groups: enough that each gets about YOUTH_PER_GROUP_MONTH new youth a month.
        youth_months = [m for m in range(len(months)) if plan.registrations.get((m, "youth"))]
        youth_total = sum(plan.registrations.get((m, "youth"), 0) for m in range(len(months)))
        n_groups = max(3, round(youth_total / max(1, len(youth_months)) / YOUTH_PER_GROUP_MONTH))
        balon = self.program_ids["BALON"]
        sport_sites = [self.sites[c] for c in ("SCH-01", "SCH-02", "PAO-LS")]
        group_objs = []
        for g in range(n_groups):
            name, low, high = GROUP_KINDS[(g // 3) % 3]
            group_objs.append(
                SportGroup(program_id=balon, site_id=sport_sites[g % 3], name=f"{name} G{g + 1:04d}",
                           age_min=low, age_max=high)
            )  # fmt: skip
        SportGroup.objects.bulk_create(group_objs, batch_size=2000)
        groups = list(SportGroup.objects.filter(name__in=[g.name for g in group_objs]).order_by("name"))
        groups.sort(key=lambda g: int(g.name.rsplit("G", 1)[1]))

        # Weekly sessions of each group while BALON runs.
        sessions: list[dict[int, list[tuple[int, str]]]] = [
            dict() for _ in months
        ]  # m -> group -> [(id, day)]
        session_id = 0
        for m in range(len(months)):
            rng_ = plan.ranges.get((m, "BALON"))
            if not rng_:
                continue
            lo, hi = rng_[0].toordinal(), rng_[1].toordinal()
            for g, group in enumerate(groups):
                weekday = g % 6
                first = lo + (weekday - date.fromordinal(lo).weekday()) % 7
                for day_ord in range(first, hi + 1, 7):
                    session_id += 1
                    day = self.iso(day_ord)
                    activity = self.tables["activity"][int(rng.random() * len(self.tables["activity"]))]
                    self.w["session"].add(
                        (session_id, balon, group.site_id, group.pk, day, activity, f"{day} 20:00:00")
                    )
                    sessions[m].setdefault(g, []).append((session_id, day))

        adults: list[int] = []  # adult pool, in registration order
        adult_mark: list[int] = []  # len(adults) at the start of each month
        roster: list[list[int]] = [[] for _ in groups]  # youth per group, in registration order
        roster_mark: list[list[int]] = [[] for _ in groups]
        pid = 0
        member_id = 0
        carry = 0
        for m in range(len(months)):
            adult_mark.append(len(adults))
            for g in range(len(groups)):
                roster_mark[g].append(len(roster[g]))
            # Adults: new registrants' first contacts first, then returning people.
            progs = []
            for p in ADULT_PROGRAMS:
                progs += [p] * plan.events.get((m, p), 0)
            rng.shuffle(progs)
            n_new = plan.registrations.get((m, "adult"), 0)
            adult_ranges = [plan.ranges[(m, p)] for p in ADULT_PROGRAMS if (m, p) in plan.ranges]
            new_ids = []
            new_reg: list[int] = []
            for i in range(n_new):
                pid += 1
                if i < len(progs):
                    lo, hi = plan.ranges[(m, progs[i])]
                else:
                    lo, hi = adult_ranges[0] if adult_ranges else (months[m], months[m])
                reg_ord = rng.randint(lo.toordinal(), hi.toordinal())
                ages = self.tables["adult_age"][int(rng.random() * len(self.tables["adult_age"]))]
                self.new_person(pid, "adult", m, reg_ord, self.sites["PAO-LS"], None, ages)
                new_ids.append(pid)
                new_reg.append(reg_ord)
                if i < len(progs):
                    self.service_event(pid, m, progs[i], reg_ord)
            mark = adult_mark[m]
            recent = adult_mark[max(0, m - 3)]
            for prog in progs[n_new:]:
                lo, hi = plan.ranges[(m, prog)]
                lo_ord, hi_ord = lo.toordinal(), hi.toordinal()
                if mark:
                    if rng.random() < 0.5 and mark > recent:
                        person = adults[rng.randrange(recent, mark)]
                    else:
                        person = adults[rng.randrange(mark)]
                    day_ord = rng.randint(lo_ord, hi_ord)
                else:  # the first month: only this month's registrants, after they registered
                    k = rng.randrange(len(new_ids))
                    person = new_ids[k]
                    day_ord = rng.randint(max(lo_ord, new_reg[k]), max(hi_ord, new_reg[k]))
                self.service_event(person, m, prog, day_ord)
            adults.extend(new_ids)

            # Youth: each new participant's first session (present), then the group's regulars.
            month_sessions = sessions[m]
            n_new = plan.registrations.get((m, "youth"), 0)
            target = plan.events.get((m, "BALON"), 0) + carry
            placed = 0
            new_by_group: list[list[int]] = [[] for _ in groups]
            all_sessions = [(g, s) for g, lst in month_sessions.items() for s in lst]
            for _i in range(n_new):
                pid += 1
                g = rng.randrange(len(groups))
                if g not in month_sessions:
                    g = all_sessions[rng.randrange(len(all_sessions))][0] if all_sessions else g
                group = groups[g]
                options = month_sessions.get(g)
                if options:
                    sid, day = options[rng.randrange(len(options))]
                    reg_ord = date.fromisoformat(day).toordinal()
                else:  # BALON not running this month: registered, no session yet
                    sid, day = None, None
                    reg_ord = rng.randint(
                        months[m].toordinal(),
                        min(self.today_ord - 1, add_months(months[m], 1).toordinal() - 1),
                    )
                site = group.site_id
                school = site if site != self.sites["PAO-LS"] else None
                self.new_person(pid, "youth", m, reg_ord, site, school, (group.age_min, group.age_max))
                member_id += 1
                self.w["member"].add((member_id, group.pk, pid, self.iso(reg_ord)))
                new_by_group[g].append(pid)
                if sid is not None and placed < target:
                    self.attendance(sid, pid, m, True, day)
                    placed += 1
            remaining = target - placed
            if all_sessions and remaining > 0:
                quotas = _allocate(remaining, [1.0] * len(all_sessions))
                for (g, (sid, day)), quota in zip(all_sessions, quotas, strict=True):
                    hi = roster_mark[g][m]
                    if not quota or not hi:
                        continue
                    lo = roster_mark[g][max(0, m - 3)]
                    k = min(quota, hi)
                    picks = rng.sample(range(lo, hi), k) if k <= hi - lo else rng.sample(range(hi), k)
                    members = roster[g]
                    for idx in picks:
                        self.attendance(sid, members[idx], m, rng.random() < PRESENT, day)
                    placed += k
            carry = target - placed
            for g, ids in enumerate(new_by_group):
                roster[g].extend(ids)
            if (m + 1) % 6 == 0 or m == len(months) - 1:
                self.say(f"  generated {months[m]:%Y-%m}: {pid:,} people, "
                         f"{self.direct_id + self.referral_id + self.attendance_id:,} events")  # fmt: skip

        result.shortfall = carry
        for w in self.w.values():
            w.close()
        result.counts = {
            "people": self.w["person"].count,
            "direct_services": self.w["direct"].count,
            "referrals": self.w["referral"].count,
            "referral_transitions": self.w["transition"].count,
            "attendance": self.w["attendance"].count,
            "sport_groups": len(groups),
            "sport_sessions": self.w["session"].count,
            "group_members": self.w["member"].count,
            "intakes": self.w["intake"].count,
            "consents": self.w["consent"].count,
            "documents": self.w["document"].count,
        }
        return result
