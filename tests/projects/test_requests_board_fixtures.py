"""What the tests of the requests' boards, actions, reminders, figures and privacy job
share: a regional correspondent, requests in the shapes the role matrix needs (routed to
the `director` fixture's platform or not, of the correspondent's region or not), and
rows a GET must never write. No test here."""

import pytest
from django.utils import timezone

from innovalo.models import AuditEntry, SentReminder
from members.enums import CorrespondentKind, PlatformRole
from projects.enums import RequestEventKind, RequestStatus, RoutingStatus
from projects.models import FirmRequest, RequestEvent, RequestRouting
from tests.conftest import ROLES
from tests.factories import UserFactory
from tests.members.factories import (
    CorrespondentFactory,
    MembershipFactory,
    PlatformFactory,
    department,
)

from .requests_factories import FirmRequestFactory, RoutingFactory

# Every role of the requests' pages: the portal's, and a regional correspondent.
REQUEST_ROLES = [*ROLES, "correspondent"]
# The Aisne (Hauts-de-France): the factories' requests and the correspondent's region.
HOME_DEPARTMENT = "02"
# The Gironde (Nouvelle-Aquitaine): another region.
AWAY_DEPARTMENT = "33"


@pytest.fixture
def correspondent(db):
    """The regional correspondent of Hauts-de-France (no platform of his own)."""
    user = UserFactory(email="correspondant@exemple.fr")
    CorrespondentFactory(
        kind=CorrespondentKind.REGIONAL, user=user, region=department(HOME_DEPARTMENT).region
    )
    return user


@pytest.fixture
def away_correspondent(db):
    user = UserFactory(email="correspondant-na@exemple.fr")
    CorrespondentFactory(
        kind=CorrespondentKind.REGIONAL, user=user, region=department(AWAY_DEPARTMENT).region
    )
    return user


def staffed(name, *emails, role=PlatformRole.DIRECTOR):
    """A platform with one person per email."""
    platform = PlatformFactory(name=name)
    for email in emails:
        MembershipFactory(platform=platform, user=UserFactory(email=email), role=role)
    return platform


def routed_to(*platforms, when=None, **kwargs):
    """A request transmitted (notified) to each platform at `when` (default now)."""
    when = when or timezone.now()
    kwargs.setdefault("created_at", when)
    firm_request = FirmRequestFactory(
        status=RequestStatus.ROUTED, routed_at=when, status_changed_at=when, **kwargs
    )
    for platform in platforms:
        RoutingFactory(request=firm_request, platform=platform, notified_at=when, created_at=when)
    RequestEvent.objects.create(
        request=firm_request, kind=RequestEventKind.CREATED, created_at=firm_request.created_at
    )
    return firm_request


def proposed(*platforms, **kwargs):
    """A new request with the portal's proposals (not transmitted yet)."""
    firm_request = FirmRequestFactory(**kwargs)
    for score, platform in enumerate(platforms):
        RoutingFactory(
            request=firm_request, platform=platform, status=RoutingStatus.PROPOSED, score=score
        )
    return firm_request


@pytest.fixture
def third_platform(db):
    return staffed("Mécatronique Picardie", "meca@exemple.fr")


@pytest.fixture
def routed(platform, third_platform):
    """A request of Hauts-de-France transmitted to the director's platform and a third
    one (not to other_director's)."""
    return routed_to(platform, third_platform, company_name="Fonderie de l'Aisne")


@pytest.fixture
def foreign(other_platform):
    """A request of Nouvelle-Aquitaine transmitted to other_director's platform only."""
    return routed_to(
        other_platform, company_name="Chais du Médoc", department=department(AWAY_DEPARTMENT)
    )


def counts() -> dict:
    """Rows a GET must never write."""
    return {
        "requests": FirmRequest.objects.count(),
        "routings": RequestRouting.objects.count(),
        "events": RequestEvent.objects.count(),
        "audit": AuditEntry.objects.count(),
        "emails": SentReminder.objects.count(),
        "statuses": sorted(FirmRequest.objects.values_list("pk", "status")),
    }
