import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.enums import Attendance, MeetingKind
from meetings.models import Attachment, CalendarFeed
from tests.pdf import pdf_text

from .factories import (
    ActionFactory,
    AgendaItemFactory,
    InvitationFactory,
    MeetingFactory,
    after,
    aware,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def january_2016(bureau, director):
    meeting = MeetingFactory(
        kind=MeetingKind.BUREAU,
        title="Réunion au ministère",
        start=aware(2016, 1, 21, 13, 15),
        end=aware(2016, 1, 21, 16, 30),
        place="Ministère (MESR)",
        address="1 rue Descartes, 75005 Paris",
    )
    day = datetime.date(2016, 1, 21)
    AgendaItemFactory(
        meeting=meeting,
        day=day,
        title="Situation de l'association",
        start_time=datetime.time(13, 15),
        end_time=datetime.time(14, 0),
    )
    AgendaItemFactory(
        meeting=meeting, day=day, title="Actions à entreprendre", start_time=datetime.time(15, 30)
    )
    InvitationFactory(meeting=meeting, user=director, attendance=Attendance.PRESENT)
    InvitationFactory(
        meeting=meeting, user=None, guest_name="Jean Excusé", attendance=Attendance.EXCUSED
    )
    InvitationFactory(
        meeting=meeting, user=None, guest_name="Paul Absent", attendance=Attendance.ABSENT
    )
    return meeting


def test_agenda_pdf_shows_times_and_place(client_for, january_2016):
    response = client_for("bureau").get(reverse("meeting_agenda_pdf", args=[january_2016.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "13h15" in text and "16h30" in text and "15h30" in text
    assert "Ministère (MESR)" in text
    assert "21 janvier 2016" in text
    assert "Situation de l'association" in text


def test_minutes_pdf_lists_participants_decisions_and_actions(client_for, january_2016, bureau):
    minutes = services.minutes_draft(meeting=january_2016, actor=bureau)
    item = minutes.items.first()
    services.minutes_update(
        minutes=minutes,
        actor=bureau,
        items=[(item, "Onze plateformes ont cotisé.", "Lancer une enquête auprès des plateformes")],
    )
    action = services.action_create(
        meeting=january_2016,
        title="Rencontrer les décideurs",
        actor=bureau,
        owner_names="Ph. Planard",
        due_date=datetime.date(2016, 4, 15),
    )
    assert action.pk
    services.minutes_publish(minutes=minutes, actor=bureau)
    # Decided after the publication: not in the published minutes (they are never rewritten).
    services.action_create(
        meeting=january_2016, title="Action ajoutée ensuite", actor=bureau, owner_names="X"
    )
    response = client_for("bureau").get(reverse("meeting_minutes_pdf", args=[january_2016.pk]))
    text = pdf_text(response.content)
    assert "Présents (1)" in text and str(january_2016.invitations.first().user) in text
    assert "Excusés (1)" in text and "Jean Excusé" in text
    assert "Absents (1)" in text and "Paul Absent" in text
    assert "Lancer une enquête auprès des plateformes" in text
    assert "Rencontrer les décideurs" in text and "Ph. Planard" in text
    assert "15 avril 2016" in text
    assert "Action ajoutée ensuite" not in text


def test_minutes_pdf_of_an_earlier_version(client_for, national, bureau):
    first = services.minutes_draft(meeting=national, actor=bureau)
    services.minutes_update(minutes=first, actor=bureau, summary="Première rédaction")
    with after(national):
        services.minutes_publish(minutes=first, actor=bureau)
    second = services.minutes_draft(meeting=national, actor=bureau)
    services.minutes_update(minutes=second, actor=bureau, summary="Seconde rédaction")
    with after(national):
        services.minutes_publish(minutes=second, actor=bureau)
    client = client_for("director")
    url = reverse("meeting_minutes_pdf", args=[national.pk])
    assert "Seconde rédaction" in pdf_text(client.get(url).content)
    assert "Première rédaction" in pdf_text(client.get(url, {"version": 1}).content)


def test_draft_minutes_are_hidden_from_members(client_for, national, bureau):
    services.minutes_draft(meeting=national, actor=bureau)
    url = reverse("meeting_minutes_pdf", args=[national.pk])
    assert client_for("director").get(url).status_code == 404
    assert client_for("bureau").get(url).status_code == 200


def test_meeting_ics_parses_back(client_for, national):
    response = client_for("director").get(reverse("meeting_ics", args=[national.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == national.title
    assert event.decoded("dtstart") == national.start.replace(microsecond=0)
    assert "Ministère (MESR)" in str(event["location"])


def test_calendar_feed_by_token_without_login(client_for, national, bureau_meeting, director):
    client_for("director").post(reverse("calendar_settings"), {"regenerate": "1"})
    feed = CalendarFeed.objects.get(user=director)
    assert director.email not in feed.get_absolute_url()
    anonymous = client_for("anonymous")
    response = anonymous.get(feed.get_absolute_url())
    assert response.status_code == 200
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert national.title in summaries
    assert bureau_meeting.title not in summaries


def test_calendar_feed_bad_or_revoked_token_is_404(client_for, director):
    anonymous = client_for("anonymous")
    assert anonymous.get(reverse("meeting_feed", args=["pas-un-jeton"])).status_code == 404
    old = services.calendar_feed_regenerate(user=director).get_absolute_url()
    new = services.calendar_feed_regenerate(user=director).get_absolute_url()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    client_for("director").post(reverse("calendar_settings"), {"revoke": "1"})
    assert anonymous.get(new).status_code == 404


PDF_BYTES = b"%PDF-1.4\n% test\n"


def _upload(client, meeting, name, content, content_type="application/pdf"):
    return client.post(
        reverse("attachment_create", args=[meeting.pk]),
        {
            "title": "Présentation",
            "kind": "presentation",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def test_attachment_upload_and_download_per_role(client_for, national, bureau_meeting):
    response = _upload(client_for("bureau"), national, "slides.pdf", PDF_BYTES)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.file.name.startswith(f"meetings/{national.pk}/")
    assert "slides" not in attachment.file.name
    _upload(client_for("bureau"), bureau_meeting, "bureau.pdf", PDF_BYTES)
    secret = Attachment.objects.get(meeting=bureau_meeting)
    url = reverse("attachment_download", args=[attachment.pk])
    secret_url = reverse("attachment_download", args=[secret.pk])
    for role, expected, expected_secret in [
        ("anonymous", 302, 302),
        ("director", 200, 404),
        ("other_director", 200, 404),
        ("ministry", 200, 404),
        ("bureau", 200, 200),
    ]:
        client = client_for(role)
        response = client.get(url)
        assert response.status_code == expected, role
        if expected == 200:
            assert b"".join(response.streaming_content) == PDF_BYTES
            assert 'filename="slides.pdf"' in response["Content-Disposition"]
        assert client.get(secret_url).status_code == expected_secret, role


def test_ministry_not_invited_cannot_download(client_for, bureau):
    meeting = MeetingFactory(title="Sans le ministère")
    attachment = services.attachment_add(
        meeting=meeting,
        uploaded=SimpleUploadedFile("a.pdf", PDF_BYTES, "application/pdf"),
        title="A",
        actor=bureau,
    )
    url = reverse("attachment_download", args=[attachment.pk])
    assert client_for("ministry").get(url).status_code == 404
    assert client_for("director").get(url).status_code == 200


def test_attachment_too_large_is_refused(client_for, national):
    big = PDF_BYTES + b"0" * (10 * 1024 * 1024)
    response = _upload(client_for("bureau"), national, "gros.pdf", big)
    assert response.status_code == 200
    assert "dépasse 10 Mo" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("script.exe", b"MZ...", "application/octet-stream"),
        ("page.html", b"<html>", "text/html"),
        ("faux.pdf", b"<html>", "application/pdf"),
        ("image.png", PDF_BYTES, "application/pdf"),
    ],
)
def test_attachment_of_a_wrong_type_is_refused(client_for, national, name, content, content_type):
    response = _upload(client_for("bureau"), national, name, content, content_type)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Attachment.objects.exists()


def test_directors_cannot_upload(client_for, national):
    response = _upload(client_for("director"), national, "slides.pdf", PDF_BYTES)
    assert response.status_code == 403


def test_minutes_pdf_query_count(
    client_for, national, bureau, director, django_assert_max_num_queries
):
    for _ in range(3):
        AgendaItemFactory(meeting=national)
        ActionFactory(meeting=national, owners=[director, bureau])
    minutes = services.minutes_draft(meeting=national, actor=bureau)
    with after(national):
        services.minutes_publish(minutes=minutes, actor=bureau)
    client = client_for("director")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("meeting_minutes_pdf", args=[national.pk]))
    assert response.status_code == 200


def test_minutes_pdf_records_the_approval_at_a_later_meeting(client_for, january_2016, bureau):
    minutes = services.minutes_draft(meeting=january_2016, actor=bureau)
    minutes = services.minutes_publish(minutes=minutes, actor=bureau)
    later = MeetingFactory(
        kind=MeetingKind.BUREAU,
        title="Bureau de mars",
        start=aware(2016, 3, 10, 14),
        end=aware(2016, 3, 10, 16),
    )
    services.minutes_approve(minutes=minutes, at_meeting=later, actor=bureau)
    response = client_for("bureau").get(reverse("meeting_minutes_pdf", args=[january_2016.pk]))
    text = " ".join(pdf_text(response.content).split())
    assert "approuvé lors de la réunion « Bureau de mars » du 10 mars 2016" in text
    page = client_for("bureau").get(reverse("meeting_detail", args=[january_2016.pk]))
    assert "Approuvé lors de : Bureau de mars" in page.content.decode()


def test_attendance_corrected_later_does_not_rewrite_published_minutes(
    client_for, january_2016, bureau
):
    minutes = services.minutes_draft(meeting=january_2016, actor=bureau)
    services.minutes_publish(minutes=minutes, actor=bureau)
    excused = january_2016.invitations.get(guest_name="Jean Excusé")
    services.attendance_record(
        meeting=january_2016, marks={excused.pk: (Attendance.PRESENT, "")}, actor=bureau
    )
    url = reverse("meeting_minutes_pdf", args=[january_2016.pk])
    text = pdf_text(client_for("bureau").get(url).content)
    assert "Présents (1)" in text and "Excusés (1)" in text and "Jean Excusé" in text
    page = client_for("bureau").get(reverse("meeting_attendance", args=[january_2016.pk]))
    assert "nouvelle version du compte rendu" in page.content.decode()
    # A correction (new version) takes the corrected list; version 1 keeps its own.
    second = services.minutes_draft(meeting=january_2016, actor=bureau, correction_note="Présence")
    services.minutes_publish(minutes=second, actor=bureau)
    assert "Présents (2)" in pdf_text(client_for("bureau").get(url).content)
    assert "Présents (1)" in pdf_text(client_for("bureau").get(url, {"version": 1}).content)
