"""Aggregate exports of the stored figures: XLSX (one sheet per program) and CSV, in the columns of
the regional 5W template (R4V): month, indicator, total monthly beneficiaries, new beneficiaries of
the month, consolidated (cumulative), and each of the first two by sex and age and by population
type. Counts from 1 to 4 can be masked as "<5" for sharing outside the organization; then enough
other counts are hidden ("x") that no masked count can be worked out from the totals
(``suppress``).

Built from ``reports.selectors.monthly_report`` only: no person ever appears in an export.
"""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cases.choices import PopulationType
from orientation.spreadsheet import spreadsheet_row

MASK = "<5"
HIDDEN = "x"  # a count of 5 or more hidden so that a "<5" next to it cannot be worked out
SEX_AGE = [
    ("girls", "F", {"0-4", "5-11", "12-17"}),
    ("boys", "M", {"0-4", "5-11", "12-17"}),
    ("other_minors", "X", {"0-4", "5-11", "12-17"}),
    ("women", "F", {"18-59", "60+"}),
    ("men", "M", {"18-59", "60+"}),
    ("other_adults", "X", {"18-59", "60+"}),
]


def _sex_age_labels() -> dict[str, str]:
    return {
        "girls": _("girls under 18"),
        "boys": _("boys under 18"),
        "other_minors": _("other under 18"),
        "women": _("women 18 and over"),
        "men": _("men 18 and over"),
        "other_adults": _("other 18 and over"),
        "unknown_age": _("age unknown"),
    }


def sex_age_5w(by_sex_age: dict[str, int]) -> dict[str, int]:
    """The 5W's sex and age columns from ``F:18-59`` style keys (sex X is "other"; no birth date
    goes to "age unknown")."""
    result = {key: 0 for key, _sex, _bands in SEX_AGE} | {"unknown_age": 0}
    for key, count in (by_sex_age or {}).items():
        sex, _sep, band = key.partition(":")
        for column, column_sex, bands in SEX_AGE:
            if sex == column_sex and band in bands:
                result[column] += count
                break
        else:
            result["unknown_age"] += count
    return result


def header() -> list[str]:
    labels = _sex_age_labels()
    columns = [
        _("Month"),
        _("Program"),
        _("Indicator code"),
        _("Indicator"),
        _("Total monthly beneficiaries"),
        _("New beneficiaries of the month"),
        _("Consolidated (since the program started)"),
        _("Monthly target"),
        _("Program target"),
    ]
    for measure in (_("Monthly"), _("New")):
        columns += [f"{measure}: {labels[key]}" for key in [*(k for k, _s, _b in SEX_AGE), "unknown_age"]]
        columns += [f"{measure}: {label}" for label in PopulationType.labels]
    # Year to date, after the columns donors already read (docs/counting.md).
    columns += [_("New in the reporting year"), _("Consolidated in the reporting year")]
    return columns


def _small(value) -> bool:
    return isinstance(value, int) and 1 <= value <= 4


Cell = tuple[int, int]
Group = tuple[Cell, list[Cell]]  # a total and the cells that add up to it


def _bounds(table, masked: set[Cell], groups: list[Group]) -> dict[Cell, tuple[float, float]]:
    """What a reader can tell of each masked cell from the published table: "<5" is 1 to 4, "x"
    is 5 or more, and each group's total is the sum of its cells; narrowed until nothing changes."""
    bounds = {c: ((1, 4) if _small(table[c[0]][c[1]]) else (5, float("inf"))) for c in masked}
    for _round in range(50):
        changed = False
        for total, cells in groups:
            # total - sum(cells) = 0, with the visible values known.
            terms = [(total, 1), *((c, -1) for c in cells)]
            for cell, sign in terms:
                if cell not in masked:
                    continue
                low = high = 0.0
                for other, other_sign in terms:
                    if other == cell:
                        continue
                    if other in masked:
                        lo, hi = bounds[other]
                    else:
                        lo = hi = table[other[0]][other[1]]
                    # sign * cell = -(other_sign * other) summed over the others
                    a, b = -other_sign * lo, -other_sign * hi
                    low, high = low + min(a, b), high + max(a, b)
                if sign < 0:
                    low, high = -high, -low
                lo, hi = bounds[cell]
                new = (max(lo, low), min(hi, high))
                if new != (lo, hi) and new[0] <= new[1]:
                    bounds[cell] = new
                    changed = True
        if not changed:
            break
    return bounds


