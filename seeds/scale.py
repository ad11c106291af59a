"""Scale data for benchmarks and load tests: N people and M events over the last K months.

``python manage.py generate_demo --people 1000000 --events 5000000`` fills PostgreSQL in minutes:
rows are generated in Python, written as COPY text and loaded with psycopg 3 ``cursor.copy()``
while the loaded tables' secondary indexes and constraints are dropped; they are re-created (and
so re-checked: unique slip codes, one attendance per session and person, completed referrals with
a completion date, every foreign key) once the rows are in, then sequences are moved past the new
ids and the tables are analysed. On SQLite (small N, tests) the same rows go in with batched
INSERTs.

What it makes, month by month over the K months that end with last month:

- people at the three sites: adults and their children at the orientation point (PAO-LS) who
  receive services, and youth (6-16) in the sport groups of SCH-01, SCH-02 and PAO-LS;
  nationalities mostly VE, then PE, CO, EC and a few others; every population type (PE host or
  returnee); some without birth date, a few born on 29 February; about one in ten changes
  population type (transit or pendular to destination) some months after registering, so the
  type stamped on a contact is not always the person's current one;
- "events" (the M asked for) are contact rows: direct services, referrals (every status;
  completed ones with a completion date, often in a later month; open ones overdue when their
  follow-up date has passed) and sport attendance (present and absent). Each program's events fall
  within its dates (PAO from 2024-08, SALUD from 2024-03, BALON all along) and use every service
  type of the catalog, protection included;
- alongside, not counted in M: one intake per adult registration, consents, identity documents,
  sport groups, weekly sessions and group memberships.

Volumes follow a constant monthly rate per active program, so ``plan_like`` can size a smaller data
set (fewer months) whose last month has the same number of events (the growth benchmark).

No history rows: django-simple-history's tables stay empty for generated rows. They were never
changed by a user, the bulk load bypasses ``save()`` on purpose, and a history copy of every row
would double the data without being read by any page or report.
"""

from __future__ import annotations

import calendar
import json
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

# --- Distributions -----------------------------------------------------------------------------

# Monthly weight of each program's events while it runs; PAO and SALUD serve adults (and the
# children who come with them), BALON the youth of the sport program.
PROGRAM_WEIGHTS = {"PAO": 0.45, "SALUD": 0.20, "BALON": 0.35}
ADULT_PROGRAMS = ("PAO", "SALUD")
YOUTH_PROGRAMS = ("BALON",)
YOUTH_SHARE = 0.25  # of the people registered in a month where both pools are active
YOUTH_PER_GROUP_MONTH = 30  # new youth per sport group and month: sets the number of groups

NATIONALITIES = [("VE", 70), ("PE", 12), ("CO", 8), ("EC", 5), ("BO", 1.5), ("CL", 1), ("HT", 1)]
NATIONALITIES += [("CU", 1), ("AR", 0.5)]
POPULATION_FOREIGN = [("destination", 62), ("transit", 18), ("pendular", 14)]
POPULATION_FOREIGN += [("host", 6)]  # settled long ago, counted with the host community
POPULATION_PERUVIAN = [("host", 70), ("returnee", 30)]
SWITCH_SHARE = 0.10  # people whose population type changes some months after registering
# Ages at registration (adult pool: adults and the children who come with them).
ADULT_AGES = [((0, 4), 9), ((5, 11), 6), ((12, 17), 5), ((18, 29), 30), ((30, 59), 44), ((60, 85), 6)]
NO_BIRTH_DATE = {"adult": 0.03, "youth": 0.005}
FEB_29_EVERY = 500  # one person in 500 was born on 29 February
SEX_ADULT = [("F", 58), ("M", 41), ("X", 1)]
SEX_YOUTH = [("F", 48), ("M", 51.5), ("X", 0.5)]

DIRECT_AREAS = {
    "PAO": [("documentation", 40), ("primary_care", 20), ("psychosocial", 20), ("protection", 20)],
    "SALUD": [("primary_care", 65), ("psychosocial", 35)],
}
REFERRAL_SHARE = {"PAO": 0.25, "SALUD": 0.10}
REFERRAL_AREAS = {
    "PAO": [("documentation", 30), ("primary_care", 30), ("psychosocial", 20), ("protection", 20)],
    "SALUD": [("primary_care", 60), ("psychosocial", 40)],
}
REFERRAL_STATUS = [("pending", 8), ("accepted", 7), ("completed", 55), ("declined", 10)]
REFERRAL_STATUS += [("no_show", 10), ("cancelled", 10)]
ACTIVITIES = [("soccer_clinic", 70), ("leadership_workshop", 20), ("community_activity", 10)]
PRESENT = 0.85
GROUP_KINDS = [("Sub-10", 6, 10), ("Sub-14", 11, 14), ("Sub-16", 13, 16)]

