"""The surveys panel of the home page: the open campaigns the user's platforms have
not submitted yet (registered in ``innovalo.home.HOME_PANELS``)."""

from ..enums import CampaignKind, CampaignStatus, ResponseStatus
from ..models import Campaign
from ..selectors import responses as selectors


def home_survey_panel(request):
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_director", False):
        return None
    campaigns = list(
        Campaign.objects.filter(
            kind=CampaignKind.PLATFORM_SURVEY, status=CampaignStatus.OPEN
        ).order_by("closes_on", "pk")[:3]
    )
    if not campaigns:
        return None
    rows = selectors.campaign_rows(user, campaigns)
    todo = [
        (row.campaign, state)
        for row in rows
        for state in row.platforms
        if state.status != ResponseStatus.SUBMITTED
    ]
    if not todo:
        return None
    return {"template": "surveys/includes/home_surveys.html", "todo": todo}
