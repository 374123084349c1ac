"""Who may do what with surveys. Plain functions, used by views, templates and tests.

- The bureau: everything (campaigns, questions, every response, respondents,
  tracking, results, exports, the report, reopening a response).
- A platform's people: their platforms' responses to platform surveys that are open
  or were opened (never a draft campaign), and results once published.
- The ministry: results and the national report of closed or published campaigns;
  never a response, an export of responses or an identity.
- Anonymous: only the token link ``/q/<token>/``.
"""

from innovalo.perms import is_bureau, is_ministry
from members.perms import is_platform_person

from .enums import CampaignKind, CampaignStatus

STARTED = (CampaignStatus.OPEN, CampaignStatus.CLOSED, CampaignStatus.PUBLISHED)


def can_manage_surveys(user) -> bool:
    """Create and edit campaigns and questions, open, close and publish them."""
    return is_bureau(user)


def can_see_campaign(user, campaign) -> bool:
    """The campaign's page: the bureau always; others once it has opened."""
    if is_bureau(user):
        return True
    if not (user.is_authenticated and user.is_active) or campaign.status not in STARTED:
        return False
    if is_ministry(user):
        return True
    return campaign.kind == CampaignKind.PLATFORM_SURVEY


def can_see_response(user, campaign, platform) -> bool:
    """A platform's response: its people and the bureau (never the ministry)."""
    if is_bureau(user):
        return True
    return (
        campaign.kind == CampaignKind.PLATFORM_SURVEY
        and campaign.status in STARTED
        and is_platform_person(user, platform)
    )


def can_answer(user, campaign, platform) -> bool:
    """Write a platform's response: its people and the bureau, while the campaign is open."""
    return campaign.status == CampaignStatus.OPEN and can_see_response(user, campaign, platform)


def can_reopen_response(user) -> bool:
    return is_bureau(user)


def can_see_results(user, campaign) -> bool:
    """Results and the national report: the bureau always; the ministry once the
    campaign is closed; platform people once results are published."""
    if is_bureau(user):
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    if is_ministry(user):
        return campaign.status in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED)
    return campaign.status == CampaignStatus.PUBLISHED


def can_see_free_text(user) -> bool:
    """Free-text answers are the bureau's."""
    return is_bureau(user)


def must_keep_secret(user) -> bool:
    """Statistical secrecy (a figure from fewer than 3 responses is "secret") for
    everyone but the bureau."""
    return not is_bureau(user)


def can_export_responses(user) -> bool:
    return is_bureau(user)


def can_track(user) -> bool:
    """The tracking page (who answered, who did not) and reminders by hand."""
    return is_bureau(user)


def can_manage_respondents(user) -> bool:
    """Import external respondents, send invitations."""
    return is_bureau(user)
