"""Figures as a French reader reads them, and statistical secrecy: a figure drawn from
fewer than ``SECRECY_MIN`` responses is, for a viewer who keeps secrecy, a ``Figure``
marked secret, printed "secret" and never carrying its value to a page, a chart or a PDF.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy

from innovalo.templatetags.innovalo import euros

SECRECY_MIN = 3
SECRET_TEXT = gettext_lazy("secret")


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_figure(value, style="number", unit="") -> str:
    """A figure as a French reader reads it: 1 234,5 · 4,8 % · 1 234,50 € · 03/04/2026."""
    if style == "date":
        return date_format(value, "SHORT_DATE_FORMAT")
    if style == "money":
        return euros(value)
    most = {"integer": 0, "percent": 1}.get(style, 2)
    number = _decimal(value).quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
    places = max(0, -number.normalize().as_tuple().exponent)
    text = number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
    if style == "percent":
        return f"{text}\u00a0%"
    return f"{text}\u00a0{unit}" if unit else text


@dataclass(frozen=True)
class Figure:
    """A number (or date) to print, or "secret": a secret figure's value is dropped."""

    value: object = None
    secret: bool = False
    style: str = "number"
    unit: str = ""

    def __post_init__(self):
        if self.secret:
            object.__setattr__(self, "value", None)

    def __str__(self):
        if self.secret:
            return str(SECRET_TEXT)
        if self.value is None:
            return "—"
        return format_figure(self.value, self.style, self.unit)

    @property
    def shown(self):
        """What a chart draws: the value, or None (secret or missing)."""
        return None if self.secret else self.value


def is_secret(n, keep_secret) -> bool:
    """Drawn from fewer than SECRECY_MIN responses (and some), for a viewer who keeps secrecy."""
    return bool(keep_secret and 0 < (n or 0) < SECRECY_MIN)


def _percent(count, base) -> Decimal | None:
    if not base:
        return None
    return Decimal(count) * 100 / Decimal(base)
