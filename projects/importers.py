"""Read calls from a CSV, XLSX or JSON file and check every row, writing nothing.

``read_calls(upload)`` returns a ``CallTable``: the rows (``ImportRow``: position, external
id, parsed ``values``, ``errors`` by field) and the columns it ignored; it raises
``ServiceError`` (field "file") when the file itself cannot be read: empty, too large,
not UTF-8, damaged, bad JSON, no ``external_id`` or ``title`` column, too many rows.
``resolve_references`` then checks what needs the database (funders, themes, regions)
and the service ``projects.services.imports.calls_import`` writes, all or nothing.

The columns (English or French headers, any case or accents, see ``ALIASES``) are
documented in the README ("Importing calls"). An empty cell means "the source says
nothing": a new call takes the field's default, a known call keeps its value.
A CSV is UTF-8 with or without a BOM, separated by semicolons or commas; an XLSX is read
from its first sheet; a JSON feed is a list of objects, or ``{"results": [...]}`` as
aides-territoires' API answers, whose keys are the same columns.
"""

import datetime
import json
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.utils.formats import date_format, number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from innovalo.spreadsheets import (
    ZIP_MAGIC,
    Limits,
    cell_text,
    header_key,
    read_csv,
    read_xlsx,
    refuse,
)

from .enums import Applicant, CallKind, CallScope, FunderKind
from .services.calls import CALL_FIELDS as EDITED_FIELDS
from .services.calls import M2M_FIELDS

MAX_ROWS = 5_000  # calls in one file
MAX_SHEET_ROWS = MAX_ROWS + 2_000  # lines of a sheet read, blank ones included
MAX_COLUMNS = 60
MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # an XLSX is a zip: its parts, unpacked
LIMITS = Limits(
    max_rows=MAX_ROWS,
    max_sheet_rows=MAX_SHEET_ROWS,
    max_columns=MAX_COLUMNS,
    max_unpacked_bytes=MAX_UNPACKED_BYTES,
)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEFAULT_DEADLINE_LABEL = "Date limite de dépôt"  # the model's default label, in French
END_OF_DAY = datetime.time(23, 59)

COLUMNS = (
    "external_id",
    "title",
    "funders",
    "funder_kind",
    "themes",
    "kind",
    "scope",
    "regions",
    "description",
    "eligibility",
    "applicants",
    "amount_min",
    "amount_max",
    "rate_min",
    "rate_max",
    "url",
    "application_url",
    "contact",
    "opens_on",
    "open_all_year",
    "deadlines",
    "deadline",
    "deadline_label",
)
REQUIRED = ("external_id", "title")
ALIASES = {
    # external_id
    "id": "external_id",
    "identifiant": "external_id",
    "id_externe": "external_id",
    "identifiant_externe": "external_id",
    "reference": "external_id",
    "ref": "external_id",
    # title
    "titre": "title",
    "intitule": "title",
    "nom": "title",
    "name": "title",
    # funders
    "financeurs": "funders",
    "financeur": "funders",
    "funder": "funders",
    "financers": "funders",  # aides-territoires
    "type_de_financeur": "funder_kind",
    "type_financeur": "funder_kind",
    "nature_du_financeur": "funder_kind",
    "nature_financeur": "funder_kind",
    "themes": "themes",
    "theme": "themes",
    "thematiques": "themes",
    "thematique": "themes",
    "categories": "themes",  # aides-territoires
    "nature": "kind",
    "type": "kind",
    "type_d_appel": "kind",
    "type_appel": "kind",
    "portee": "scope",
    "perimetre": "scope",
    "echelle": "scope",
    "region": "regions",
    "resume": "description",
    "presentation": "description",
    "eligibilite": "eligibility",
    "conditions": "eligibility",
    "conditions_d_eligibilite": "eligibility",
    "beneficiaires": "applicants",
    "candidats": "applicants",
    "qui_peut_candidater": "applicants",
    "montant_min": "amount_min",
    "montant_minimum": "amount_min",
    "montant_max": "amount_max",
    "montant_maximum": "amount_max",
    "montant": "amount_max",
    "taux_min": "rate_min",
    "taux_minimum": "rate_min",
    "taux_d_aide_min": "rate_min",
    "taux_d_aide_minimum": "rate_min",
    "subvention_rate_lower_bound": "rate_min",  # aides-territoires
    "taux_max": "rate_max",
    "taux_maximum": "rate_max",
    "taux": "rate_max",
    "taux_d_aide": "rate_max",
    "taux_d_aide_max": "rate_max",
    "taux_d_aide_maximum": "rate_max",
    "subvention_rate_upper_bound": "rate_max",  # aides-territoires
    "lien": "url",
    "page": "url",
    "page_de_l_appel": "url",
    "origin_url": "url",  # aides-territoires
    "site_de_depot": "application_url",
    "lien_de_depot": "application_url",
    "url_de_depot": "application_url",
    "url_depot": "application_url",
    "candidature": "application_url",
    "ouverture": "opens_on",
    "date_d_ouverture": "opens_on",
    "date_ouverture": "opens_on",
    "start_date": "opens_on",  # aides-territoires
    "ouvert_toute_l_annee": "open_all_year",
    "toute_l_annee": "open_all_year",
    "permanent": "open_all_year",
    "dates_limites": "deadlines",
    "echeances": "deadlines",
    "etapes": "deadlines",
    "date_limite": "deadline",
    "date_limite_de_depot": "deadline",
    "cloture": "deadline",
    "date_de_cloture": "deadline",
    "submission_deadline": "deadline",  # aides-territoires
    "libelle_date_limite": "deadline_label",
    "libelle_de_la_date_limite": "deadline_label",
    "etape": "deadline_label",
}

