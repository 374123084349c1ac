"""Calls, projects and saved searches of the federation.

The calls come from the calls benchmark (``seed_calls_bench``: funders, themes, kinds,
scopes, deadlines); the projects are led by the federation's platforms with one to four
partners (platforms, firms, labs), at every stage from idea to decision, most aimed at
one of those calls; the saved searches belong to the platforms' people, daily or weekly,
over the calls list's own filters.
"""

import datetime
import io
from decimal import Decimal
from urllib.parse import urlencode

from django.core.management import call_command
from django.utils import timezone

from members.models import Region
from projects.enums import CallKind, Frequency, PartnerKind, ProjectStage
from projects.models import Call, Project, ProjectPartner, SavedSearch, Theme

from .common import BATCH, chunks

STAGES = [  # (stage, weight)
    (ProjectStage.IDEA, 15),
    (ProjectStage.CONSORTIUM, 10),
    (ProjectStage.WRITING, 15),
    (ProjectStage.SUBMITTED, 15),
    (ProjectStage.WON, 20),
    (ProjectStage.NOT_RETAINED, 18),
    (ProjectStage.WITHDRAWN, 7),
]
DECIDED = (ProjectStage.WON, ProjectStage.NOT_RETAINED)
WORDS = ["numérique", "énergie", "matériaux", "robotique", "hydrogène", "bois", "capteurs"]
FIRMS = ["Mécanique du Centre", "Plastiques de l'Ouest", "Bois et Design", "Optique Alpine"]
LABS = ["Laboratoire de mécanique", "Institut des matériaux", "Laboratoire d'informatique"]


def calls(seed: int, count: int, report, stdout=None) -> None:
    out = io.StringIO()
    call_command("seed_calls_bench", calls=count, seed=seed, stdout=out)
    if stdout is not None:
        stdout.write("  " + out.getvalue().strip())
    report.add("calls", count)


def projects(rng, platforms, count: int, report) -> None:
    now = timezone.now()
    call_ids = list(Call.objects.order_by("pk").values_list("pk", flat=True))
    rows, partner_plans = [], []
    for number in range(count):
        lead = rng.choice(platforms)
        stage = rng.choices([s for s, _w in STAGES], weights=[w for _s, w in STAGES])[0]
        created = now - datetime.timedelta(days=rng.randint(10, 20 * 365))
        submitted = decided = None
        if stage in (ProjectStage.SUBMITTED, *DECIDED):
            submitted = (created + datetime.timedelta(days=rng.randint(30, 120))).date()
        if stage in DECIDED:
            decided = submitted + datetime.timedelta(days=rng.randint(60, 180))
        word = rng.choice(WORDS)
        rows.append(
            Project(
                title=f"Projet {word} n°{number + 1} de {lead.name}",
                acronym=f"{word[:4].upper()}{number + 1}",
                summary=f"Un projet collaboratif en {word} porté par {lead.name}.",
                call_id=rng.choice(call_ids) if call_ids and rng.random() < 0.8 else None,
                lead_platform_id=lead.pk,
                stage=stage,
                stage_changed_at=created + datetime.timedelta(days=rng.randint(1, 200)),
                submitted_on=submitted,
                decided_on=decided,
                decision_note="Projet retenu." if stage == ProjectStage.WON else "",
                next_step_owner_id=lead.director_id,
                created_by_id=lead.director_id,
                created_at=created,
                updated_at=created + datetime.timedelta(days=rng.randint(1, 300)),
            )
        )
        partner_plans.append(lead)
    made = []
    for chunk in chunks(rows, BATCH):
        made += Project.objects.bulk_create(chunk, batch_size=BATCH)
    partners = []
    for project, lead in zip(made, partner_plans, strict=True):
        won = project.stage == ProjectStage.WON
        others = [p for p in rng.sample(platforms, min(len(platforms), 3)) if p.pk != lead.pk]
        lines = [(PartnerKind.PLATFORM, lead, "")] + [
            (PartnerKind.PLATFORM, other, "") for other in others[: rng.randint(0, 2)]
        ]
        if rng.random() < 0.6:
            lines.append((PartnerKind.FIRM, None, rng.choice(FIRMS)))
        if rng.random() < 0.3:
            lines.append((PartnerKind.LAB, None, rng.choice(LABS)))
        for order, (kind, platform, organisation) in enumerate(lines):
            budget = Decimal(rng.randint(2, 40) * 5000)
            partners.append(
                ProjectPartner(
                    project=project,
                    kind=kind,
                    platform_id=platform.pk if platform else None,
                    organisation=organisation,
                    role="Porteur" if order == 0 else "Partenaire",
                    budget_requested=budget,
                    amount_obtained=(budget * Decimal("0.8")).quantize(Decimal("1"))
                    if won
                    else None,
                    order=order,
                )
            )
    ProjectPartner.objects.bulk_create(partners, batch_size=BATCH)
    report.add("projects", len(made))
    report.add("project partners", len(partners))


def saved_searches(rng, platforms, count: int, report) -> None:
    themes = list(Theme.objects.order_by("pk").values_list("slug", flat=True))
    regions = list(Region.objects.current().order_by("code").values_list("code", flat=True))
    people = [pk for platform in platforms for pk in platform.people]
    now = timezone.now()
    rows = []
    for number in range(count):
        filters = {}
        if rng.random() < 0.6:
            filters["q"] = rng.choice(WORDS)
        if themes and rng.random() < 0.5:
            filters["theme"] = rng.choice(themes)
        if rng.random() < 0.3:
            filters["kind"] = rng.choice(CallKind.values)
        if regions and rng.random() < 0.4:
            filters["region"] = rng.choice(regions)
        name = " · ".join(str(value) for value in filters.values()) or "Tous les appels"
        daily = rng.random() < 0.3
        watermark = now - datetime.timedelta(days=1 if daily else 7, hours=rng.randint(0, 5))
        rows.append(
            SavedSearch(
                user_id=people[number % len(people)],
                name=f"{name} ({number + 1})"[:120],
                query=urlencode(filters),
                frequency=Frequency.DAILY if daily else Frequency.WEEKLY,
                paused=rng.random() < 0.05,
                watermark=watermark,
                last_sent_at=watermark,
                created_at=now - datetime.timedelta(days=rng.randint(7, 700)),
            )
        )
    for chunk in chunks(rows, BATCH):
        SavedSearch.objects.bulk_create(chunk, batch_size=BATCH)
    report.add("saved searches", count)
