"""Finding 9 for meetings: what meetings hold about a person, and anonymising them."""

import json

import pytest
from django.urls import reverse

from innovalo.personal_data import ANONYMISE_HOOKS, PROVIDERS, user_anonymise
from meetings import personal_data, services
from meetings.enums import Attendance, MeetingStatus
from meetings.models import MeetingInvitation
from meetings.views.home import home_actions_panel

from .factories import ActionFactory, InvitationFactory, MeetingFactory, after

pytestmark = pytest.mark.django_db


def test_meetings_register_their_providers_and_hook_at_startup():
    from innovalo.home import HOME_PANELS

    assert set(personal_data.PROVIDERS) <= set(PROVIDERS)
    assert personal_data.anonymise in ANONYMISE_HOOKS
    assert home_actions_panel in HOME_PANELS


def test_my_data_lists_my_invitations_attendance_actions_and_proposals(
    client, national, director, other_director
):
    invitation = national.invitations.get(user=director)
    services.rsvp_answer(invitation=invitation, user=director, rsvp="yes")
    invitation.refresh_from_db()
    invitation.attendance = Attendance.REPRESENTED
    invitation.represented_by = "Mme Suppléante"
    invitation.save()
    ActionFactory(meeting=national, title="Préparer l'enquête", owners=[director])
    ActionFactory(meeting=national, title="Action d'un autre", owners=[other_director])
    services.proposal_submit(meeting=national, user=director, title="Mon point")
    client.force_login(director)
    data = json.loads(client.get(reverse("my_data") + "?format=json").content)
    [mine] = data["Réunions : invitations, réponses et présences"]
    assert (mine["réunion"], mine["réponse"]) == (national.title, "Inscrit·e")
    assert mine["représenté·e par"] == "Mme Suppléante"
    assert [row["action"] for row in data["Réunions : actions dont je suis responsable"]] == [
        "Préparer l'enquête"
    ]
    assert data["Réunions : points proposés"][0]["point"] == "Mon point"
    page = client.get(reverse("my_data")).content.decode()
    assert "Mon point" in page and "Action d&#x27;un autre" not in page


def test_anonymising_erases_the_person_from_meetings(bureau, director):
    meeting = MeetingFactory(status=MeetingStatus.HELD, title="Bureau élargi")
    name = str(director)
    InvitationFactory(meeting=meeting, user=director, attendance=Attendance.PRESENT)
    InvitationFactory(meeting=meeting, user=None, guest_name="Témoin", attendance="present")
    guest = InvitationFactory(
        meeting=meeting, user=None, guest_name=name, guest_email=director.email.upper()
    )
    minutes = services.minutes_draft(meeting=meeting, actor=bureau)
    with after(meeting):
        services.minutes_publish(minutes=minutes, actor=bureau)
    services.officer_add(
        meeting=meeting, position="Trésorière", name=name, actor=bureau, user=director
    )
    user_anonymise(user=director, actor=bureau)
    guest.refresh_from_db()
    assert (guest.guest_email, guest.guest_name) == ("", "Personne anonymisée")
    minutes.refresh_from_db()
    present = [entry["display_name"] for entry in minutes.participants["present"]]
    assert sorted(present) == ["Personne anonymisée", "Témoin"]
    assert meeting.officers.get().name == "Personne anonymisée"
    assert not MeetingInvitation.objects.filter(
        guest_email__iexact="directrice@exemple.fr"
    ).exists()


def test_lists_frozen_before_user_ids_get_them_then_anonymising_finds_them(bureau, director):
    from importlib import import_module

    from django.apps import apps

    from meetings.models import Minutes

    migration = import_module("meetings.migrations.0003_participants_user_ids")
    meeting = MeetingFactory(status=MeetingStatus.HELD)
    InvitationFactory(meeting=meeting, user=director, attendance=Attendance.PRESENT)
    minutes = services.minutes_draft(meeting=meeting, actor=bureau)
    with after(meeting):
        services.minutes_publish(minutes=minutes, actor=bureau)
    legacy = {
        "present": [{"display_name": str(director), "organisation": "", "represented_by": ""}]
    }
    Minutes.objects.filter(pk=minutes.pk).update(participants=legacy)
    migration.add_user_ids(apps, None)
    minutes.refresh_from_db()
    assert minutes.participants["present"][0]["user_id"] == director.pk
    user_anonymise(user=director, actor=bureau)
    minutes.refresh_from_db()
    assert minutes.participants["present"][0]["display_name"] == "Personne anonymisée"
