"""Demo of issue 11: firms' requests, platforms' transfer offer, agreements and a steering
committee (see ``projects/demo/__init__.py``).

- About sixty requests over the last two years in several regions and domains, in every
  state: new ones waiting for the correspondent's routing (with the portal's proposals),
  routed ones (some by a correspondent), a few routed over a week ago without an answer
  (reminders due), accepted and in progress (``innovaltech`` has two in progress), declined
  and passed on to another platform, closed ones with their transfer level and outcome.
- The transfer levels offered by every labelled platform; ``innovaltech``'s three
  agreements (one ending within 90 days) and its steering committee (four colleges) with
  one past meeting (minutes) and one upcoming.

Rows are written directly (with their dated events), not through the services: their
dates lie in the past. Deterministic (a fixed seed).
"""

import datetime
import hashlib
import random
import secrets
from decimal import Decimal

from django.utils import timezone

from innovalo.models import User
from members.enums import (
    AgreementKind,
    College,
    CorrespondentKind,
    LabelStatus,
    TransferLevel,
)
from members.models import (
    Agreement,
    Correspondent,
    Platform,
    SteeringMember,
    TransferOffer,
)

from ..enums import RequestEventKind, RequestSource, RequestStatus, RequestTiming, RoutingStatus
from ..models import FirmRequest, RequestEvent, RequestRouting
from ..services.requests import derive_token, hash_token

COMPANIES = [
    "Ateliers Vermandois",
    "Plastiques de Chauny",
    "Méca Précision Laon",
    "Textiles du Cambrésis",
    "Fonderie de Bourgogne",
    "Bois et Structures du Morvan",
    "Agro Délices Bretons",
    "Électronique Nantaise",
    "Céramiques de Limoges",
    "Composites Atlantique",
    "Robotique Lyonnaise",
    "Chimie Fine du Rhône",
    "Énergies du Creusot",
    "Hydro Alpes",
    "Laiterie des Vosges",
    "Menuiserie Alsacienne",
    "Optique de Besançon",
    "Vins de Champagne Tech",
    "Acier Lorrain",
    "Capteurs d'Occitanie",
    "Aéro Pièces Toulouse",
    "Verrerie Normande",
    "Cuir de Touraine",
    "Papeterie d'Angoulême",
    "Biotech Montpellier",
    "Mobilier Vendéen",
]
NEEDS = [
    "Nous cherchons à réduire le temps de cycle de notre presse à injecter et à mesurer la "
    "qualité des pièces en ligne.",
    "Besoin d'essais de résistance sur un nouveau matériau composite avant une mise sur le marché.",
    "Nous voulons numériser le suivi de production de notre atelier (capteurs, tableau de bord).",
    "Étude de faisabilité pour un emballage biosourcé de nos produits frais.",
    "Recherche d'un alternant et d'un accompagnement pour automatiser une ligne de "
    "conditionnement.",
    "Diagnostic énergétique de nos fours et pistes de récupération de chaleur.",
    "Prototype d'une pièce mécanique en fabrication additive métal.",
    "Formation de nos techniciens à la maintenance prédictive.",
    "Verrou technologique sur le collage multi-matériaux : partenariat de recherche souhaité.",
]
OUTCOMES = {
    1: "Projet d'étudiants de BTS sur six semaines ; recommandations livrées.",
    2: "Un alternant recruté sur deux ans pour mener le projet.",
    3: "Expertise et essais réalisés au plateau technique ; rapport remis.",
    4: "Thèse CIFRE engagée avec le laboratoire partenaire.",
}
OFFERS = {
    1: "Projets d'étudiants et stages encadrés par nos enseignants.",
    2: "Contrats d'alternance au service d'un projet d'innovation.",
    3: "Essais, prototypage et formation sur notre plateau technique.",
    4: "Partenariat avec les laboratoires de l'université pour lever un verrou.",
}
# State of each demo request, in order (60): counts per state.
STATES = (
    [RequestStatus.NEW] * 5
    + [RequestStatus.ROUTED] * 9
    + [RequestStatus.ACCEPTED] * 5
    + [RequestStatus.IN_PROGRESS] * 8
    + [RequestStatus.DONE] * 22
    + [RequestStatus.DECLINED] * 6
    + [RequestStatus.NO_ANSWER] * 5
)