# Values of the choice columns: the stored value, the French label, usual synonyms.
KIND_NAMES = {
    "appel_a_projets": CallKind.CALL_FOR_PROJECTS,
    "appel_a_projet": CallKind.CALL_FOR_PROJECTS,
    "aap": CallKind.CALL_FOR_PROJECTS,
    "appel_a_manifestation_d_interet": CallKind.CALL_FOR_PROJECTS,
    "ami": CallKind.CALL_FOR_PROJECTS,
    "concours": CallKind.CONTEST,
    "concours_d_innovation": CallKind.CONTEST,
    "label_ou_agrement": CallKind.LABEL,
    "agrement": CallKind.LABEL,
    "fonds_europeen_ou_feder": CallKind.EU_FUND,
    "fonds_europeen": CallKind.EU_FUND,
    "feder": CallKind.EU_FUND,
    "credit_d_impot": CallKind.TAX_CREDIT,
    "cir": CallKind.TAX_CREDIT,
}
SCOPE_NAMES = {
    "nationale": CallScope.NATIONAL,
    "france": CallScope.NATIONAL,
    "regionale": CallScope.REGIONAL,
    "europeen": CallScope.EUROPEAN,
    "europeenne": CallScope.EUROPEAN,
    "europe": CallScope.EUROPEAN,
    "ue": CallScope.EUROPEAN,
}
FUNDER_KIND_NAMES = {
    "etat": FunderKind.STATE,
    "ue": FunderKind.EU,
    "europe": FunderKind.EU,
    "union_europeenne": FunderKind.EU,
    "bpi": FunderKind.BPIFRANCE,
    "fondation": FunderKind.FOUNDATION,
    "entreprise": FunderKind.FIRM,
}
APPLICANT_NAMES = {
    "plateformes": Applicant.PLATFORMS,
    "plateforme": Applicant.PLATFORMS,
    "pft": Applicant.PLATFORMS,
    "etablissements_d_accueil": Applicant.HOSTS,
    "etablissement_d_accueil": Applicant.HOSTS,
    "etablissements": Applicant.HOSTS,
    "pme": Applicant.SMES,
    "consortiums": Applicant.CONSORTIA,
    "consortium": Applicant.CONSORTIA,
}
TRUE_VALUES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
FALSE_VALUES = {"non", "n", "no", "faux", "false", "0"}

MAX_LENGTHS = {
    "external_id": 120,
    "title": 300,
    "contact": 300,
    "url": 500,
    "application_url": 500,
}
FUNDER_NAME_MAX = 200
THEME_NAME_MAX = 120
DEADLINE_LABEL_MAX = 120
MAX_AMOUNT = Decimal("999999999999.99")  # the field's 14 digits
CENT = Decimal("0.01")

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
LIST_SPLIT = re.compile(r"\s*[|;]\s*")
REGION_SPLIT = re.compile(r"\s*[|;,]\s*")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%Hh%M", "%Hh")
SPREADSHEET_MIDNIGHT = " 00:00:00"  # how a date cell of a spreadsheet reads


