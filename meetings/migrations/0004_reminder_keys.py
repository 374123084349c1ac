"""Meeting emails sent before the outbox had (rule, target, period) kept their old key as
the target (innovalo 0003): give them the new target and period, so that the jobs find
them and send nothing twice.

- "meeting-convocation:<meeting>:<invitation>" -> (invitation, "")
- "meeting-eve:<meeting>:<invitation>" -> (invitation, the meeting's day)
- "action-soon|action-overdue:<action>:<due date>:user-<user>" -> (action, "<due>/user-<user>")
"""

import re
import zoneinfo

from django.conf import settings
from django.db import migrations

CONVOCATION = re.compile(r"^meeting-convocation:\d+:(\d+)$")
EVE = re.compile(r"^meeting-eve:\d+:(\d+)$")
ACTION = re.compile(r"^action-(?:soon|overdue):(\d+):(\d{4}-\d{2}-\d{2}):user-(\d+)$")


def split_keys(apps, schema_editor):
    SentReminder = apps.get_model("innovalo", "SentReminder")
    MeetingInvitation = apps.get_model("meetings", "MeetingInvitation")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def move(row, target, period):
        if SentReminder.objects.filter(rule=row.rule, target=target, period=period).exists():
            row.delete()
            return
        row.target, row.period = target, period
        row.save(update_fields=["target", "period"])

    for row in SentReminder.objects.filter(target__startswith="meeting-").order_by("pk"):
        if match := CONVOCATION.match(row.target):
            move(row, f"meetings.meetinginvitation:{match.group(1)}", "")
        elif match := EVE.match(row.target):
            invitation = (
                MeetingInvitation.objects.filter(pk=match.group(1)).select_related("meeting").first()
            )
            if invitation is not None:
                day = invitation.meeting.start.astimezone(zone).date().isoformat()
                move(row, f"meetings.meetinginvitation:{invitation.pk}", day)
    for row in SentReminder.objects.filter(target__startswith="action-").order_by("pk"):
        if match := ACTION.match(row.target):
            action, due, user = match.groups()
            move(row, f"meetings.actionitem:{action}", f"{due}/user-{user}")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_participants_user_ids"),
        ("innovalo", "0003_outbox_audit"),
    ]

    operations = [migrations.RunPython(split_keys, migrations.RunPython.noop)]
