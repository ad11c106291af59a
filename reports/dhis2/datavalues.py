"""A month of Orienta's figures as a DHIS2 data value set (docs/dhis2.md).

One data value per mapped measure of each indicator, per site (organisation unit) and per value
of the measure's breakdown (category option combo), for the period ``YYYYMM``. The values come
from ``reports.counting.by_site``, the counting contract's own SQL split by the site of each
person's reference event, so the values of a measure add up over the sites to the month's snapshot.

Every mapped value is sent, zeros included, for each site that has an organisation unit: a month
pushed again after a correction replaces what an earlier push sent. Nothing is guessed: a missing
mapping (a program, an indicator with no data element, a breakdown value with people and no
category option combo, a site with people and no organisation unit) stops the set with a list of
what to fill in. Nothing is masked: the values go to a government or donor system, not to the
public (like the R4V file).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from orientation.dates import first_of_month
from orientation.models import Program, Site
from reports import counting
from reports.models import MEASURES, Indicator

from .models import (
    Breakdown,
    CategoryOptionComboMapping,
    DataElementMapping,
    Measure,
    OrgUnitMapping,
    ProgramMapping,
    breakdown_keys,
)

# The columns of DHIS2's data value CSV (Import/Export app, "Data import", format CSV), in order.
CSV_HEADER = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
]


@dataclass
class DataValueSet:
    month: date
    data_set: str = ""
    values: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # For the page: one line per indicator, measure and site (its total).
    lines: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def period(self) -> str:
        return f"{self.month:%Y%m}"

    def as_json(self) -> dict:
        """The body of ``POST /api/dataValueSets`` (DHIS2's JSON data value set)."""
        body: dict = {}
        if self.data_set:
            body["dataSet"] = self.data_set
        body["period"] = self.period
        body["dataValues"] = self.values
        return body

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for value in self.values:
            writer.writerow(
                [
                    value["dataElement"],
                    value["period"],
                    value["orgUnit"],
                    value["categoryOptionCombo"],
                    value.get("attributeOptionCombo", ""),
                    value["value"],
                    "",
                    "",
                    "",
                    "false",
                ]
            )
        return out.getvalue()


def _programs(program_code: str | None, mappings: dict[int, ProgramMapping], problems: list[str]) -> list:
    if program_code:
        program = Program.objects.filter(code=program_code).first()
        if program is None:
            problems.append(_("There is no program %(code)s.") % {"code": program_code})
            return []
        if program.pk not in mappings:
            problems.append(
                _(
                    "Program %(code)s has no DHIS2 mapping: add it in the admin (DHIS2 → DHIS2 mappings "
                    "of programs)."
                )
                % {"code": program.code}
            )
        return [program]
    programs = sorted((m.program for m in mappings.values()), key=lambda p: p.code)
    if not programs:
        problems.append(
            _("No program has a DHIS2 mapping: add one in the admin (DHIS2 → DHIS2 mappings of programs).")
        )
    return programs


def data_value_set_build(*, month: date, program_code: str | None = None) -> DataValueSet:
    """The month's data value set for one program (or every program with a DHIS2 mapping), or
    the problems that stop it."""
    month = first_of_month(month)
    result = DataValueSet(month=month)
    mappings = {m.program_id: m for m in ProgramMapping.objects.select_related("program")}
    programs = _programs(program_code, mappings, result.problems)
    if result.problems:
        return result
    indicators = list(
        Indicator.objects.filter(program__in=programs, active=True)
        .select_related("program")
        .order_by("program__code", "sort_order", "code")
    )
    element_maps: dict[int, list[DataElementMapping]] = {}
    for mapping in DataElementMapping.objects.filter(indicator__in=indicators):
        element_maps.setdefault(mapping.indicator_id, []).append(mapping)
    for maps in element_maps.values():
        maps.sort(key=lambda m: MEASURES.index(m.measure))
    for indicator in indicators:
        if indicator.pk not in element_maps:
            result.problems.append(
                _(
                    "Indicator %(code)s has no DHIS2 data element: map at least one of its measures in "
                    "the admin (DHIS2 → DHIS2 data elements of measures)."
                )
                % {"code": indicator.code}
            )
    cocs = {(c.breakdown, c.key): c.category_option_combo for c in CategoryOptionComboMapping.objects.all()}
    if any(m.breakdown == Breakdown.TOTAL for maps in element_maps.values() for m in maps) and (
        (Breakdown.TOTAL, "") not in cocs
    ):
        result.problems.append(
            _(
                "The category option combo of totals is missing: add it in the admin (DHIS2 → DHIS2 "
                "category option combos, disaggregation “Total only”, empty value; DHIS2's default is "
                "HllvX50cXC0)."
            )
        )
    if result.problems:
        return result

    data_sets = {mappings[p.pk].data_set for p in programs}
    result.data_set = data_sets.pop() if len(data_sets) == 1 else ""
    org_units = dict(OrgUnitMapping.objects.values_list("site_id", "org_unit"))
    sites = {s.pk: s for s in Site.objects.all()}
    program_sites: dict[int, set[int]] = {}
    for program_id, site_id in Program.sites.through.objects.filter(program__in=programs).values_list(
        "program_id", "site_id"
    ):
        program_sites.setdefault(program_id, set()).add(site_id)
    period = result.period
    seen: set[tuple[str, str, str, str]] = set()
    site_problems: dict[str, set[str]] = {}
    key_problems: dict[tuple[str, str], dict] = {}
    for indicator in indicators:
        maps = element_maps[indicator.pk]
        aoc = mappings[indicator.program_id].attribute_option_combo
        split = counting.by_site(indicator, month, measures=tuple(m.measure for m in maps))
        wanted = set(split) | (program_sites.get(indicator.program_id, set()) & set(org_units))
        for site_id in sorted(wanted, key=lambda pk: sites[pk].code):
            site = sites[site_id]
            figures = split.get(site_id, {})
            org_unit = org_units.get(site_id)
            for mapping in maps:
                measure = figures.get(mapping.measure) or counting.empty_measure()
                if mapping.breakdown == Breakdown.TOTAL:
                    counts = {"": measure["total"]}
                else:
                    counts = measure[mapping.breakdown]
                if org_unit is None:
                    if measure["total"]:
                        site_problems.setdefault(site.code, set()).add(indicator.code)
                    continue
                for key, count in counts.items():
                    if count and (mapping.breakdown, key) not in cocs:
                        problem = key_problems.setdefault(
                            (mapping.breakdown, key), {"people": 0, "indicators": set()}
                        )
                        problem["people"] += count
                        problem["indicators"].add(indicator.code)
                for key in _keys(mapping.breakdown, cocs):
                    coc = cocs[(mapping.breakdown, key)]
                    target = (mapping.data_element, coc, org_unit, aoc)
                    if target in seen:
                        result.problems.append(
                            _(
                                "Two mappings send values to data element %(de)s, category option combo "
                                "%(coc)s and organisation unit %(ou)s (indicator %(code)s): each needs its "
                                "own data element."
                            )
                            % {"de": mapping.data_element, "coc": coc, "ou": org_unit, "code": indicator.code}
                        )
                        continue
                    seen.add(target)
                    value = {
                        "dataElement": mapping.data_element,
                        "period": period,
                        "orgUnit": org_unit,
                        "categoryOptionCombo": coc,
                    }
                    if aoc:
                        value["attributeOptionCombo"] = aoc
                    value["value"] = str(counts.get(key, 0))
                    result.values.append(value)
                result.lines.append(
                    {
                        "program": indicator.program.code,
                        "indicator": indicator.code,
                        "measure": Measure(mapping.measure).label,
                        "site": site.code,
                        "org_unit": org_unit,
                        "data_element": mapping.data_element,
                        "breakdown": Breakdown(mapping.breakdown).label,
                        "total": measure["total"],
                    }
                )
    for code, indicator_codes in sorted(site_problems.items()):
        result.problems.append(
            _(
                "Site %(code)s has people counted in %(indicators)s but no DHIS2 organisation unit: add it "
                "in the admin (DHIS2 → DHIS2 organisation units of sites)."
            )
            % {"code": code, "indicators": ", ".join(sorted(indicator_codes))}
        )
    for (breakdown, key), problem in sorted(key_problems.items()):
        result.problems.append(
            _(
                "“%(key)s” (%(breakdown)s) has no category option combo, and %(people)s people of "
                "%(indicators)s have it: add it in the admin (DHIS2 → DHIS2 category option combos)."
            )
            % {
                "key": key,
                "breakdown": Breakdown(breakdown).label,
                "people": problem["people"],
                "indicators": ", ".join(sorted(problem["indicators"])),
            }
        )
    if result.problems:
        result.values, result.lines = [], []
    return result


def _keys(breakdown: str, cocs: dict[tuple[str, str], str]) -> list[str]:
    """The mapped values of a breakdown, in the report's order (nationalities alphabetically)."""
    known = breakdown_keys(breakdown)
    if known is None:
        return sorted(k for b, k in cocs if b == breakdown)
    return [k for k in known if (breakdown, k) in cocs]