def _token():
    """A salt and a provisional unique hash (replaced once the request has its key)."""
    salt = secrets.token_hex(16)
    return salt, hashlib.sha256(secrets.token_bytes(32)).hexdigest()


def _event(request, kind, when, *, status="", platform=None, author=None, text=""):
    return RequestEvent(
        request=request,
        kind=kind,
        status=status,
        platform=platform,
        author=author,
        text=text,
        created_at=when,
    )


def seed_requests(rng) -> list:
    now = timezone.now()
    platforms = list(
        Platform.objects.filter(label_status=LabelStatus.LABELLED)
        .select_related("department")
        .prefetch_related("domains")
        .order_by("slug")
    )
    innovaltech = next(p for p in platforms if p.slug == "innovaltech")
    others = [p for p in platforms if p.slug != "innovaltech"]
    correspondents = {
        c.region_id: c.user
        for c in Correspondent.objects.filter(kind=CorrespondentKind.REGIONAL).select_related(
            "user"
        )
    }
    bureau = User.objects.get(email="bureau@innovalo.demo")
    requests, events, routings = [], [], []
    first_in_progress = STATES.index(RequestStatus.IN_PROGRESS)
    for index, status in enumerate(STATES):
        # innovaltech has the first two requests in progress.
        in_innovaltech = status == RequestStatus.IN_PROGRESS and index < first_in_progress + 2
        platform = innovaltech if in_innovaltech else rng.choice(others)
        if status == RequestStatus.NEW:
            department = rng.choice([innovaltech.department, *[p.department for p in others]])
        else:
            department = platform.department
        domains = list(platform.domains.all())[:2]
        days_ago = {
            RequestStatus.NEW: rng.randint(0, 3),
            RequestStatus.ROUTED: rng.randint(2, 14),
        }.get(status, rng.randint(20, 700))
        created = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 9))
        salt, token_hash = _token()
        request = FirmRequest(
            company_name=f"{COMPANIES[index % len(COMPANIES)]}",
            siret="",
            contact_name=rng.choice(["Claire", "Marc", "Sophie", "Karim", "Julie", "Hugo"])
            + " "
            + rng.choice(["Durand", "Lefèvre", "Moreau", "Benali", "Roux", "Fontaine"]),
            email=f"contact{index + 1}@entreprise-demo.fr",
            phone=f"03 23 00 00 {index % 100:02d}",
            department=department,
            region_id=department.region_id,
            need=NEEDS[index % len(NEEDS)],
            timing=rng.choice(RequestTiming.values),
            source=RequestSource.PLATFORM
            if index % 3 == 0 and status != RequestStatus.NEW
            else RequestSource.DIRECTORY,
            target_platform=platform if index % 3 == 0 and status != RequestStatus.NEW else None,
            status=status,
            consent_at=created,
            token_salt=salt,
            token_hash=token_hash,
            created_at=created,
            status_changed_at=created,
        )
        request._domains = domains
        request._platform = platform
        requests.append(request)
    FirmRequest.objects.bulk_create(requests)
    for index, request in enumerate(requests):
        # The private link's hash, now that the key is known: the demo firms' links work.
        request.token_hash = hash_token(derive_token(request.pk, request.token_salt))
        request.domains.set(request._domains)
        platform = request._platform
        created = request.created_at
        events.append(_event(request, RequestEventKind.CREATED, created))
        if request.status == RequestStatus.NEW:
            for candidate in rng.sample(others, 3):
                routings.append(
                    RequestRouting(request=request, platform=candidate, score=rng.randint(5, 25))
                )
            continue
        routed = created + datetime.timedelta(hours=rng.randint(2, 30))
        # Routed by the region's correspondent (or the bureau where there is none), unless
        # the firm addressed the platform from its profile.
        by_correspondent = request.target_platform is None
        correspondent = correspondents.get(request.region_id, bureau)
        routings.append(
            RequestRouting(
                request=request,
                platform=platform,
                status=RoutingStatus.NOTIFIED,
                score=20,
                routed_by=correspondent if by_correspondent else None,
                created_at=routed,
                notified_at=routed,
            )
        )
        events.append(
            _event(
                request,
                RequestEventKind.ROUTED,
                routed,
                status=RequestStatus.ROUTED,
                platform=platform,
                author=correspondent if by_correspondent else None,
            )
        )
        request.routed_at = routed
        if request.status in (RequestStatus.ROUTED, RequestStatus.NO_ANSWER):
            request.status_changed_at = routed
            if request.status == RequestStatus.NO_ANSWER:
                closed = routed + datetime.timedelta(days=30)
                request.closed_at = request.status_changed_at = closed
                events.append(
                    _event(
                        request,
                        RequestEventKind.STATUS,
                        closed,
                        status=RequestStatus.NO_ANSWER,
                        text="Aucune réponse des plateformes en 30 jours.",
                    )
                )
            continue
        if request.status == RequestStatus.DECLINED:
            # Declined by the first platform and passed on to another, which declined too.
            second = rng.choice([p for p in others if p != platform])
            answered = routed + datetime.timedelta(days=2)
            routings[-1].status = RoutingStatus.PASSED
            routings[-1].passed_to = second
            routings[
                -1
            ].reason = "Hors de nos équipements ; une plateforme voisine est mieux placée."
            routings[-1].answered_at = answered
            routings.append(
                RequestRouting(
                    request=request,
                    platform=second,
                    status=RoutingStatus.DECLINED,
                    reason="Plan de charge complet pour le semestre.",
                    created_at=answered,
                    notified_at=answered,
                    answered_at=answered + datetime.timedelta(days=3),
                )
            )
            closed = answered + datetime.timedelta(days=4)
            request.closed_at = request.status_changed_at = closed
            events.append(
                _event(
                    request,
                    RequestEventKind.ROUTED,
                    answered,
                    platform=second,
                    text="Passée à une autre plateforme.",
                )
            )
            events.append(
                _event(
                    request,
                    RequestEventKind.STATUS,
                    closed,
                    status=RequestStatus.DECLINED,
                    text="Aucune plateforme disponible ; l'entreprise a été prévenue.",
                )
            )
            continue
        accepted = routed + datetime.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
        routings[-1].status = RoutingStatus.ACCEPTED
        routings[-1].answered_at = accepted
        request.taken_by = platform
        request.first_answer_at = accepted
        events.append(
            _event(
                request,
                RequestEventKind.STATUS,
                accepted,
                status=RequestStatus.ACCEPTED,
                platform=platform,
            )
        )
        if request.status == RequestStatus.ACCEPTED:
            request.status_changed_at = accepted
            continue
        started = accepted + datetime.timedelta(days=rng.randint(2, 10))
        events.append(
            _event(
                request,
                RequestEventKind.STATUS,
                started,
                status=RequestStatus.IN_PROGRESS,
                platform=platform,
            )
        )
        events.append(
            _event(
                request,
                RequestEventKind.MESSAGE_PLATFORM,
                started + datetime.timedelta(hours=2),
                platform=platform,
                text="Nous vous proposons une visite de l'atelier la semaine prochaine.",
            )
        )
        if request.status == RequestStatus.IN_PROGRESS:
            request.status_changed_at = started
            continue
        level = TransferLevel.values[index % 4]
        closed = min(started + datetime.timedelta(days=rng.randint(20, 120)), now)
        request.closed_at = request.status_changed_at = closed
        request.transfer_level = level
        request.outcome = OUTCOMES[level]
        request.amount_invoiced = Decimal(rng.choice((0, 1500, 4800, 12000))) or None
        events.append(
            _event(
                request,
                RequestEventKind.STATUS,
                closed,
                status=RequestStatus.DONE,
                platform=platform,
                text=OUTCOMES[level],
            )
        )
    FirmRequest.objects.bulk_update(
        requests,
        [
            "token_hash",
            "routed_at",
            "first_answer_at",
            "closed_at",
            "status_changed_at",
            "taken_by",
            "transfer_level",
            "outcome",
            "amount_invoiced",
        ],
    )
    RequestRouting.objects.bulk_create(routings)
    RequestEvent.objects.bulk_create(events)
    return requests


