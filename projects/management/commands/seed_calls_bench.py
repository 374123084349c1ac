"""Calls to measure the calls watch at scale (issue 10, "Performance").

    manage.py seed_calls_bench --calls 10000 [--seed 1]

Adds ``--calls`` published calls (source "bench", so a second run adds more under new
external ids) over the demo's funders, themes and the current regions: a mix of kinds and
scopes, one to three deadlines each spread from a year ago to a year ahead (about a third
closed, a tenth closing within 30 days), one in twenty open all year, one in fifty upcoming;
publication dates over the last two years; dates changed recently on some. Written with
``bulk_create`` in batches, many-to-many rows included, in a few seconds. Deterministic for a
given ``--seed``. Refused unless ``ALLOW_DEMO_DATA`` (like ``seed_demo``).
"""

import datetime
import random
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.models import Region

from ...enums import CallKind, CallScope, CallStatus, FunderKind
from ...models import Call, CallDeadline, Funder, Theme

BATCH = 2000
WORDS = [
    "numérique",
    "industrie",
    "énergie",
    "matériaux",
    "composites",
    "robotique",
    "agroalimentaire",
    "santé",
    "économie",
    "circulaire",
    "formation",
    "hydrogène",
    "bois",
    "acoustique",
    "plasturgie",
    "textile",
    "capteurs",
    "jumeau",
    "intelligence",
    "artificielle",
    "décarbonation",
    "eau",
    "mobilité",
    "bâtiment",
]


class Command(BaseCommand):
    help = "Add many published calls to measure the calls watch (refused in production)."

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, calls, seed, **options):
        if not settings.ALLOW_DEMO_DATA:
            raise CommandError("Bench data is only for development (DEBUG or ALLOW_DEMO_DATA).")
        started = time.monotonic()
        rng = random.Random(seed)
        funders = list(Funder.objects.all()) or [
            Funder.objects.create(name="Financeur de mesure", kind=FunderKind.STATE)
        ]
        themes = list(Theme.objects.all()) or [Theme.objects.create(name="Mesure", slug="mesure")]
        regions = list(Region.objects.current()) if hasattr(Region.objects, "current") else []
        regions = regions or list(Region.objects.all())
        first = Call.objects.filter(source="bench").count()
        now = timezone.now()
        made = 0
        while made < calls:
            size = min(BATCH, calls - made)
            with transaction.atomic():
                self._batch(rng, first + made, size, now, funders, themes, regions)
            made += size
        self.stdout.write(
            f"projects bench: {calls} calls added in {time.monotonic() - started:.1f} s "
            f"({Call.objects.count()} calls in all)"
        )

    def _batch(self, rng, start, size, now, funders, themes, regions):
        rows = []
        for n in range(start, start + size):
            kind = rng.choice(CallKind.values)
            scope = rng.choices(CallScope.values, weights=(5, 4, 1))[0]
            words = " ".join(rng.sample(WORDS, 3))
            amount = Decimal(rng.choice((10, 50, 100, 300, 1000))) * 1000
            rows.append(
                Call(
                    title=f"Appel {n + 1} — {words}",
                    kind=kind,
                    scope=scope,
                    description=f"Projets de {words} portés par des PME et des plateformes.",
                    eligibility="PME, plateformes et consortiums.",
                    applicants=["smes", "platforms"],
                    amount_min=amount / 10,
                    amount_max=amount,
                    rate_min=Decimal(30),
                    rate_max=Decimal(rng.choice((50, 70, 100))),
                    opens_on=(now + datetime.timedelta(days=rng.randint(5, 60))).date()
                    if rng.random() < 0.02
                    else None,
                    open_all_year=rng.random() < 0.05,
                    status=CallStatus.PUBLISHED,
                    source="bench",
                    external_id=str(n + 1),
                    published_at=now - datetime.timedelta(minutes=rng.randint(60, 2 * 365 * 1440)),
                    dates_changed_at=now - datetime.timedelta(hours=rng.randint(1, 72))
                    if rng.random() < 0.05
                    else None,
                )
            )
        made = Call.objects.bulk_create(rows, batch_size=BATCH)
        deadlines, call_funders, call_themes, call_regions = [], [], [], []
        for call in made:
            if not call.open_all_year:
                for index in range(rng.choice((1, 1, 2, 3))):
                    days = rng.randint(-365, 365)
                    deadlines.append(
                        CallDeadline(
                            call=call,
                            label=f"Relève {index + 1}",
                            due_at=now + datetime.timedelta(days=days, hours=rng.randint(0, 23)),
                        )
                    )
            for funder in rng.sample(funders, min(len(funders), rng.choice((1, 1, 2)))):
                call_funders.append(Call.funders.through(call=call, funder=funder))
            for theme in rng.sample(themes, min(len(themes), rng.choice((1, 2, 3)))):
                call_themes.append(Call.themes.through(call=call, theme=theme))
            if call.scope == CallScope.REGIONAL and regions:
                call_regions.append(Call.regions.through(call=call, region=rng.choice(regions)))
        CallDeadline.objects.bulk_create(deadlines, batch_size=BATCH)
        Call.funders.through.objects.bulk_create(call_funders, batch_size=BATCH)
        Call.themes.through.objects.bulk_create(call_themes, batch_size=BATCH)
        Call.regions.through.objects.bulk_create(call_regions, batch_size=BATCH)
