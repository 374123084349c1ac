"""Helpers of the tracking and reminder tests: platforms with people, respondents
already invited, campaigns closing on a given day."""

import datetime

from django.utils import timezone

from members.enums import LabelStatus, PlatformRole
from tests.members.dues_factories import safe_department
from tests.members.factories import MembershipFactory, PlatformFactory

from .factories import CampaignFactory, RespondentFactory

CLOSES_ON = datetime.date(2026, 4, 15)


def campaign_closing(closes_on=CLOSES_ON, **kwargs):
    """An open campaign that opened two months before ``closes_on``."""
    kwargs.setdefault("opens_on", closes_on - datetime.timedelta(days=60))
    return CampaignFactory(closes_on=closes_on, year=closes_on.year, **kwargs)


def platform_with_people(department_code="02", label=LabelStatus.LABELLED, **kwargs):
    """A platform with a director, a staff member and an accounting contact."""
    platform = PlatformFactory(
        department=safe_department(department_code), label_status=label, **kwargs
    )
    for role in (PlatformRole.DIRECTOR, PlatformRole.STAFF, PlatformRole.ACCOUNTING):
        MembershipFactory(platform=platform, role=role, user__email=f"{role}@{platform.slug}.fr")
    return platform


def invited(campaign, **kwargs):
    """A respondent whose invitation was sent a month ago."""
    kwargs.setdefault("invited_at", timezone.now() - datetime.timedelta(days=30))
    return RespondentFactory(campaign=campaign, **kwargs)