def seed_offers_agreements_committee(rng):
    now = timezone.now()
    today = timezone.localdate()
    offers = []
    for platform in Platform.objects.filter(label_status=LabelStatus.LABELLED).order_by("slug"):
        levels = sorted(rng.sample(TransferLevel.values, rng.randint(2, 4)))
        if platform.slug == "innovaltech":
            levels = [1, 2, 3]
        offers.extend(
            TransferOffer(platform=platform, level=level, description=OFFERS[level])
            for level in levels
        )
    TransferOffer.objects.bulk_create(offers, ignore_conflicts=True)
    innovaltech = Platform.objects.get(slug="innovaltech")
    director = User.objects.get(email="directeur@innovalo.demo")
    Agreement.objects.bulk_create(
        [
            Agreement(
                platform=innovaltech,
                partner="Lycée Henri-Martin, Saint-Quentin",
                kind=AgreementKind.HOST,
                subject="Hébergement de la plateforme et mise à disposition du plateau technique",
                starts_on=today.replace(year=today.year - 4, month=9, day=1),
                ends_on=today + datetime.timedelta(days=75),
                created_by=director,
            ),
            Agreement(
                platform=innovaltech,
                partner="Région Hauts-de-France",
                kind=AgreementKind.REGION,
                subject="Soutien au fonctionnement et aux équipements (convention pluriannuelle)",
                starts_on=today.replace(year=today.year - 1, month=1, day=1),
                ends_on=today.replace(year=today.year + 2, month=12, day=31),
                created_by=director,
            ),
            Agreement(
                platform=innovaltech,
                partner="Campus des métiers et des qualifications Industrie du futur",
                kind=AgreementKind.CAMPUS,
                subject="Actions communes de formation et d'alternance",
                starts_on=today.replace(year=today.year - 2, month=3, day=1),
                ends_on=None,
                created_by=director,
            ),
        ]
    )
    members = [
        SteeringMember(
            platform=innovaltech,
            user=director,
            college=College.TRAINING,
            role="Directeur de la plateforme",
        ),
        SteeringMember(
            platform=innovaltech,
            name="Hélène Caron",
            organisation="CCI de l'Aisne",
            email="h.caron@cci-aisne.example",
            college=College.ECONOMY,
            role="Représentante des entreprises",
        ),
        SteeringMember(
            platform=innovaltech,
            name="Paul Mercier",
            organisation="Agglomération du Saint-Quentinois",
            college=College.TERRITORY,
            role="Développement économique",
        ),
        SteeringMember(
            platform=innovaltech,
            name="Nadia Haddad",
            organisation="Université de Picardie Jules Verne, laboratoire LTI",
            college=College.RESEARCH,
            role="Maîtresse de conférences",
        ),
    ]
    SteeringMember.objects.bulk_create(members)
    _committee_meetings(innovaltech, director, now)


