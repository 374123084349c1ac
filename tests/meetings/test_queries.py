"""The query count of the meetings pages, with several rows of data."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import forms, services
from meetings.enums import Attendance, MeetingStatus, RsvpStatus
from meetings.models import AgendaProposal

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
    # 9, the calls watch's panel (my followed deadlines, my projects' next steps) and the
    # dues and RSVP panels (what my platforms owe, the next meeting awaiting my answer).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("home"))
    assert "Mes actions en cours" in response.content.decode()


@pytest.fixture
def full_page(busy, bureau, director):
    """`busy` plus what else its page shows: published minutes approved at a later meeting,
    minutes awaiting approval, proposals, its own documents, and actions carried over."""
    minutes = services.minutes_publish(minutes=busy.minutes_versions.get(), actor=bureau)
    later = MeetingFactory(start=busy.start + datetime.timedelta(days=1))
    services.minutes_approve(minutes=minutes, at_meeting=later, actor=bureau)
    for n in range(3):
        earlier = MeetingFactory(
            title=f"Plus tôt {n}",
            start=busy.start - datetime.timedelta(days=30 + n),
            status=MeetingStatus.HELD,
        )
        ActionFactory(meeting=earlier, owners=[director], title=f"Action reportée {n}")
        services.minutes_publish(
            minutes=services.minutes_draft(meeting=earlier, actor=bureau), actor=bureau
        )
        AgendaProposal.objects.create(meeting=busy, proposed_by=director, title=f"Proposition {n}")
        services.attachment_add(
            meeting=busy,
            uploaded=SimpleUploadedFile(f"doc-{n}.pdf", PDF_BYTES, "application/pdf"),
            title=f"Document {n}",
            actor=bureau,
        )
    return busy


@pytest.mark.parametrize("role,limit", [("bureau", 12), ("director", 11), ("ministry", 12)])
def test_meeting_page_query_count(
    client_for, full_page, role, limit, django_assert_max_num_queries
):
    """One query per relation the page shows, whatever the number of rows: the meeting's and
    the carried-over actions together, every document in one, no cursor for the approval
    choices, nothing for a general assembly's resolutions on another meeting."""
    client = client_for(role)
    with django_assert_max_num_queries(limit):
        response = client.get(reverse("meeting_detail", args=[full_page.pk]))
    content = response.content.decode()
    # The ministry sees only the meetings it is invited to: not the earlier ones.
    assert content.count("<td>Action reportée") == (0 if role == "ministry" else 3)
    assert content.count('">Support ') == 4 and content.count('">Document ') == 3
    assert "Invité extérieur" in content
    if role == "bureau":
        assert content.count("Plus tôt") == 3 + 3  # carried-over actions, approval choices
        assert content.count("Proposition ") == 3


def test_meeting_list_counts_the_invitations_of_its_page_only(client_for, bureau, director):
    """Issue 15: the list counted every meeting's invitations (and the paginator counted
    the same grouped query again) before showing twenty; the count is now of meetings
    alone and the invitations are read for the page's meetings, in the same number of
    queries on every page."""
    base = timezone.now() + datetime.timedelta(days=10)
    for n in range(23):
        meeting = MeetingFactory(title=f"Réunion {n:02d}", start=base + datetime.timedelta(days=n))
        InvitationFactory(meeting=meeting, user=director, rsvp=RsvpStatus.YES)
        InvitationFactory(meeting=meeting, user=None, guest_name=f"Invité {n}")
    client = client_for("bureau")
    client.get(reverse("meeting_list"))  # the session's first read
    counts = []
    for page in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("meeting_list"), {"page": page})
        counts.append(len(queries))
        reading_invitations = [q for q in queries if "meetings_meetinginvitation" in q["sql"]]
        assert len(reading_invitations) == 1  # the page's, not the count's
        assert " LIMIT " in reading_invitations[0]["sql"]  # the page, sliced first
    content = response.content.decode()  # page 2: the three earliest, newest first
    assert [m.title for m in response.context["page_obj"]] == [
        "Réunion 02",
        "Réunion 01",
        "Réunion 00",
    ]
    assert content.count("1 / 2") == 3  # registered / invited
    assert counts[0] == counts[1] <= 4


def test_approval_choices_are_the_latest_minutes_awaiting_and_an_older_one_is_accepted(
    client_for, bureau, monkeypatch
):
    """Issue 15: every unapproved minutes of twenty years of meetings made a choice list of
    hundreds on the bureau's meeting page; it offers the latest few, and the form still
    accepts an older one posted."""
    from meetings import selectors

    monkeypatch.setattr(selectors, "APPROVAL_CHOICES", 2)
    later = MeetingFactory(status=MeetingStatus.CONVENED)
    earlier = []
    for n in range(3):
        meeting = MeetingFactory(
            title=f"Plus tôt {n}",
            start=later.start - datetime.timedelta(days=30 * (n + 1)),
            status=MeetingStatus.HELD,
        )
        services.minutes_publish(
            minutes=services.minutes_draft(meeting=meeting, actor=bureau), actor=bureau
        )
        earlier.append(meeting)
    waiting = selectors.meeting_minutes(bureau, later, awaiting=True)["awaiting_approval"]
    assert [m.meeting.title for m in waiting] == ["Plus tôt 0", "Plus tôt 1"]
    content = client_for("bureau").get(reverse("meeting_detail", args=[later.pk])).content
    assert "Plus tôt 2" not in content.decode()
    oldest = earlier[2].minutes_versions.get()
    form = forms.ApprovalForm({"minutes": oldest.pk}, meeting=later, awaiting=waiting)
    assert form.is_valid(), form.errors