def _choice_map(choices, names) -> dict:
    mapping = {header_key(value): value for value in choices.values}
    mapping.update({header_key(label): value for value, label in choices.choices})
    mapping.update(names)
    return mapping


KINDS = _choice_map(CallKind, KIND_NAMES)
SCOPES = _choice_map(CallScope, SCOPE_NAMES)
FUNDER_KINDS = _choice_map(FunderKind, FUNDER_KIND_NAMES)
APPLICANTS = _choice_map(Applicant, APPLICANT_NAMES)

# Fields of a call an import sets, in the order of the report: the fields the calls'
# services edit (one list), the dates apart (an import applies them at once).
DATE_FIELDS = ("opens_on", "open_all_year", "deadlines")
SCALAR_FIELDS = tuple(name for name in EDITED_FIELDS if name not in DATE_FIELDS)
RELATED_FIELDS = M2M_FIELDS
CALL_FIELDS = (*SCALAR_FIELDS[:1], *RELATED_FIELDS, *SCALAR_FIELDS[1:], *DATE_FIELDS)


@dataclass
class ImportRow:
    """One call of the file: ``values`` holds the fields the file gives (parsed);
    ``errors`` is {column: [messages]}."""

    line: int
    external_id: str = ""
    title: str = ""
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    funder_kinds: dict = field(default_factory=dict)  # funder name -> kind, from funder_kind

    def error(self, column, message) -> None:
        self.errors.setdefault(column, []).append(message)

    @property
    def error_list(self) -> list[tuple[str, list]]:
        return list(self.errors.items())


@dataclass
class CallTable:
    rows: list
    kind: str  # "csv", "xlsx" or "json": rows are lines of a sheet, or items of a feed
    ignored_columns: list = field(default_factory=list)


# The file ---------------------------------------------------------------------------------


def _header(value) -> str:
    key = header_key(value)
    return ALIASES.get(key, key)


