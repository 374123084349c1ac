"""Panels of the home page from the members app (registered in MembersConfig.ready)."""

import datetime

from django.db.models import Count, IntegerField, Max, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from innovalo import generations
from innovalo.french import French

from . import perms
from .enums import LabelStatus
from .models import Platform, Region

STALE_AFTER = datetime.timedelta(days=365)


def network_panel(request):
    """For everyone: the network in figures, with the directory and the map. They are
    kept in the cache under the directory's generation, which any change of a platform
    or a region increments (`members/caches.py`): the home page is the portal's most
    visited, and the aggregate reads every platform (4 ms at federation scale)."""
    from . import caches

    generation, storable = caches.generation()
    key = f"home:network:{caches.FORMAT}:{generation}"
    figures = generations.get_or_compute(
        key, network_figures, store=storable, timeout=caches.TIMEOUT
    )
    return {"template": "members/includes/home_network.html", **figures}


def network_figures() -> dict:
    """Platforms, labelled platforms, regions with a platform, current regions: one
    query (the current regions are counted in a subquery of the platforms' aggregate)."""
    current_regions = (
        Region.objects.current()
        .annotate(group=Value(1))
        .values("group")
        .annotate(total=Count("pk"))
        .values("total")
        .order_by()
    )
    figures = Platform.objects.aggregate(
        platforms=Count("pk"),
        labelled=Count("pk", filter=Q(label_status=LabelStatus.LABELLED)),
        regions=Count("department__region", distinct=True),
        # An aggregate of a subquery run once (an InitPlan), not per platform.
        regions_total=Coalesce(Max(Subquery(current_regions, output_field=IntegerField())), 0),
    )
    if not figures["platforms"]:  # no platform row to carry the subquery
        figures["regions_total"] = Region.objects.current().count()
    return figures


def my_platforms_panel(request):
    """For a platform's people: their platforms, and whether a review is due."""
    user = request.user
    if not user.is_authenticated:
        return None
    platforms = list(
        Platform.objects.managed_by(user)
        .select_related("department")
        .order_by(French("name"), "pk")
    )
    if user.is_active and getattr(user, "_platform_ids_cache", None) is None:
        # The ids perms.platform_ids reads (the dues panel, the survey's): known now.
        user._platform_ids_cache = {platform.pk for platform in platforms}
    if not platforms:
        return None
    stale_before = timezone.now() - STALE_AFTER
    for platform in platforms:
        platform.review_due = platform.reviewed_at is None or platform.reviewed_at < stale_before
    return {"template": "members/includes/home_my_platforms.html", "platforms": platforms}


def my_dues_panel(request):
    """For a platform's people: what their platforms owe, each year with its notice
    (number and link) or whom to ask for it; one query, nothing without dues to pay."""
    user = request.user
    if not user.is_authenticated or user.is_ministry:
        return None
    from .selectors.dues import dues_owed

    owed = dues_owed(sorted(perms.platform_ids(user)))
    if not owed:
        return None
    return {"template": "members/includes/home_my_dues.html", "owed": owed}


def dues_panel(request):
    """For the bureau: this year's dues in one line (the board's cached figures)."""
    if not perms.can_manage_dues(request.user):
        return None
    from .selectors.dues import cached_year_figures

    summary, _regions = cached_year_figures(timezone.localdate().year)
    return {"template": "members/includes/home_dues.html", "summary": summary}
