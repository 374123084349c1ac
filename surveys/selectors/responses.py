"""Reads of the answering pages: the campaigns a user is concerned by, and for each the
state of the user's platforms' responses (a constant number of queries per page)."""

from dataclasses import dataclass, field

from django.db.models import Count

from innovalo.french import French
from innovalo.perms import is_bureau, is_ministry
from members.models import Platform

from .. import perms
from ..enums import CampaignKind, CampaignStatus, ResponseStatus
from ..models import Campaign, Respondent, Response
from .expected import NOT_EXPECTED, expected_platforms


def campaigns_for(user):
    """The campaigns on a user's /enquetes/, newest first."""
    campaigns = Campaign.objects.order_by("-year", "-opens_on", "pk")
    if is_bureau(user):
        return campaigns
    if is_ministry(user):
        return campaigns.filter(status__in=[CampaignStatus.CLOSED, CampaignStatus.PUBLISHED])
    if not Platform.objects.managed_by(user).exists():
        return campaigns.none()
    return campaigns.filter(kind=CampaignKind.PLATFORM_SURVEY, status__in=perms.STARTED)


@dataclass
class PlatformState:
    platform: Platform
    status: str
    submitted_at: object = None

    @property
    def status_label(self):
        return ResponseStatus(self.status).label


@dataclass
class CampaignRow:
    campaign: Campaign
    platforms: list = field(default_factory=list)  # [PlatformState], the user's
    submitted: int | None = None  # bureau only
    expected: int | None = None
    can_see_results: bool = False

    @property
    def rate(self):
        if not self.expected:
            return None
        return round(100 * (self.submitted or 0) / self.expected)


def _my_platforms(user, campaigns):
    """The user's platforms concerned by these campaigns: expected to answer, or with a
    response already."""
    ids = [c.pk for c in campaigns if c.kind == CampaignKind.PLATFORM_SURVEY]
    if not ids or not user.is_authenticated:
        return [], {}
    mine = Platform.objects.managed_by(user).order_by()
    responses = {
        (r.campaign_id, r.platform_id): r
        for r in Response.objects.filter(campaign_id__in=ids, platform__in=mine)
        .only("campaign_id", "platform_id", "status", "submitted_at")
        .order_by()
    }
    answered = {platform_id for _campaign, platform_id in responses}
    expected = set(expected_platforms().filter(pk__in=mine).values_list("pk", flat=True))
    platforms = list(
        Platform.objects.filter(pk__in=expected | answered).order_by(French("name"), "pk")
    )
    return platforms, responses


def campaign_rows(user, campaigns) -> list:
    platforms, responses = _my_platforms(user, campaigns)
    rows = [CampaignRow(c, can_see_results=perms.can_see_results(user, c)) for c in campaigns]
    for row in rows:
        if row.campaign.kind != CampaignKind.PLATFORM_SURVEY:
            continue
        for platform in platforms:
            response = responses.get((row.campaign.pk, platform.pk))
            if response is None and row.campaign.status != CampaignStatus.OPEN:
                continue  # a closed campaign the platform did not answer: nothing to do
            row.platforms.append(
                PlatformState(
                    platform,
                    response.status if response else ResponseStatus.NOT_STARTED,
                    response.submitted_at if response else None,
                )
            )
    if is_bureau(user) and rows:
        ids = [row.campaign.pk for row in rows]
        submitted = dict(
            Response.objects.filter(campaign_id__in=ids, status=ResponseStatus.SUBMITTED)
            .order_by()
            .values_list("campaign_id")
            .annotate(n=Count("pk"))
        )
        platform_total = expected_platforms().count()
        respondents = dict(
            Respondent.objects.filter(campaign_id__in=ids)
            .exclude(NOT_EXPECTED)
            .order_by()
            .values_list("campaign_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            row.submitted = submitted.get(row.campaign.pk, 0)
            if row.campaign.kind == CampaignKind.PLATFORM_SURVEY:
                row.expected = platform_total
            else:
                row.expected = respondents.get(row.campaign.pk, 0)
    return rows