def suppress(table: list[list], groups: list[Group]) -> set[Cell]:
    """The cells to hide in ``table`` (rows of counts) so that no small count (1 to 4) shows and
    none can be worked out from the others: every count from 1 to 4 (primary suppression), then,
    for each group whose total is the sum of its cells, more cells until none of its cells is the
    only hidden one among the total and its cells, and no hidden cell is pinned to one value by
    the published totals and the bounds ("<5" is 1 to 4). The extra cells hidden are the smallest
    counts of 5 or more in the group (zeros stay visible: they are not personal). Deterministic."""
    masked = {(r, c) for r, row in enumerate(table) for c, value in enumerate(row) if _small(value)}
    involved = {cell for total, cells in groups for cell in (total, *cells)}
    for _round in range(len(involved) + 1):
        need: list[Group] = []
        for total, cells in groups:
            hidden = [c for c in (total, *cells) if c in masked]
            if len(hidden) == 1:
                need.append((total, cells))
        if not need:
            bounds = _bounds(table, masked, groups)
            pinned = {c for c, (lo, hi) in bounds.items() if lo == hi}
            need = [(t, cells) for t, cells in groups if pinned & {t, *cells}]
            if not need:
                return masked
        grew = False
        for total, cells in need:
            candidates = [
                c
                for c in (*cells, total)
                if c not in masked and isinstance(table[c[0]][c[1]], int) and table[c[0]][c[1]] >= 5
            ]
            if candidates:
                masked.add(min(candidates, key=lambda c: (table[c[0]][c[1]], c)))
                grew = True
                break
        if not grew:
            return masked  # nothing more to hide in those groups (only zeros left)
    return masked


def rows(report: dict, *, mask: bool = False) -> list[list]:
    """One row per indicator of the report (docs/report-json.md), in the order of ``header()``."""
    result = []
    for item in report["indicators"]:
        counts = [item["reached"]["total"], item["new"]["total"], item["cumulative"]["total"]]
        row = [report["month"], item["program"], item["code"], item["name"]]
        row += counts
        row += [item["target_month"], item["target_total"]]
        for measure in ("reached", "new"):
            groups = sex_age_5w(item[measure].get("by_sex_age"))
            row += list(groups.values())
            by_type = item[measure].get("by_population_type", {})
            row += [by_type.get(code, 0) for code in PopulationType.values]
        row += [_total(item, "new_in_year"), _total(item, "cumulative_in_year")]
        result.append(row)
    return masked_rows(result) if mask else result


MEASURE_COLUMNS = ["reached", "new", "cumulative", "new_in_year", "cumulative_in_year"]


def _total(item: dict, measure: str) -> int:
    return (item.get(measure) or {}).get("total", 0)


def _by_nationality(item: dict, measure: str) -> dict[str, int]:
    return (item.get(measure) or {}).get("by_nationality", {})


def nationality_header() -> list[str]:
    return [
        _("Program"),
        _("Indicator code"),
        _("Nationality"),
        _("Total monthly beneficiaries"),
        _("New beneficiaries of the month"),
        _("Consolidated (since the program started)"),
        _("New in the reporting year"),
        _("Consolidated in the reporting year"),
    ]


def nationality_rows(reports_by_program: list[tuple[str, dict]], *, mask: bool = False) -> list[list]:
    """Each indicator's measures by nationality, with the indicator's total after its countries;
    masked like the main sheets (each measure's total is the sum of its countries)."""
    from django_countries import countries

    table: list[list] = []
    groups: list[Group] = []
    for _code, report in reports_by_program:
        for item in report["indicators"]:
            codes = set()
            for measure in MEASURE_COLUMNS:
                codes.update(item[measure].get("by_nationality", {}))
            ordered = sorted(
                codes, key=lambda k: (-item["cumulative"].get("by_nationality", {}).get(k, 0), k)
            )
            first = len(table)
            for nat in ordered:
                name = countries.name(nat) or nat
                table.append(
                    [item["program"], item["code"], f"{nat} · {name}"]
                    + [_by_nationality(item, m).get(nat, 0) for m in MEASURE_COLUMNS]
                )
            total_row = len(table)
            table.append(
                [item["program"], item["code"], _("Total")] + [_total(item, m) for m in MEASURE_COLUMNS]
            )
            for column in range(3, 3 + len(MEASURE_COLUMNS)):
                groups.append(((total_row, column), [(r, column) for r in range(first, total_row)]))
    if not mask:
        return table
    hidden = suppress(table, groups)
    return [
        [
            (MASK if _small(v) else HIDDEN) if c >= 3 and ((r, c) in hidden or _small(v)) else v
            for c, v in enumerate(row)
        ]
        for r, row in enumerate(table)
    ]


def row_groups(row_index: int) -> list[Group]:
    """Where the counts of one export row add up: each measure's total (monthly, new) is the sum of
    its sex and age columns and the sum of its population type columns."""
    width_sex_age, width_types = len(SEX_AGE) + 1, len(PopulationType.values)
    groups, start = [], 9
    for total_column in (4, 5):
        sex_age = [(row_index, start + i) for i in range(width_sex_age)]
        types = [(row_index, start + width_sex_age + i) for i in range(width_types)]
        groups += [((row_index, total_column), sex_age), ((row_index, total_column), types)]
        start += width_sex_age + width_types
    return groups


