import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def split_keys(apps, schema_editor):
    """Old rows had one string key: keep it as the target, the kind as the rule."""
    SentReminder = apps.get_model("innovalo", "SentReminder")
    for row in SentReminder.objects.all().iterator():
        row.rule = row.kind[:60]
        row.target = row.key[:120]
        row.period = ""
        row.status = "sent" if row.sent_at else "failed"
        row.save(update_fields=["rule", "target", "period", "status"])


class Migration(migrations.Migration):
    dependencies = [
        ("innovalo", "0002_invitation_platform_invitation_platform_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sentreminder",
            name="rule",
            field=models.CharField(default="", max_length=60, verbose_name="règle"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="sentreminder",
            name="target",
            field=models.CharField(
                default="", help_text="app.modèle:pk", max_length=120, verbose_name="objet"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="sentreminder",
            name="period",
            field=models.CharField(blank=True, default="", max_length=60, verbose_name="période"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="sentreminder",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "À envoyer"),
                    ("sending", "En cours d'envoi"),
                    ("sent", "Envoyé"),
                    ("failed", "Échec (sera réessayé)"),
                    ("skipped", "Sans objet"),
                ],
                default="pending",
                max_length=10,
                verbose_name="état",
            ),
        ),
        migrations.AddField(
            model_name="sentreminder",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="tentatives"),
        ),
        migrations.AddField(
            model_name="sentreminder",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="dernière erreur"),
        ),
        migrations.AddField(
            model_name="sentreminder",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="pris en charge le"),
        ),
        migrations.RunPython(split_keys, migrations.RunPython.noop),
        migrations.RemoveField(model_name="sentreminder", name="key"),
        migrations.RemoveField(model_name="sentreminder", name="kind"),
        migrations.AlterField(
            model_name="sentreminder",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="enregistré le"
            ),
        ),
        migrations.AlterModelOptions(
            name="sentreminder",
            options={
                "ordering": ["-created_at", "pk"],
                "verbose_name": "e-mail envoyé",
                "verbose_name_plural": "e-mails envoyés",
            },
        ),
        migrations.AddConstraint(
            model_name="sentreminder",
            constraint=models.UniqueConstraint(
                fields=("rule", "target", "period"),
                name="sentreminder_one_per_rule_target_period",
                violation_error_message="Cet e-mail est déjà enregistré.",
            ),
        ),
        migrations.AddIndex(
            model_name="sentreminder",
            index=models.Index(fields=["status", "created_at"], name="sentreminder_status_idx"),
        ),
        migrations.AddIndex(
            model_name="sentreminder",
            index=models.Index(fields=["target"], name="sentreminder_target_idx"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="token_salt",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="le")),
                ("action", models.CharField(max_length=60, verbose_name="action")),
                ("target", models.CharField(max_length=120, verbose_name="objet")),
                ("scope", models.CharField(max_length=120, verbose_name="page")),
                ("object_repr", models.CharField(blank=True, max_length=255, verbose_name="désignation")),
                ("message", models.CharField(blank=True, max_length=255, verbose_name="message")),
                ("changes", models.JSONField(blank=True, default=dict, verbose_name="modifications")),
                ("amount", models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, verbose_name="montant")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="par",
                    ),
                ),
            ],
            options={
                "verbose_name": "entrée d'historique",
                "verbose_name_plural": "historique",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["scope", "-created_at"], name="auditentry_scope_idx"),
                    models.Index(fields=["target", "-created_at"], name="auditentry_target_idx"),
                ],
            },
        ),
    ]
