"""The tile map of the regions: one square per current region, drawn server-side as SVG.

No map data is shipped: each region has a (tile_col, tile_row) cell, placed roughly
where it lies, as data journalists draw them.
"""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

TILE = 84
GAP = 4
SHADES = ["#9fb3cf", "#6f8fbd", "#3f6aa6", "#1f4e8c", "#163a69"]  # white text passes AA


def _shade(count, highest):
    if not count or not highest:
        return "#b7c2d3"
    step = min(len(SHADES) - 1, (count * len(SHADES) - 1) // highest)
    return SHADES[step]


def _short(name, limit=14):
    return name if len(name) <= limit else name[: limit - 1] + "…"


def tile_map(regions, *, title=None) -> str:
    """SVG markup for regions with `platform_count` (``selectors.platforms.map_regions``)."""
    regions = [r for r in regions if r.tile_col is not None and r.tile_row is not None]
    if not regions:
        return ""
    columns = max(r.tile_col for r in regions) + 1
    rows = max(r.tile_row for r in regions) + 1
    width, height = columns * (TILE + GAP), rows * (TILE + GAP)
    highest = max(r.platform_count for r in regions)
    title = title or _("Nombre de plateformes par région")
    tiles = []
    for region in regions:
        x, y = region.tile_col * (TILE + GAP), region.tile_row * (TILE + GAP)
        # French plural: 0 and 1 take the singular (ngettext would follow English).
        if region.platform_count <= 1:
            label = _("%(region)s : %(count)s plateforme")
        else:
            label = _("%(region)s : %(count)s plateformes")
        label = label % {"region": region.name, "count": region.platform_count}
        tiles.append(
            {
                "url": reverse("region_detail", args=[region.slug]),
                "label": label,
                "x": x,
                "y": y,
                "size": TILE,
                "fill": _shade(region.platform_count, highest),
                "cx": x + TILE // 2,
                "cy": y + TILE // 2 - 2,
                "count": region.platform_count,
                "ny": y + TILE - 10,
                "name": _short(region.name),
            }
        )
    body = format_html_join(
        "\n",
        '<a href="{url}" aria-label="{label}"><title>{label}</title>'
        '<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="6" fill="{fill}"></rect>'
        '<text class="count" x="{cx}" y="{cy}" text-anchor="middle">{count}</text>'
        '<text x="{cx}" y="{ny}" text-anchor="middle">{name}</text></a>',
        tiles,
    )
    return format_html(
        '<svg class="tile-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'aria-labelledby="tile-map-title"><title id="tile-map-title">{}</title>'
        "{}</svg>",
        width,
        height,
        title,
        body,
    )
