"""French formats for money and dates, the same on pages and in PDFs."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euros(value):
    """1234.5 -> "1 234,50 €" (in French); empty for None."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0€"


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


@register.simple_tag(takes_context=True)
def querystring_replace(context, **kwargs):
    """The current query string with some parameters replaced (for pagination, sort)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
