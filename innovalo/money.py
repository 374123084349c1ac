"""Amounts of money: one parser (Babel) and one formatter, used by forms, services
and imports alike, so that "1 234,50", "1234.50" and "1,000" mean the same everywhere.

French is the portal's first language: the comma is the decimal separator, the
space (ordinary, no-break or narrow no-break) the group separator. A value with
a point and no comma ("1234.50") is read the international way, so that what a
spreadsheet or an English browser sends is read too. "1,000" is one (French),
never a thousand; "1.000,50" and "1,000.50" are refused as ambiguous rather than
guessed.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .exceptions import ServiceError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("99999999.99")
_SPACES = (" ", "\u00a0", "\u202f", "\u2009")
# Digits 0-9 with at most one sign and separators: no exponent ("1e5"), no underscore
# ("1_000"), no other script's digits, which Decimal would otherwise accept.
_PLAIN = re.compile(r"[+-]?[0-9][0-9.,]*")


def parse_amount(value, *, field: str | None = None, allow_zero: bool = False) -> Decimal:
    """A positive amount with at most two decimals, as a Decimal; ServiceError otherwise."""
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = str(value if value is not None else "").strip().removesuffix("€").strip()
        for space in _SPACES:
            text = text.replace(space, "")
        if not text:
            raise ServiceError(_("Indiquez un montant."), field)
        if not _PLAIN.fullmatch(text):
            raise ServiceError(
                _("Montant invalide : des chiffres, avec une virgule pour les décimales."), field
            )
        if "," in text and "." in text:
            raise ServiceError(
                _("Montant ambigu : écrivez par exemple 1234,50 (virgule pour les décimales)."),
                field,
            )
        separator = "," if "," in text else "."
        if separator in text and len(text.rsplit(separator, 1)[1]) > 2:
            # "1,000" or "1.000": a thousand in one language, one in the other. Refused
            # with the way to write it, never guessed.
            raise ServiceError(
                _("Le montant a au plus deux décimales (pour mille euros, écrivez 1000 ou 1 000)."),
                field,
            )
        locale = "fr_FR" if separator == "," else "en_US"
        try:
            amount = parse_decimal(text, locale=locale, strict=True)
        except (NumberFormatError, InvalidOperation, ValueError):
            raise ServiceError(_("Montant invalide."), field) from None
    if not amount.is_finite():
        raise ServiceError(_("Montant invalide."), field)
    if abs(amount) > MAX_AMOUNT:  # before quantize, which fails beyond the context (1e999)
        raise ServiceError(_("Montant trop élevé."), field)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ServiceError(_("Le montant a au plus deux décimales."), field)
    amount = amount.quantize(CENT)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ServiceError(_("Le montant doit être positif."), field)
    if amount > MAX_AMOUNT:
        raise ServiceError(_("Montant trop élevé."), field)
    return amount


def amount_text(value) -> str:
    """An amount for a message, in the active language's format: "1 234,50"."""
    return number_format(Decimal(value).quantize(CENT), decimal_pos=2, force_grouping=True)
