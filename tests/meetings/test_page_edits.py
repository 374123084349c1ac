"""Meeting pages: editing actions and invitees, stale forms, dates, carried-over actions,
the approval section and the order of actions (the audit of issue 5 and after)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.enums import Attendance, MeetingKind
from tests.conftest import ROLES

from .factories import (
    ActionFactory,
    AgendaItemFactory,
    MeetingFactory,
    after,
    make_past,
    published_minutes,
)

pytestmark = pytest.mark.django_db


# Audit of issue 5: action edits, invitee removal, stale minutes forms, dates and agenda --------


@pytest.mark.parametrize("role", ROLES)
def test_action_edit_page_per_role(client_for, role, national, director):
    action = ActionFactory(meeting=national, owners=[director])
    response = client_for(role).get(reverse("action_edit", args=[action.pk]))
    assert response.status_code == {"anonymous": 302, "bureau": 200}.get(role, 403)


def test_bureau_edits_an_action_owners_due_date_and_cancels_it(
    client_for, national, director, other_director
):
    action = ActionFactory(meeting=national, title="Sonder", owners=[director])
    response = client_for("bureau").post(
        reverse("action_edit", args=[action.pk]),
        {
            "title": "Sonder les plateformes",
            "owners": [other_director.pk],
            "owner_names": "Ph. Planard",
            "due_date": "2027-04-15",
            "status": "cancelled",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Sonder les plateformes"
    assert list(action.owners.all()) == [other_director]
    assert action.owner_names == "Ph. Planard"
    assert action.due_date == datetime.date(2027, 4, 15)
    assert action.status == "cancelled" and action.done_at is None
    page = client_for("bureau").get(reverse("meeting_detail", args=[national.pk])).content
    assert reverse("action_edit", args=[action.pk]) in page.decode()


def test_action_edit_without_owner_keeps_input_and_changes_nothing(client_for, national, director):
    action = ActionFactory(meeting=national, title="Sonder", owners=[director])
    response = client_for("bureau").post(
        reverse("action_edit", args=[action.pk]),
        {"title": "Nouveau titre tapé", "due_date": "2027-02-30", "status": "done"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nouveau titre tapé" in content
    assert 'id="id_due_date_error"' in content
    # The date parsed, the service's rule (at least one owner) is shown next to the owners.
    response = client_for("bureau").post(
        reverse("action_edit", args=[action.pk]),
        {"title": "Nouveau titre tapé", "due_date": "2027-02-28", "status": "done"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "au moins un·e responsable" in content and 'id="id_owners_error"' in content
    assert "Nouveau titre tapé" in content
    action.refresh_from_db()
    assert (action.title, action.status) == ("Sonder", "open")


def test_action_edit_unknown_id_is_404(client_for):
    assert client_for("bureau").get(reverse("action_edit", args=[999999])).status_code == 404


def test_bureau_removes_an_invitee_but_not_once_attendance_is_recorded(
    client_for, national, director, ministry
):
    invitation = national.invitations.get(user=director)
    marked = national.invitations.get(user=ministry)
    marked.attendance = Attendance.EXCUSED
    marked.save()
    client = client_for("bureau")
    page = client.get(reverse("meeting_invitations", args=[national.pk])).content.decode()
    assert reverse("invitation_remove", args=[national.pk, invitation.pk]) in page
    assert reverse("invitation_remove", args=[national.pk, marked.pk]) not in page
    url = reverse("invitation_remove", args=[national.pk, invitation.pk])
    response = client.post(url)  # the confirmation page
    assert response.status_code == 200 and 'name="confirm"' in response.content.decode()
    assert national.invitations.filter(user=director).exists()
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert not national.invitations.filter(user=director).exists()
    response = client.post(
        reverse("invitation_remove", args=[national.pk, marked.pk]), {"confirm": "1"}, follow=True
    )
    assert "ne peut plus être retirée" in response.content.decode()
    assert national.invitations.filter(user=ministry).exists()
    unknown = reverse("invitation_remove", args=[national.pk, 999999])
    assert client.post(unknown).status_code == 404


@pytest.mark.parametrize("role", ["director", "other_director", "ministry"])
def test_only_the_bureau_removes_invitees(client_for, role, national, director):
    invitation = national.invitations.get(user=director)
    response = client_for(role).post(
        reverse("invitation_remove", args=[national.pk, invitation.pk])
    )
    assert response.status_code == 403
    assert national.invitations.filter(pk=invitation.pk).exists()


def test_resubmitted_publish_form_does_not_open_a_new_version(client_for, national):
    client = client_for("bureau")
    url = reverse("minutes_edit", args=[national.pk])
    client.post(url, {"start": "1"})
    minutes = national.minutes_versions.get()
    data = {"summary": "Intro", "publish": "1"}
    assert client.post(url, data)["Location"] == reverse("minutes_publish", args=[national.pk])
    make_past(national)
    client.post(reverse("minutes_publish", args=[national.pk]), {"confirm": "1"})
    response = client.post(url, data, follow=True)  # the same form, sent twice
    assert "déjà publié" in response.content.decode()
    assert list(national.minutes_versions.values_list("version", "status")) == [
        (minutes.version, "published")
    ]


def test_meeting_dates_cannot_leave_agenda_items_outside_the_meeting(client_for):
    meeting = MeetingFactory(
        title="Le Creusot",
        start=timezone.make_aware(datetime.datetime(2027, 5, 17, 14)),
        end=timezone.make_aware(datetime.datetime(2027, 5, 18, 14)),
    )
    AgendaItemFactory(meeting=meeting, day=datetime.date(2027, 5, 18), title="Visite")
    response = client_for("bureau").post(
        reverse("meeting_edit", args=[meeting.pk]),
        {
            "kind": MeetingKind.NATIONAL,
            "title": "Le Creusot (un jour)",
            "start": "2027-05-17T14:00",
            "end": "2027-05-17T18:00",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "hors de ces dates (18 mai 2027)" in content
    assert 'id="id_end_error"' in content
    assert "Le Creusot (un jour)" in content
    meeting.refresh_from_db()
    assert meeting.title == "Le Creusot" and len(meeting.days) == 2


def test_carried_over_actions_only_from_meetings_the_user_may_see(client_for, national, director):
    hidden = MeetingFactory(
        kind=MeetingKind.NATIONAL,
        title="Sans le ministère",
        start=national.start - datetime.timedelta(days=60),
        end=national.start - datetime.timedelta(days=60),
    )
    ActionFactory(meeting=hidden, title="Action confidentielle", owners=[director])
    url = reverse("meeting_detail", args=[national.pk])
    assert "Action confidentielle" in client_for("director").get(url).content.decode()
    assert "Action confidentielle" not in client_for("ministry").get(url).content.decode()


def test_meeting_page_approval_section(client_for, bureau):
    """Approved here: the minutes approved at this meeting. Choices (bureau): published minutes
    of earlier meetings not approved yet; not drafts, not later meetings', not approved ones."""
    now = timezone.now()

    def meeting_with_minutes(title, days, publish=True):
        meeting = MeetingFactory(title=title, start=now + datetime.timedelta(days=days))
        minutes = published_minutes(meeting, bureau) if publish else None
        if not publish:
            from meetings import services

            services.minutes_draft(meeting=meeting, actor=bureau)
        return minutes

    page = MeetingFactory(title="Cette réunion", start=now + datetime.timedelta(days=10))
    first = meeting_with_minutes("Approuvée ici A", 1)
    second = meeting_with_minutes("Approuvée ici B", 2)
    approved_elsewhere = meeting_with_minutes("Approuvée ailleurs", 3)
    meeting_with_minutes("En attente 1", 4)
    meeting_with_minutes("En attente 2", 5)
    meeting_with_minutes("Brouillon", 6, publish=False)
    meeting_with_minutes("Plus tard", 20)
    from meetings import services

    services.minutes_approve(minutes=second, at_meeting=page, actor=bureau)
    services.minutes_approve(minutes=first, at_meeting=page, actor=bureau)
    elsewhere = MeetingFactory(start=now + datetime.timedelta(days=8))
    services.minutes_approve(minutes=approved_elsewhere, at_meeting=elsewhere, actor=bureau)

    content = client_for("bureau").get(reverse("meeting_detail", args=[page.pk])).content.decode()
    approved = content.index("« Approuvée ici B »"), content.index("« Approuvée ici A »")
    assert approved[0] < approved[1]  # in the order they were approved
    options = content[content.index("<select") : content.index("</select>")]
    assert options.index("En attente 2") < options.index("En attente 1")  # newest first
    for absent in ("Approuvée", "Brouillon", "Plus tard"):
        assert absent not in options

    approved_page = client_for("director").get(reverse("meeting_detail", args=[first.meeting_id]))
    assert "Approuvé lors de : Cette réunion" in approved_page.content.decode()

    director_page = client_for("director").get(reverse("meeting_detail", args=[page.pk]))
    assert "« Approuvée ici A »" in director_page.content.decode()
    assert "<select" not in director_page.content.decode().split("Approbation")[1]


