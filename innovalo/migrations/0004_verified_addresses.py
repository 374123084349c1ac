from django.db import migrations


def verify_addresses(apps, schema_editor):
    """Every existing account gets its address verified and primary (see signals)."""
    User = apps.get_model("innovalo", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.exclude(email__endswith="@anonyme.invalid").iterator():
        EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
        address, _ = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])


class Migration(migrations.Migration):
    dependencies = [
        ("innovalo", "0003_outbox_audit"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify_addresses, migrations.RunPython.noop)]
