"""Figures as a French reader reads them, and statistical secrecy: a figure drawn from
fewer than ``SECRECY_MIN`` responses is, for a viewer who keeps secrecy, a ``Figure``
marked secret, printed "secret" and never carrying its value to a page, a chart or a PDF.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext_lazy

from innovalo.templatetags.innovalo import _separators, euros

SECRECY_MIN = 3
SECRET_TEXT = gettext_lazy("secret")
PLACES = {"integer": 0, "percent": 1}  # at most; 2 for other numbers
STEPS = [Decimal(1).scaleb(-places) for places in range(3)]


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_figure(value, style="number", unit="") -> str:
    """A figure as a French reader reads it: 1 234,5 · 4,8 % · 1 234,50 € · 03/04/2026."""
    if style == "date":
        return date_format(value, "SHORT_DATE_FORMAT")
    if style == "money":
        return euros(value)
    if type(value) is int:  # a count: nothing to round
        text = _grouped(value)
    else:
        number = _decimal(value).quantize(STEPS[PLACES.get(style, 2)], rounding=ROUND_HALF_UP)
        text = _grouped(number)
    if style == "percent":
        return f"{text}\u00a0%"
    return f"{text}\u00a0{unit}" if unit else text


def _grouped(number: Decimal | int) -> str:
    """``number_format(number, decimal_pos=<its places without trailing zeros>,
    force_grouping=True)``, with the language's separators read once (``euros`` does
    the same): a results page prints about a thousand figures."""
    if not number:
        return "0"
    decimal_sep, thousand_sep, grouping = _separators(get_language())
    if not isinstance(grouping, int) or grouping <= 0:
        places = 0 if type(number) is int else max(0, -number.normalize().as_tuple().exponent)
        return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
    if grouping == 3:  # French and English: Python's own grouping, in C
        spec = "," if type(number) is int else ",f"
        units, _dot, decimals = format(abs(number), spec).partition(".")
        units = units.replace(",", thousand_sep)
    else:
        digits = str(abs(number)) if type(number) is int else f"{abs(number):f}"
        units, _dot, decimals = digits.partition(".")
        head = len(units) % grouping or grouping
        groups = [
            units[:head],
            *(units[i : i + grouping] for i in range(head, len(units), grouping)),
        ]
        units = thousand_sep.join(groups)
    decimals = decimals.rstrip("0")
    sign = "-" if number < 0 else ""
    return f"{sign}{units}{decimal_sep if decimals else ''}{decimals}"


class Figure(str):
    """A number (or date) as printed, or "secret": a secret figure's value is dropped.

    A ``str`` (its text, formatted once, when made, in the active language), so that
    templates print it as they print any text: a results page prints hundreds; with
    the ``value``, whether it is ``secret``, its ``style`` and ``unit``."""

    def __new__(cls, value=None, secret=False, style="number", unit=""):
        if secret:
            value, text = None, str(SECRET_TEXT)
        elif value is None:
            text = "—"
        else:
            text = format_figure(value, style, unit)
        figure = super().__new__(cls, text)
        figure.value, figure.secret, figure.style, figure.unit = value, secret, style, unit
        return figure

    def __repr__(self):
        return f"Figure({self.value!r}, secret={self.secret!r}, style={self.style!r})"

    def __reduce__(self):
        """Pickled (the results cache) as its text and attributes, not re-formatted."""
        return (_figure, (str(self), self.value, self.secret, self.style, self.unit))

    @property
    def shown(self):
        """What a chart draws: the value, or None (secret or missing)."""
        return None if self.secret else self.value


def _figure(text, value, secret, style, unit) -> Figure:
    figure = str.__new__(Figure, text)
    figure.value, figure.secret, figure.style, figure.unit = value, secret, style, unit
    return figure


def is_secret(n, keep_secret) -> bool:
    """Drawn from fewer than SECRECY_MIN responses (and some), for a viewer who keeps secrecy."""
    return bool(keep_secret and 0 < (n or 0) < SECRECY_MIN)


def _percent(count, base) -> Decimal | None:
    if not base:
        return None
    return Decimal(count) * 100 / Decimal(base)
