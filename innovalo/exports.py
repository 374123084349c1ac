"""CSV and XLSX exports of a list: one helper for every app.

`columns` is a list of (header, accessor) where accessor is a callable row -> value.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.http import HttpResponse

Column = tuple[str, Callable]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HARMLESS_NUMBER = re.compile(r"^[+-]?[\d\s.,()/]+$")


def _defuse(text: str) -> str:
    """Keep text typed by users from running as a spreadsheet formula (CSV/XLSX
    injection): a cell that starts like a formula is prefixed with a quote,
    unless it is plainly a number or a phone number ("+33 3 23 ...")."""
    if text.startswith(FORMULA_STARTS) and not HARMLESS_NUMBER.match(text):
        return "'" + text
    return text


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (list, tuple, set)):
        return _defuse(", ".join(str(v) for v in value))
    if isinstance(value, (int, float, Decimal, datetime.date, bool)):
        return value
    return _defuse(str(value))


def export_csv(rows: Iterable, columns: list[Column], filename: str) -> HttpResponse:
    """CSV for French spreadsheets: UTF-8 with BOM, semicolon separated."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([header for header, _ in columns])
    for row in rows:
        values = []
        for _, accessor in columns:
            value = _cell(accessor(row))
            if isinstance(value, Decimal):
                value = str(value).replace(".", ",")
            values.append(value)
        writer.writerow(values)
    return response


def export_xlsx(rows: Iterable, columns: list[Column], filename: str, title="Export"):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([header for header, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(accessor(row)) for _, accessor in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(fmt: str, rows, columns: list[Column], filename: str, title="Export"):
    if fmt == "xlsx":
        return export_xlsx(rows, columns, filename, title)
    return export_csv(rows, columns, filename)
