import datetime
import os
import smtplib
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from innovalo import reminders
from innovalo.audit import key_of
from innovalo.celery import app as celery_app
from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from meetings import services
from meetings.enums import ActionStatus, MeetingStatus, RsvpStatus

from .factories import ActionFactory, AgendaItemFactory, InvitationFactory, MeetingFactory, aware

pytestmark = pytest.mark.django_db


def _rows(rule):
    return {
        (row.target, row.period): row.status
        for row in SentReminder.objects.filter(rule=rule).order_by("pk")
    }


def test_meetings_rules_and_jobs_are_registered():
    assert {"meeting_eve", "meeting_actions"} <= set(reminders.registered_jobs())
    assert {"meeting_convocation", "meeting_eve", "action_soon", "action_overdue"} <= set(
        reminders.registered_rules()
    )


def test_convocations_written_in_the_transaction_and_sent_after_the_commit(
    draft_meeting, bureau, director, django_capture_on_commit_callbacks, settings
):
    AgendaItemFactory(
        meeting=draft_meeting, title="Bilan de l'enquête", start_time=datetime.time(13, 15)
    )
    mine = InvitationFactory(meeting=draft_meeting, user=director)
    guest = InvitationFactory(
        meeting=draft_meeting, user=None, guest_name="Invitée", guest_email="invitee@exemple.fr"
    )
    silent = InvitationFactory(meeting=draft_meeting, user=None, guest_name="Sans e-mail")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.meeting_convene(meeting=draft_meeting, actor=bureau)
    # One pending row per invitation, written with the convocation; nothing has left yet.
    assert _rows("meeting_convocation") == {
        (key_of(mine), ""): EmailStatus.PENDING,
        (key_of(guest), ""): EmailStatus.PENDING,
        (key_of(silent), ""): EmailStatus.PENDING,
    }
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["invitee@exemple.fr", director.email])
    assert _rows("meeting_convocation")[(key_of(silent), "")] == EmailStatus.SKIPPED
    message = next(m for m in mail.outbox if m.to == [director.email])
    assert message.subject.startswith("[INNOVALO] Convocation")
    assert "Bilan de l'enquête" in message.body and "13h15" in message.body
    assert settings.SITE_URL + draft_meeting.get_absolute_url() in message.body
    assert message.attachments[0][0].endswith(".ics")
    # The outbox job finds nothing left to send.
    call_command("send_reminders", "--only", "outbox")
    assert len(mail.outbox) == 2


def test_convene_through_the_view_sends_once(
    client_for, draft_meeting, director, django_capture_on_commit_callbacks
):
    InvitationFactory(meeting=draft_meeting, user=director)
    with django_capture_on_commit_callbacks(execute=True):
        # The first POST asks for confirmation and sends nothing.
        client_for("bureau").post(f"/reunions/{draft_meeting.pk}/convoquer/")
        assert mail.outbox == []
        client_for("bureau").post(f"/reunions/{draft_meeting.pk}/convoquer/", {"confirm": "1"})
        client_for("bureau").post(f"/reunions/{draft_meeting.pk}/convoquer/", {"confirm": "1"})
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert SentReminder.objects.filter(rule="meeting_convocation").count() == 1