GIVEN_F = (
    "María|Yusmary|Andreína|Daniela|Génesis|Rosa|Lucía|Valentina|Ana Karina|Mariángel|Yelitza|Carmen|"
    "Sofía|Camila|Milagros|Luz|María José|María Fernanda|Yuleisy|Yohana|Dayana|Oriana|Yorgelis|Nathaly|"
    "Rosmery|Keila|Yessica|Yenny|Marbelis|Karla|Gabriela|Isabel|Paola|Andrea|Lisbeth|Yaneth|Emily|"
    "Victoria|Antonella|Fiorella|Ximena|Jimena|Kiara|Nayeli|Rocío|Flor|Elena|Juana|Teresa|Gladys|"
    "Patricia|Angélica|Dulce|Mayerlin|Wendy|Zuleima|Johana|Maite|Luisa|Ariana|Samantha|Abril|Luciana"
).split("|")
GIVEN_M = (
    "José|Luis|Jesús|Carlos|Yorman|Daniel|Miguel Ángel|Anderson|Jhonny|Pedro|Juan|Samuel|Diego|Ángel|"
    "Kevin|Renzo|José Gregorio|Luis Alberto|Jean Carlos|Wilmer|Yonathan|Freddy|Richard|Eduardo|Alexander|"
    "Leonardo|Gustavo|Javier|Rafael|Ramón|Víctor|Omar|Edgar|Franklin|Héctor|Jhon|Brayan|Santiago|"
    "Mateo|Sebastián|Thiago|Dylan|Alonso|Fabricio|Gael|Joaquín|Rodrigo|César|Julio|Hugo|Manuel|"
    "Andrés|Felipe|Nicolás|Emanuel|Wilfredo|Orlando|Néstor|Alí|Yeferson|Deivis|Maikel|Adrián"
).split("|")
FAMILY = (
    "González|Rodríguez|Pérez|Hernández|García|Martínez|López|Ramírez|Díaz|Rojas|Quispe|Mamani|Flores|"
    "Sánchez|Torres|Castillo|Mendoza|Vásquez|Gutiérrez|Chávez|Núñez|Medina|Silva|Paredes|Romero|Suárez|"
    "Morales|Ortiz|Álvarez|Contreras|Marcano|Rivas|Briceño|Colmenares|Guerrero|Carrasco|Salazar|Acosta|"
    "Blanco|Bolívar|Villegas|Zambrano|Peña|Aponte|Linares|Matos|Parra|Bermúdez|Figueroa|Rangel|Montilla|"
    "Lugo|Fuentes|Cordero|Pacheco|Herrera|Jiménez|Ruiz|Vargas|Ramos|Cruz|Reyes|Aguilar|Gómez|Castro|"
    "Huamán|Condori|Ccama|Choque|Apaza|Huanca|Ticona|Cárdenas|Espinoza|Salas|Vílchez|Ortega|Ibáñez|"
    "Córdova|Tapia|Valdivia|Palomino|Cáceres|Zevallos|Benítez|Molina|Navarro|Delgado|Cabrera|Campos|"
    "Rincón|Márquez|Arias|Osorio|Cardona|Valencia|Montoya|Ospina|Zapata|Velásquez|Mejía|Quintero|Franco|"
    "Cedeño|Andrade|Vera|Macías|Intriago|Zambrano|Solórzano|Yépez|Arteaga|Chirinos|Leal|Rondón|Tovar"
).split("|")
# Spanish surnames come in pairs; common pairs repeat, so a name search finds homonyms as it would.

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # services.codes: Crockford base32 without I, L, O, U
_CODE_MULT = 0x9E3779B1  # odd, so id -> code is a bijection on 40 bits: slip codes never collide


def referral_code(n: int) -> str:
    """A unique slip code for the n-th generated referral, shaped like ``R-7KQ2-M9XD``."""
    x = (n * _CODE_MULT + 0x5A5A5A5A5) & ((1 << 40) - 1)
    chars = [ALPHABET[(x >> (5 * i)) & 31] for i in range(8)]
    return f"R-{''.join(chars[:4])}-{''.join(chars[4:])}"


