"""The tile map of the regions: one square per current region, drawn server-side as SVG.

No map data is shipped: each region has a (tile_col, tile_row) cell, placed roughly
where it lies, as data journalists draw them. The squares are shaded by an indicator
(by default the number of platforms; the national dashboard also draws the paid rate
and the response rate), with a legend if asked. Everything is a presentation
attribute, so that the same markup draws the same map in a page and in a PDF.

Text on a tile is dark on the light shades and white on the dark ones: each pair has a
contrast of at least 4.5:1 (WCAG AA, pinned in the tests). A region's name that does
not fit on one line is wrapped onto two (at a hyphen or a space), and a line still too
long is squeezed to the tile's width (``textLength``) rather than cut off.
"""

import math

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

TILE = 84
GAP = 4
FONT = "DejaVu Sans, Arial, sans-serif"
INK = "#1d2433"
WHITE = "#ffffff"
# Light to dark; the text drawn on each is the one of INK and WHITE with more contrast.
SHADES = ["#dce6f4", "#a9c0e2", "#6f8fbd", "#3f6aa6", "#1f4e8c"]
EMPTY = "#eef1f5"  # no value, or nothing (0)
LINE_CHARS = 12  # a name longer than this goes on two lines
SQUEEZE_CHARS = 13  # a line longer than this is squeezed to the tile's width
LEGEND_HEIGHT = 46


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours."""
    high, low = sorted([_luminance(first), _luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(fill: str) -> str:
    """INK or WHITE, whichever reads better on ``fill``."""
    return INK if contrast(fill, INK) >= contrast(fill, WHITE) else WHITE


def _step(value, top, percent=False) -> int | None:
    """The shade of ``value`` on a scale up to ``top``: None for nothing (no value, or no
    platform; 0 % is a rate, the lightest shade)."""
    if value is None or not top or (value <= 0 and not percent):
        return None
    if value <= 0:
        return 0
    return min(len(SHADES) - 1, max(0, math.ceil(value * len(SHADES) / top) - 1))


def _lines(name: str) -> list[str]:
    """The name on one line, or on two split at the hyphen or space nearest the middle."""
    if len(name) <= LINE_CHARS:
        return [name]
    cuts = [i + 1 for i, c in enumerate(name) if c == "-"] + [
        i for i, c in enumerate(name) if c == " "
    ]
    if not cuts:
        return [name]
    cut = min(cuts, key=lambda i: max(len(name[:i]), len(name[i:].lstrip())))
    return [name[:cut].rstrip(), name[cut:].lstrip()]


def _text(x, y, content, *, fill, size, bold=False, squeeze=False) -> str:
    extra = ' font-weight="700"' if bold else ""
    if squeeze:
        extra += f' textLength="{TILE - 8}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text x="{x}" y="{y}" text-anchor="middle" fill="{fill}" font-size="{size}"{extra}>'
        f"{escape(content)}</text>"
    )


def _platform_label(region, value) -> str:
    # French plural: 0 and 1 take the singular (ngettext would follow English).
    if (value or 0) <= 1:
        label = _("%(region)s : %(count)s plateforme")
    else:
        label = _("%(region)s : %(count)s plateformes")
    return label % {"region": region.name, "count": value or 0}


def _percent_text(value) -> str:
    return "—" if value is None else f"{round(value)}\u00a0%"


def _legend_items(top, percent) -> list[tuple[str, str]]:
    """[(fill, text)] of the shades used on a scale up to ``top``."""
    items = [(EMPTY, _("sans donnée") if percent else "0")]
    size = len(SHADES)
    for step, fill in enumerate(SHADES):
        low, high = step * top / size, (step + 1) * top / size
        if percent:
            items.append((fill, f"{round(low)}–{round(high)}\u00a0%"))
            continue
        first, last = math.floor(low) + 1, math.floor(high)
        if first > last:
            continue  # no whole number falls in this shade
        items.append((fill, str(first) if first == last else f"{first}–{last}"))
    return items


def _legend(y, width, caption, items) -> str:
    parts = [f'<text x="0" y="{y + 12}" fill="{INK}" font-size="11">{escape(caption)}</text>']
    x, swatch = 0, 14
    for fill, text in items:
        parts.append(
            f'<rect x="{x}" y="{y + 20}" width="{swatch}" height="{swatch}" fill="{fill}" '
            f'stroke="#8a94a6" stroke-width="0.5"></rect>'
            f'<text x="{x + swatch + 4}" y="{y + 31}" fill="{INK}" font-size="10">'
            f"{escape(text)}</text>"
        )
        x += swatch + 10 + 6 * len(text)
    return f'<g class="tile-legend">{"".join(parts)}</g>'


def tile_map(
    regions,
    *,
    values=None,
    title=None,
    percent=False,
    label=None,
    legend=None,
    url=None,
    svg_id="tile-map-title",
) -> str:
    """SVG markup of the tile map.

    ``regions``: current regions (``selectors.platforms.map_regions``); ``values``
    ({region id: number or None}) shades them, by default their ``platform_count``;
    ``percent``: the values are percentages (a scale to 100); ``label(region, value)``
    the text a tile is read as (its link's name); ``legend``: the legend's caption (no
    legend without one); ``url(region)``: where a tile leads (the region's page)."""
    regions = [r for r in regions if r.tile_col is not None and r.tile_row is not None]
    if not regions:
        return ""
    if values is None:
        values = {r.pk: r.platform_count for r in regions}
    if label is None:
        label = (
            (lambda region, value: f"{region.name} : {_percent_text(value)}")
            if percent
            else _platform_label
        )
    url = url or (lambda region: reverse("region_detail", args=[region.slug]))
    columns = max(r.tile_col for r in regions) + 1
    rows = max(r.tile_row for r in regions) + 1
    width, height = columns * (TILE + GAP), rows * (TILE + GAP)
    numbers = [values.get(r.pk) for r in regions]
    top = 100 if percent else max([n for n in numbers if n is not None] or [0])
    title = title or _("Nombre de plateformes par région")
    tiles = []
    for region in regions:
        value = values.get(region.pk)
        step = _step(value, top, percent)
        fill = EMPTY if step is None else SHADES[step]
        ink = text_colour(fill)
        x, y = region.tile_col * (TILE + GAP), region.tile_row * (TILE + GAP)
        centre = x + TILE // 2
        shown = _percent_text(value) if percent else str(value if value is not None else "—")
        name_lines = _lines(region.name)
        first_y = y + TILE - (22 if len(name_lines) > 1 else 10)
        names = "".join(
            _text(
                centre,
                first_y + 12 * i,
                line,
                fill=ink,
                size=10,
                squeeze=len(line) > SQUEEZE_CHARS,
            )
            for i, line in enumerate(name_lines)
        )
        text = escape(label(region, value))
        tiles.append(
            f'<a href="{escape(url(region))}" aria-label="{text}"><title>{text}</title>'
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="6" fill="{fill}" '
            f'stroke="#ffffff" stroke-width="2"></rect>'
            + _text(centre, y + 34, shown, fill=ink, size=16, bold=True)
            + names
            + "</a>"
        )
    body = "\n".join(tiles)
    if legend:
        body += _legend(height + 4, width, legend, _legend_items(top, percent))
        height += LEGEND_HEIGHT
    return SafeString(
        f'<svg class="tile-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" aria-labelledby="{svg_id}"><title id="{svg_id}">'
        f"{escape(title)}</title>{body}</svg>"
    )
