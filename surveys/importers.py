"""Read external respondents from a CSV or XLSX file and check every row, writing nothing.

``read_respondents(upload)`` returns ``ImportRow``s (line, raw cells, clean values,
errors) or raises ``ServiceError`` (field "file") when the file itself cannot be read:
empty, not CSV nor XLSX, binary, too large, no ``email`` column. The service
``respondents_import`` writes the rows, all or nothing.

Columns (headers in French or English, any case or accents): ``email`` (required),
``organisation``, ``siret`` (14 digits and the Luhn key), ``department`` (an INSEE code:
02, 2A, 971) and ``language`` (fr or en, French when empty). Other columns are ignored.
A CSV is UTF-8, with or without a BOM, separated by semicolons or commas (detected on
its header line). An XLSX is read from its first sheet, in read-only mode.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from innovalo.identifiers import siret_is_valid
from innovalo.spreadsheets import ZIP_MAGIC, Limits, header_key, read_csv, read_xlsx, refuse
from members.models import Department

from .models import Respondent

MAX_ROWS = 20_000  # respondents in one file
MAX_SHEET_ROWS = MAX_ROWS + 5_000  # lines of a sheet read, blank ones included
MAX_COLUMNS = 50
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # an XLSX is a zip: its parts, unpacked

COLUMNS = ("email", "organisation", "siret", "department", "language")
ALIASES = {
    "courriel": "email",
    "e_mail": "email",
    "mail": "email",
    "adresse_email": "email",
    "adresse_e_mail": "email",
    "organization": "organisation",
    "entreprise": "organisation",
    "societe": "organisation",
    "raison_sociale": "organisation",
    "nom": "organisation",
    "departement": "department",
    "dept": "department",
    "code_departement": "department",
    "langue": "language",
    "lang": "language",
}
LANGUAGES = {
    "": "fr",
    "fr": "fr",
    "francais": "fr",
    "french": "fr",
    "en": "en",
    "anglais": "en",
    "english": "en",
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SPACES = re.compile(r"[\s\u00a0\u202f.]")
MAX_LENGTHS = {
    "email": Respondent._meta.get_field("email").max_length,
    "organisation": Respondent._meta.get_field("organisation").max_length,
}


LIMITS = Limits(
    max_rows=MAX_ROWS,
    max_sheet_rows=MAX_SHEET_ROWS,
    max_columns=MAX_COLUMNS,
    max_unpacked_bytes=MAX_UNPACKED_BYTES,
)
_refuse = refuse
_plain = header_key


def _header(value) -> str:
    text = _plain(value)
    return ALIASES.get(text, text)


def _table(upload):
    name = (getattr(upload, "name", "") or "").lower()
    if not upload.size:
        raise _refuse(_("Le fichier est vide."))
    if upload.size > MAX_BYTES:
        raise _refuse(_("Le fichier dépasse 5 Mo : découpez-le."))
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in ("csv", "txt", "xlsx", ""):
        raise _refuse(_("Format non reconnu : envoyez un fichier .csv ou .xlsx."))
    content = upload.read()
    if content.startswith(ZIP_MAGIC):
        return read_xlsx(content, LIMITS)
    if extension == "xlsx":
        raise _refuse(_("Ce fichier n'est pas un vrai fichier XLSX."))
    if b"\x00" in content:
        raise _refuse(_("Ce fichier n'est pas un CSV (il contient des données binaires)."))
    return read_csv(content, LIMITS)


@dataclass
class ImportRow:
    line: int
    raw: dict
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)


def _department_code(value: str) -> str:
    code = value.strip().upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    return code


def _check(row: ImportRow, departments: dict) -> None:
    raw, errors = row.raw, row.errors
    for column in COLUMNS:
        if CONTROL_CHARACTERS.search(raw[column]):
            errors.append(
                _("« %s » contient un caractère de contrôle invisible : retirez-le.") % column
            )
    for column, limit in MAX_LENGTHS.items():
        if len(raw[column]) > limit:
            errors.append(_("« %(col)s » dépasse %(n)s caractères.") % {"col": column, "n": limit})
    email = raw["email"]
    if not email:
        errors.append(_("Le courriel est obligatoire."))
    elif len(email) <= MAX_LENGTHS["email"]:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("Courriel invalide « %s ».") % email)
    siret = SPACES.sub("", raw["siret"])
    if siret and not siret_is_valid(siret):
        errors.append(
            _("SIRET invalide « %s » (14 chiffres dont la clé de contrôle).") % raw["siret"]
        )
    code = _department_code(raw["department"])
    department_id = departments.get(code)
    if code and department_id is None:
        errors.append(_("Département inconnu « %s » (un code comme 02, 2A ou 971).") % code)
    language = LANGUAGES.get(_plain(raw["language"]))
    if language is None:
        errors.append(_("Langue inconnue « %s » (fr ou en).") % raw["language"])
    if not errors:
        row.values = {
            "email": email,
            "organisation": raw["organisation"],
            "siret": siret,
            "department_id": department_id,
            "language": language if raw["language"] else "",
        }


def read_respondents(upload) -> list[ImportRow]:
    """Every data row of the file, checked (``errors``) and cleaned (``values``)."""
    table = _table(upload)
    if not table:
        raise _refuse(_("Le fichier est vide."))
    _number, header_cells = table[0]
    headers = [_header(cell) for cell in header_cells]
    if "email" not in headers:
        raise _refuse(
            _(
                "La colonne « email » est absente de la première ligne "
                "(colonnes attendues : %(columns)s)."
            )
            % {"columns": ", ".join(COLUMNS)}
        )
    body = table[1:]
    if not body:
        raise _refuse(_("Le fichier ne contient aucune ligne de données."))
    departments = dict(Department.objects.values_list("code", "pk"))
    rows = []
    for number, cells in body:
        raw = dict.fromkeys(COLUMNS, "")
        for header, cell in zip(headers, cells, strict=False):
            if header in raw and not raw[header]:
                raw[header] = cell
        row = ImportRow(line=number, raw=raw)
        _check(row, departments)
        rows.append(row)
    return rows