def _table(pairs, size: int = 1000) -> list:
    """A lookup list where each value fills a share of ``size`` slots by its weight: fast choice."""
    total = sum(weight for _value, weight in pairs)
    out: list = []
    for value, weight in pairs:
        out.extend([value] * round(size * weight / total))
    return out


def _normalize(text: str) -> str:
    from cases.models import normalize_text

    return normalize_text(text)


# --- The plan: how many events and registrations in each month ---------------------------------


def _add_months(day: date, n: int) -> date:
    month = day.month - 1 + n
    return date(day.year + month // 12, month % 12 + 1, 1)


def reference_programs() -> dict[str, tuple[date, date | None]]:
    from seeds.reference import PROGRAMS

    return {code: (start, None) for code, _name, _donor, start, _sites in PROGRAMS}


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder)."""
    mass = sum(weights)
    if total <= 0 or mass <= 0:
        return [0] * len(weights)
    shares = [total * w / mass for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class Plan:
    """Months (first days), the day range each program runs in each month, and the counts."""

    months: list[date]
    ranges: dict[tuple[int, str], tuple[date, date]]  # (month index, program) -> first/last day
    events: dict[tuple[int, str], int]  # (month index, program) -> contact rows
    registrations: dict[tuple[int, str], int]  # (month index, "adult"|"youth") -> new people

    @property
    def total_events(self) -> int:
        return sum(self.events.values())

    @property
    def total_people(self) -> int:
        return sum(self.registrations.values())


def _program_ranges(
    months: list[date], programs, yesterday: date
) -> dict[tuple[int, str], tuple[date, date]]:
    ranges = {}
    for m, first in enumerate(months):
        last = min(_add_months(first, 1) - timedelta(days=1), yesterday)
        for code in PROGRAM_WEIGHTS:
            start, end = programs[code]
            lo, hi = max(first, start), min(last, end or last)
            if lo <= hi:
                ranges[(m, code)] = (lo, hi)
    return ranges


def _pool_weights(months: list[date], ranges) -> dict[tuple[int, str], float]:
    """Registration weight of each pool in each month: its programs' weights while they run."""
    weights = {}
    for m in range(len(months)):
        adult = sum(PROGRAM_WEIGHTS[p] for p in ADULT_PROGRAMS if (m, p) in ranges)
        youth = sum(PROGRAM_WEIGHTS[p] for p in YOUTH_PROGRAMS if (m, p) in ranges)
        if adult and youth:
            weights[(m, "adult")], weights[(m, "youth")] = 1 - YOUTH_SHARE, YOUTH_SHARE
        elif adult or youth:
            weights[(m, "adult" if adult else "youth")] = YOUTH_SHARE if youth else 1 - YOUTH_SHARE
    return weights


def plan_months(
    *, people: int, events: int, months: int = 36, end: date | None = None, programs=None
) -> Plan:
    """Counts per month for ``people`` and ``events`` over the ``months`` ending with ``end``'s month
    (default: last month), in proportion to the programs running in each month."""
    programs = programs or reference_programs()
    today = timezone.localdate()
    end = end or _add_months(today.replace(day=1), -1)
    last_first = end.replace(day=1)
    month_list = [_add_months(last_first, i - months + 1) for i in range(months)]
    yesterday = min(_add_months(last_first, 1) - timedelta(days=1), today - timedelta(days=1))
    ranges = _program_ranges(month_list, programs, yesterday)
    cells = sorted(ranges)
    counts = _allocate(events, [PROGRAM_WEIGHTS[p] for _m, p in cells])
    pool_w = _pool_weights(month_list, ranges)
    pool_cells = sorted(pool_w)
    regs = _allocate(people, [pool_w[c] for c in pool_cells])
    return Plan(
        month_list, ranges, dict(zip(cells, counts, strict=True)), dict(zip(pool_cells, regs, strict=True))
    )


def plan_like(
    *, people: int, events: int, months: int, fewer_months: int, end: date | None = None, programs=None
) -> tuple[int, int]:
    """(people, events) for ``fewer_months`` months at the same monthly rates as the full plan, so
    the last month has the same number of events (give or take one)."""
    programs = programs or reference_programs()
    full = plan_months(people=people, events=events, months=months, end=end, programs=programs)
    cut = months - fewer_months
    ev = sum(n for (m, _p), n in full.events.items() if m >= cut)
    ppl = sum(n for (m, _p), n in full.registrations.items() if m >= cut)
    return ppl, ev


# --- Writing rows ------------------------------------------------------------------------------