def _json_cell(column, value) -> str:
    """A JSON value as a cell: lists joined with "|" (objects by their name or label;
    deadlines' objects as "label=date")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float):
        return cell_text(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return " | ".join(text for text in (_json_item(column, item) for item in value) if text)
    if isinstance(value, dict):
        return _json_item(column, value)
    return cell_text(value)


def _json_item(column, item) -> str:
    if isinstance(item, dict):
        if column == "deadlines":
            date = item.get("due_at") or item.get("date") or item.get("deadline") or ""
            label = str(item.get("label") or item.get("libelle") or "").strip()
            return f"{label}={date}" if label else str(date)
        for key in ("name", "nom", "label", "libelle", "code"):
            if item.get(key):
                return str(item[key]).strip()
        return ""
    return _json_cell(column, item) if not isinstance(item, list) else ""


def _json_rows(content: bytes) -> list[tuple[int, dict]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refuse(_("Le fichier JSON n'est pas encodé en UTF-8.")) from error
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        message = getattr(error, "msg", str(error))
        line = getattr(error, "lineno", "?")
        raise refuse(
            _("Le fichier JSON est mal formé (ligne %(line)s : %(error)s).")
            % {"line": line, "error": message}
        ) from error
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if not isinstance(data, list):
        raise refuse(
            _(
                "Le fichier JSON doit être une liste d'appels, ou un objet dont "
                "« results » est cette liste."
            )
        )
    if len(data) > MAX_ROWS:
        raise refuse(_("Le fichier dépasse %(max)s appels : découpez-le.") % {"max": MAX_ROWS})
    return list(enumerate(data, start=1))


def _table(upload) -> tuple[str, list]:
    """("csv" | "xlsx", [(line, cells)]) or ("json", [(item number, object)])."""
    name = (getattr(upload, "name", "") or "").lower()
    if not upload.size:
        raise refuse(_("Le fichier est vide."))
    if upload.size > MAX_BYTES:
        raise refuse(_("Le fichier dépasse 10 Mo : découpez-le."))
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in ("csv", "txt", "xlsx", "json", ""):
        raise refuse(_("Format non reconnu : envoyez un fichier .csv, .xlsx ou .json."))
    content = upload.read()
    if content.startswith(ZIP_MAGIC):
        return "xlsx", read_xlsx(content, LIMITS)
    if extension == "xlsx":
        raise refuse(_("Ce fichier n'est pas un vrai fichier XLSX."))
    if b"\x00" in content:
        raise refuse(_("Ce fichier n'est pas un fichier texte (il contient des données binaires)."))
    start = content.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if extension == "json" or start in (b"[", b"{"):
        return "json", _json_rows(content)
    if not start:
        raise refuse(_("Le fichier est vide."))
    return "csv", read_csv(content, LIMITS)


def _missing_columns(present) -> list[str]:
    return [column for column in REQUIRED if column not in present]


def read_calls(upload) -> CallTable:
    """Every call of the file, parsed and checked on its own (``errors``); what needs
    the database is checked by ``resolve_references``."""
    kind, table = _table(upload)
    if not table:
        raise refuse(_("Le fichier ne contient aucun appel."))
    rows, ignored = [], set()
    if kind == "json":
        for number, item in table:
            row = ImportRow(line=number)
            if not isinstance(item, dict):
                row.error("file", _("Cet élément n'est pas un objet JSON."))
                rows.append(row)
                continue
            raw = {}
            for key, value in item.items():
                column = _header(key)
                if column in COLUMNS:
                    raw.setdefault(column, _json_cell(column, value))
                else:
                    ignored.add(str(key))
            rows.append(_parse(row, raw))
        return CallTable(rows=rows, kind=kind, ignored_columns=sorted(ignored))
    _number, header_cells = table[0]
    headers = [_header(cell) for cell in header_cells]
    missing = _missing_columns(headers)
    if missing:
        raise refuse(
            _(
                "Colonne(s) obligatoire(s) absente(s) de la première ligne : %(missing)s "
                "(colonnes reconnues : %(columns)s)."
            )
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}
        )
    pairs = zip(header_cells, headers, strict=True)
    ignored = [cell for cell, header in pairs if header not in COLUMNS]
    body = table[1:]
    if not body:
        raise refuse(_("Le fichier ne contient aucun appel (seulement la ligne d'en-têtes)."))
    for number, cells in body:
        raw = {}
        for header, cell in zip(headers, cells, strict=False):
            if header in COLUMNS and not raw.get(header):
                raw[header] = cell
        rows.append(_parse(ImportRow(line=number), raw))
    return CallTable(rows=rows, kind=kind, ignored_columns=[c for c in ignored if c])


# One row -------------------------------------------------------------------------------


def _one_line(value: str) -> str:
    return ONE_LINE.sub(" ", value).strip()


def _text(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value).replace("\r\n", "\n").strip()


def _split(value: str, pattern=LIST_SPLIT) -> list[str]:
    seen, items = set(), []
    for item in pattern.split(value):
        item = _one_line(item)
        if item and item.lower() not in seen:
            seen.add(item.lower())
            items.append(item)
    return items


def parse_decimal(value: str, *, unit: str) -> Decimal:
    """ "1 500 000 €", "150000,50", "50 %", "33.5": a Decimal with at most two decimals
    (ValueError with the reason otherwise). A comma is the decimal separator; with both a
    point and a comma the value is ambiguous and refused."""
    text = SPACES.sub("", value).removesuffix(unit).removeprefix(unit)
    text = SPACES.sub("", text)
    match = re.fullmatch(r"[+-]?[0-9]+(?:[.,]([0-9]+))?", text)
    if not match:
        raise ValueError(_("« %s » n'est pas un nombre.") % value)
    if match.group(1) and len(match.group(1)) > 2:
        # "1,000" or "1.000": a thousand in one language, one in the other.
        raise ValueError(
            _("« %s » est ambigu : au plus deux décimales (pour mille, écrivez 1000 ou 1 000).")
            % value
        )
    try:
        return Decimal(text.replace(",", ".")).quantize(CENT)
    except InvalidOperation:
        raise ValueError(_("« %s » n'est pas un nombre.") % value) from None


def parse_date(value: str) -> datetime.date:
    text = value.strip()
    if text.endswith(SPREADSHEET_MIDNIGHT):
        text = text.removesuffix(SPREADSHEET_MIDNIGHT)
    text = text.split("T", 1)[0].split(" ", 1)[0]
    for fmt in DATE_FORMATS:
        try:
            date = datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not 2000 <= date.year <= 2100:
            raise ValueError(_("« %s » : année improbable.") % value)
        return date
    raise ValueError(_("« %s » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA).") % value)


def parse_due_at(value: str) -> datetime.datetime:
    """ "2026-03-15 12:00", "15/03/2026 12h00", "2026-03-15T12:00:00+01:00": an aware
    datetime, Paris time unless the value says otherwise; a bare date (or a spreadsheet's
    date cell, read as midnight with seconds) is 23:59, Paris time."""
    text = value.strip()
    if text.endswith(SPREADSHEET_MIDNIGHT):
        text = text.removesuffix(SPREADSHEET_MIDNIGHT)
    if "T" in text:
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(_("« %s » n'est pas une date et heure.") % value) from None
        if not 2000 <= moment.year <= 2100:
            raise ValueError(_("« %s » : année improbable.") % value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=PARIS)
        return moment.replace(second=0, microsecond=0)
    date_text, _space, time_text = text.partition(" ")
    date = parse_date(date_text)
    time_text = time_text.strip().lower()
    if not time_text:
        return datetime.datetime.combine(date, END_OF_DAY, tzinfo=PARIS)
    for fmt in TIME_FORMATS:
        try:
            time = datetime.datetime.strptime(time_text, fmt).time()
        except ValueError:
            continue
        return datetime.datetime.combine(date, time.replace(second=0), tzinfo=PARIS)
    raise ValueError(_("« %s » : heure illisible (HH:MM).") % value)


def parse_deadlines(value: str) -> list[tuple[str, datetime.datetime]]:
    """ "Pré-proposition=2026-03-01 12:00 | Dossier complet=2026-06-01": (label, due at)
    sorted by date; an item without "label=" takes the default label."""
    deadlines = []
    for item in value.split("|"):
        item = _one_line(item)
        if not item:
            continue
        label, equals, date = item.rpartition("=")
        label = label.strip() if equals else ""
        if len(label) > DEADLINE_LABEL_MAX:
            raise ValueError(
                _("Le libellé « %(label)s… » dépasse %(max)s caractères.")
                % {"label": label[:30], "max": DEADLINE_LABEL_MAX}
            )
        deadlines.append((label or DEFAULT_DEADLINE_LABEL, parse_due_at(date)))
    return sorted(set(deadlines), key=lambda pair: (pair[1], pair[0]))


def _choice(row, column, raw, mapping, default=None):
    key = header_key(raw)
    if key in mapping:
        return str(mapping[key])
    row.error(
        column,
        _("Valeur inconnue « %(value)s » (valeurs possibles : %(choices)s).")
        % {"value": raw, "choices": ", ".join(sorted({str(v) for v in mapping.values()}))},
    )
    return default


def _parse(row: ImportRow, raw: dict) -> ImportRow:  # noqa: C901 - one branch per column
    row.raw = raw
    values = row.values
    row.external_id = _one_line(raw.get("external_id", ""))
    row.title = _one_line(raw.get("title", ""))
    for column in REQUIRED:
        if not _one_line(raw.get(column, "")):
            row.error(column, _("Ce champ est obligatoire."))
    for column, limit in MAX_LENGTHS.items():
        text = _one_line(raw.get(column, ""))
        if len(text) > limit:
            row.error(column, _("Ce champ dépasse %(max)s caractères.") % {"max": limit})
        elif text:
            values[column] = text
    for column in ("url", "application_url"):
        if values.get(column):
            try:
                URLValidator(schemes=["http", "https"])(values[column])
            except ValidationError:
                row.error(column, _("Adresse web invalide (https://…)."))
    for column in ("description", "eligibility"):
        if raw.get(column, "").strip():
            values[column] = _text(raw[column])
    if raw.get("kind"):
        values["kind"] = _choice(row, "kind", raw["kind"], KINDS)
    if raw.get("scope"):
        values["scope"] = _choice(row, "scope", raw["scope"], SCOPES)
    if raw.get("applicants"):
        chosen = {
            _choice(row, "applicants", item, APPLICANTS)
            for item in _split(raw["applicants"], REGION_SPLIT)
        }
        order = list(Applicant.values)
        values["applicants"] = sorted((c for c in chosen if c), key=order.index)
    if raw.get("funders"):
        names = _split(raw["funders"])
        too_long = [name for name in names if len(name) > FUNDER_NAME_MAX]
        if too_long:
            row.error("funders", _("Un nom de financeur dépasse %s caractères.") % FUNDER_NAME_MAX)
        values["funders"] = names
        kinds = _split(raw.get("funder_kind", ""))
        if kinds and len(kinds) not in (1, len(names)):
            row.error(
                "funder_kind",
                _("Donnez une nature de financeur, ou une par financeur (séparées par « | »)."),
            )
        kinds = [_choice(row, "funder_kind", kind, FUNDER_KINDS) for kind in kinds]
        if len(kinds) == 1:
            kinds = kinds * len(names)
        row.funder_kinds = dict(zip(names, kinds, strict=False)) if kinds else {}
    if raw.get("themes"):
        names = _split(raw["themes"])
        for name in names:
            if len(name) > THEME_NAME_MAX:
                row.error("themes", _("Un thème dépasse %s caractères.") % THEME_NAME_MAX)
            elif not slugify(name):
                row.error("themes", _("Le thème « %s » n'a aucune lettre ni chiffre.") % name)
        values["themes"] = names
    if raw.get("regions"):
        values["regions"] = _split(raw["regions"], REGION_SPLIT)
        if "scope" not in values and "scope" not in row.errors:
            values["scope"] = str(CallScope.REGIONAL)
    for column, unit in (
        ("amount_min", "€"),
        ("amount_max", "€"),
        ("rate_min", "%"),
        ("rate_max", "%"),
    ):
        if raw.get(column):
            try:
                number = parse_decimal(raw[column], unit=unit)
            except ValueError as error:
                row.error(column, str(error))
                continue
            if number < 0:
                row.error(column, _("Une valeur négative n'a pas de sens ici."))
            elif unit == "%" and number > 100:
                row.error(column, _("Un taux d'aide est compris entre 0 et 100 %."))
            elif unit == "€" and number > MAX_AMOUNT:
                row.error(column, _("Montant trop élevé."))
            else:
                values[column] = number
    for low, high, message in (
        ("amount_min", "amount_max", _("Le montant minimum dépasse le maximum.")),
        ("rate_min", "rate_max", _("Le taux minimum dépasse le maximum.")),
    ):
        if low in values and high in values and values[low] > values[high]:
            row.error(low, message)
    if raw.get("opens_on"):
        try:
            values["opens_on"] = parse_date(raw["opens_on"])
        except ValueError as error:
            row.error("opens_on", str(error))
    if raw.get("open_all_year"):
        flag = header_key(raw["open_all_year"])
        if flag in TRUE_VALUES:
            values["open_all_year"] = True
        elif flag in FALSE_VALUES:
            values["open_all_year"] = False
        else:
            row.error(
                "open_all_year",
                _("« %s » : répondez oui ou non (true/false, 1/0).") % raw["open_all_year"],
            )
    deadlines = []
    if raw.get("deadlines"):
        try:
            deadlines += parse_deadlines(raw["deadlines"])
        except ValueError as error:
            row.error("deadlines", str(error))
    if raw.get("deadline"):
        label = _one_line(raw.get("deadline_label", ""))
        if len(label) > DEADLINE_LABEL_MAX:
            row.error("deadline_label", _("Ce libellé dépasse %s caractères.") % DEADLINE_LABEL_MAX)
        try:
            deadlines.append((label or DEFAULT_DEADLINE_LABEL, parse_due_at(raw["deadline"])))
        except ValueError as error:
            row.error("deadline", str(error))
    elif raw.get("deadline_label"):
        row.error("deadline", _("Un libellé de date limite sans date limite."))
    if deadlines:
        values["deadlines"] = sorted(set(deadlines), key=lambda pair: (pair[1], pair[0]))
    return row


# What needs the database ------------------------------------------------------------------


@dataclass
class References:
    """Funders, themes and regions known to the database, looked up once per import."""

    funders: dict  # lowered name -> Funder
    themes: dict  # slug -> Theme
    theme_names: dict  # lowered name -> Theme
    regions: dict  # code, lowered name, slug -> Region
    new_funders: dict = field(default_factory=dict)  # lowered name -> (name, kind)
    new_themes: dict = field(default_factory=dict)  # slug -> name

    @classmethod
    def load(cls):
        from members.models import Region

        from .models import Funder, Theme

        themes = list(Theme.objects.order_by("pk"))
        regions = {}
        region_rows = list(Region.objects.select_related("successor").order_by("pk"))
        for region in region_rows:
            target = region.successor if region.successor_id else region
            regions.setdefault(header_key(region.name), target)
            regions.setdefault(region.slug, target)
        for region in region_rows:  # codes win over names
            regions[region.code.upper()] = region.successor or region
        return cls(
            funders={funder.name.lower(): funder for funder in Funder.objects.order_by("pk")},
            themes={theme.slug: theme for theme in themes},
            theme_names={theme.name.lower(): theme for theme in themes},
            regions=regions,
        )

    def funder_name(self, name) -> str:
        """The spelling of the funder in the database (or of its first mention)."""
        known = self.funders.get(name.lower())
        if known is not None:
            return known.name
        return self.new_funders[name.lower()][0]

    def theme_name(self, name) -> str:
        known = self.theme_names.get(name.lower()) or self.themes.get(slugify(name))
        if known is not None:
            return known.name
        return self.new_themes[slugify(name)]

    def region(self, value):
        text = value.strip()
        return (
            self.regions.get(text.upper())
            or self.regions.get(text.zfill(2))
            or self.regions.get(header_key(text))
            or self.regions.get(slugify(text))
        )


def resolve_references(rows, references: References) -> None:
    """Names as the database spells them; unknown funders and themes noted to be created
    (a funder's kind from ``funder_kind``, else "state"); unknown regions are errors; an
    external id twice in the file is an error on its later rows."""
    first_line = {}
    for row in rows:
        if row.external_id:
            first = first_line.setdefault(row.external_id, row.line)
            if first != row.line:
                row.error(
                    "external_id",
                    _("Identifiant « %(id)s » déjà présent (élément ou ligne %(first)s).")
                    % {"id": row.external_id, "first": first},
                )
        values = row.values
        if "funders" in values:
            kinds = row.funder_kinds
            for name in values["funders"]:
                key = name.lower()
                if key not in references.funders and key not in references.new_funders:
                    references.new_funders[key] = (name, kinds.get(name) or FunderKind.STATE)
            values["funders"] = sorted({references.funder_name(n) for n in values["funders"]})
        if "themes" in values and "themes" not in row.errors:
            for name in values["themes"]:
                slug = slugify(name)[:120]
                known = references.theme_names.get(name.lower()) or references.themes.get(slug)
                if known is None and slug not in references.new_themes:
                    references.new_themes[slug] = name
            values["themes"] = sorted({references.theme_name(n) for n in values["themes"]})
        if "regions" in values:
            found = []
            for value in values["regions"]:
                region = references.region(value)
                if region is None:
                    row.error("regions", _("Région inconnue « %s » (code INSEE ou nom).") % value)
                else:
                    found.append(region.name)
            values["regions"] = sorted(set(found))


# How the imported fields read (report, review page, command) --------------------------

EXTRA_LABELS = {
    "external_id": _lazy("identifiant dans la source"),
    "funder_kind": _lazy("nature du financeur"),
    "deadlines": _lazy("dates limites"),
    "deadline": _lazy("date limite"),
    "deadline_label": _lazy("libellé de la date limite"),
    "file": _lazy("fichier"),
}


def column_label(column) -> str:
    """A column's name for people: the call's field name ("montant minimum (€)")."""
    from .models import Call

    if column in EXTRA_LABELS:
        return str(EXTRA_LABELS[column])
    try:
        return str(Call._meta.get_field(column).verbose_name)
    except FieldDoesNotExist:
        return column


def _number(value, unit) -> str:
    number = Decimal(str(value))
    places = 0 if number == number.to_integral_value() else 2
    return f"{number_format(number, decimal_pos=places, force_grouping=True)}\u00a0{unit}"


def _moment(value) -> str:
    moment = value if isinstance(value, datetime.datetime) else parse_iso(value)
    return date_format(moment.astimezone(PARIS), "j F Y, H:i")


def describe(column, value, *, limit=None) -> str:
    """A value of an imported field (a model value or its plain JSON) as text."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if column == "kind":
        return str(dict(CallKind.choices).get(value, value))
    if column == "scope":
        return str(dict(CallScope.choices).get(value, value))
    if column == "applicants":
        labels = dict(Applicant.choices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if column in ("amount_min", "amount_max"):
        return _number(value, "€")
    if column in ("rate_min", "rate_max"):
        return _number(value, "%")
    if column == "opens_on":
        date = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
        return date_format(date, "j F Y")
    if column == "deadlines":
        return " ; ".join(f"{label} : {_moment(due_at)}" for label, due_at in value)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    text = str(value)
    if limit and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def parse_iso(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
