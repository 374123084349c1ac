"""Survey charts drawn on the server as SVG: a horizontal bar chart and a line chart.

The same markup goes into the results page and the national report (WeasyPrint draws
inline SVG), so everything is a presentation attribute (the CSP forbids inline
styles) and nothing needs a script. Each chart has a ``<title>``; pages print the same
figures in a table next to it.

A bar or a point is ``(label, value, text)``: ``value`` is a number or None (no bar,
no point: a figure kept secret or missing), ``text`` what is printed beside it.
"""

import math
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

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
        length = 0.0
        if value is not None and value > 0 and top > 0:
            length = round(min(value, top) / top * span, 1)
        items.append(
            {
                "full": f"{label} : {text}",
                "label": _short(label),
                "label_x": LABEL_WIDTH - 8,
                "text_y": y + BAR_HEIGHT * 0.7,
                "x": LABEL_WIDTH,
                "y": y,
                "width": length,
                "height": BAR_HEIGHT,
                "value_x": LABEL_WIDTH + length + 6,
                "text": text,
                "colour": INK if value is not None else MUTED,
            }
        )
    body = format_html_join(
        "\n",
        "<g><title>{full}</title>"
        '<text x="{label_x}" y="{text_y}" text-anchor="end">{label}</text>'
        '<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="' + BAR + '"></rect>'
        '<text x="{value_x}" y="{text_y}" fill="{colour}">{text}</text></g>',
        items,
    )
    return format_html(
        '<svg class="chart chart-bars" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-label="{title}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="{font}" font-size="11" fill="{ink}">'
        "<title>{title}</title>"
        '<line x1="{axis}" y1="0" x2="{axis}" y2="{height}" stroke="{grid}"></line>'
        "{body}</svg>",
        title=title,
        width=BAR_WIDTH,
        height=height,
        font=FONT,
        ink=INK,
        axis=LABEL_WIDTH,
        grid=GRID,
        body=body,
    )


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
        return round(LINE_TOP + (high - value) / (high - low) * plot_height, 1)

    ticks = [
        {
            "y": y_of(low + (high - low) * i / TICKS),
            "text_y": y_of(low + (high - low) * i / TICKS) + 4,
            "x1": LINE_LEFT,
            "x2": LINE_WIDTH - LINE_RIGHT,
            "label_x": LINE_LEFT - 6,
            "text": _tick_text(low + (high - low) * i / TICKS),
        }
        for i in range(TICKS + 1)
    ]
    grid = format_html_join(
        "\n",
        '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="' + GRID + '"></line>'
        '<text x="{label_x}" y="{text_y}" text-anchor="end" fill="' + MUTED + '">{text}</text>',
        ticks,
    )
    segments, current, marks = [], [], []
    for index, (label, value, text) in enumerate(points):
        x = round(LINE_LEFT + step * (index + 0.5), 1)
        mark = {
            "x": x,
            "label": label,
            "axis_y": LINE_HEIGHT - 10,
            "full": f"{label} : {text}",
            "text": text,
        }
        if value is None:
            if len(current) > 1:
                segments.append(current)
            current = []
            mark.update(y=None, text_y=LINE_TOP + plot_height - 6)
        else:
            y = y_of(value)
            current.append(f"{x},{y}")
            mark.update(y=y, text_y=y - 8)
        marks.append(mark)
    if len(current) > 1:
        segments.append(current)
    lines = format_html_join(
        "\n",
        '<polyline points="{}" fill="none" stroke="' + BAR + '" stroke-width="2"></polyline>',
        ((" ".join(segment),) for segment in segments),
    )
    dots = format_html_join(
        "\n",
        "{}",
        (
            (
                format_html(
                    '<g><title>{full}</title><circle cx="{x}" cy="{y}" r="4" fill="{bar}">'
                    '</circle><text x="{x}" y="{text_y}" text-anchor="middle">{text}</text>'
                    '<text x="{x}" y="{axis_y}" text-anchor="middle">{label}</text></g>',
                    bar=BAR,
                    **mark,
                )
                if mark["y"] is not None
                else format_html(
                    '<g><title>{full}</title><text x="{x}" y="{text_y}" text-anchor="middle" '
                    'fill="{muted}">{text}</text>'
                    '<text x="{x}" y="{axis_y}" text-anchor="middle">{label}</text></g>',
                    muted=MUTED,
                    **mark,
                ),
            )
            for mark in marks
        ),
    )
    return format_html(
        '<svg class="chart chart-line" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-label="{title}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="{font}" font-size="12" fill="{ink}">'
        "<title>{title}</title>{grid}{lines}{dots}</svg>",
        title=title,
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        font=FONT,
        ink=INK,
        grid=grid,
        lines=lines,
        dots=dots,
    )