class TableWriter:
    """Rows for one model's table: the generated columns, then every other column's default."""

    def __init__(self, model, fields: list[str], directory: str | None):
        self.model = model
        self.table = model._meta.db_table
        concrete = [f for f in model._meta.concrete_fields]
        by_attname = {f.attname: f for f in concrete}
        missing = [name for name in fields if name not in by_attname]
        if missing:
            raise ValueError(f"{model.__name__} has no column {missing}")
        now = timezone.now()
        tail_fields = [f for f in concrete if f.attname not in fields]
        tail = []
        for f in tail_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or not f.null:
                value = f.get_default()
            else:
                value = None
            if isinstance(value, (dict, list)):
                value = json.dumps(value)
            elif value is not None and not isinstance(value, (bool, int, str)):
                value = f.get_db_prep_save(value, connection)
                value = value.isoformat() if hasattr(value, "isoformat") else value
            tail.append(value)
        self.columns = [by_attname[name].column for name in fields] + [f.column for f in tail_fields]
        self.tail = tuple(tail)
        self.count = 0
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            self.path = os.path.join(directory, f"{self.table}.copy")
            self.fh = open(self.path, "w", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
            self.tail_text = "".join("\t" + _copy_text(v) for v in self.tail) + "\n"
        else:
            self.rows: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.count += 1
        if self.postgres:
            self.fh.write("\t".join([_copy_text(v) for v in row]) + self.tail_text)
        else:
            self.rows.append(row + self.tail)
            if len(self.rows) >= 5000:
                self.flush()

    def flush(self) -> None:
        if self.postgres or not self.rows:
            return
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})', self.rows)  # noqa: S608 (names from the models)
        self.rows = []

    def close(self) -> None:
        if self.postgres:
            self.fh.close()
        else:
            self.flush()


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


# --- PostgreSQL bulk load ----------------------------------------------------------------------


def _secondary_objects(cursor, table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Constraints (not the primary key) and plain indexes of a table, with their definitions."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'c', 'x') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = list(cursor.fetchall())
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [table],
    )
    return constraints, list(cursor.fetchall())


