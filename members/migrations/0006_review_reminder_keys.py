"""Review reminders sent before the outbox had (rule, target, period) kept their old key
"platform-review:<pk>:<year>" as the target (innovalo 0003): give them the new target and
period, so that the job finds them and sends nothing twice."""

import re

from django.db import migrations

OLD = re.compile(r"^platform-review:(\d+):(\d{4})$")


def split_review_keys(apps, schema_editor):
    SentReminder = apps.get_model("innovalo", "SentReminder")
    rows = SentReminder.objects.filter(
        rule="platform_review", target__startswith="platform-review:"
    )
    for row in rows.order_by("pk"):
        match = OLD.match(row.target)
        if not match:
            continue
        target, period = f"members.platform:{match.group(1)}", match.group(2)
        if SentReminder.objects.filter(rule=row.rule, target=target, period=period).exists():
            row.delete()  # already sent under the new key as well
            continue
        row.target, row.period = target, period
        row.save(update_fields=["target", "period"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_dues_stored_amounts"),
        ("innovalo", "0003_outbox_audit"),
    ]

    operations = [migrations.RunPython(split_review_keys, migrations.RunPython.noop)]
