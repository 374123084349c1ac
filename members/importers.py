"""Read platforms from a CSV or XLSX file and check every row, without writing anything.

`parse_upload(file)` returns raw rows (dicts of strings keyed by column) or raises
`ServiceError` (field "file") with a message for the user; `validate_rows(raw_rows)`
returns `ImportRow`s, each with its errors. The service `platform_import` writes them.
The columns are those of the directory export, so an export can be re-imported.

Whatever a file declares (an XLSX sheet may claim a million rows and sixteen thousand
columns), at most MAX_SHEET_ROWS rows of MAX_COLUMNS cells are read, and an XLSX whose
parts would unpack to more than MAX_UNPACKED_BYTES is refused before it is opened.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email, validate_slug
from django.utils.translation import gettext as _

from innovalo.identifiers import normalise_siret, validate_siret
from innovalo.spreadsheets import Limits, cell_text, header_key, read_csv, read_xlsx, refuse

from .enums import LabelStatus
from .forms.platforms import CONTROL_CHARACTERS  # NUL is refused by PostgreSQL, the rest by XLSX
from .models import Department, Domain, Platform, Service

MAX_ROWS = 1000  # platforms in one file
MAX_SHEET_ROWS = 5 * MAX_ROWS  # lines of a sheet read, blank ones included
MAX_COLUMNS = 100
MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 10 * 1024 * 1024  # an XLSX is a zip: its parts, unpacked
RESERVED_SLUGS = {"export", "import"}  # URLs of the directory

# column -> (header in files, required)
COLUMNS = {
    "nom": True,
    "sigle": False,
    "slug": True,
    "ville": True,
    "departement": True,
    "code_postal": False,
    "adresse": False,
    "site_web": False,
    "email": False,
    "telephone": False,
    "domaines": False,
    "services": False,
    "label": False,
    "adherente": False,
    "siret": False,
    "code_chorus": False,
    "presentation": False,
}
REQUIRED = [name for name, required in COLUMNS.items() if required]
ALIASES = {
    "name": "nom",
    "acronyme": "sigle",
    "acronym": "sigle",
    "city": "ville",
    "department": "departement",
    "code_departement": "departement",
    "dept": "departement",
    "website": "site_web",
    "site": "site_web",
    "e_mail": "email",
    "courriel": "email",
    "phone": "telephone",
    "tel": "telephone",
    "domains": "domaines",
    "label_status": "label",
    "is_member": "adherente",
    "chorus_service_code": "code_chorus",
    "description": "presentation",
    "postal_code": "code_postal",
    "address": "adresse",
}
LIST_SEPARATORS = ("|", ",")
TRUE_VALUES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
FALSE_VALUES = {"non", "n", "no", "faux", "false", "0", ""}


# Column -> the model field it fills: its max_length bounds the cell (a longer value
# would make PostgreSQL refuse the whole insert with an error page). The SIRET has
# its own validator, after its spaces are removed.
FIELD_OF_COLUMN = {
    "nom": "name",
    "sigle": "acronym",
    "slug": "slug",
    "ville": "city",
    "code_postal": "postal_code",
    "adresse": "address",
    "site_web": "website",
    "email": "email",
    "telephone": "phone",
    "code_chorus": "chorus_service_code",
}
MAX_LENGTHS = {
    column: Platform._meta.get_field(name).max_length for column, name in FIELD_OF_COLUMN.items()
}


LIMITS = Limits(
    max_rows=MAX_ROWS,
    max_sheet_rows=MAX_SHEET_ROWS,
    max_columns=MAX_COLUMNS,
    max_unpacked_bytes=MAX_UNPACKED_BYTES,
)
_refuse = refuse
_cell_text = cell_text


def _normalize_header(value) -> str:
    text = header_key(value)
    return ALIASES.get(text, text)


def parse_upload(upload) -> list[dict]:
    """Raw rows of an uploaded CSV or XLSX file, keyed by the known columns."""
    name = (getattr(upload, "name", "") or "").lower()
    if upload.size > MAX_BYTES:
        raise _refuse(_("Le fichier dépasse 2 Mo."))
    content = upload.read()
    if name.endswith(".csv"):
        table = [cells for _line, cells in read_csv(content, LIMITS)]
    elif name.endswith(".xlsx"):
        table = [cells for _line, cells in read_xlsx(content, LIMITS)]
    else:
        raise _refuse(_("Format non reconnu : envoyez un fichier .csv ou .xlsx."))
    if not table:
        raise _refuse(_("Le fichier est vide."))
    headers = [_normalize_header(cell) for cell in table[0]]
    missing = [column for column in REQUIRED if column not in headers]
    if missing:
        raise _refuse(
            _("Colonnes obligatoires absentes : %(missing)s (colonnes attendues : %(all)s).")
            % {"missing": ", ".join(missing), "all": ", ".join(COLUMNS)}
        )
    body = table[1:]
    if not body:
        raise _refuse(_("Le fichier ne contient aucune ligne de données."))
    rows = []
    for cells in body:
        row = dict.fromkeys(COLUMNS, "")
        for header, cell in zip(headers, cells, strict=False):
            if header in COLUMNS:
                row[header] = _cell_text(cell)
        rows.append(row)
    return rows


@dataclass
class ImportRow:
    line: int
    raw: dict
    fields: dict = field(default_factory=dict)
    domains: list = field(default_factory=list)
    services: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def _split(value: str) -> list[str]:
    for separator in LIST_SEPARATORS:
        if separator in value:
            return [part.strip() for part in value.split(separator) if part.strip()]
    return [value.strip()] if value.strip() else []


def _lookup(model) -> dict:
    table = {}
    for obj in model.objects.all():
        table[obj.slug.lower()] = obj
        table[obj.name.lower()] = obj
    return table


def _label_status(value: str):
    if not value:
        return LabelStatus.NOT_LABELLED
    lowered = value.strip().lower()
    for choice in LabelStatus:
        if lowered in (choice.value, str(choice.label).lower()):
            return choice
    return None


def validate_rows(raw_rows: list[dict]) -> list[ImportRow]:
    """Check every row against the database and the other rows; write nothing."""
    departments = {dept.code: dept for dept in Department.objects.all()}
    domains = _lookup(Domain)
    services = _lookup(Service)
    slugs = [(row.get("slug") or "").strip().lower() for row in raw_rows]
    slugs = [slug for slug in slugs if slug and not CONTROL_CHARACTERS.search(slug)]
    existing = set(Platform.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    seen = {}
    url_validator = URLValidator()
    result = []
    for index, raw in enumerate(raw_rows):
        row = ImportRow(line=index + 2, raw=raw)  # line 1 holds the headers
        errors = row.errors
        for column in REQUIRED:
            if not raw.get(column):
                errors.append(_("« %s » est obligatoire.") % column)
        slug = (raw.get("slug") or "").strip().lower()
        if slug:
            try:
                validate_slug(slug)
            except ValidationError:
                errors.append(_("Slug invalide « %s » (lettres, chiffres, tirets).") % slug)
            if slug in RESERVED_SLUGS:
                errors.append(_("Le slug « %s » est réservé.") % slug)
            if slug in existing:
                errors.append(_("Le slug « %s » est déjà pris par une plateforme.") % slug)
            if slug in seen:
                errors.append(
                    _("Slug « %(slug)s » en double (ligne %(line)s).")
                    % {
                        "slug": slug,
                        "line": seen[slug],
                    }
                )
            else:
                seen[slug] = row.line
        code = (raw.get("departement") or "").strip().upper()
        if code.isdigit() and len(code) == 1:
            code = "0" + code
        department = departments.get(code)
        if code and department is None:
            errors.append(_("Code de département inconnu « %s ».") % code)
        siret = normalise_siret(raw.get("siret"))
        if siret:
            try:
                validate_siret(siret)
            except ValidationError as error:
                errors.append(
                    _("SIRET invalide « %(value)s » : %(reason)s")
                    % {"value": raw["siret"], "reason": error.messages[0]}
                )
        email = raw.get("email") or ""
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_("Adresse e-mail invalide « %s ».") % email)
        website = raw.get("site_web") or ""
        if website:
            try:
                url_validator(website)
            except ValidationError:
                errors.append(_("Adresse de site web invalide « %s ».") % website)
        for name in _split(raw.get("domaines") or ""):
            domain = domains.get(name.lower())
            if domain is None:
                errors.append(_("Domaine inconnu « %s ».") % name)
            elif domain not in row.domains:
                row.domains.append(domain)
        for name in _split(raw.get("services") or ""):
            service = services.get(name.lower())
            if service is None:
                errors.append(_("Service inconnu « %s ».") % name)
            elif service not in row.services:
                row.services.append(service)
        label = _label_status(raw.get("label") or "")
        if label is None:
            errors.append(_("Statut de label inconnu « %s ».") % raw["label"])
        member = (raw.get("adherente") or "oui").strip().lower()
        if member not in TRUE_VALUES | FALSE_VALUES:
            errors.append(_("« adherente » vaut oui ou non, pas « %s ».") % raw["adherente"])
        for column in COLUMNS:
            if CONTROL_CHARACTERS.search(raw.get(column) or ""):
                errors.append(
                    _("« %s » contient un caractère de contrôle invisible : retirez-le.") % column
                )
        for column, limit in MAX_LENGTHS.items():
            if len(raw.get(column) or "") > limit:
                errors.append(
                    _("« %(col)s » dépasse %(n)s caractères.")
                    % {
                        "col": column,
                        "n": limit,
                    }
                )
        if not errors:
            row.fields = {
                "name": raw["nom"],
                "acronym": raw.get("sigle") or "",
                "slug": slug,
                "city": raw["ville"],
                "department": department,
                "postal_code": raw.get("code_postal") or "",
                "address": raw.get("adresse") or "",
                "website": website,
                "email": email,
                "phone": raw.get("telephone") or "",
                "label_status": label,
                "is_member": member in TRUE_VALUES,
                "siret": siret,
                "chorus_service_code": raw.get("code_chorus") or "",
                "description": raw.get("presentation") or "",
            }
        result.append(row)
    return result