def _postgres_load(writers: list[TableWriter], say) -> None:
    """COPY each file in with the tables' secondary indexes and constraints dropped, then re-create
    them (which checks every row), move the sequences past the new ids, analyse."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        saved = {}
        for w in writers:
            constraints, indexes = _secondary_objects(cursor, w.table)
            saved[w.table] = (constraints, indexes)
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE "{w.table}" DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        for w in writers:
            started = time.monotonic()
            cols = ", ".join(f'"{c}"' for c in w.columns)
            with open(w.path, "rb") as fh, raw.copy(f'COPY "{w.table}" ({cols}) FROM STDIN') as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            say(f"  copied {w.count:>10,} rows into {w.table} in {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        for w in writers:
            constraints, indexes = saved[w.table]
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE "{w.table}" ADD CONSTRAINT "{name}" {definition}')
            pk = w.model._meta.pk.column
            setval = f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("{pk}"), 1), MAX("{pk}") IS NOT NULL) FROM "{w.table}"'  # noqa: S608, E501 (names from the models)
            cursor.execute(setval, [w.table, pk])
        say(f"  indexes and constraints re-created and checked in {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    with connection.cursor() as cursor:
        for w in writers:
            cursor.execute(f'VACUUM (ANALYZE) "{w.table}"')
    say(f"  vacuumed and analysed in {time.monotonic() - started:.1f}s")


# --- Reset -------------------------------------------------------------------------------------


def _people_tables() -> list:
    """Person and every model that points at it (recursively), sport groups and sessions, stored
    report figures and their history models: everything ``--reset`` empties."""
    from cases.models import Household, Person
    from services.models import SportGroup, SportSession

    seen: list = []
    todo = [Person, Household, SportGroup, SportSession]
    for name in ("MonthlyFigure", "ReportRun"):
        try:
            todo.append(apps.get_model("reports", name))
        except LookupError:
            pass
    while todo:
        model = todo.pop()
        if model in seen or model._meta.proxy:
            continue
        seen.append(model)
        for rel in model._meta.related_objects:
            if rel.related_model not in seen and rel.on_delete is not models.SET_NULL:
                todo.append(rel.related_model)
        for m2m in model._meta.local_many_to_many:
            todo.append(m2m.remote_field.through)
    history = []
    for model in seen:
        manager = getattr(model, "history", None)
        if manager is not None and hasattr(manager, "model"):
            history.append(manager.model)
    return seen + history


def reset_people() -> None:
    models_ = _people_tables()
    tables = sorted({m._meta.db_table for m in models_})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        return
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 (names from the models)


# --- The generator -----------------------------------------------------------------------------


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    shortfall: int = 0
    plan: Plan | None = None

    @property
    def events(self) -> int:
        return sum(self.counts.get(k, 0) for k in ("direct_services", "referrals", "attendance"))


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
            self.w["referral"].add((rid, referral_code(rid), pid, site, self.program_ids[program], stype, partner,
                                    day, status, self.iso(due_ord), completed, overdue, pop, created, created))  # fmt: skip
        else:
            areas = t[f"direct_{program}"]
            area = areas[int(rng.random() * len(areas))]
            stype = self.stypes[area][int(rng.random() * len(self.stypes[area]))]
            self.direct_id += 1
            did = self.direct_id
            created = f"{day} {13 + did % 10:02d}:{(did // 60) % 60:02d}:{did % 60:02d}"
            self.w["direct"].add((did, pid, site, self.program_ids[program], stype, day, pop, created))

    def attendance(self, session_id: int, pid: int, m: int, present: bool, day: str) -> None:
        self.attendance_id += 1
        created = f"{day} 21:{(self.attendance_id // 60) % 60:02d}:{self.attendance_id % 60:02d}"
        self.w["attendance"].add((self.attendance_id, session_id, pid, present, self.stamp(pid, m), created))

    # The run ------------------------------------------------------------------------------------

    def run(self, directory: str | None) -> Result:
        from cases.models import Consent, IdentityDocument, Intake, Person
        from services.models import (
            Attendance,
            DirectService,
            GroupParticipant,
            Referral,
            SportGroup,
            SportSession,
        )

        rng, plan = self.rng, self.plan
        months = plan.months
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
                ],
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
            "attendance": TableWriter(
                Attendance,
                ["id", "session_id", "person_id", "present", "population_type", "recorded_at"],
                directory,
            ),
        }
        self.consent_id = self.intake_id = self.doc_id = 0
        self.direct_id = self.referral_id = self.attendance_id = 0
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
                        min(self.today_ord - 1, _add_months(months[m], 1).toordinal() - 1),
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
            "attendance": self.w["attendance"].count,
            "sport_groups": len(groups),
            "sport_sessions": self.w["session"].count,
            "group_members": self.w["member"].count,
            "intakes": self.w["intake"].count,
            "consents": self.w["consent"].count,
            "documents": self.w["document"].count,
        }
        return result


def generate(
    *,
    people: int,
    events: int,
    months: int = 36,
    seed: int = 1,
    reset: bool = False,
    end: date | None = None,
    say=print,
) -> Result:
    """Fill the database with ``people`` people and ``events`` contact rows (see the module doc)."""
    from cases.models import Person
    from seeds.reference import load_reference_data

    started = time.monotonic()
    load = [round(x, 2) for x in os.getloadavg()]
    load_reference_data()
    if Person.objects.exists():
        if not reset:
            raise RuntimeError("The people table is not empty: refusing to add scale data (use --reset).")
        reset_people()
        say("  emptied people and their records (--reset)")
    gen = Generator(people=people, events=events, months=months, seed=seed, end=end, say=say)
    if connection.vendor == "postgresql":
        with tempfile.TemporaryDirectory(prefix="orienta-scale-") as directory:
            result = gen.run(directory)
            say(f"  rows generated in {time.monotonic() - started:.1f}s; loading")
            order = [
                "person",
                "consent",
                "intake",
                "document",
                "session",
                "member",
                "direct",
                "referral",
                "attendance",
            ]
            _postgres_load([gen.w[k] for k in order], say)
    else:
        with transaction.atomic():
            result = gen.run(None)
    result.seconds = time.monotonic() - started
    if connection.vendor == "postgresql":
        params = {"people": people, "events": events, "months": months, "seed": seed,
                  "end": f"{gen.plan.months[-1]:%Y-%m}", "counts": result.counts,
                  "seconds": round(result.seconds, 1), "generated_on": f"{timezone.localdate()}", "load": load}  # fmt: skip
        with connection.cursor() as cursor:
            name = connection.settings_dict["NAME"]
            comment = "orienta generate_demo " + json.dumps(params).replace("'", "''")
            cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
    return result


def dataset_description(cursor) -> dict | None:
    """The parameters ``generate`` stored on a PostgreSQL database, or None."""
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
    )
    row = cursor.fetchone()
    text = row[0] if row else None
    if not text or not text.startswith("orienta generate_demo "):
        return None
    return json.loads(text.removeprefix("orienta generate_demo "))
