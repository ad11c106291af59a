"""A small hand-made data set whose right answers are worked out by hand in the tests.

People (sex, birth date, nationality) and their events; ``pt`` is the population type stamped on
each event. M is March 2025. Programs start: PAO 2024-08-01, BALON 2019-01-01, SALUD 2024-03-01.

P1  Ana    F 2007-03-15 VE  DS doc-orientation PAO 2024-12-10 transit; DS doc-orientation PAO
                            2025-03-15 destination (her 18th birthday: 18-59 that day)
P2  Beto   M 2020-02-29 VE  DS phc-consultation PAO 2025-02-28 (last day of Feb: still 4, 0-4) and
                            2025-03-01 (first day of March: 5, 5-11), both destination
P3  Carla  F no birth  CO   DS mhpss-pfa PAO 2025-03-20 transit (age unknown)
P4  Diego  M 1960-07-01 PE  referral phc-consultation PAO made 2025-02-20, completed 2025-03-05, host
P5  Elena  F 1990-05-17 VE  referrals PAO: doc-cpp 2025-03-10 declined; doc-refugee 2025-03-12
                            cancelled; phc-sis 2025-03-31 pending (last day of March); destination
P6  Fabio  M 1985-01-01 VE  DS prot-legal PAO 2025-03-03 and a prot-legal referral 2025-03-03 pending
P7  Gaby   F 2015-06-10 VE  BALON 2025-03-08 soccer clinic present transit (recorded first) and
                            leadership workshop present destination (same day); community activity
                            2025-03-22 absent
P8  Hugo   M 2010-03-31 PE  BALON soccer clinic 2025-03-31 present host; DS phc-consultation PAO
                            2025-03-31 host; DS phc-consultation SALUD 2025-01-15 and 2025-03-02 host
P9  Inés   F 1999-09-09 VE  DS PAO on 2025-03-14: mhpss-individual pendular (recorded first), then
                            doc-orientation destination
P10 Juan   M 2000-01-01 VE  DS doc-orientation PAO 2025-01-20 transit and 2025-03-25 destination
P11 Karla  F 1995-02-02 VE  DS doc-orientation PAO 2025-04-01 destination (after M)
"""

from datetime import date

from tests.factories import (
    AttendanceFactory,
    DirectServiceFactory,
    PersonFactory,
    ReferralFactory,
    SportSessionFactory,
    program,
    service_type,
    site,
)


def build() -> dict:
    pao, balon, salud = program("PAO"), program("BALON"), program("SALUD")

    def person(name, sex, birth, nat, pt="destination", where="PAO-LS"):
        return PersonFactory(
            given_names=name, sex=sex, birth_date=birth, nationality=nat, population_type=pt, site=site(where)
        )

    def ds(who, code, day, pt, prog=pao):
        return DirectServiceFactory(
            person=who, program=prog, service_type=service_type(code), delivered_on=day, population_type=pt
        )

    def referral(who, code, day, status, pt, completed_on=None):
        return ReferralFactory(
            person=who,
            program=pao,
            service_type=service_type(code),
            referred_on=day,
            status=status,
            completed_on=completed_on,
            population_type=pt,
        )

    p = {}
    p[1] = person("Ana", "F", date(2007, 3, 15), "VE")
    ds(p[1], "doc-orientation", date(2024, 12, 10), "transit")
    ds(p[1], "doc-orientation", date(2025, 3, 15), "destination")

    p[2] = person("Beto", "M", date(2020, 2, 29), "VE")
    ds(p[2], "phc-consultation", date(2025, 2, 28), "destination")
    ds(p[2], "phc-consultation", date(2025, 3, 1), "destination")

    p[3] = person("Carla", "F", None, "CO", pt="transit")
    ds(p[3], "mhpss-pfa", date(2025, 3, 20), "transit")

    p[4] = person("Diego", "M", date(1960, 7, 1), "PE", pt="host")
    referral(p[4], "phc-consultation", date(2025, 2, 20), "completed", "host", completed_on=date(2025, 3, 5))

    p[5] = person("Elena", "F", date(1990, 5, 17), "VE")
    referral(p[5], "doc-cpp", date(2025, 3, 10), "declined", "destination")
    referral(p[5], "doc-refugee", date(2025, 3, 12), "cancelled", "destination")
    referral(p[5], "phc-sis", date(2025, 3, 31), "pending", "destination")

    p[6] = person("Fabio", "M", date(1985, 1, 1), "VE")
    ds(p[6], "prot-legal", date(2025, 3, 3), "destination")
    referral(p[6], "prot-legal", date(2025, 3, 3), "pending", "destination")

    p[7] = person("Gaby", "F", date(2015, 6, 10), "VE", where="SCH-01")
    soccer = SportSessionFactory(program=balon, date=date(2025, 3, 8), activity="soccer_clinic")
    leadership = SportSessionFactory(program=balon, date=date(2025, 3, 8), activity="leadership_workshop")
    community = SportSessionFactory(program=balon, date=date(2025, 3, 22), activity="community_activity")
    AttendanceFactory(session=soccer, person=p[7], present=True, population_type="transit")
    AttendanceFactory(session=leadership, person=p[7], present=True, population_type="destination")
    AttendanceFactory(session=community, person=p[7], present=False, population_type="destination")

    p[8] = person("Hugo", "M", date(2010, 3, 31), "PE", pt="host")
    soccer_31 = SportSessionFactory(program=balon, date=date(2025, 3, 31), activity="soccer_clinic")
    AttendanceFactory(session=soccer_31, person=p[8], present=True, population_type="host")
    ds(p[8], "phc-consultation", date(2025, 3, 31), "host")
    ds(p[8], "phc-consultation", date(2025, 1, 15), "host", prog=salud)
    ds(p[8], "phc-consultation", date(2025, 3, 2), "host", prog=salud)

    p[9] = person("Inés", "F", date(1999, 9, 9), "VE")
    ds(p[9], "mhpss-individual", date(2025, 3, 14), "pendular")
    ds(p[9], "doc-orientation", date(2025, 3, 14), "destination")

    p[10] = person("Juan", "M", date(2000, 1, 1), "VE", pt="transit")
    ds(p[10], "doc-orientation", date(2025, 1, 20), "transit")
    ds(p[10], "doc-orientation", date(2025, 3, 25), "destination")

    p[11] = person("Karla", "F", date(1995, 2, 2), "VE")
    ds(p[11], "doc-orientation", date(2025, 4, 1), "destination")
    return p
