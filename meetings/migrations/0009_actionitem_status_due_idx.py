"""Someone's actions by state and due date (issue 15): "Mes actions" and the home's panel
read a bureau member's thousand actions at federation scale and sorted them all to show
ten or thirty."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0008_page_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(
                fields=["status", "due_date", "id"], name="actionitem_status_due_idx"
            ),
        ),
    ]
