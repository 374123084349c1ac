"""Which platforms the portal proposes for a firm's request ("let the network find the
right platform"). The region's correspondent then confirms or changes the routing.

The candidates are the labelled platforms (label granted or being renewed, like the
surveys' expected platforms) that share at least one of the request's domains. They come
in three rings: the department's region first, then the neighbouring regions, then any
region; within a ring, by score: ``shared domains × 10`` plus 5 in the same region, 2 in a
neighbouring one. At most ``MAX_PROPOSALS``. A request without domains is matched on the
region alone (its rings' platforms, by name), so the correspondent still has a start.

Neighbours are the regions sharing a land border (2016 regions, INSEE codes). Corsica has
none by land: Provence-Alpes-Côte d'Azur, the nearest by sea, stands for it. The overseas
regions have none.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When

from members.enums import LabelStatus
from members.models import Platform

MAX_PROPOSALS = 5
DOMAIN_POINTS = 10
SAME_REGION_POINTS = 5
NEIGHBOUR_POINTS = 2
LABELLED = (LabelStatus.LABELLED, LabelStatus.RENEWAL)

_BORDERS = {
    "11": ("24", "27", "28", "32", "44"),  # Île-de-France
    "24": ("11", "27", "28", "52", "75", "84"),  # Centre-Val de Loire
    "27": ("11", "24", "44", "84"),  # Bourgogne-Franche-Comté
    "28": ("11", "24", "32", "52", "53"),  # Normandie
    "32": ("11", "28", "44"),  # Hauts-de-France
    "44": ("11", "27", "32"),  # Grand Est
    "52": ("24", "28", "53", "75"),  # Pays de la Loire
    "53": ("28", "52"),  # Bretagne
    "75": ("24", "52", "76", "84"),  # Nouvelle-Aquitaine
    "76": ("75", "84", "93"),  # Occitanie
    "84": ("24", "27", "75", "76", "93"),  # Auvergne-Rhône-Alpes
    "93": ("76", "84", "94"),  # Provence-Alpes-Côte d'Azur (and Corsica by sea)
    "94": ("93",),  # Corse (by sea)
}
# Overseas regions (01 Guadeloupe, 02 Martinique, 03 Guyane, 04 La Réunion, 06 Mayotte).
NEIGHBOURS: dict[str, frozenset[str]] = {
    code: frozenset(others) for code, others in _BORDERS.items()
} | {code: frozenset() for code in ("01", "02", "03", "04", "06")}


def neighbours(region_code: str) -> frozenset[str]:
    """The INSEE codes of the regions bordering this one (none for an unknown code)."""
    return NEIGHBOURS.get(region_code, frozenset())


@dataclass(frozen=True)
class Proposal:
    platform: Platform
    score: int
    ring: int  # 0 same region, 1 neighbouring region, 2 elsewhere
    shared_domains: int


def propose(*, region, domain_ids, limit=MAX_PROPOSALS) -> list[Proposal]:
    """The platforms to propose for a request of ``region`` about ``domain_ids``, best
    first (one query)."""
    domain_ids = list(domain_ids)
    near = list(neighbours(region.code))
    ring = Case(
        When(department__region_id=region.pk, then=Value(0)),
        When(department__region__code__in=near or ["-"], then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    points = Case(
        When(department__region_id=region.pk, then=Value(SAME_REGION_POINTS)),
        When(department__region__code__in=near or ["-"], then=Value(NEIGHBOUR_POINTS)),
        default=Value(0),
        output_field=IntegerField(),
    )
    platforms = Platform.objects.filter(label_status__in=LABELLED)
    if domain_ids:
        platforms = platforms.annotate(
            shared=Count("domains", filter=Q(domains__in=domain_ids), distinct=True)
        ).filter(shared__gt=0)
    else:
        platforms = platforms.annotate(shared=Value(0, output_field=IntegerField()))
        platforms = platforms.filter(
            Q(department__region_id=region.pk) | Q(department__region__code__in=near or ["-"])
        )
    rows = (
        platforms.annotate(ring=ring, points=points)
        .select_related("department__region")
        .order_by("ring", "-shared", "name", "pk")[:limit]
    )
    return [
        Proposal(
            platform=p,
            score=p.shared * DOMAIN_POINTS + p.points,
            ring=p.ring,
            shared_domains=p.shared,
        )
        for p in rows
    ]
