import pytest

from meetings.enums import MeetingKind, MeetingStatus

from .factories import InvitationFactory, MeetingFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def national(db, director, ministry):
    """A convened national meeting; the director and the ministry are invited."""
    meeting = MeetingFactory(kind=MeetingKind.NATIONAL, title="Réunion nationale hivernale")
    InvitationFactory(meeting=meeting, user=director)
    InvitationFactory(meeting=meeting, user=ministry)
    return meeting


@pytest.fixture
def bureau_meeting(db):
    return MeetingFactory(kind=MeetingKind.BUREAU, title="Bureau de décembre")


@pytest.fixture
def draft_meeting(db):
    return MeetingFactory(status=MeetingStatus.DRAFT, title="Réunion en préparation")
