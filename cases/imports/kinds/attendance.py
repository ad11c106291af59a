"""Attendance rows (DESIGN section 6): a session is keyed by program, site, date, activity and group
(empty: no group); a person's attendance by session and person."""

from __future__ import annotations

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.choices import PopulationType
from cases.models import Person
from services.models import Activity, Attendance, SportSession

from .base import BATCH_SIZE, Importer, Stats


class AttendanceImporter(Importer):
    kind = "attendance"
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
        group_id = None
        group = self.text(row, values, "group", max_length=100)
        if group and program is not None and site_id is not None:
            group_id = self.lookups.groups.get((program.id, site_id, group.lower()))
            if group_id is None:
                site_code = next(c for pk, c in self.lookups.sites.values() if pk == site_id)
                self.error(row, "group", "unknown_group", value=group, site=site_code, program=program.code)
        present = self.text(row, values, "present", required=True)
        if present and present not in ("1", "0"):
            self.error(row, "present", "bad_present")
        population_type = self.choice(row, values, "population_type", PopulationType)
        if self.errors.count > before:
            return None
        session = (program.id, site_id, day, activity, group_id)
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

    def check_chunk(self, chunk: list[tuple[int, dict]]) -> None:
        person_site = dict(
            Person.objects.filter(ref__in={c["person_ref"] for _r, c in chunk}).values_list("ref", "site_id")
        )
        for row, clean in chunk:
            site_id = person_site.get(clean["person_ref"])
            if site_id is None or not self.lookups.site_visible(site_id):
                self.error(row, "person_ref", "unknown_person", value=clean["person_ref"])

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

    def write_chunk(self, chunk: list[tuple[int, dict]], stats: Stats) -> None:
        now = timezone.now()
        self._session_ids({c["session"] for _r, c in chunk}, stats)
        people = {
            ref: (pk, population_type)
            for ref, pk, population_type in Person.objects.filter(
                ref__in={c["person_ref"] for _r, c in chunk}
            ).values_list("ref", "pk", "population_type")
        }
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
