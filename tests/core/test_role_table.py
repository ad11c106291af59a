"""The README's "Who reads what" table says exactly what orientation/roles.py decides."""

from __future__ import annotations

from pathlib import Path

from orientation import roles

README = Path(__file__).resolve().parents[2] / "README.md"
COLUMNS = {
    "caseworker": {roles.CASEWORKER},
    "psychosocial": {roles.PSYCHOSOCIAL},
    "facilitator": {roles.FACILITATOR},
    "coordinator": {roles.COORDINATOR},
    "coordinator + data steward": {roles.COORDINATOR, roles.DATA_STEWARD},
    "receptionist": {roles.RECEPTIONIST},
    "admin": {roles.ADMIN},
}


class Holder:
    """A signed-in user holding exactly these roles and permissions (no database)."""

    is_authenticated = True

    def __init__(self, held):
        self._orienta_roles = frozenset(held)


def readme_table() -> tuple[list[str], dict[str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    body = text.split("<!-- role-table:start -->", 1)[1].split("<!-- role-table:end -->", 1)[0]
    lines = [line.strip() for line in body.strip().splitlines()]
    cells = lambda line: [c.strip() for c in line.strip("|").split("|")]  # noqa: E731
    header = cells(lines[0])
    rows = {}
    for line in lines[2:]:
        row = cells(line)
        rows[row[1].strip("`")] = row[2:]
    return header[2:], rows


def test_the_readme_role_table_matches_the_code():
    header, rows = readme_table()
    assert header == list(COLUMNS)
    capabilities = {
        name: value
        for name, value in vars(roles).items()
        if name.isupper() and isinstance(value, set | frozenset) and value <= set(roles.ALL_ROLES)
    }
    assert set(rows) == set(capabilities), "every capability of orientation/roles.py has a row, and no other"
    wrong = []
    for name, cells in rows.items():
        for column, cell in zip(header, cells, strict=True):
            expected = roles.has_role(Holder(COLUMNS[column]), capabilities[name])
            if cell not in ("yes", "no") or (cell == "yes") is not expected:
                wrong.append(f"{name} / {column}: README says {cell!r}, the code says {expected}")
    assert not wrong, "\n".join(wrong)


def test_the_table_reader_sees_a_difference():
    """A table cell that disagrees with the code is caught (the check above can fail)."""
    _header, rows = readme_table()
    assert rows["PSYCHOSOCIAL_READERS"][-1] == "no"  # admins do not read psychosocial notes
    assert rows["IMPORTERS"][3] == "no" and rows["IMPORTERS"][4] == "yes"
