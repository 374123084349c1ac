"""One history: every meetings service writes one entry, shown on the meeting's page."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from innovalo.audit import key_of
from innovalo.models import AuditEntry
from meetings import services
from meetings.enums import ActionStatus, MeetingKind, MeetingStatus
from tests.conftest import ROLES

from .factories import (
    ActionFactory,
    AgendaItemFactory,
    InvitationFactory,
    MeetingFactory,
    after,
)
from .test_pages import BUREAU_SEEN

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n% test\n"


class OneEntry:
    """Asserts that the block writes exactly one history entry, scoped to `meeting`."""

    def __init__(self, meeting, action):
        self.meeting, self.action = meeting, action

    def __enter__(self):
        self.before = AuditEntry.objects.count()
        return self

    def __exit__(self, *exc):
        if exc[0]:
            return False
        new = list(AuditEntry.objects.order_by("-pk")[: AuditEntry.objects.count() - self.before])
        assert [entry.action for entry in new] == [f"meetings.{self.action}"]
        self.entry = new[0]
        assert self.entry.scope == key_of(self.meeting)
        return False


def test_meeting_services_each_write_one_entry(bureau, director):
    with OneEntry(None, "meeting_created") as created:
        created.meeting = meeting = services.meeting_create(
            actor=bureau,
            kind=MeetingKind.NATIONAL,
            title="Rencontre",
            start=timezone.now() + datetime.timedelta(days=10),
            end=timezone.now() + datetime.timedelta(days=10, hours=3),
        )
    assert created.entry.actor == bureau
    with OneEntry(meeting, "meeting_updated") as updated:
        services.meeting_update(meeting=meeting, actor=bureau, title="Rencontre d'hiver")
    assert updated.entry.changes == {"titre": ["Rencontre", "Rencontre d'hiver"]}
    with OneEntry(meeting, "invitations_added"):
        services.invite_users(meeting=meeting, users=[director], actor=bureau)
    with OneEntry(meeting, "invitation_added"):
        guest = services.invite_guest(meeting=meeting, name="Mme Extérieure", actor=bureau)
    with OneEntry(meeting, "invitation_removed"):
        services.invitation_remove(invitation=guest, actor=bureau)
    with OneEntry(meeting, "meeting_convened"):
        services.meeting_convene(meeting=meeting, actor=bureau)
    invitation = meeting.invitations.get(user=director)
    with OneEntry(meeting, "rsvp_answered") as rsvp:
        services.rsvp_answer(invitation=invitation, user=director, rsvp="yes")
    assert rsvp.entry.actor == director
    with after(meeting), OneEntry(meeting, "meeting_held"):
        services.meeting_mark_held(meeting=meeting, actor=bureau)
    with after(meeting), OneEntry(meeting, "attendance_recorded") as attendance:
        services.attendance_record(
            meeting=meeting, marks={invitation.pk: ("present", "")}, actor=bureau
        )
    assert list(attendance.entry.changes) == [str(director)]
    # Nothing changed: no entry.
    before = AuditEntry.objects.count()
    with after(meeting):
        services.attendance_record(
            meeting=meeting, marks={invitation.pk: ("present", "")}, actor=bureau
        )
    services.meeting_update(meeting=meeting, actor=bureau, title="Rencontre d'hiver")
    assert AuditEntry.objects.count() == before


def test_agenda_and_proposal_services_each_write_one_entry(national, bureau, director):
    day = timezone.localtime(national.start).date()
    with OneEntry(national, "agenda_item_added"):
        item = services.agenda_item_create(meeting=national, actor=bureau, day=day, title="Point")
    with OneEntry(national, "agenda_item_updated") as updated:
        services.agenda_item_update(item=item, actor=bureau, title="Point modifié")
    assert updated.entry.changes == {"titre": ["Point", "Point modifié"]}
    with OneEntry(national, "agenda_item_removed"):
        services.agenda_item_delete(item=item, actor=bureau)
    with OneEntry(national, "proposal_submitted"):
        first = services.proposal_submit(meeting=national, user=director, title="A")
    second = services.proposal_submit(meeting=national, user=director, title="B")
    with OneEntry(national, "proposal_accepted"):
        services.proposal_accept(proposal=first, actor=bureau)
    with OneEntry(national, "proposal_declined"):
        services.proposal_decline(proposal=second, actor=bureau, reason="Plus tard")


def test_minutes_services_each_write_one_entry(bureau):
    meeting = MeetingFactory(status=MeetingStatus.HELD)
    AgendaItemFactory(meeting=meeting)
    with OneEntry(meeting, "minutes_started"):
        minutes = services.minutes_draft(meeting=meeting, actor=bureau)
    item = minutes.items.get()
    with OneEntry(meeting, "minutes_saved") as saved:
        services.minutes_update(
            minutes=minutes, actor=bureau, summary="Intro", items=[(item.pk, "Texte", "D1")]
        )
    assert saved.entry.changes["introduction"] == ["", "Intro"]
    with after(meeting), OneEntry(meeting, "minutes_published"):
        services.minutes_publish(minutes=minutes, actor=bureau)
    with OneEntry(meeting, "minutes_amended"):
        services.minutes_draft(meeting=meeting, actor=bureau, correction_note="Coquille")
    later = MeetingFactory(start=meeting.start + datetime.timedelta(days=30))
    later.end = later.start + datetime.timedelta(hours=2)
    later.save()
    with OneEntry(meeting, "minutes_approved"):
        services.minutes_approve(minutes=minutes, at_meeting=later, actor=bureau)


def test_action_services_each_write_one_entry(national, bureau, director):
    with OneEntry(national, "action_created") as created:
        action = services.action_create(
            meeting=national, title="Sonder", actor=bureau, owners=[director]
        )
    assert created.entry.changes == {"responsables": [None, str(director)]}
    with OneEntry(national, "action_done") as done:
        services.action_set_status(action=action, status=ActionStatus.DONE, actor=director)
    assert done.entry.changes == {"état": ["En cours", "Faite"]}
    with OneEntry(national, "action_reopened"):
        services.action_set_status(action=action, status=ActionStatus.OPEN, actor=director)
    with OneEntry(national, "action_cancelled"):
        services.action_set_status(action=action, status=ActionStatus.CANCELLED, actor=bureau)
    with OneEntry(national, "action_updated") as updated:
        services.action_update(
            action=action,
            actor=bureau,
            title="Sonder les plateformes",
            status=ActionStatus.OPEN,
            owners=[director],
            due_date=datetime.date(2027, 4, 15),
        )
    assert set(updated.entry.changes) == {"action", "état", "échéance"}


def test_documents_and_general_assembly_each_write_one_entry(bureau):
    ga = MeetingFactory(kind=MeetingKind.GENERAL_ASSEMBLY)
    with OneEntry(ga, "attachment_added"):
        services.attachment_add(
            meeting=ga,
            uploaded=SimpleUploadedFile("rapport.pdf", PDF_BYTES, "application/pdf"),
            title="Rapport financier",
            kind="financial_report",
            actor=bureau,
        )
    with OneEntry(ga, "resolution_added"):
        services.resolution_add(
            meeting=ga, text="Quitus", votes_for=30, votes_against=0, abstentions=1, actor=bureau
        )
    with OneEntry(ga, "officer_elected"):
        services.officer_add(meeting=ga, position="Président", name="Ph. Planard", actor=bureau)


# The history on the pages -------------------------------------------------------------------

HISTORY_SEEN = {
    "anonymous": 302,
    "director": 403,
    "other_director": 403,
    "bureau": 200,
    "ministry": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_history_page_per_role(client_for, role, national, bureau_meeting, bureau):
    services.meeting_update(meeting=national, actor=bureau, title="Réunion renommée")
    for meeting, expected in [(national, HISTORY_SEEN), (bureau_meeting, BUREAU_SEEN)]:
        response = client_for(role).get(reverse("meeting_history", args=[meeting.pk]))
        assert response.status_code == expected[role], (meeting.kind, role)
    if role == "bureau":
        content = client_for(role).get(reverse("meeting_history", args=[national.pk]))
        assert "Réunion modifiée" in content.content.decode()


@pytest.mark.parametrize("role", ["director", "other_director", "bureau", "ministry"])
def test_meeting_page_shows_the_history_to_the_bureau_only(client_for, role, national, bureau):
    services.meeting_update(meeting=national, actor=bureau, place="Le Creusot")
    content = client_for(role).get(reverse("meeting_detail", args=[national.pk])).content.decode()
    shown = role == "bureau"
    assert ("Réunion modifiée" in content) is shown
    assert (reverse("meeting_history", args=[national.pk]) in content) is shown


def test_history_page_query_count(client_for, bureau, director, django_assert_max_num_queries):
    meeting = MeetingFactory(status=MeetingStatus.DRAFT)
    for n in range(4):
        services.invite_guest(meeting=meeting, name=f"Invité {n}", actor=bureau)
        services.action_create(
            meeting=meeting, title=f"Action {n}", actor=bureau, owners=[director]
        )
    services.meeting_convene(meeting=meeting, actor=bureau)
    client = client_for("bureau")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("meeting_history", args=[meeting.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Action décidée") == 4


def test_older_entries_are_behind_the_history_link(client_for, national, bureau):
    for n in range(12):
        services.meeting_update(meeting=national, actor=bureau, title=f"Titre {n}")
    content = client_for("bureau").get(reverse("meeting_detail", args=[national.pk]))
    content = content.content.decode()
    assert "Titre 11" in content and "Tout l'historique" in content
    page = client_for("bureau").get(reverse("meeting_history", args=[national.pk]))
    assert page.content.decode().count("Réunion modifiée") == 12


def test_action_owner_marking_done_is_in_the_history(client_for, national, director):
    action = ActionFactory(meeting=national, owners=[director])
    InvitationFactory(meeting=national, user=None, guest_name="Témoin")
    client_for("director").post(reverse("action_status", args=[action.pk]), {"status": "done"})
    entry = AuditEntry.objects.for_scope(national).get()
    assert (entry.action, entry.actor) == ("meetings.action_done", director)
