"""PostgreSQL's unaccent extension, for searches that ignore accents (innovalo.french).

A trusted extension since PostgreSQL 13: the database owner may create it. Nothing to
do on SQLite, where innovalo.french registers its own ``unaccent`` on each connection.
"""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("innovalo", "0004_verified_addresses")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop, elidable=False)]
