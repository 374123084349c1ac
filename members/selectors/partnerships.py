"""Reads about a platform's transfer offer and partnership agreements: the levels it
offers, its agreements page (rows and history), the agreements that end across the
network (the bureau's page) and those the reminder job is due to remind."""

import calendar
import datetime
import re

from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.formats import date_format

from innovalo.models import AuditEntry

from ..enums import TransferLevel
from ..models import Agreement, TransferOffer
from ..services.partnerships import agreements_scope

AGREEMENT_HISTORY_SIZE = 30
# The bureau's page: the agreements ending within NETWORK_AHEAD_MONTHS, and those that
# ended in the last NETWORK_ENDED_MONTHS.
NETWORK_AHEAD_MONTHS = 12
NETWORK_ENDED_MONTHS = 3
# A row is marked when its agreement ends within these numbers of days.
SOON_DAYS = 30
AHEAD_DAYS = 90
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shift_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (earlier when negative), the month's last day when it
    has fewer days (31 March + 1 month = 30 April)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


# Transfer offer ---------------------------------------------------------------------------


def with_transfer_offer(queryset):
    """Platforms read with their transfer offer, in the same query: ``transfer_level_<n>``
    is the text of level n, or None when the platform does not offer it (one small
    subquery per level, on any database)."""
    return queryset.annotate(
        **{
            f"transfer_level_{level}": Subquery(
                TransferOffer.objects.filter(platform=OuterRef("pk"), level=level)
                .order_by()
                .values("description")[:1]
            )
            for level in TransferLevel.values
        }
    )


def transfer_offers(platform) -> list[TransferOffer]:
    """The levels a platform offers, in order: from its annotations when it was read
    ``with_transfer_offer`` (no query), else one query."""
    if hasattr(platform, f"transfer_level_{TransferLevel.values[0]}"):
        offers = []
        for level in TransferLevel.values:
            description = getattr(platform, f"transfer_level_{level}")
            if description is not None:
                offers.append(
                    TransferOffer(platform_id=platform.pk, level=level, description=description)
                )
        return offers
    return list(TransferOffer.objects.filter(platform=platform).order_by("level", "pk"))


# A platform's agreements -------------------------------------------------------------------


def platform_agreements(platform, today=None):
    """The platform's agreements: running ones first by end date (open-ended after),
    then those not yet started, then the ended ones, most recent first."""
    today = today or timezone.localdate()
    state = Case(
        When(ends_on__lt=today, then=Value(2)),
        When(starts_on__gt=today, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        Agreement.objects.filter(platform=platform)
        .annotate(state_rank=state)
        .order_by(
            "state_rank",
            Case(When(ends_on__lt=today, then=F("ends_on"))).desc(nulls_last=True),
            F("ends_on").asc(nulls_last=True),
            "starts_on",
            "pk",
        )
        .defer("created_by", "created_at")
    )


def agreement_rows(agreements, today=None) -> list:
    """Each agreement with what its row prints: ``days_left`` (None when open-ended or
    ended), ``ended``, ``upcoming`` and ``urgency`` ("soon", "ahead" or "")."""
    today = today or timezone.localdate()
    rows = []
    for agreement in agreements:
        ends_on = agreement.ends_on
        agreement.ended = ends_on is not None and ends_on < today
        agreement.upcoming = agreement.starts_on > today
        agreement.days_left = (ends_on - today).days if ends_on and not agreement.ended else None
        days = agreement.days_left
        agreement.urgency = (
            ""
            if days is None
            else "soon"
            if days <= SOON_DAYS
            else "ahead"
            if days <= AHEAD_DAYS
            else ""
        )
        rows.append(agreement)
    return rows


def _readable_value(value):
    if value in (None, "", []):
        return ""
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return date_format(datetime.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    return value


def agreement_history(platform, limit=AGREEMENT_HISTORY_SIZE) -> list:
    """The latest entries of the platform's agreements page, newest first, with the
    actor (one query); dates written as people read them."""
    entries = list(AuditEntry.objects.for_scope(agreements_scope(platform))[:limit])
    for entry in entries:
        entry.changes = {
            name: [_readable_value(old), _readable_value(new)]
            for name, (old, new) in (entry.changes or {}).items()
        }
    return entries


# The network's agreements (the bureau) -----------------------------------------------------


def network_window(period: str, today=None) -> tuple[datetime.date, datetime.date]:
    """The end dates the bureau's page lists: ``ending`` (today to NETWORK_AHEAD_MONTHS
    ahead, included) or ``ended`` (the last NETWORK_ENDED_MONTHS, today excluded)."""
    today = today or timezone.localdate()
    if period == "ended":
        return shift_months(today, -NETWORK_ENDED_MONTHS), today - datetime.timedelta(days=1)
    return today, shift_months(today, NETWORK_AHEAD_MONTHS)


def network_agreements(period: str, today=None):
    """The network's agreements ending in the period's window, with their platform and its
    region (one query a page): soonest first, or latest ended first."""
    start, end = network_window(period, today)
    queryset = Agreement.objects.filter(ends_on__gte=start, ends_on__lte=end).select_related(
        "platform__department__region"
    )
    queryset = queryset.defer(
        "created_by",
        "created_at",
        "platform__description",
        "platform__services_description",
        "platform__billing_address",
    )
    if period == "ended":
        return queryset.order_by("-ends_on", "pk")
    return queryset.order_by("ends_on", "pk")


# Reminders -----------------------------------------------------------------------------------


def agreements_to_remind(today=None, days=AHEAD_DAYS) -> list[tuple[int, datetime.date]]:
    """(id, end date) of the agreements that end within `days` days, today included."""
    today = today or timezone.localdate()
    return list(
        Agreement.objects.ending_within(days, today)
        .order_by("ends_on", "pk")
        .values_list("pk", "ends_on")
    )
