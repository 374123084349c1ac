"""The query count of the meetings pages, with several rows of data."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.enums import Attendance, MeetingStatus, RsvpStatus

from .factories import ActionFactory, AgendaItemFactory, InvitationFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n% test\n"


@pytest.fixture
def busy(bureau, director, ministry, other_director):
    """A held meeting with four invitees, four agenda items, actions and a minutes draft."""
    meeting = MeetingFactory(
        start=timezone.now() - datetime.timedelta(days=2),
        end=timezone.now() - datetime.timedelta(days=2, hours=-3),
        status=MeetingStatus.HELD,
    )
    InvitationFactory(meeting=meeting, user=director, rsvp=RsvpStatus.YES)
    InvitationFactory(meeting=meeting, user=ministry, attendance=Attendance.EXCUSED)
    InvitationFactory(meeting=meeting, user=other_director)
    InvitationFactory(meeting=meeting, user=None, guest_name="Invité extérieur")
    for n in range(4):
        item = AgendaItemFactory(meeting=meeting, title=f"Point {n}")
        ActionFactory(meeting=meeting, agenda_item=item, owners=[director, bureau])
        services.attachment_add(
            meeting=meeting,
            uploaded=SimpleUploadedFile(f"point-{n}.pdf", PDF_BYTES, "application/pdf"),
            title=f"Support {n}",
            actor=bureau,
            agenda_item=item,
        )
    services.minutes_draft(meeting=meeting, actor=bureau)
    for n in range(3):
        other = MeetingFactory(title=f"Autre {n}")
        ActionFactory(meeting=other, owners=[director], title=f"Action ailleurs {n}")
    return meeting


@pytest.mark.parametrize(
    "url_name,limit",
    [
        ("agenda_edit", 6),
        ("meeting_attendance", 6),
        ("minutes_edit", 6),
        ("meeting_invitations", 6),
        ("meeting_history", 6),
    ],
)
def test_bureau_pages_query_count(client_for, busy, url_name, limit, django_assert_max_num_queries):
    client = client_for("bureau")
    with django_assert_max_num_queries(limit):
        response = client.get(reverse(url_name, args=[busy.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["director", "bureau"])
def test_my_actions_query_count(client_for, role, busy, django_assert_max_num_queries):
    client = client_for(role)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("my_actions"))
    assert response.status_code == 200
    assert response.content.decode().count("Marquer faite") == 4 + (3 if role == "director" else 0)


def test_home_page_panel_query_count(client_for, busy, django_assert_max_num_queries):
    client = client_for("director")
    with django_assert_max_num_queries(9):
        response = client.get(reverse("home"))
    assert "Mes actions en cours" in response.content.decode()
