"""Issue 14: a meeting that has not begun gets no attendance nor published minutes; published
minutes keep the actions, resolutions and officers of their publication (the PDF too)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from meetings import services
from meetings.enums import ActionStatus, Attendance, MeetingStatus, MinutesStatus
from meetings.models import Minutes
from meetings.pdf import minutes_pdf
from meetings.selectors import minutes_record

from .factories import ActionFactory, InvitationFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _past_meeting(**kwargs):
    start = timezone.now() - datetime.timedelta(days=3)
    return MeetingFactory(start=start, end=start + datetime.timedelta(hours=3), **kwargs)


# A meeting in the future -------------------------------------------------------------------


def test_attendance_of_a_future_meeting_is_refused(national, director):
    invitation = national.invitations.get(user=director)
    with pytest.raises(services.ServiceError, match="une fois la réunion commencée"):
        services.attendance_record(
            meeting=national, marks={invitation.pk: (Attendance.PRESENT, "")}, actor=director
        )
    invitation.refresh_from_db()
    assert invitation.attendance == Attendance.UNKNOWN


def test_attendance_page_of_a_future_meeting_offers_no_form(client_for, national, director):
    client = client_for("bureau")
    page = client.get(reverse("meeting_attendance", args=[national.pk])).content.decode()
    assert "une fois la réunion commencée" in page
    assert "Enregistrer les présences" not in page
    detail = client.get(reverse("meeting_detail", args=[national.pk])).content.decode()
    assert reverse("meeting_attendance", args=[national.pk]) not in detail


def test_a_posted_attendance_of_a_future_meeting_is_an_error_on_the_page(
    client_for, national, director
):
    invitation = national.invitations.get(user=director)
    response = client_for("bureau").post(
        reverse("meeting_attendance", args=[national.pk]),
        {f"att_{invitation.pk}": Attendance.PRESENT, f"rep_{invitation.pk}": ""},
    )
    assert response.status_code == 200
    assert "une fois la réunion commencée" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.attendance == Attendance.UNKNOWN


def test_attendance_of_a_meeting_under_way_is_recorded(director, bureau):
    start = timezone.now() - datetime.timedelta(minutes=30)
    meeting = MeetingFactory(start=start, end=start + datetime.timedelta(hours=3))
    invitation = InvitationFactory(meeting=meeting, user=director)
    services.attendance_record(
        meeting=meeting, marks={invitation.pk: (Attendance.PRESENT, "")}, actor=bureau
    )
    invitation.refresh_from_db()
    assert invitation.attendance == Attendance.PRESENT


def test_minutes_of_a_future_meeting_are_not_published(national, bureau):
    minutes = services.minutes_draft(meeting=national, actor=bureau)  # a draft may be prepared
    with pytest.raises(services.ServiceError, match="une fois la réunion tenue"):
        services.minutes_publish(minutes=minutes, actor=bureau)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.DRAFT


def test_minutes_page_of_a_future_meeting_offers_no_publication(client_for, national, bureau):
    services.minutes_draft(meeting=national, actor=bureau)
    client = client_for("bureau")
    page = client.get(reverse("minutes_edit", args=[national.pk])).content.decode()
    assert 'name="publish"' not in page
    assert "se publie une fois la réunion tenue" in page
    response = client.post(reverse("minutes_publish", args=[national.pk]), {"confirm": "1"})
    assert response.status_code == 302
    assert not national.minutes_versions.filter(status=MinutesStatus.PUBLISHED).exists()


def test_a_future_meeting_cannot_be_marked_held(national, bureau):
    with pytest.raises(services.ServiceError, match="à venir"):
        services.meeting_mark_held(meeting=national, actor=bureau)
    national.refresh_from_db()
    assert national.status == MeetingStatus.CONVENED


def test_a_cancelled_meeting_gets_no_attendance_nor_minutes(bureau, director):
    meeting = MeetingFactory()
    invitation = InvitationFactory(meeting=meeting, user=director)
    services.meeting_cancel(meeting=meeting, actor=bureau, reason="Grève des transports")
    minutes = services.minutes_draft(meeting=meeting, actor=bureau)
    with freeze_time(meeting.end + datetime.timedelta(days=1)):
        with pytest.raises(services.ServiceError, match="annulée"):
            services.attendance_record(
                meeting=meeting, marks={invitation.pk: (Attendance.PRESENT, "")}, actor=bureau
            )
        with pytest.raises(services.ServiceError, match="annulée"):
            services.minutes_publish(minutes=minutes, actor=bureau)


# Published minutes are frozen --------------------------------------------------------------


def _published(meeting, bureau):
    minutes = services.minutes_draft(meeting=meeting, actor=bureau)
    return services.minutes_publish(minutes=minutes, actor=bureau)


def test_actions_added_or_closed_after_publication_do_not_change_the_published_minutes(
    bureau, director
):
    meeting = _past_meeting()
    first = ActionFactory(meeting=meeting, title="Enquête des plateformes", owners=[director])
    minutes = _published(meeting, bureau)
    ActionFactory(meeting=meeting, title="Action ajoutée après coup", owners=[director])
    services.action_set_status(action=first, status=ActionStatus.DONE, actor=director)
    first.title = "Titre corrigé"
    first.save()

    record = minutes_record(Minutes.objects.get(pk=minutes.pk))
    assert [(a["title"], a["status_label"]) for a in record["actions"]] == [
        ("Enquête des plateformes", "En cours")
    ]
    assert record["actions"][0]["owners_text"] == str(director)


def test_the_published_minutes_pdf_prints_the_frozen_actions(bureau, director, monkeypatch):
    meeting = _past_meeting()
    ActionFactory(meeting=meeting, title="Action d'origine", owners=[director])
    minutes = _published(meeting, bureau)
    ActionFactory(meeting=meeting, title="Action ajoutée après coup")
    seen = {}

    def fake_render(template, context, filename):
        seen.update(context)
        return filename, b"%PDF"

    monkeypatch.setattr("meetings.pdf.render_pdf", fake_render)
    minutes_pdf(Minutes.objects.select_related("meeting").get(pk=minutes.pk))
    assert [a["title"] for a in seen["actions"]] == ["Action d'origine"]


def test_the_published_minutes_pdf_renders(client_for, bureau, director):
    meeting = _past_meeting()
    ActionFactory(meeting=meeting, title="Action d'origine", owners=[director])
    _published(meeting, bureau)
    ActionFactory(meeting=meeting, title="Action ajoutée après coup")
    response = client_for("bureau").get(reverse("meeting_minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_draft_prints_today_s_actions(bureau):
    meeting = _past_meeting()
    minutes = services.minutes_draft(meeting=meeting, actor=bureau)
    ActionFactory(meeting=meeting, title="Action du jour", owner_names="Ph. Planard")
    record = minutes_record(Minutes.objects.get(pk=minutes.pk))
    assert [(a["title"], a["owners_text"]) for a in record["actions"]] == [
        ("Action du jour", "Ph. Planard")
    ]


def test_resolutions_and_officers_are_frozen_at_publication(bureau):
    meeting = _past_meeting()
    services.resolution_add(
        meeting=meeting,
        text="Rapport financier",
        votes_for=30,
        votes_against=0,
        abstentions=1,
        actor=bureau,
    )
    minutes = _published(meeting, bureau)
    services.resolution_add(
        meeting=meeting,
        text="Ajoutée ensuite",
        votes_for=1,
        votes_against=2,
        abstentions=0,
        actor=bureau,
    )
    record = minutes_record(Minutes.objects.get(pk=minutes.pk))
    assert [r["text"] for r in record["resolutions"]] == ["Rapport financier"]
    assert record["resolutions"][0]["adopted"] is True


def test_anonymising_an_owner_erases_their_name_from_frozen_actions(bureau, director):
    from meetings.personal_data import anonymise

    meeting = _past_meeting()
    ActionFactory(meeting=meeting, title="Enquête", owners=[director])
    minutes = _published(meeting, bureau)
    old_name = str(director)
    director.first_name, director.last_name = "Personne", "anonymisée"
    director.save()
    anonymise(director, "")
    record = Minutes.objects.get(pk=minutes.pk).record
    assert record["actions"][0]["owners"][0]["name"] == "Personne anonymisée"
    assert old_name not in str(record)
