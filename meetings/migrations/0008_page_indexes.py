"""Indexes for a meeting's page at federation scale (issue 15): the minutes awaiting
approval read down the meetings' start, the carried-over actions from the earlier meetings
of one kind and the open actions."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_minutes_record_meeting_cancelled"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(fields=["status", "meeting"], name="actionitem_status_meeting_idx"),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(fields=["start"], name="meeting_start_idx"),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(fields=["kind", "start"], name="meeting_kind_start_idx"),
        ),
    ]