def test_late_invitee_of_a_convened_meeting_gets_a_convocation(
    national, bureau, other_director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = services.invite_users(meeting=national, users=[other_director], actor=bureau)
        services.invite_guest(
            meeting=national, name="Invitée", email="tard@exemple.fr", actor=bureau
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([other_director.email, "tard@exemple.fr"])
    assert (key_of(created[0]), "") in _rows("meeting_convocation")


def test_invitee_added_to_a_draft_gets_nothing_before_the_convocation(
    draft_meeting, bureau, other_director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_users(meeting=draft_meeting, users=[other_director], actor=bureau)
    assert mail.outbox == [] and not SentReminder.objects.exists()


def test_convocation_of_a_removed_invitee_is_skipped(
    draft_meeting, bureau, director, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(meeting=draft_meeting, user=director)
    with django_capture_on_commit_callbacks(execute=False):
        services.meeting_convene(meeting=draft_meeting, actor=bureau)
    services.invitation_remove(invitation=invitation, actor=bureau)
    with freeze_time(timezone.now() + datetime.timedelta(minutes=10)):
        call_command("send_reminders", "--only", "outbox")
    assert mail.outbox == []
    assert set(_rows("meeting_convocation").values()) == {EmailStatus.SKIPPED}


def test_eve_reminder_sent_once_to_those_who_did_not_decline(director, ministry):
    meeting = MeetingFactory(start=aware(2026, 12, 16, 10), end=aware(2026, 12, 16, 16))
    mine = InvitationFactory(meeting=meeting, user=director)
    InvitationFactory(meeting=meeting, user=ministry, rsvp=RsvpStatus.NO)
    with freeze_time("2026-12-15 18:00:00"):
        call_command("send_reminders", "--only", "meeting_eve")
        call_command("send_reminders", "--only", "meeting_eve")
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert "demain" in mail.outbox[0].subject
    assert _rows("meeting_eve") == {(key_of(mine), "2026-12-16"): EmailStatus.SENT}


def test_eve_reminder_not_sent_two_days_before(director):
    meeting = MeetingFactory(start=aware(2026, 12, 17, 10), end=aware(2026, 12, 17, 16))
    InvitationFactory(meeting=meeting, user=director)
    with freeze_time("2026-12-15 18:00:00"):
        call_command("send_reminders", "--only", "meeting_eve")
    assert mail.outbox == []


def _failing_smtp(monkeypatch):
    """The next email fails as an SMTP server would; the ones after it leave."""
    from meetings.services import emails

    real = emails.send_templated_email
    calls = []

    def send(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(emails, "send_templated_email", send)


def test_eve_reminder_failing_smtp_is_failed_then_sent_by_the_next_run(director, monkeypatch):
    meeting = MeetingFactory(start=aware(2026, 12, 16, 10), end=aware(2026, 12, 16, 16))
    mine = InvitationFactory(meeting=meeting, user=director)
    _failing_smtp(monkeypatch)
    with freeze_time("2026-12-15 18:00:00"):
        call_command("send_reminders", "--only", "meeting_eve")
        row = SentReminder.objects.get(rule="meeting_eve")
        assert (row.status, row.attempts) == (EmailStatus.FAILED, 1)
        assert "connection lost" in row.last_error
        assert mail.outbox == []
        call_command("send_reminders", "--only", "meeting_eve")
        call_command("send_reminders", "--only", "meeting_eve")
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert _rows("meeting_eve") == {(key_of(mine), "2026-12-16"): EmailStatus.SENT}


def test_eve_reminder_skipped_once_the_invitee_declines(director, monkeypatch):
    meeting = MeetingFactory(start=aware(2026, 12, 16, 10), end=aware(2026, 12, 16, 16))
    mine = InvitationFactory(meeting=meeting, user=director)
    _failing_smtp(monkeypatch)
    with freeze_time("2026-12-15 18:00:00"):
        call_command("send_reminders", "--only", "meeting_eve")
        mine.rsvp = RsvpStatus.NO
        mine.save()
        call_command("send_reminders", "--only", "outbox")
    assert mail.outbox == []
    assert _rows("meeting_eve") == {(key_of(mine), "2026-12-16"): EmailStatus.SKIPPED}


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
    rows = set(SentReminder.objects.values_list("rule", "target", "period", "status"))
    assert rows == {
        ("action_soon", key_of(soon), f"2026-11-30/user-{director.pk}", EmailStatus.SENT),
        ("action_soon", key_of(soon), f"2026-11-30/user-{bureau.pk}", EmailStatus.SENT),
        ("action_overdue", key_of(late), f"2026-11-01/user-{director.pk}", EmailStatus.SENT),
    }
    # The same action, once overdue, gets its overdue reminder (another rule).
    with freeze_time("2026-12-02 08:00:00"):
        call_command("send_reminders", "--only", "meeting_actions")
    assert len(mail.outbox) == 5


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
    assert set(SentReminder.objects.values_list("period", flat=True)) == {
        f"2026-11-30/user-{director.pk}",
        f"2026-12-20/user-{director.pk}",
    }


def test_action_reminder_failed_then_done_is_skipped_not_sent(director, monkeypatch):
    meeting = MeetingFactory(status=MeetingStatus.MINUTES_PUBLISHED)
    action = ActionFactory(meeting=meeting, owners=[director], due_date=datetime.date(2026, 11, 30))
    _failing_smtp(monkeypatch)
    with freeze_time("2026-11-25 08:00:00"):
        call_command("send_reminders", "--only", "meeting_actions")
        assert SentReminder.objects.get().status == EmailStatus.FAILED
        services.action_set_status(action=action, status=ActionStatus.DONE, actor=director)
        call_command("send_reminders", "--only", "outbox")
    assert mail.outbox == []
    assert SentReminder.objects.get().status == EmailStatus.SKIPPED


def test_action_reminder_failing_smtp_is_sent_by_the_next_run(director, monkeypatch):
    meeting = MeetingFactory(status=MeetingStatus.MINUTES_PUBLISHED)
    ActionFactory(meeting=meeting, owners=[director], due_date=datetime.date(2026, 11, 30))
    _failing_smtp(monkeypatch)
    with freeze_time("2026-11-25 08:00:00"):
        call_command("send_reminders", "--only", "meeting_actions")
        assert SentReminder.objects.get().status == EmailStatus.FAILED
        call_command("send_reminders", "--only", "meeting_actions")
        call_command("send_reminders", "--only", "meeting_actions")
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert SentReminder.objects.get().status == EmailStatus.SENT


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)")
def test_convocations_through_real_redis_broker_and_worker():
    from celery.contrib.testing.worker import start_worker

    from tests.factories import UserFactory

    bureau = UserFactory(email="bureau-worker@exemple.fr")
    invitee = UserFactory(email="invitee-worker@exemple.fr")
    meeting = MeetingFactory(
        status=MeetingStatus.DRAFT,
        start=timezone.now() + datetime.timedelta(days=3),
        end=timezone.now() + datetime.timedelta(days=3, hours=2),
    )
    InvitationFactory(meeting=meeting, user=invitee)
    celery_app.conf.task_always_eager = False
    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(celery_app, perform_ping_check=False, pool="solo", concurrency=1):
        services.meeting_convene(meeting=meeting, actor=bureau)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not mail.outbox:
            time.sleep(0.2)
    assert [m.to for m in mail.outbox] == [[invitee.email]]
    row = SentReminder.objects.get(rule="meeting_convocation")
    assert row.status == EmailStatus.SENT
