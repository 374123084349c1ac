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


# Streamed exports (lists of any length, in constant memory) --------------------------------


class _Echo:
    """A file-like object whose write returns the line: csv.writer for streaming."""

    def write(self, value):
        return value


def csv_value(value, date_format: str | None = None):
    """A cell for French spreadsheets: a decimal comma, text defused, and dates written
    with ``date_format`` when one is given."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _defuse(value)
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if date_format and hasattr(value, "strftime"):
        return value.strftime(date_format)
    return _cell(value)


def csv_lines(header, rows, date_format: str | None = None):
    """The lines of a CSV (UTF-8 with BOM, semicolons), one at a time."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_value(value, date_format) for value in row])


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_csv(header, rows, filename: str, *, date_format: str | None = None):
    """A streamed CSV download of ``rows`` (iterables of values) under ``header``."""
    from django.http import StreamingHttpResponse

    lines = csv_lines(header, rows, date_format)
    return _attachment(
        StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8"), filename
    )


def stream_xlsx_download(header, rows, filename: str, *, title: str):
    """A streamed XLSX download (``innovalo.xlsx``): the first bytes leave at once, in
    constant memory, however many rows."""
    from django.http import StreamingHttpResponse

    from .xlsx import stream_xlsx

    values = ([_cell(value) for value in row] for row in rows)
    return _attachment(
        StreamingHttpResponse(stream_xlsx(header, values, title=title), content_type=XLSX_TYPE),
        filename,
    )
