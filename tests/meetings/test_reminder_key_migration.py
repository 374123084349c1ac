"""meetings 0004: emails sent under the old string keys get their (target, period), so the
jobs find them after the upgrade and send nothing twice."""

import datetime
from importlib import import_module

from django.apps import apps
from django.utils import timezone

from innovalo.models import SentReminder

from .factories import ActionFactory, InvitationFactory, MeetingFactory

split_keys = import_module("meetings.migrations.0004_reminder_keys").split_keys


def test_old_keys_get_their_target_and_period(db, director):
    meeting = MeetingFactory(start=timezone.make_aware(datetime.datetime(2026, 12, 3, 14, 0)))
    invitation = InvitationFactory(meeting=meeting, user=director)
    action = ActionFactory(meeting=meeting, due_date=datetime.date(2026, 12, 10))
    for rule, key in [
        ("meeting_convocation", f"meeting-convocation:{meeting.pk}:{invitation.pk}"),
        ("meeting_eve", f"meeting-eve:{meeting.pk}:{invitation.pk}"),
        ("action_soon", f"action-soon:{action.pk}:2026-12-10:user-{director.pk}"),
    ]:
        SentReminder.objects.create(rule=rule, target=key, status="sent")
    split_keys(apps, None)
    rows = set(SentReminder.objects.values_list("rule", "target", "period"))
    assert rows == {
        ("meeting_convocation", f"meetings.meetinginvitation:{invitation.pk}", ""),
        ("meeting_eve", f"meetings.meetinginvitation:{invitation.pk}", "2026-12-03"),
        ("action_soon", f"meetings.actionitem:{action.pk}", f"2026-12-10/user-{director.pk}"),
    }
