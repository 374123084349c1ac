"""Firms' requests to measure the requests' boards and counts at scale (issue 11).

    manage.py seed_requests_bench --requests 100000 [--seed 1]

Adds ``--requests`` requests over the last five years, spread over every department of the
current regions and the labelled platforms: each with one or two domains, a routing to a
platform of its region (or a neighbour), in every state with realistic proportions (60 %
closed done with a transfer level, 10 % declined, 5 % without answer, the rest open), with
their creation and status events. Written with ``bulk_create`` in batches of 5,000 (one
transaction each), many-to-many rows included. Deterministic for a given ``--seed``.
Refused unless ``ALLOW_DEMO_DATA`` (like ``seed_demo``).
"""

import datetime
import hashlib
import random
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.enums import LabelStatus
from members.models import Department, Domain, Platform

from ...enums import RequestEventKind, RequestStatus, RequestTiming, RoutingStatus
from ...models import FirmRequest, RequestEvent, RequestRouting

BATCH = 5000
WEIGHTS = {
    RequestStatus.NEW: 3,
    RequestStatus.ROUTED: 7,
    RequestStatus.ACCEPTED: 5,
    RequestStatus.IN_PROGRESS: 10,
    RequestStatus.DONE: 60,
    RequestStatus.DECLINED: 10,
    RequestStatus.NO_ANSWER: 5,
}
ANSWERED = (
    RequestStatus.ACCEPTED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.DONE,
)


class Command(BaseCommand):
    help = "Add many firms' requests to measure the boards (refused in production)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=100000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, requests, seed, **options):
        if not settings.ALLOW_DEMO_DATA:
            raise CommandError("Bench data is only for development (DEBUG or ALLOW_DEMO_DATA).")
        started = time.monotonic()
        rng = random.Random(seed)
        departments = list(Department.objects.filter(region__is_current=True))
        platforms = list(Platform.objects.filter(label_status=LabelStatus.LABELLED))
        domains = list(Domain.objects.all())
        if not (departments and platforms):
            raise CommandError("Load the demo first (manage.py seed_demo): no platforms.")
        by_region = {}
        for platform in Platform.objects.filter(pk__in=[p.pk for p in platforms]).select_related(
            "department"
        ):
            by_region.setdefault(platform.department.region_id, []).append(platform)
        first = FirmRequest.objects.count()
        made = 0
        while made < requests:
            size = min(BATCH, requests - made)
            with transaction.atomic():
                self._batch(rng, first + made, size, departments, platforms, by_region, domains)
            made += size
        self.stdout.write(
            f"projects bench: {requests} requests added in {time.monotonic() - started:.1f} s "
            f"({FirmRequest.objects.count()} in all)"
        )

    def _batch(self, rng, start, size, departments, platforms, by_region, domains):
        now = timezone.now()
        states, weights = list(WEIGHTS), list(WEIGHTS.values())
        rows = []
        for n in range(start, start + size):
            department = rng.choice(departments)
            status = rng.choices(states, weights)[0]
            created = now - datetime.timedelta(minutes=rng.randint(60, 5 * 365 * 1440))
            if status in (RequestStatus.NEW, RequestStatus.ROUTED):
                created = now - datetime.timedelta(minutes=rng.randint(60, 30 * 1440))
            platform = rng.choice(by_region.get(department.region_id) or platforms)
            routed = created + datetime.timedelta(hours=rng.randint(1, 48))
            answered = routed + datetime.timedelta(hours=rng.randint(2, 24 * 12))
            closed = answered + datetime.timedelta(days=rng.randint(5, 120))
            done = status == RequestStatus.DONE
            request = FirmRequest(
                company_name=f"Entreprise {n + 1}",
                contact_name=f"Contact {n + 1}",
                email=f"contact{n + 1}@bench.example",
                department=department,
                region_id=department.region_id,
                need="Besoin d'essais, de prototypage ou de conseil technologique.",
                timing=rng.choice(RequestTiming.values),
                status=status,
                taken_by=platform if status in ANSWERED else None,
                consent_at=created,
                token_salt=f"{n:032x}"[-32:],
                token_hash=hashlib.sha256(f"bench-{n}".encode()).hexdigest(),
                created_at=created,
                status_changed_at=closed if status in (RequestStatus.DONE,) else routed,
                routed_at=None if status == RequestStatus.NEW else routed,
                first_answer_at=answered if status in ANSWERED else None,
                closed_at=closed
                if status in (RequestStatus.DONE, RequestStatus.DECLINED, RequestStatus.NO_ANSWER)
                else None,
                transfer_level=rng.randint(1, 4) if done else None,
                amount_invoiced=Decimal(rng.choice((0, 800, 2500, 9000))) if done else None,
                outcome="Prestation réalisée." if done else "",
            )
            request._platform = platform
            rows.append(request)
        made = FirmRequest.objects.bulk_create(rows, batch_size=BATCH)
        request_domains, routings, events = [], [], []
        through = FirmRequest.domains.through
        for request in made:
            for domain in rng.sample(domains, min(len(domains), rng.choice((1, 1, 2)))):
                request_domains.append(through(firmrequest=request, domain=domain))
            events.append(
                RequestEvent(
                    request=request, kind=RequestEventKind.CREATED, created_at=request.created_at
                )
            )
            if request.status == RequestStatus.NEW:
                routings.append(RequestRouting(request=request, platform=request._platform))
                continue
            accepted = request.status in ANSWERED
            routings.append(
                RequestRouting(
                    request=request,
                    platform=request._platform,
                    status=RoutingStatus.ACCEPTED if accepted else RoutingStatus.NOTIFIED,
                    created_at=request.routed_at,
                    notified_at=request.routed_at,
                    answered_at=request.first_answer_at,
                )
            )
            events.append(
                RequestEvent(
                    request=request,
                    kind=RequestEventKind.STATUS,
                    status=request.status,
                    created_at=request.status_changed_at,
                )
            )
        through.objects.bulk_create(request_domains, batch_size=BATCH)
        RequestRouting.objects.bulk_create(routings, batch_size=BATCH)
        RequestEvent.objects.bulk_create(events, batch_size=BATCH)