def test_meeting_page_minutes_versions(client_for, national, bureau):
    """The latest published version is printed, earlier ones linked, a draft named (bureau)."""
    from meetings import services

    published_minutes(national, bureau)
    with after(national):
        services.minutes_publish(
            minutes=services.minutes_draft(
                meeting=national, actor=bureau, correction_note="Coquille"
            ),
            actor=bureau,
        )
    services.minutes_draft(meeting=national, actor=bureau, correction_note="Autre coquille")
    url = reverse("meeting_detail", args=[national.pk])
    bureau_page = client_for("bureau").get(url).content.decode()
    assert "Version 2, publiée le" in bureau_page and "— Coquille" in bureau_page
    assert "?version=1" in bureau_page and "Brouillon v3 en cours" in bureau_page
    director_page = client_for("director").get(url).content.decode()
    assert "Version 2, publiée le" in director_page and "?version=1" in director_page
    assert "Brouillon v3" not in director_page


def test_meeting_page_orders_actions_by_due_date_then_without_one(client_for, national, bureau):
    today = timezone.localdate()
    ActionFactory(meeting=national, title="Sans échéance", due_date=None)
    ActionFactory(meeting=national, title="Plus tard", due_date=today + datetime.timedelta(days=9))
    ActionFactory(meeting=national, title="Bientôt", due_date=today + datetime.timedelta(days=2))
    content = client_for("bureau").get(reverse("meeting_detail", args=[national.pk])).content
    positions = [
        content.decode().index(f"<td>{t}") for t in ("Bientôt", "Plus tard", "Sans échéance")
    ]
    assert positions == sorted(positions)
