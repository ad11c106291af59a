"""Aggregate exports of the stored figures: XLSX (one sheet per program) and CSV, in the columns of
the regional 5W template (R4V): month, indicator, total monthly beneficiaries, new beneficiaries of
the month, consolidated (cumulative), and each of the first two by sex and age and by population
type. Counts from 1 to 4 can be masked as "<5" for sharing outside the organization.

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
    return columns


def _cell(value, mask: bool):
    if mask and isinstance(value, int) and 1 <= value <= 4:
        return MASK
    return value


def rows(report: dict, *, mask: bool = False) -> list[list]:
    """One row per indicator of the report (DESIGN section 5), in the order of ``header()``."""
    result = []
    for item in report["indicators"]:
        counts = [item["reached"]["total"], item["new"]["total"], item["cumulative"]["total"]]
        row = [report["month"], item["program"], item["code"], item["name"]]
        row += [_cell(v, mask) for v in counts]
        row += [item["target_month"], item["target_total"]]
        for measure in ("reached", "new"):
            groups = sex_age_5w(item[measure].get("by_sex_age"))
            row += [_cell(v, mask) for v in groups.values()]
            by_type = item[measure].get("by_population_type", {})
            row += [_cell(by_type.get(code, 0), mask) for code in PopulationType.values]
        result.append(row)
    return result


def to_csv(report: dict, *, mask: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spreadsheet_row(header()))
    writer.writerows(spreadsheet_row(row) for row in rows(report, mask=mask))
    return out.getvalue()


def to_xlsx(reports_by_program: list[tuple[str, dict]], *, mask: bool = False) -> bytes:
    """One sheet per program (named by its code), then a sheet explaining the figures."""
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
    notes = book.create_sheet(title=_("Notes")[:31])
    for line in [
        [_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [_("Small counts masked"), _("yes: counts from 1 to 4 shown as <5") if mask else _("no")],
        [_("Total monthly beneficiaries"), _("People with at least one qualifying event in the month.")],
        [_("New beneficiaries of the month"), _("People whose first qualifying event ever is in the month.")],
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
    ]:
        notes.append(spreadsheet_row(line, xlsx=True))
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
