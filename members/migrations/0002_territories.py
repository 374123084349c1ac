"""Load the 18 regions of 2016, the former regions and the 101 departments (INSEE codes)."""

from django.db import migrations
from django.utils.text import slugify


def load(apps, schema_editor):
    from members.data.territories import DEPARTMENTS, FORMER_REGIONS, REGIONS, TILE_GRID

    Region = apps.get_model("members", "Region")
    Department = apps.get_model("members", "Department")
    current = {}
    for code, name in REGIONS:
        col, row = TILE_GRID[code]
        current[code], _ = Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "slug": slugify(name),
                "is_current": True,
                "tile_col": col,
                "tile_row": row,
            },
        )
    for code, name, successor in FORMER_REGIONS:
        if code in current:
            continue  # unchanged in 2016: the current region is its own successor
        Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "slug": slugify(f"{name}-ancienne-region"),
                "is_current": False,
                "successor": current[successor],
            },
        )
    for code, name, region_code in DEPARTMENTS:
        Department.objects.update_or_create(
            code=code, defaults={"name": name, "region": current[region_code]}
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
