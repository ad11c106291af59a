"""The reference codes an import checks against, loaded once per file (a few hundred rows at most)
and matched without regard to case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django_countries import countries

from orientation import roles
from orientation.models import District, Program, Site
from orientation.selectors import programs_visible_to, site_ids_visible_to


def group_key(name: str) -> str:
    """A group name as a file may write it (“Sub-12  Mixto ”) → how groups are matched."""
    return " ".join(name.split()).lower()


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    id: int
    code: str
    start: date
    end: date | None
    site_ids: frozenset[int]


@dataclass
class Lookups:
    sites: dict[str, tuple[int, str]]
    programs: dict[str, ProgramInfo]
    service_types: dict[str, tuple[int, str]]
    partners: dict[str, tuple[int, str]]
    districts: set[str]
    groups: dict[tuple[int, int, str], int]
    countries: set[str]
    # None: every site / program (an admin, or the command line).
    visible_site_ids: set[int] | None
    visible_program_ids: set[int] | None
    # Groups a file names that do not exist yet: (program id, site id, name key) → what is known of
    # them (the name as first written, the last session, the ages seen). Filled while the file is
    # checked and shared with the pass that writes it.
    planned_groups: dict[tuple[int, int, str], dict] = field(default_factory=dict)

    @classmethod
    def load(cls, user=None) -> Lookups:
        from services.models import Partner, ServiceType, SportGroup

        program_sites: dict[int, set[int]] = {}
        for program_id, site_id in Program.sites.through.objects.values_list("program_id", "site_id"):
            program_sites.setdefault(program_id, set()).add(site_id)
        programs = {
            code.lower(): ProgramInfo(pk, code, start, end, frozenset(program_sites.get(pk, ())))
            for pk, code, start, end in Program.objects.values_list("pk", "code", "start_date", "end_date")
        }
        if user is None or roles.has_role(user, roles.ADMIN):
            visible_sites = visible_programs = None
        else:
            visible_sites = set(site_ids_visible_to(user))
            visible_programs = set(programs_visible_to(user).values_list("pk", flat=True))
        return cls(
            sites={code.lower(): (pk, code) for pk, code in Site.objects.values_list("pk", "code")},
            programs=programs,
            service_types={
                code.lower(): (pk, code) for pk, code in ServiceType.objects.values_list("pk", "code")
            },
            partners={code.lower(): (pk, code) for pk, code in Partner.objects.values_list("pk", "code")},
            districts=set(District.objects.values_list("ubigeo", flat=True)),
            groups={
                (program_id, site_id, group_key(name)): pk
                # Two names that differ only in case: the oldest group wins.
                for pk, program_id, site_id, name in SportGroup.objects.order_by("-pk").values_list(
                    "pk", "program_id", "site_id", "name"
                )
            },
            countries={code for code, _name in countries},
            visible_site_ids=visible_sites,
            visible_program_ids=visible_programs,
        )

    def site_visible(self, site_id: int) -> bool:
        return self.visible_site_ids is None or site_id in self.visible_site_ids

    def program_visible(self, program_id: int) -> bool:
        return self.visible_program_ids is None or program_id in self.visible_program_ids
