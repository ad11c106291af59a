"""The kinds of import file of ``services.sport`` (registered into the import engine,
cases/imports/registry.py).

Attendance rows (docs/import.md): a session is keyed by program, site, date, activity and group
(empty: no group); a person's attendance by session and person.

A group the file names that does not exist yet for its program and site is created by the import
(the check lists it first). It is created as a group set up by hand would be, without facilitators
(so no facilitator sees it until a coordinator assigns one): the program's usual age range, widened
to the ages of the children the file lists in it, and active only if the file has one of its
sessions in the last ``GROUP_ACTIVE_DAYS`` days (a group of past years is kept as inactive history).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.choices import PopulationType, age_on
from cases.imports.kinds.base import BATCH_SIZE, Importer, Stats
from cases.imports.lookups import group_key
from cases.imports.registry import (
    entity_labels_register,
    lookup_register,
    messages_register,
    register,
    synonyms_register,
)
from cases.merging import people_lock_for_events
from cases.models import Person, survivor_value

from .models import Activity, Attendance, SportGroup, SportSession

# The age range of a group set up by hand (SportGroup's defaults), widened to the ages seen.
GROUP_AGE_MIN = SportGroup._meta.get_field("age_min").default
GROUP_AGE_MAX = SportGroup._meta.get_field("age_max").default
GROUP_ACTIVE_DAYS = 90


def _groups() -> dict[tuple[int, int, str], int]:
    return {
        (program_id, site_id, group_key(name)): pk
        # Two names that differ only in case: the oldest group wins.
        for pk, program_id, site_id, name in SportGroup.objects.order_by("-pk").values_list(
            "pk", "program_id", "site_id", "name"
        )
    }


lookup_register("groups", _groups)
synonyms_register(
    "Activity",
    {
        "soccer_clinic": ("fútbol", "futbol", "soccer", "football", "clínica de futbol"),
        "leadership_workshop": ("liderazgo", "taller de liderazgo", "leadership"),
        "community_activity": ("comunitaria", "actividad comunitaria", "community"),
    },
)
messages_register(
    {
        "bad_present": _("Write 1 (present) or 0 (absent)."),
        "duplicate_attendance": _("This person is already listed for the same session in row %(other)s."),
    }
)
entity_labels_register(
    {"sport_groups": _("Sport groups"), "sport_sessions": _("Sport sessions"), "attendance": _("Attendance")}
)


@register
class AttendanceImporter(Importer):
    kind = "attendance"
    label = _("Sport attendance")
    columns = (
        "person_ref",
        "program",
        "site",
        "session_date",
        "activity",
        "group",
        "present",
        "population_type",
    )
    required_columns = frozenset({"person_ref", "program", "site", "session_date", "activity", "present"})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: dict[tuple, int] = {}
        self.sessions: dict[tuple, int] = {}  # session key -> id, filled while writing

    def parse(self, row: int, values: dict) -> dict | None:
        before = self.errors.count
        person_ref = self.text(row, values, "person_ref", required=True, max_length=40)
        program = self.program(row, values)
        site_id = self.site(row, values)
        self.site_in_program(row, site_id, program)
        day = self.day(row, values, "session_date", required=True)
        self.in_program(row, "session_date", program, day)
        activity = self.choice(row, values, "activity", Activity, required=True)
        group = " ".join(self.text(row, values, "group", max_length=100).split())
        present = self.text(row, values, "present", required=True)
        if present and present not in ("1", "0"):
            self.error(row, "present", "bad_present")
        population_type = self.choice(row, values, "population_type", PopulationType)
        if self.errors.count > before:
            return None
        name = group_key(group) or None
        if name is not None:
            self._plan_group(program.id, site_id, name, group, day)
        session = (program.id, site_id, day, activity, name)
        key = (*session, person_ref)
        if key in self.seen:
            self.error(row, "person_ref", "duplicate_attendance", other=self.seen[key])
            return None
        self.seen[key] = row
        return {
            "person_ref": person_ref,
            "session": session,
            "present": present == "1",
            "population_type": population_type,
        }

    def _plan_group(self, program_id: int, site_id: int, name: str, written: str, day) -> None:
        """Note a group that does not exist yet, to be created when the file is written."""
        key = (program_id, site_id, name)
        if key in self.lookups.tables["groups"]:
            return
        plan = self.lookups.planned_groups.get(key)
        if plan is None:
            self.lookups.planned_groups[key] = {"name": written, "last": day, "ages": None}
        elif day > plan["last"]:
            plan["last"] = day

    def check_chunk(self, chunk: list[tuple[int, dict]]) -> None:
        people = {
            ref: (site_id, birth_date)
            for ref, site_id, birth_date in Person.objects.filter(
                ref__in={c["person_ref"] for _r, c in chunk}
            ).values_list("ref", survivor_value("site_id"), survivor_value("birth_date"))
        }
        for row, clean in chunk:
            site_id, birth_date = people.get(clean["person_ref"], (None, None))
            if site_id is None or not self.lookups.site_visible(site_id):
                self.error(row, "person_ref", "unknown_person", value=clean["person_ref"])
                continue
            program_id, session_site_id, day, _activity, name = clean["session"]
            plan = self.lookups.planned_groups.get((program_id, session_site_id, name))
            age = age_on(birth_date, day)
            if plan is not None and age is not None and 0 <= age < 100:
                low, high = plan["ages"] or (age, age)
                plan["ages"] = (min(low, age), max(high, age))

    def plan(self) -> dict:
        """The groups the import will create, for the check's summary and the preview."""
        sites = {pk: code for pk, code in self.lookups.sites.values()}
        programs = {p.id: p.code for p in self.lookups.programs.values()}
        groups = [
            {"program": programs[program_id], "site": sites[site_id], "name": plan["name"]}
            for (program_id, site_id, _name), plan in self.lookups.planned_groups.items()
            if (program_id, site_id, _name) not in self.lookups.tables["groups"]
        ]
        groups.sort(key=lambda g: (g["program"], g["site"], g["name"].lower()))
        return {"groups_to_create": groups}

    def _groups_create(self, keys: set[tuple], stats: Stats) -> None:
        missing = sorted(keys - self.lookups.tables["groups"].keys())
        if not missing:
            return
        recent = self.today - timedelta(days=GROUP_ACTIVE_DAYS)
        new = []
        for program_id, site_id, name in missing:
            plan = self.lookups.planned_groups.get((program_id, site_id, name)) or {}
            low, high = plan.get("ages") or (GROUP_AGE_MIN, GROUP_AGE_MAX)
            new.append(
                SportGroup(
                    program_id=program_id,
                    site_id=site_id,
                    name=plan.get("name") or name,
                    age_min=min(low, GROUP_AGE_MIN),
                    age_max=max(high, GROUP_AGE_MAX),
                    active=plan.get("last", self.today) >= recent,
                )
            )
        SportGroup.objects.bulk_create(new, batch_size=BATCH_SIZE)
        stats["sport_groups"]["created"] += len(new)
        for key, group in zip(missing, new, strict=True):
            self.lookups.tables["groups"][key] = group.pk

    def _session_ids(self, keys: set[tuple], stats: Stats) -> None:
        missing = keys - self.sessions.keys()
        if not missing:
            return
        found = SportSession.objects.filter(
            program_id__in={k[0] for k in missing},
            site_id__in={k[1] for k in missing},
            date__in={k[2] for k in missing},
        ).order_by("-id")
        for pk, program_id, site_id, day, activity, group_id in found.values_list(
            "pk", "program_id", "site_id", "date", "activity", "group_id"
        ):
            key = (program_id, site_id, day, activity, group_id)
            if key in missing:
                self.sessions[key] = pk  # the oldest wins if a session was ever recorded twice
        new = [
            SportSession(
                program_id=k[0], site_id=k[1], date=k[2], activity=k[3], group_id=k[4], created_by=self.user
            )
            for k in sorted(missing - self.sessions.keys(), key=str)
        ]
        if new:
            SportSession.objects.bulk_create(new, batch_size=BATCH_SIZE)
            stats["sport_sessions"]["created"] += len(new)
            for session in new:
                self.sessions[
                    (session.program_id, session.site_id, session.date, session.activity, session.group_id)
                ] = session.pk

    def _session_key(self, session: tuple) -> tuple:
        """(program, site, date, activity, group name key) → the same with the group's id."""
        program_id, site_id, day, activity, name = session
        group_id = None if name is None else self.lookups.tables["groups"][(program_id, site_id, name)]
        return (program_id, site_id, day, activity, group_id)

    def write_chunk(self, chunk: list[tuple[int, dict]], stats: Stats) -> None:
        now = timezone.now()
        self._groups_create({(s[0], s[1], s[4]) for _r, c in chunk if (s := c["session"])[4]}, stats)
        chunk = [(row, {**clean, "session": self._session_key(clean["session"])}) for row, clean in chunk]
        for _row, clean in chunk:
            self.event_written(clean["session"][0], clean["session"][2])
        self._session_ids({c["session"] for _r, c in chunk}, stats)
        # Held until the import commits: a merge of one of these people waits, or went first and
        # the rows go to the survivor (cases/merging.py).
        people = people_lock_for_events({c["person_ref"] for _r, c in chunk})
        session_ids = {self.sessions[c["session"]] for _r, c in chunk}
        existing = {
            (a.session_id, a.person_id): a
            for a in Attendance.objects.filter(
                session_id__in=session_ids, person_id__in=[pk for pk, _p in people.values()]
            )
        }
        new, changed, changed_fields = [], [], set()
        for _row, clean in chunk:
            person_id, person_population = people[clean["person_ref"]]
            session_id = self.sessions[clean["session"]]
            attendance = existing.get((session_id, person_id))
            if attendance is None:
                new.append(
                    Attendance(
                        session_id=session_id,
                        person_id=person_id,
                        present=clean["present"],
                        population_type=clean["population_type"] or person_population,
                        recorded_by=self.user,
                    )
                )
                continue
            wanted = {"present": clean["present"]}
            if clean["population_type"]:
                wanted["population_type"] = clean["population_type"]
            diff = [f for f, v in wanted.items() if getattr(attendance, f) != v]
            if not diff:
                stats["attendance"]["unchanged"] += 1
                continue
            for f in diff:
                setattr(attendance, f, wanted[f])
            attendance.recorded_at = now
            changed.append(attendance)
            changed_fields.update(diff)
        if new:
            bulk_create_with_history(
                new,
                Attendance,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["attendance"]["created"] += len(new)
        if changed:
            bulk_update_with_history(
                changed,
                Attendance,
                fields=sorted(changed_fields | {"recorded_at"}),
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["attendance"]["updated"] += len(changed)
