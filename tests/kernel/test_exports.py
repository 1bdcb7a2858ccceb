"""Every spreadsheet cell from people's text is data, in CSV and in XLSX (one function for both)."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from servicecenter.exports import csv_response, export_cell, xlsx_response

HOSTILE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


def test_text_that_a_spreadsheet_would_run_is_escaped_in_csv():
    for text in HOSTILE:
        assert export_cell(text) == "'" + text
    assert export_cell("满意 = 好") == "满意 = 好"
    assert export_cell("") == ""
    # Typed values stay values: a negative number is a number, not text to escape.
    assert (export_cell(-5), export_cell(Decimal("-1.5")), export_cell(0.25), export_cell(None)) \
        == (-5, Decimal("-1.5"), 0.25, None)
    assert export_cell(date(2026, 11, 1)) == date(2026, 11, 1)


def test_csv_response_escapes_every_text_cell():
    response = csv_response(filename="x", header=["=名称", "值"], rows=[[text, -3] for text in HOSTILE])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["'=名称", "值"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE]
    assert [row[1] for row in rows[1:]] == ["-3"] * len(HOSTILE)
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_xlsx_types_text_as_strings_and_keeps_numbers():
    response = xlsx_response(filename="x", title="t", header=["=名称", "值"], rows=[[text, -3] for text in HOSTILE])
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert [(c.value, c.data_type) for c in rows[0]] == [("=名称", "s"), ("值", "s")]
    for row, text in zip(rows[1:], HOSTILE, strict=True):
        # openpyxl reads with lxml (a dependency of python-docx), which keeps a carriage return as written.
        assert (row[0].value, row[0].data_type) == (text, "s")
        assert (row[1].value, row[1].data_type) == (-3, "n")
