import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings.enums import MeetingKind
from meetings.models import ActionItem, Meeting, MeetingInvitation, Minutes

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_follows_the_documents(client):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (
        Meeting.objects.count(),
        MeetingInvitation.objects.count(),
        ActionItem.objects.count(),
        Minutes.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (
        Meeting.objects.count(),
        MeetingInvitation.objects.count(),
        ActionItem.objects.count(),
        Minutes.objects.count(),
    )

    jan2016 = Meeting.objects.get(title="Réunion au ministère (MESR)")
    assert jan2016.agenda_items.count() == 3
    assert jan2016.invitations.count() == 16
    assert jan2016.invitations.filter(attendance="excused").count() == 1
    assert jan2016.minutes_versions.filter(status="published").exists()
    labels = [", ".join(a.owner_labels()) for a in jan2016.actions.all()]
    assert any("Planard" in label for label in labels)
    assert any("Ménagé" in label and "Lefaivre" in label for label in labels)

    creusot = Meeting.objects.get(title="Rencontre nationale au Creusot")
    assert len(creusot.days) == 2
    assert creusot.agenda_items.filter(kind="working_group", start_time="14:00").count() == 4
    ga = Meeting.objects.get(kind=MeetingKind.GENERAL_ASSEMBLY)
    assert ga.resolutions.count() == 3 and ga.officers.exists()

    upcoming = Meeting.objects.get(title="Réunion nationale de décembre")
    assert upcoming.proposals.filter(status="pending").exists()
    assert Meeting.objects.filter(kind=MeetingKind.BUREAU).exists()

    from innovalo.models import User

    director = User.objects.get(email="directeur@innovalo.demo")
    assert ActionItem.objects.open().owned_by(director).count() >= 2
    client.force_login(director)
    assert client.get(reverse("meeting_detail", args=[upcoming.pk])).status_code == 200
    bureau_meeting = Meeting.objects.get(kind=MeetingKind.BUREAU)
    assert client.get(reverse("meeting_detail", args=[bureau_meeting.pk])).status_code == 404
    assert client.get(reverse("meeting_detail", args=[creusot.pk])).status_code == 200


def test_demo_reminders_have_work_and_run_once():
    from django.core import mail

    call_command("seed_demo", stdout=io.StringIO())
    call_command("send_reminders", "--only", "meeting_actions", stdout=io.StringIO())
    sent = len(mail.outbox)
    assert sent >= 2
    call_command("send_reminders", "--only", "meeting_actions", stdout=io.StringIO())
    assert len(mail.outbox) == sent
