"""Spreadsheet downloads shared by the pages: CSV and XLSX, every cell from people's text kept as data.

A reason, a name or a subject that begins with ``=``, ``+``, ``-`` or ``@`` is a formula to a
spreadsheet program (``=HYPERLINK(...)`` becomes a live link; on some, a command). So every export
goes through :func:`export_cell`: numbers, dates and booleans stay typed values; text is text. In
XLSX the cell is typed as a string, which no spreadsheet evaluates; CSV has no types, so text that
begins with one of those characters, a tab or a carriage return is prefixed with an apostrophe
(OWASP's advice for CSV injection), which Excel and LibreOffice show as plain text.
"""

import csv
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TYPED = (bool, int, float, Decimal, date, datetime)

# What a cell holds: a typed value, text, or nothing (an empty cell).
Cell = bool | int | float | Decimal | date | datetime | str | None
Rows = Sequence[Sequence[object]]


def export_cell(value: object, *, escape_text: bool = True) -> Cell:
    """The cell for one value: typed values and None (an empty cell) as they are, anything else as
    text, escaped when ``escape_text`` (CSV) so that no spreadsheet reads it as a formula."""
    if value is None or isinstance(value, TYPED):
        return value
    text = str(value)
    if escape_text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(*, filename: str, header: Sequence[object], rows: Rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow([export_cell(h) for h in header])
    writer.writerows([export_cell(v) for v in row] for row in rows)
    return response


def xlsx_response(*, filename: str, title: str, header: Sequence[object], rows: Rows) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for values in [header, *rows]:
        cells = [export_cell(v, escape_text=False) for v in values]
        sheet.append(cells)
        for cell, value in zip(sheet[sheet.max_row], cells, strict=False):
            if isinstance(value, str):
                # openpyxl types any text that begins with "=" as a formula; a string cell is never evaluated.
                cell.data_type = TYPE_STRING
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