def _committee_meetings(platform, director, now):
    from meetings.enums import MeetingKind, MeetingStatus
    from meetings.models import Meeting

    past_start = (now - datetime.timedelta(days=120)).replace(hour=14, minute=0, second=0)
    next_start = (now + datetime.timedelta(days=40)).replace(hour=14, minute=0, second=0)
    for start, status, title in (
        (past_start, MeetingStatus.HELD, "Comité de pilotage d'InnovalTech — bilan annuel"),
        (next_start, MeetingStatus.CONVENED, "Comité de pilotage d'InnovalTech — programme"),
    ):
        Meeting.objects.create(
            kind=MeetingKind.STEERING_COMMITTEE,
            platform=platform,
            title=title,
            description="Bilan des prestations, demandes des entreprises, conventions.",
            start=start,
            end=start + datetime.timedelta(hours=2),
            place="Lycée Henri-Martin, Saint-Quentin",
            organiser=director,
            status=status,
            convened_at=start - datetime.timedelta(days=21) if start < now else now,
        )


def seed_territory(stdout) -> None:
    if FirmRequest.objects.exists() or not Platform.objects.filter(slug="innovaltech").exists():
        stdout.write("projects: demo requests already loaded (or no demo platforms)")
        return
    rng = random.Random(11)
    requests = seed_requests(rng)
    seed_offers_agreements_committee(rng)
    stdout.write(f"projects: {len(requests)} firms' requests, agreements and a committee ready")
