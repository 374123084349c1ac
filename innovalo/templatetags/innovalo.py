"""French formats for money and dates, the same on pages and in PDFs."""

import functools
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language

CENT = Decimal("0.01")

register = template.Library()


@functools.lru_cache(maxsize=8)
def _separators(language):
    """The language's decimal and thousand separators and grouping, read once."""
    return (
        get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
        get_format("NUMBER_GROUPING", language, use_l10n=True),
    )


@register.filter
def euros(value):
    """1234.5 -> "1 234,50 €" (in French); empty for None.

    What ``number_format(amount, 2, force_grouping=True)`` writes, with the separators
    read once per language: boards print hundreds of amounts.
    """
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    decimal_sep, thousand_sep, grouping = _separators(get_language())
    if not isinstance(grouping, int) or grouping <= 0:
        text = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
        return f"{text}\u00a0€"
    sign = "-" if amount < 0 else ""
    units, _dot, cents = f"{abs(amount):.2f}".partition(".")
    groups = []
    while units:
        groups.insert(0, units[-grouping:])
        units = units[:-grouping]
    return f"{sign}{thousand_sep.join(groups)}{decimal_sep}{cents}\u00a0€"


@register.filter
def percent(value, total):
    """Share of `total` as a whole percentage: 11, 44 -> "25 %"."""
    try:
        value, total = Decimal(value), Decimal(total)
    except (TypeError, ValueError, ArithmeticError):
        return ""
    if not total:
        return "0\u00a0%"
    share = (value * 100 / total).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{share}\u00a0%"
