"""Published minutes freeze their actions, resolutions and officers (``Minutes.record``), and a
meeting can be cancelled. Minutes published before this migration get today's record: from now
on, an action added or closed later no longer rewrites them."""

from django.db import migrations, models


def _name(user):
    return f"{user.first_name} {user.last_name}".strip() or user.email


def freeze_published_minutes(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    ActionItem = apps.get_model("meetings", "ActionItem")
    Resolution = apps.get_model("meetings", "Resolution")
    ElectedOfficer = apps.get_model("meetings", "ElectedOfficer")
    published = Minutes.objects.filter(status="published", record__isnull=True)
    for meeting_id in published.values_list("meeting_id", flat=True).distinct():
        actions = ActionItem.objects.filter(meeting_id=meeting_id).prefetch_related("owners")
        record = {
            "actions": [
                {
                    "title": action.title,
                    "owners": [
                        {"name": _name(user), "user_id": user.pk}
                        for user in sorted(action.owners.all(), key=lambda u: u.pk)
                    ]
                    + [
                        {"name": name.strip(), "user_id": None}
                        for name in action.owner_names.split(",")
                        if name.strip()
                    ],
                    "due_date": action.due_date.isoformat() if action.due_date else None,
                    "status": action.status,
                }
                for action in actions.order_by(
                    models.F("due_date").asc(nulls_last=True), "pk"
                )
            ],
            "resolutions": [
                {
                    "order": r.order,
                    "text": r.text,
                    "adopted": r.votes_for > r.votes_against,
                    "votes_for": r.votes_for,
                    "votes_against": r.votes_against,
                    "abstentions": r.abstentions,
                }
                for r in Resolution.objects.filter(meeting_id=meeting_id).order_by("order", "pk")
            ],
            "officers": [
                {"position": o.position, "name": o.name, "user_id": o.user_id}
                for o in ElectedOfficer.objects.filter(meeting_id=meeting_id).order_by(
                    "order", "pk"
                )
            ],
        }
        published.filter(meeting_id=meeting_id).update(record=record)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_meeting_platform_alter_meeting_kind_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="minutes",
            name="record",
            field=models.JSONField(
                blank=True,
                editable=False,
                help_text=(
                    "Actions, résolutions et bureau élu figés à la publication : ce qui change "
                    "ensuite ne réécrit pas le compte rendu publié."
                ),
                null=True,
                verbose_name="actions et votes à la publication",
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "En préparation"),
                    ("convened", "Convoquée"),
                    ("held", "Tenue"),
                    ("minutes_drafted", "Compte rendu en rédaction"),
                    ("minutes_published", "Compte rendu publié"),
                    ("cancelled", "Annulée"),
                ],
                default="draft",
                max_length=30,
                verbose_name="état",
            ),
        ),
        migrations.RunPython(freeze_published_minutes, migrations.RunPython.noop),
    ]
