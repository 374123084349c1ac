"""The demo projects (see the package's docstring)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from innovalo.audit import log_action
from innovalo.models import User
from members.models import Platform

from ..enums import PartnerKind, ProjectStage
from ..models import Project, ProjectPartner

OTHER_PLATFORMS = [
    "amiens-numerique",
    "dijon-agro",
    "bordeaux-aero",
    "reims-agro",
    "epinal-bois",
    "le-mans-acoustique",
]

# (acronym, title, call key, lead (index in OTHER_PLATFORMS or "innovaltech"), stage,
#  partners [(platform key or (kind, organisation)), role, budget, obtained)], next step)
PROJECTS = [
    (
        "JUMEAU",
        "Jumeaux numériques pour les PME de la plasturgie",
        "f2030-num",
        0,
        ProjectStage.WRITING,
        [
            ("innovaltech", "Essais et instrumentation des presses", 180_000, None),
            ((PartnerKind.FIRM, "Plastiques du Vermandois"), "Site pilote", 90_000, None),
        ],
        ("Envoyer le budget consolidé aux partenaires", 6),
    ),
    (
        "DECARBO",
        "Décarboner les fours des fonderies de Bourgogne",
        "ademe-eco",
        "innovaltech",
        ProjectStage.SUBMITTED,
        [
            (1, "Bilan énergétique des sites", 60_000, None),
            (
                (PartnerKind.LAB, "Laboratoire ICB — Université de Bourgogne"),
                "Modélisation",
                75_000,
                None,
            ),
        ],
        ("Préparer l'audition devant le jury", 20),
    ),
    (
        "COMPOSIT",
        "Plateforme mutualisée de prototypage composite",
        "archived",
        2,
        ProjectStage.WON,
        [
            (4, "Usinage et assemblage", 140_000, 120_000),
            ((PartnerKind.FIRM, "Aéro Composites Sud-Ouest"), "Industrialisation", 60_000, 60_000),
        ],
        None,
    ),
    (
        "AGRINOV",
        "Capteurs connectés pour les coopératives agricoles",
        "feder-76",
        3,
        ProjectStage.NOT_RETAINED,
        [(1, "Tests en conditions réelles", 40_000, None)],
        None,
    ),
    (
        "LABMAT",
        "Laboratoire commun sur les matériaux biosourcés",
        "anr",
        4,
        ProjectStage.IDEA,
        [
            (
                (PartnerKind.LAB, "LERMAB — Université de Lorraine"),
                "Direction scientifique",
                150_000,
                None,
            )
        ],
        ("Réunir les partenaires pour la pré-proposition", 10),
    ),
    (
        "FORMAKOU",
        "Former les techniciens de l'acoustique industrielle",
        "compet",
        5,
        ProjectStage.CONSORTIUM,
        [
            (0, "Modules numériques", 35_000, None),
            (
                (PartnerKind.OTHER, "Campus des métiers et des qualifications"),
                "Déploiement",
                25_000,
                None,
            ),
        ],
        ("Signer la lettre d'engagement des partenaires", 14),
    ),
]
LEAD_BUDGET = {
    "JUMEAU": 220_000,
    "DECARBO": 150_000,
    "COMPOSIT": 300_000,
    "AGRINOV": 90_000,
    "LABMAT": 120_000,
    "FORMAKOU": 80_000,
}
OBTAINED = {"COMPOSIT": 280_000}


def seed_projects(calls) -> list:
    found = {p.slug: p for p in Platform.objects.filter(slug__in=[*OTHER_PLATFORMS, "innovaltech"])}
    others = [found[slug] for slug in OTHER_PLATFORMS if slug in found]
    innovaltech = found.get("innovaltech")
    if innovaltech is None or len(others) < len(OTHER_PLATFORMS):
        return []
    bureau = User.objects.get(email="bureau@innovalo.demo")
    director = User.objects.get(email="directeur@innovalo.demo")
    today = timezone.localdate()

    def platform(key):
        return innovaltech if key == "innovaltech" else others[key]

    projects = []
    for acronym, title, call_key, lead, stage, partners, next_step in PROJECTS:
        call = calls[call_key]
        lead_platform = platform(lead)
        decided = stage in (ProjectStage.WON, ProjectStage.NOT_RETAINED)
        deadline = call.deadlines.order_by("-due_at").first()
        project = Project.objects.create(
            title=title,
            acronym=acronym,
            summary=f"{title} : un projet co-construit par les plateformes du réseau "
            "et leurs partenaires.",
            call=call,
            lead_platform=lead_platform,
            stage=stage,
            deadline=deadline.due_at if deadline else None,
            submitted_on=today - datetime.timedelta(days=200 if decided else 10)
            if stage in (ProjectStage.SUBMITTED, *[ProjectStage.WON, ProjectStage.NOT_RETAINED])
            else None,
            decided_on=today - datetime.timedelta(days=90) if decided else None,
            decision_note="Projet retenu par le comité de sélection."
            if stage == ProjectStage.WON
            else ("Projet classé sur liste complémentaire, non financé." if decided else ""),
            next_step=next_step[0] if next_step else "",
            next_step_owner=director if next_step and lead_platform == innovaltech else None,
            next_step_due=today + datetime.timedelta(days=next_step[1]) if next_step else None,
            created_by=bureau,
        )
        ProjectPartner.objects.create(
            project=project,
            kind=PartnerKind.PLATFORM,
            platform=lead_platform,
            role="Coordination",
            budget_requested=Decimal(LEAD_BUDGET[acronym]),
            amount_obtained=Decimal(OBTAINED[acronym]) if acronym in OBTAINED else None,
            order=0,
        )
        for order, (who, role, budget, obtained) in enumerate(partners, start=1):
            if isinstance(who, tuple):
                values = {"kind": who[0], "organisation": who[1]}
            else:
                values = {"kind": PartnerKind.PLATFORM, "platform": platform(who)}
            ProjectPartner.objects.create(
                project=project,
                role=role,
                budget_requested=Decimal(budget),
                amount_obtained=Decimal(obtained) if obtained is not None else None,
                order=order,
                **values,
            )
        log_action(project, "projects.project_created", actor=bureau, message="Projet créé")
        projects.append(project)
    return projects