def masked_rows(table: list[list]) -> list[list]:
    """The rows with small counts shown as "<5" and the counts hidden to protect them as "x"
    (targets and text are never masked)."""
    groups = [group for r in range(len(table)) for group in row_groups(r)]
    hidden = suppress(table, groups)
    counts = {(r, c) for r in range(len(table)) for c in (4, 5, 6, *range(9, len(table[r])))}
    result = []
    for r, row in enumerate(table):
        out = list(row)
        for c, value in enumerate(row):
            if (r, c) in counts and ((r, c) in hidden or _small(value)):
                out[c] = MASK if _small(value) else HIDDEN
        result.append(out)
    return result


def to_csv(report: dict, *, mask: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spreadsheet_row(header()))
    writer.writerows(spreadsheet_row(row) for row in rows(report, mask=mask))
    return out.getvalue()


def reception_header() -> list[str]:
    return [
        _("Day"),
        _("Site"),
        _("Service area"),
        _("Checked in"),
        _("Waiting, median (minutes)"),
        _("Waiting, 90th percentile (minutes)"),
        _("Left without service"),
        _("Appointments kept"),
        _("Appointments missed"),
    ]


def reception_rows(figure_rows, *, mask: bool = False) -> list[list]:
    """Reception's figures (``reception.figures.FigureRow``) per day, site and service area. Masked,
    a count from 1 to 4 shows as "<5" (the rows hold no totals that would give it away)."""

    def count(value: int):
        return MASK if mask and _small(value) else value

    return [
        [
            row.day.isoformat(),
            row.site_code,
            row.area_label,
            count(row.checked_in),
            row.wait_median if row.wait_median is not None else "",
            row.wait_p90 if row.wait_p90 is not None else "",
            count(row.left),
            count(row.kept),
            count(row.missed),
        ]
        for row in figure_rows
    ]


def reception_to_csv(figure_rows, *, mask: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spreadsheet_row(reception_header()))
    writer.writerows(spreadsheet_row(row) for row in reception_rows(figure_rows, mask=mask))
    return out.getvalue()


def to_xlsx(
    reports_by_program: list[tuple[str, dict]], *, mask: bool = False, reception: list | None = None
) -> bytes:
    """One sheet per program (named by its code), the nationality sheet, reception's figures of the
    month per day, site and service area (when given), then a sheet explaining the figures."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCEBEE")
    for code, report in reports_by_program:
        sheet = book.create_sheet(title=code[:31])
        sheet.append(spreadsheet_row(header(), xlsx=True))
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows(report, mask=mask):
            sheet.append(spreadsheet_row(row, xlsx=True))
        sheet.freeze_panes = "E2"
        for index in range(1, len(header()) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 40 if index == 4 else 16
        sheet.row_dimensions[1].height = 48
    by_nationality = book.create_sheet(title=_("Nationality")[:31])
    by_nationality.append(spreadsheet_row(nationality_header(), xlsx=True))
    for cell in by_nationality[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in nationality_rows(reports_by_program, mask=mask):
        by_nationality.append(spreadsheet_row(row, xlsx=True))
    by_nationality.column_dimensions["C"].width = 30
    if reception is not None:
        sheet = book.create_sheet(title=_("Reception")[:31])
        sheet.append(spreadsheet_row(reception_header(), xlsx=True))
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in reception_rows(reception, mask=mask):
            sheet.append(spreadsheet_row(row, xlsx=True))
        sheet.freeze_panes = "D2"
        for index in range(1, len(reception_header()) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 20 if index == 3 else 14
    reception_note = [
        [
            _("Reception"),
            _(
                "Per day, site and service area at your sites: people checked in, waiting time from "
                "arrival to the call to a desk (median and 90th percentile), left without service, "
                "appointments kept and missed."
            ),
        ]
    ]
    if reception is None:
        reception_note = []
    notes = book.create_sheet(title=_("Notes")[:31])
    for line in [
        [_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [
            _("Small counts masked"),
            _(
                "yes: counts from 1 to 4 shown as <5, and some larger counts hidden as x so that no "
                "count under 5 can be worked out from the totals"
            )
            if mask
            else _("no"),
        ],
        [_("Total monthly beneficiaries"), _("People with at least one qualifying event in the month.")],
        [_("New beneficiaries of the month"), _("People whose first qualifying event ever is in the month.")],
        [
            _("New in the reporting year"),
            _(
                "People whose first qualifying event of the reporting year (the calendar year unless the program sets another start month) is in the month."
            ),
        ],
        [
            _("Consolidated in the reporting year"),
            _(
                "People with at least one qualifying event from the start of the reporting year to the end of the month."
            ),
        ],
        [
            _("Consolidated (since the program started)"),
            _("People with at least one qualifying event from the program's start to the end of the month."),
        ],
        [
            _("Disaggregation"),
            _(
                "By each person's reference event: the first of the month (monthly) or the first ever "
                "(new); age in completed years on that day; population type as recorded at that contact."
            ),
        ],
    ] + reception_note:
        notes.append(spreadsheet_row(line, xlsx=True))
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
