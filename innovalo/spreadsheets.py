"""Reading an uploaded CSV or XLSX table, bounded: one reader for every import.

Each import (platforms, survey respondents...) states its ``Limits``; the readers
return ``(line number, cells)`` for the lines that are not blank, every cell a stripped
string, or raise ``ServiceError`` on the "file" field when the file itself cannot be
read (not UTF-8, binary, damaged, too large once unpacked, too many lines).
"""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .exceptions import ServiceError

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_rows: int  # data lines kept (the header aside)
    max_sheet_rows: int  # lines of a sheet read, blank ones included
    max_columns: int
    max_unpacked_bytes: int  # an XLSX is a zip: its parts, unpacked


def refuse(message) -> ServiceError:
    """The file itself cannot be read: a message next to the file field."""
    return ServiceError(message, field="file")


def header_key(value) -> str:
    """A header as a key: no accents, lower case, words joined by "_"."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    text = text.strip().lower()
    for char in " -'’.":
        text = text.replace(char, "_")
    return "_".join(part for part in text.split("_") if part)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _bounded(rows, limits: Limits) -> list[tuple[int, list[str]]]:
    table = []
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(cell) for cell in row[: limits.max_columns]]
        if not any(cells):
            continue
        if len(table) > limits.max_rows:
            raise refuse(
                _("Le fichier dépasse %(max)s lignes : découpez-le.")
                % {"max": f"{limits.max_rows:_}".replace("_", "\u202f")}
            )
        table.append((number, cells))
    return table


def read_csv(content: bytes, limits: Limits) -> list[tuple[int, list[str]]]:
    """UTF-8 (with or without a BOM), separated by semicolons or commas (the header
    line decides)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refuse(
            _("Le fichier n'est pas encodé en UTF-8 : enregistrez-le en « CSV UTF-8 ».")
        ) from error
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return _bounded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), limits)
    except csv.Error as error:
        raise refuse(_("Le fichier CSV est mal formé : %s") % error) from error


def read_xlsx(content: bytes, limits: Limits) -> list[tuple[int, list[str]]]:
    """The first sheet, read-only; a zip bomb is refused before openpyxl opens it."""
    from openpyxl import load_workbook

    unreadable = _(
        "Le fichier XLSX ne peut pas être lu : enregistrez-le à nouveau depuis le tableur."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise refuse(unreadable) from error
    if unpacked > limits.max_unpacked_bytes:
        raise refuse(_("Le fichier XLSX est trop volumineux une fois décompressé."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].iter_rows(
                max_row=limits.max_sheet_rows, max_col=limits.max_columns, values_only=True
            )
            return _bounded(rows, limits)
        finally:
            workbook.close()
    except ServiceError:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise refuse(unreadable) from error
