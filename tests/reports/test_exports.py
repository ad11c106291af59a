"""The 5W columns and masking, on the export builder itself."""

import csv
import io

from openpyxl import load_workbook

from reports import exports
from reports.counting import rollup


def _report():
    reached = rollup(
        [
            ("F", "12-17", "destination", "VE", 3),
            ("F", "18-59", "transit", "VE", 7),
            ("M", "60+", "host", "PE", 2),
            ("X", "5-11", "destination", "VE", 1),
            ("X", "18-59", "destination", "CO", 1),
            ("M", "unknown", "returnee", "PE", 4),
        ]
    )
    return {
        "month": "2025-03",
        "indicators": [
            {
                "program": "PAO",
                "code": "PAO-ANY",
                "name": "Personas",
                "target_month": 3,
                "target_total": None,
                "reached": reached,
                "new": rollup([("F", "18-59", "transit", "VE", 2)]),
                "cumulative": reached,
                "new_in_year": rollup([("F", "18-59", "transit", "VE", 6)]),
                "cumulative_in_year": rollup([("F", "18-59", "transit", "VE", 11)]),
            }
        ],
    }


def test_sex_and_age_go_to_the_5w_columns():
    assert exports.sex_age_5w(_report()["indicators"][0]["reached"]["by_sex_age"]) == {
        "girls": 3,
        "boys": 0,
        "other_minors": 1,
        "women": 7,
        "men": 2,
        "other_adults": 1,
        "unknown_age": 4,
    }


def test_rows_follow_the_header_and_add_up():
    header, [row] = exports.header(), exports.rows(_report())
    assert len(row) == len(header)
    cells = dict(zip(header, row, strict=True))
    assert cells["Total monthly beneficiaries"] == 18
    monthly_sex_age = [
        v
        for k, v in cells.items()
        if k.startswith("Monthly: ") and ("under" in k or "over" in k or "unknown" in k)
    ]
    assert sum(monthly_sex_age) == 18
    assert cells["Monthly: Peruvian returnee"] == 4
    assert cells["Program target"] is None


def test_masking_hides_1_to_4_but_not_zero_nor_targets():
    row = dict(zip(exports.header(), exports.rows(_report(), mask=True)[0], strict=True))
    assert row["Total monthly beneficiaries"] == 18
    assert row["New beneficiaries of the month"] == "<5"
    assert row["Monthly: girls under 18"] == "<5"
    assert row["Monthly: women 18 and over"] == 7
    assert row["Monthly: boys under 18"] == 0
    assert row["Monthly target"] == 3


def test_xlsx_has_one_sheet_per_program_and_notes():
    book = load_workbook(
        io.BytesIO(exports.to_xlsx([("PAO", _report()), ("SALUD", {"month": "2025-03", "indicators": []})]))
    )
    assert book.sheetnames == ["PAO", "SALUD", "Nationality", "Notes"]
    assert book["PAO"]["C2"].value == "PAO-ANY" and book["PAO"].freeze_panes == "E2"
    assert book["SALUD"].max_row == 1


def _report_with_a_formula_indicator():
    report = _report()
    report["indicators"][0] |= {
        "name": '=HYPERLINK("http://evil.example","Ver")',
        "code": "@PAO",
        "target_month": -3,
    }
    report["indicators"][0]["program"] = "+PAO"
    return report


def test_csv_writes_formula_text_as_text_and_numbers_as_numbers():
    out = exports.to_csv(_report_with_a_formula_indicator())
    [row] = list(csv.reader(io.StringIO(out)))[1:]
    assert row[1:4] == ["'+PAO", "'@PAO", '\'=HYPERLINK("http://evil.example","Ver")']
    assert row[7] == "-3"  # a negative number is a number, not text to guard
    assert not any(cell.startswith(("=", "+", "@")) for cell in row)


def test_xlsx_writes_formula_text_as_text_and_numbers_as_numbers():
    book = load_workbook(io.BytesIO(exports.to_xlsx([("PAO", _report_with_a_formula_indicator())])))
    sheet = book["PAO"]
    assert sheet["D2"].value == '\'=HYPERLINK("http://evil.example","Ver")'
    assert sheet["D2"].data_type == "s"
    assert sheet["H2"].value == -3 and sheet["H2"].data_type == "n"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_workbook_carries_the_year_to_date_and_a_nationality_sheet(ref):
    from openpyxl import load_workbook

    item = {
        "program": "PAO",
        "code": "PAO-DOC",
        "name": "Documentación",
        "target_month": None,
        "target_total": None,
        "reached": {"total": 9, "by_nationality": {"VE": 6, "PE": 3}},
        "new": {"total": 2, "by_nationality": {"VE": 2}},
        "cumulative": {"total": 30, "by_nationality": {"VE": 22, "PE": 7, "CO": 1}},
        "new_in_year": {"total": 5, "by_nationality": {"VE": 4, "PE": 1}},
        "cumulative_in_year": {"total": 17, "by_nationality": {"VE": 12, "PE": 5}},
    }
    report = {"month": "2025-03", "indicators": [item]}
    row = exports.rows(report)[0]
    assert row[-2:] == [5, 17]
    assert len(row) == len(exports.header())

    book = load_workbook(io.BytesIO(exports.to_xlsx([("PAO", report)])))
    assert book.sheetnames == ["PAO", "Nationality", "Notes"]
    sheet = book.worksheets[1]
    lines = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [line[2][:2] for line in lines] == ["VE", "PE", "CO", lines[-1][2][:2]]
    assert lines[0][3:] == [6, 2, 22, 4, 12]
    assert lines[-1][3:] == [9, 2, 30, 5, 17]

    # Masked: PE's 1 new in the year hides, and so does another count of its column (no subtraction).
    masked = exports.nationality_rows([("PAO", report)], mask=True)
    column = [line[6] for line in masked]
    assert column.count("<5") >= 1 and ("x" in column or column.count("<5") >= 2)
