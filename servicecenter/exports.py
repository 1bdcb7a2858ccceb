"""Spreadsheet downloads shared by the pages: XLSX through openpyxl."""

from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook


def xlsx_response(*, filename: str, title: str, header: list, rows: list[list]) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
