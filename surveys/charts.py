"""Survey charts drawn on the server as SVG: a horizontal bar chart and a line chart;
and the rows of the tables of figures printed next to them (``table_rows``).

The same markup goes into the results page and the national report (WeasyPrint draws
inline SVG), so everything is a presentation attribute (the CSP forbids inline
styles) and nothing needs a script. Each chart has a ``<title>``; pages print the same
figures in a table next to it.

A bar or a point is ``(label, value, text)``: ``value`` is a number or None (no bar,
no point: a figure kept secret or missing), ``text`` what is printed beside it.

The markup is built with plain strings, every text escaped once (``_text``): a results
page draws a chart per question and per year-over-year indicator, and ``format_html``
escaping each number cost more than the rest of the chart.
"""

import functools
import html
import math
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language

INK = "#1d2433"
MUTED = "#4f5868"
BAR = "#1f4e8c"
GRID = "#d5dbe5"
FONT = "DejaVu Sans, Arial, sans-serif"

BAR_WIDTH = 640
LABEL_WIDTH = 230
VALUE_ROOM = 90
BAR_HEIGHT = 20
BAR_GAP = 8
LABEL_CHARS = 32

LINE_WIDTH = 640
LINE_HEIGHT = 240
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 100, 20, 24, 30
TICKS = 4


def _short(label, limit=LABEL_CHARS) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at least ``value`` (axes end on round numbers)."""
    if value <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(value))
    return next(step * scale for step in (1, 2, 2.5, 5, 10) if step * scale >= value)


def _tick_text(value: float) -> str:
    decimal = Decimal(str(round(value, 2))).normalize()
    places = max(0, -decimal.as_tuple().exponent)
    return number_format(decimal, decimal_pos=places, use_l10n=True, force_grouping=True)


def _text(value) -> str:
    """``value`` escaped for HTML (as ``conditional_escape``: safe strings are kept)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _svg(kind, title, width, height, font_size, body) -> SafeString:
    title = _text(title)
    return SafeString(
        f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{title}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="{font_size}" '
        f'fill="{INK}"><title>{title}</title>{body}</svg>'
    )


def bar_chart(title, bars, *, maximum=None) -> str:
    """Horizontal bars, one per ``(label, value, text)``; ``maximum`` fixes the scale
    (100 for percentages), else the largest value does."""
    bars = [(str(label), _number(value), str(text)) for label, value, text in bars]
    if not bars:
        return ""
    values = [value for _label, value, _text in bars if value is not None and value > 0]
    top = float(maximum) if maximum else max(values, default=0.0)
    span = BAR_WIDTH - LABEL_WIDTH - VALUE_ROOM
    height = len(bars) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    items = []
    for index, (label, value, text) in enumerate(bars):
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        text_y = y + BAR_HEIGHT * 0.7
        length = 0.0
        if value is not None and value > 0 and top > 0:
            length = round(min(value, top) / top * span, 1)
        colour = INK if value is not None else MUTED
        printed = _text(text)
        items.append(
            f"<g><title>{_text(f'{label} : {text}')}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y}" text-anchor="end">'
            f"{_text(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{BAR}"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{text_y}" fill="{colour}">{printed}</text>'
            "</g>"
        )
    axis = (
        f'<line x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" y2="{height}" stroke="{GRID}"></line>'
    )
    return _svg("bars", title, BAR_WIDTH, height, 11, axis + "\n".join(items))


def _line_y(value, low, high) -> float:
    plot_height = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM
    return round(LINE_TOP + (high - value) / (high - low) * plot_height, 1)


@functools.lru_cache(maxsize=64)
def _grid(low, high, language) -> str:
    """The horizontal lines and their numbers from ``low`` to ``high`` (in the active
    ``language``): the same for most charts of a page, drawn once."""
    lines = []
    for i in range(TICKS + 1):
        tick = low + (high - low) * i / TICKS
        y = _line_y(tick, low, high)
        lines.append(
            f'<line x1="{LINE_LEFT}" y1="{y}" x2="{LINE_WIDTH - LINE_RIGHT}" y2="{y}" '
            f'stroke="{GRID}"></line>'
            f'<text x="{LINE_LEFT - 6}" y="{y + 4}" text-anchor="end" fill="{MUTED}">'
            f"{_text(_tick_text(tick))}</text>"
        )
    return "\n".join(lines)


def line_chart(title, points, *, maximum=None) -> str:
    """One line over evenly spaced categories (years), a point per ``(label, value,
    text)``; a point without a value breaks the line and prints its text on the axis.
    The axis goes up to ``maximum`` (100 for percentages), else to a round number."""
    points = [(str(label), _number(value), str(text)) for label, value, text in points]
    if not points:
        return ""
    values = [value for _label, value, _text in points if value is not None]
    high = float(maximum) if maximum else TICKS * nice_ceiling(max([0.0, *values]) / TICKS)
    low = min([0.0, *values])
    if low < 0:
        low = -TICKS * nice_ceiling(-low / TICKS)
    plot_width = LINE_WIDTH - LINE_LEFT - LINE_RIGHT
    plot_height = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM
    step = plot_width / len(points)

    def y_of(value):
        return _line_y(value, low, high)

    grid = _grid(low, high, get_language())
    segments, current, dots = [], [], []
    axis_y = LINE_HEIGHT - 10
    for index, (label, value, text) in enumerate(points):
        x = round(LINE_LEFT + step * (index + 0.5), 1)
        full, printed, year = _text(f"{label} : {text}"), _text(text), _text(label)
        if value is None:
            if len(current) > 1:
                segments.append(current)
            current = []
            dots.append(
                f'<g><title>{full}</title><text x="{x}" y="{LINE_TOP + plot_height - 6}" '
                f'text-anchor="middle" fill="{MUTED}">{printed}</text>'
                f'<text x="{x}" y="{axis_y}" text-anchor="middle">{year}</text></g>'
            )
        else:
            y = y_of(value)
            current.append(f"{x},{y}")
            dots.append(
                f'<g><title>{full}</title><circle cx="{x}" cy="{y}" r="4" fill="{BAR}">'
                f'</circle><text x="{x}" y="{y - 8}" text-anchor="middle">{printed}</text>'
                f'<text x="{x}" y="{axis_y}" text-anchor="middle">{year}</text></g>'
            )
    if len(current) > 1:
        segments.append(current)
    lines = "\n".join(
        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{BAR}" '
        'stroke-width="2"></polyline>'
        for segment in segments
    )
    body = grid + lines + "\n".join(dots)
    return _svg("line", title, LINE_WIDTH, LINE_HEIGHT, 12, body)


def table_rows(rows) -> SafeString:
    """The ``<tr>`` of a table of figures, one per ``(label, cells)``: the label a row
    head, each cell a number (a ``Figure``, or any text); every text escaped. A results
    page prints a thousand cells: one string per table instead of template nodes per
    cell."""
    return SafeString(
        "\n".join(
            f'<tr><th scope="row">{_text(label)}</th>'
            + "".join(f'<td class="num">{_text(cell)}</td>' for cell in cells)
            + "</tr>"
            for label, cells in rows
        )
    )
