"""The people export: the columns of the people import, so the file can come back unchanged.

Rows are read a chunk at a time and written as they come: CSV straight into the response, XLSX
through openpyxl's write-only mode into a temporary file that is then streamed.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from orientation.spreadsheet import spreadsheet_row

from .registry import IMPORTERS


def _columns() -> tuple[str, ...]:
    """The people import's columns: an export is a file the import reads back."""
    return IMPORTERS["people"].columns


CHUNK = 2000


def people_export_rows(queryset) -> Iterator[list[str]]:
    for person in queryset.iterator(chunk_size=CHUNK):
        document = next(iter(person.documents.all()), None)
        yield [
            person.ref or "",
            person.given_names,
            person.family_names,
            person.sex,
            person.birth_date.isoformat() if person.birth_date else "",
            getattr(person.nationality, "code", person.nationality) or "",
            person.population_type,
            document.doc_type if document else "",
            document.number if document else "",
            person.phone,
            person.district_id or "",
            person.site.code,
            person.registered_on.isoformat() if person.registered_on else "",
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def people_csv_stream(rows: Iterator[list[str]]) -> Iterator[str]:
    """UTF-8 with a byte-order mark (Excel reads accents right), comma separated."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(spreadsheet_row(_columns()))
    buffer = []
    for row in rows:
        buffer.append(writer.writerow(spreadsheet_row(row)))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def people_xlsx_file(rows: Iterator[list[str]]):
    """A temporary file holding the workbook, positioned at its start."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("people")
    sheet.append(spreadsheet_row(_columns(), xlsx=True))
    for row in rows:
        sheet.append(spreadsheet_row(row, xlsx=True))
    target = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response that streams it)
    workbook.save(target)
    target.seek(0)
    return target
