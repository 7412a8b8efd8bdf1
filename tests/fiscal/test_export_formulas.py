"""The month's SRI workbook never carries a formula typed as a buyer's name."""

import io

import openpyxl
import pytest

from fiscal.exports import documents_xlsx

from .edoc_helpers import edoc_make

pytestmark = pytest.mark.django_db


def test_the_months_sri_workbook(certified):
    edoc = edoc_make(certified, 1)
    edoc.buyer_name = "=cmd|' /C calc'!A0"
    edoc.buyer_identification = "@SUM(1+1)"
    sheet = openpyxl.load_workbook(io.BytesIO(documents_xlsx([edoc]))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells}
    assert "'=cmd|' /C calc'!A0" in texts and "'@SUM(1+1)" in texts
    totals = [c for c in cells if c.value == float(edoc.total)]
    assert totals and totals[0].data_type == "n"
