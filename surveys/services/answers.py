"""Parsing and validating one answer by its question's type: ``answer_value``.

Returns the typed value (None for no answer) or raises ``ServiceError`` with the
question's code as the field, and a French message a respondent can act on.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from innovalo.exceptions import ServiceError
from innovalo.money import parse_amount

from ..enums import QuestionType

SHORT_TEXT_MAX = 255
LONG_TEXT_MAX = 10_000
MAX_NUMBER = Decimal("99999999999999")  # fits value_number (18 digits, 4 decimals)
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_SPACES = (" ", "\u00a0", "\u202f", "\u2009")
_YES = {"oui", "o", "yes", "y", "true", "1", "vrai"}
_NO = {"non", "n", "no", "false", "0", "faux"}


def is_empty(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | dict | set):
        return not raw
    return False


def parse_number(raw, code) -> Decimal:
    if isinstance(raw, bool):
        raise ServiceError(_("Indiquez un nombre."), code)
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    else:
        text = str(raw).strip()
        for space in _SPACES:
            text = text.replace(space, "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if not _NUMBER.fullmatch(text):
            raise ServiceError(_("Indiquez un nombre (par exemple 12 ou 12,5)."), code)
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already refused it
            raise ServiceError(_("Indiquez un nombre."), code) from None
    if not value.is_finite() or abs(value) > MAX_NUMBER:
        raise ServiceError(_("Ce nombre est trop grand."), code)
    if value.as_tuple().exponent < -4:
        raise ServiceError(_("Au plus quatre décimales."), code)
    return value


def _shown(bound) -> str:
    """A bound as people write it: 5, 12,5 (never 5,0000 or 2E+1)."""
    value = Decimal(bound)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value)


def _bounded(question, value: Decimal) -> Decimal:
    code = question.code
    if question.min_value is not None and value < question.min_value:
        raise ServiceError(
            _("La valeur doit être au moins %(min)s.") % {"min": _shown(question.min_value)},
            code,
        )
    if question.max_value is not None and value > question.max_value:
        raise ServiceError(
            _("La valeur doit être au plus %(max)s.") % {"max": _shown(question.max_value)},
            code,
        )
    return value


def _integer(raw, code) -> int:
    value = parse_number(raw, code)
    if value != value.to_integral_value():
        raise ServiceError(_("Indiquez un nombre entier."), code)
    return int(value)


def _date(raw, code) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ServiceError(_("Indiquez une date (jj/mm/aaaa)."), code)


def _choice_codes(question) -> set:
    return {choice.code for choice in question.choices.all()}


def _table(question, raw) -> dict:
    code = question.code
    if not isinstance(raw, dict):
        raise ServiceError(_("Le tableau est mal formé."), code)
    rows = {row["code"] for row in question.rows}
    columns = {column["code"] for column in question.columns}
    table = {}
    for row, cells in raw.items():
        if row not in rows or not isinstance(cells, dict):
            raise ServiceError(_("Ligne inconnue dans le tableau : %(row)s.") % {"row": row}, code)
        for column, cell in cells.items():
            if column not in columns:
                raise ServiceError(
                    _("Colonne inconnue dans le tableau : %(column)s.") % {"column": column}, code
                )
            if is_empty(cell):
                continue
            table.setdefault(row, {})[column] = _bounded(question, parse_number(cell, code))
    return table


def answer_value(question, raw):
    """The typed value of ``raw`` for ``question`` (None when empty), or ServiceError."""
    if is_empty(raw):
        return None
    code = question.code
    kind = question.type
    if kind == QuestionType.INTEGER:
        return int(_bounded(question, Decimal(_integer(raw, code))))
    if kind == QuestionType.DECIMAL:
        return _bounded(question, parse_number(raw, code))
    if kind == QuestionType.MONEY:
        return _bounded(question, parse_amount(raw, field=code, allow_zero=True))
    if kind == QuestionType.PERCENTAGE:
        value = parse_number(raw, code)
        if not 0 <= value <= 100:
            raise ServiceError(_("Un pourcentage est entre 0 et 100."), code)
        return _bounded(question, value)
    if kind == QuestionType.SCALE:
        value = _integer(raw, code)
        if not 1 <= value <= 5:
            raise ServiceError(_("Choisissez une note de 1 à 5."), code)
        return value
    if kind == QuestionType.YES_NO:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise ServiceError(_("Répondez par oui ou par non."), code)
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        text = str(raw).strip()
        limit = SHORT_TEXT_MAX if kind == QuestionType.SHORT_TEXT else LONG_TEXT_MAX
        if len(text) > limit:
            raise ServiceError(
                _("Au plus %(limit)s caractères (%(length)s saisis).")
                % {"limit": limit, "length": len(text)},
                code,
            )
        if "\x00" in text:
            raise ServiceError(_("Ce texte contient un caractère invalide."), code)
        return text
    if kind == QuestionType.DATE:
        return _date(raw, code)
    if kind == QuestionType.SINGLE_CHOICE:
        if str(raw) not in _choice_codes(question):
            raise ServiceError(_("Choisissez une des réponses proposées."), code)
        return str(raw)
    if kind == QuestionType.MULTIPLE_CHOICE:
        values = [raw] if isinstance(raw, str) else list(raw)
        codes = _choice_codes(question)
        if any(str(value) not in codes for value in values):
            raise ServiceError(_("Choisissez parmi les réponses proposées."), code)
        # Kept in the choices' order, once each.
        chosen = {str(value) for value in values}
        return [choice.code for choice in question.choices.all() if choice.code in chosen]
    if kind == QuestionType.NUMBER_TABLE:
        return _table(question, raw) or None
    raise ServiceError(_("Type de question inconnu."), code)  # pragma: no cover
