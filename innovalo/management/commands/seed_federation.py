"""manage.py seed_federation [--seed 1] [--scale 1.0]: the federation-scale data set of
issue 15 on top of the demo (see ``innovalo.federation``). Refused in production."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from innovalo.federation import already_seeded, seed_federation


class Command(BaseCommand):
    help = "Add a generated federation 100 times the network (refused in production)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiplies every count (0.01 for tests)."
        )

    def handle(self, *args, seed, scale, **options):
        if not settings.ALLOW_DEMO_DATA:
            raise CommandError("Demo data is only for development (DEBUG or ALLOW_DEMO_DATA).")
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if already_seeded():
            raise CommandError("The federation is already there (platforms fed-…): nothing added.")
        started = time.perf_counter()
        self.stdout.write(f"seed_federation: seed {seed}, scale {scale}")
        report = seed_federation(seed=seed, scale=scale, stdout=self.stdout)
        if connection.vendor == "postgresql":
            # Bulk inserts leave the planner without statistics (autovacuum comes later):
            # measured pages would join whole tables until it does.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for label, count in report.counts.items():
            self.stdout.write(f"  {count:>9,} {label}".replace(",", " "))
        self.stdout.write(
            self.style.SUCCESS(f"federation ready in {time.perf_counter() - started:.1f} s")
        )
