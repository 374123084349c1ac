import datetime
import os

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from innovalo.celery import app as celery_app
from innovalo.models import SentReminder
from meetings import services
from meetings.enums import ActionStatus, MeetingStatus, RsvpStatus
from meetings.tasks import send_meeting_convocations

from .factories import ActionFactory, AgendaItemFactory, InvitationFactory, MeetingFactory, aware

pytestmark = pytest.mark.django_db


def test_convocation_sent_on_commit_once_per_invitee(
    draft_meeting, bureau, director, django_capture_on_commit_callbacks, settings
):
    AgendaItemFactory(
        meeting=draft_meeting, title="Bilan de l'enquête", start_time=datetime.time(13, 15)
    )
    InvitationFactory(meeting=draft_meeting, user=director)
    InvitationFactory(
        meeting=draft_meeting, user=None, guest_name="Invitée", guest_email="invitee@exemple.fr"
    )
    InvitationFactory(meeting=draft_meeting, user=None, guest_name="Sans e-mail")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.meeting_convene(meeting=draft_meeting, actor=bureau)
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["invitee@exemple.fr", director.email])
    message = next(m for m in mail.outbox if m.to == [director.email])
    assert message.subject.startswith("[INNOVALO] Convocation")
    assert "Bilan de l'enquête" in message.body and "13h15" in message.body
    assert settings.SITE_URL + draft_meeting.get_absolute_url() in message.body
    assert message.attachments[0][0].endswith(".ics")
    assert send_meeting_convocations.delay(draft_meeting.pk).get() == 0
    assert len(mail.outbox) == 2


def test_convene_through_the_view_sends_once(
    client_for, draft_meeting, director, django_capture_on_commit_callbacks
):
    InvitationFactory(meeting=draft_meeting, user=director)
    with django_capture_on_commit_callbacks(execute=True):
        client_for("bureau").post(f"/reunions/{draft_meeting.pk}/convoquer/")
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert SentReminder.objects.filter(key__startswith="meeting-convocation:").count() == 1


def test_late_invitee_of_a_convened_meeting_gets_a_convocation(
    national, bureau, other_director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_users(meeting=national, users=[other_director], actor=bureau)
    assert other_director.email in [m.to[0] for m in mail.outbox]


def test_eve_reminder_sent_once_to_those_who_did_not_decline(director, ministry):
    meeting = MeetingFactory(start=aware(2026, 12, 16, 10), end=aware(2026, 12, 16, 16))
    InvitationFactory(meeting=meeting, user=director)
    InvitationFactory(meeting=meeting, user=ministry, rsvp=RsvpStatus.NO)
    with freeze_time("2026-12-15 18:00:00"):
        call_command("send_reminders", "--only", "meeting_eve")
        call_command("send_reminders", "--only", "meeting_eve")
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert "demain" in mail.outbox[0].subject


def test_eve_reminder_not_sent_two_days_before(director):
    meeting = MeetingFactory(start=aware(2026, 12, 17, 10), end=aware(2026, 12, 17, 16))
    InvitationFactory(meeting=meeting, user=director)
    with freeze_time("2026-12-15 18:00:00"):
        call_command("send_reminders", "--only", "meeting_eve")
    assert mail.outbox == []


def test_action_reminders_a_week_before_and_when_overdue_each_once(director, bureau):
    meeting = MeetingFactory(status=MeetingStatus.MINUTES_PUBLISHED)
    with freeze_time("2026-11-25 08:00:00"):
        soon = ActionFactory(
            meeting=meeting,
            title="Bientôt",
            owners=[director, bureau],
            due_date=datetime.date(2026, 11, 30),
        )
        late = ActionFactory(
            meeting=meeting,
            title="En retard",
            owners=[director],
            due_date=datetime.date(2026, 11, 1),
        )
        ActionFactory(
            meeting=meeting,
            title="Lointaine",
            owners=[director],
            due_date=datetime.date(2027, 1, 30),
        )
        ActionFactory(
            meeting=meeting,
            title="Faite",
            owners=[director],
            due_date=datetime.date(2026, 11, 1),
            status=ActionStatus.DONE,
        )
        call_command("send_reminders", "--only", "meeting_actions")
        call_command("send_reminders", "--only", "meeting_actions")
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert len(subjects) == 3
    assert (director.email, "[INNOVALO] Action en retard : En retard") in subjects
    assert sum("Bientôt" in s for _, s in subjects) == 2
    keys = set(SentReminder.objects.values_list("key", flat=True))
    assert f"action-soon:{soon.pk}:2026-11-30:user-{director.pk}" in keys
    assert f"action-overdue:{late.pk}:2026-11-01:user-{director.pk}" in keys
    # The same action, once overdue, gets its overdue reminder (a different key).
    with freeze_time("2026-12-02 08:00:00"):
        call_command("send_reminders", "--only", "meeting_actions")
    assert len(mail.outbox) == 5


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)")
def test_convocations_through_real_redis_broker_and_worker():
    from celery.contrib.testing.worker import start_worker

    from tests.factories import UserFactory

    invitee = UserFactory(email="invitee-worker@exemple.fr")
    meeting = MeetingFactory(
        start=timezone.now() + datetime.timedelta(days=3),
        end=timezone.now() + datetime.timedelta(days=3, hours=2),
    )
    InvitationFactory(meeting=meeting, user=invitee)
    celery_app.conf.task_always_eager = False
    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(celery_app, perform_ping_check=False, pool="solo", concurrency=1):
        first = send_meeting_convocations.delay(meeting.pk).get(timeout=30)
        second = send_meeting_convocations.delay(meeting.pk).get(timeout=30)
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    assert (
        SentReminder.objects.filter(key__startswith=f"meeting-convocation:{meeting.pk}:").count()
        == 1
    )


def test_postponed_action_is_reminded_again_for_its_new_due_date_only(director, bureau):
    meeting = MeetingFactory(status=MeetingStatus.MINUTES_PUBLISHED)
    action = ActionFactory(meeting=meeting, owners=[director], due_date=datetime.date(2026, 11, 30))
    with freeze_time("2026-11-25 08:00:00"):
        call_command("send_reminders", "--only", "meeting_actions")
        services.action_update(
            action=action,
            actor=bureau,
            title=action.title,
            status=ActionStatus.OPEN,
            owners=[director],
            due_date=datetime.date(2026, 12, 20),
        )
        call_command("send_reminders", "--only", "meeting_actions")
    assert len(mail.outbox) == 1
    with freeze_time("2026-12-14 08:00:00"):
        call_command("send_reminders", "--only", "meeting_actions")
        call_command("send_reminders", "--only", "meeting_actions")
    assert len(mail.outbox) == 2
    assert "20 décembre 2026" in mail.outbox[1].body
