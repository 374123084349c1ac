"""Followed calls: each deadline reminded 30, 7 and 1 days before it, once each, only
the smallest step due, again when the deadline moves; nothing for archived calls."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.reminders import deliver, registered_jobs
from projects import reminders
from projects.enums import CallStatus
from projects.models import CallDeadline
from projects.selectors.alerts import deadline_step
from tests.factories import UserFactory

from .factories import CallFactory, DeadlineFactory, FollowFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
NOW = datetime.datetime(2026, 3, 2, 9, 5, tzinfo=datetime.UTC)


def _run(now=NOW) -> int:
    with freeze_time(now):
        return reminders.call_deadline_reminders(now)


def _followed(days, *, user=None, label="Dossier complet", **call_kwargs):
    call = CallFactory(title="France 2030 — Numérique", **call_kwargs)
    deadline = DeadlineFactory(call=call, label=label, due_at=NOW + days * DAY)
    follow = FollowFactory(call=call, user=user or UserFactory(email="suivi@exemple.fr"))
    return call, deadline, follow


def _periods():
    return sorted(
        SentReminder.objects.filter(rule="call_deadline").values_list("period", flat=True)
    )


def test_steps():
    assert deadline_step(NOW + 40 * DAY, NOW) is None
    assert deadline_step(NOW + 30 * DAY, NOW) == 30
    assert deadline_step(NOW + 8 * DAY, NOW) == 30
    assert deadline_step(NOW + 7 * DAY, NOW) == 7
    assert deadline_step(NOW + 2 * DAY, NOW) == 7
    assert deadline_step(NOW + DAY, NOW) == 1
    assert deadline_step(NOW + datetime.timedelta(minutes=5), NOW) == 1
    assert deadline_step(NOW, NOW) is None
    assert deadline_step(NOW - DAY, NOW) is None


def test_thirty_days_before_one_email_and_a_second_run_sends_nothing():
    call, _deadline, follow = _followed(25)
    assert _run() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["suivi@exemple.fr"]
    assert "Dans 25 jours : Dossier complet — France 2030 — Numérique" in message.subject
    assert f"http://testserver/appels/{call.pk}/" in message.body or call.get_absolute_url() in (
        message.body
    )
    html = message.alternatives[0][0]
    assert call.get_absolute_url() in html
    assert _run() == 0
    assert _run(NOW + datetime.timedelta(hours=5)) == 0
    assert len(mail.outbox) == 1
    assert SentReminder.objects.get(rule="call_deadline").status == EmailStatus.SENT


def test_each_step_once_over_the_weeks():
    _call, deadline, follow = _followed(40)
    due = deadline.due_at
    moments = [due - 45 * DAY, due - 29 * DAY, due - 20 * DAY, due - 6 * DAY, due - 3 * DAY]
    moments += [due - datetime.timedelta(hours=20), due - datetime.timedelta(hours=2), due + DAY]
    sent = [_run(moment) for moment in moments]
    assert sent == [0, 1, 0, 1, 0, 1, 0, 0]
    assert [period.split("j:")[0] for period in _periods()] == ["1", "30", "7"]
    subjects = [message.subject for message in mail.outbox]
    assert "Dans 29 jours" in subjects[0]
    assert "Dans 6 jours" in subjects[1]
    assert "Demain" in subjects[2] or "Aujourd'hui" in subjects[2]


def test_a_missed_step_is_never_sent_once_a_smaller_one_is_due():
    _followed(5)  # followed five days before: the 30-day reminder is not sent
    assert _run() == 1
    assert [period.split("j:")[0] for period in _periods()] == ["7"]
    assert _run() == 0


def test_a_failed_thirty_day_email_is_skipped_once_the_seven_day_one_is_due():
    _call, deadline, _follow = _followed(10)
    record = SentReminder.objects.create(
        rule="call_deadline",
        target=f"projects.call:{deadline.call_id}",
        period=reminders.deadline_period(30, deadline.due_at, _follow.user_id),
        status=EmailStatus.FAILED,
    )
    with freeze_time(NOW + 4 * DAY):
        assert deliver(record.pk) is False
    record.refresh_from_db()
    assert record.status == EmailStatus.SKIPPED
    assert mail.outbox == []


def test_a_moved_deadline_is_reminded_again_for_its_new_date():
    _call, deadline, follow = _followed(5)
    assert _run() == 1
    deadline.due_at = NOW + 6 * DAY
    deadline.save()
    assert _run() == 1
    assert _run() == 0
    assert len(mail.outbox) == 2
    assert len(_periods()) == 2


def test_an_email_for_a_date_that_moved_before_it_left_is_skipped():
    _call, deadline, follow = _followed(5)
    record = SentReminder.objects.create(
        rule="call_deadline",
        target=f"projects.call:{deadline.call_id}",
        period=reminders.deadline_period(7, deadline.due_at, follow.user_id),
    )
    CallDeadline.objects.filter(pk=deadline.pk).update(due_at=NOW + 12 * DAY)
    with freeze_time(NOW):
        assert deliver(record.pk) is False
    assert SentReminder.objects.get(pk=record.pk).status == EmailStatus.SKIPPED


def test_an_unfollowed_call_is_not_reminded_by_a_pending_email():
    _call, deadline, follow = _followed(5)
    record = SentReminder.objects.create(
        rule="call_deadline",
        target=f"projects.call:{deadline.call_id}",
        period=reminders.deadline_period(7, deadline.due_at, follow.user_id),
    )
    follow.delete()
    with freeze_time(NOW):
        assert deliver(record.pk) is False
    assert mail.outbox == []


@pytest.mark.parametrize("status", [CallStatus.ARCHIVED, CallStatus.PROPOSED])
def test_archived_and_proposed_calls_are_not_reminded(status):
    _followed(5, status=status)
    assert _run() == 0
    assert SentReminder.objects.count() == 0


def test_passed_and_far_deadlines_are_not_reminded():
    _followed(-1)
    _followed(31, user=UserFactory())
    assert _run() == 0
    assert SentReminder.objects.count() == 0


def test_an_inactive_person_is_not_reminded():
    _followed(5, user=UserFactory(is_active=False))
    assert _run() == 0


def test_each_follower_and_each_deadline_of_a_call():
    call, _deadline, _follow = _followed(5)
    DeadlineFactory(call=call, label="Pré-proposition", due_at=NOW + 20 * DAY)
    FollowFactory(call=call, user=UserFactory(email="autre@exemple.fr"))
    assert _run() == 4
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["autre@exemple.fr"] * 2 + ["suivi@exemple.fr"] * 2
    assert _run() == 0


def test_queries_constant_per_run_plus_a_few_per_email():
    with CaptureQueriesContext(connection) as nothing_due:
        _run()
    for index in range(3):
        _followed(5 + index, user=UserFactory())
    with CaptureQueriesContext(connection) as three:
        assert _run() == 3
    with CaptureQueriesContext(connection) as again:
        assert _run() == 0
    # The deadlines due (1); per email: the outbox's claim, read and mark, the sender's read.
    assert len(nothing_due) == 1
    assert len(three) <= 3 + 3 * 4
    assert len(again) <= 3


def test_run_by_send_reminders_and_beat():
    assert "call_deadlines" in registered_jobs()
    assert "call_digests" in registered_jobs()
    _followed(5)
    with freeze_time(NOW):
        call_command("send_reminders", "--only", "call_deadlines")
        call_command("send_reminders", "--only", "call_deadlines")
    assert len(mail.outbox) == 1
