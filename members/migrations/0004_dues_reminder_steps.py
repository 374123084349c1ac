from django.db import migrations


def default_steps(apps, schema_editor):
    """The default reminder schedule: 15, 45 and 90 days after the due date."""
    Step = apps.get_model("members", "DuesReminderStep")
    for days in (15, 45, 90):
        Step.objects.get_or_create(days_after_due=days)


class Migration(migrations.Migration):
    dependencies = [("members", "0003_dues")]

    operations = [migrations.RunPython(default_steps, migrations.RunPython.noop)]
