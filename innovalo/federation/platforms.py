"""Platforms of the federation over every current region, with their establishments,
equipment, transfer offers and people (a director each at least, some staff and
accounting contacts, a tenth of the directors running a second platform).

Written with ``bulk_create`` (no history rows, no signals): the users' verified primary
addresses, which a signal writes for a saved user, are written here too. Every person
logs in with the demo password.
"""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify

from innovalo.enums import Role
from innovalo.models import User
from members.enums import EstablishmentKind, HostRole, LabelStatus, PlatformRole
from members.models import (
    Department,
    Domain,
    Equipment,
    Establishment,
    Platform,
    PlatformHost,
    PlatformMembership,
    Region,
    Service,
    TransferOffer,
)

from .common import BATCH, EMAIL_DOMAIN, SLUG_PREFIX, chunks, person_name, years

SPECIALTIES = [
    "Mécanique", "Plasturgie", "Composites", "Usinage", "Électronique", "Robotique",
    "Agroalimentaire", "Bois", "Textile", "Énergie", "Numérique", "Matériaux", "Optique",
    "Acoustique", "Chimie", "Biotechnologies", "Bâtiment", "Eau", "Métrologie", "Soudage",
]  # fmt: skip
EQUIPMENT = [
    "Presse à injecter", "Centre d'usinage 5 axes", "Imprimante 3D métal", "Banc d'essais",
    "Chambre climatique", "Scanner 3D", "Robot collaboratif", "Spectromètre", "Autoclave",
    "Découpe laser", "Soufflerie", "Salle blanche",
]  # fmt: skip
LABELS = [  # (status, weight)
    (LabelStatus.LABELLED, 80),
    (LabelStatus.RENEWAL, 7),
    (LabelStatus.EXPIRED, 8),
    (LabelStatus.NOT_LABELLED, 5),
]
KINDS = (
    [EstablishmentKind.LYCEE] * 5
    + [EstablishmentKind.IUT] * 3
    + [
        EstablishmentKind.UNIVERSITY,
        EstablishmentKind.ENGINEERING_SCHOOL,
    ]
)


@dataclass
class FedPlatform:
    """What later parts need of a generated platform."""

    pk: int
    slug: str
    name: str
    region_id: int
    department_id: int
    joined: int  # the year it joined the network
    is_member: bool
    label_status: str
    director_id: int
    people: list  # user ids, the director first


def _reference_lists():
    domains = list(Domain.objects.order_by("pk"))
    if not domains:
        domains = [Domain.objects.create(name=name, slug=slugify(name)) for name in SPECIALTIES[:8]]
    services = list(Service.objects.order_by("pk"))
    if not services:
        services = [
            Service.objects.create(name=name, slug=slugify(name))
            for name in ("Essais", "Prototypage", "Formation continue", "Conseil")
        ]
    return domains, services


def generate(rng, count: int, report) -> list[FedPlatform]:
    """``count`` platforms and their people; returns them in creation order."""
    all_years = years()
    today = timezone.localdate()
    regions = list(Region.objects.current().order_by("code"))
    departments = {}
    for department in Department.objects.filter(region__in=regions).order_by("code"):
        departments.setdefault(department.region_id, []).append(department)
    regions = [region for region in regions if region.pk in departments]
    domains, services = _reference_lists()
    password = make_password(settings.DEMO_PASSWORD)

    plans, platforms = [], []
    for number in range(count):
        region = regions[number % len(regions)]  # every region, in turn
        department = rng.choice(departments[region.pk])
        specialty = rng.choice(SPECIALTIES)
        slug = f"{SLUG_PREFIX}{number + 1:05d}-{slugify(specialty)}"
        status = rng.choices([s for s, _w in LABELS], weights=[w for _s, w in LABELS])[0]
        joined = all_years[0] if rng.random() < 0.5 else rng.choice(all_years)
        granted = datetime.date(joined, rng.randint(1, 12), 1)
        if status == LabelStatus.LABELLED:
            expires = today + datetime.timedelta(days=rng.randint(20, 5 * 365))
        elif status == LabelStatus.RENEWAL:
            expires = today + datetime.timedelta(days=rng.randint(0, 180))
        elif status == LabelStatus.EXPIRED:
            expires = today - datetime.timedelta(days=rng.randint(30, 3 * 365))
            granted = expires - datetime.timedelta(days=5 * 365)
        else:
            granted = expires = None
        postal = (department.code if department.code.isdigit() else "20") + "000"
        city = f"{department.name}"
        name = f"Plateforme {specialty} {city} {number + 1}"
        platforms.append(
            Platform(
                name=name,
                acronym=f"PFT{number + 1}",
                slug=slug,
                description=(
                    f"{name} accompagne les PME de son territoire en {specialty.lower()} : "
                    "essais, prototypes et formation, avec les élèves et les étudiants."
                ),
                city=city,
                department=department,
                address=f"{rng.randint(1, 120)} rue de l'Industrie",
                postal_code=postal[:5],
                website=f"https://www.{slug}.example",
                email=f"contact@{slug}.example",
                phone=f"0{rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                label_status=status,
                label_granted_on=granted,
                label_expires_on=expires,
                is_member=rng.random() < 0.9,
                billing_name=f"Agent comptable — {name}",
                billing_address=f"{rng.randint(1, 99)} avenue de la Comptabilité\n{postal} {city}",
                siret=f"{rng.randint(10**13, 10**14 - 1)}",
                chorus_service_code=f"SERV-{number + 1:05d}",
                reviewed_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 700)),
                services_description="Essais, prototypage et formation sur mesure.",
            )
        )
        plans.append((region.pk, department.pk, joined, specialty))
    made = []
    for chunk in chunks(platforms, BATCH):
        made += Platform.objects.bulk_create(chunk, batch_size=BATCH)
    report.add("platforms", len(made))

    # Domains, services, establishments, equipment, transfer offers.
    platform_domains, platform_services, establishments, equipment, offers = [], [], [], [], []
    for index, platform in enumerate(made):
        specialty = plans[index][3]
        for domain in rng.sample(domains, min(len(domains), rng.randint(1, 3))):
            platform_domains.append(Platform.domains.through(platform=platform, domain=domain))
        for service in rng.sample(services, min(len(services), rng.randint(2, 4))):
            platform_services.append(Platform.services.through(platform=platform, service=service))
        kind = rng.choice(KINDS)
        establishments.append(
            Establishment(
                name=f"{kind.label} {LAST_NAMES_OF_PLACES[index % len(LAST_NAMES_OF_PLACES)]} "
                f"{index + 1}",
                kind=kind,
                uai=f"99{index + 1:05d}{chr(65 + index % 26)}",
                city=platform.city,
                department_id=platform.department_id,
            )
        )
        for item in rng.sample(EQUIPMENT, rng.randint(1, 3)):
            equipment.append(Equipment(platform=platform, name=item, description=specialty))
        for level in sorted(rng.sample([1, 2, 3, 4], rng.randint(1, 3))):
            offers.append(TransferOffer(platform=platform, level=level))
    Platform.domains.through.objects.bulk_create(platform_domains, batch_size=BATCH)
    Platform.services.through.objects.bulk_create(platform_services, batch_size=BATCH)
    establishments = Establishment.objects.bulk_create(establishments, batch_size=BATCH)
    hosts = [
        PlatformHost(platform=platform, establishment=establishment, role=HostRole.CARRYING)
        for platform, establishment in zip(made, establishments, strict=True)
    ]
    # A partner establishment for three platforms in ten: a neighbour's carrying one.
    for index, platform in enumerate(made):
        if len(made) > 1 and rng.random() < 0.3:
            other = establishments[(index + 1 + rng.randrange(len(made) - 1)) % len(made)]
            hosts.append(
                PlatformHost(platform=platform, establishment=other, role=HostRole.PARTNER)
            )
    PlatformHost.objects.bulk_create(hosts, batch_size=BATCH)
    Equipment.objects.bulk_create(equipment, batch_size=BATCH)
    TransferOffer.objects.bulk_create(offers, batch_size=BATCH)
    report.add("establishments", len(establishments))
    report.add("equipment", len(equipment))

    # People.
    users, roles = [], []  # roles: (platform index, PlatformRole) per user
    for index, platform in enumerate(made):
        for role, share in (
            (PlatformRole.DIRECTOR, 1.0),
            (PlatformRole.STAFF, 0.4),
            (PlatformRole.ACCOUNTING, 0.3),
        ):
            if rng.random() >= share:
                continue
            first, last = person_name(rng)
            local = {"director": "direction", "staff": "equipe", "accounting": "compta"}[role]
            users.append(
                User(
                    email=f"{local}.{platform.slug}@{EMAIL_DOMAIN}",
                    first_name=first,
                    last_name=last,
                    phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                    role=Role.DIRECTOR,
                    password=password,
                )
            )
            roles.append((index, role))
    made_users = []
    for chunk in chunks(users, BATCH):
        made_users += User.objects.bulk_create(chunk, batch_size=BATCH)
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in made_users
        ],
        batch_size=BATCH,
    )
    memberships = []
    people = [[] for _platform in made]
    directors = {}
    for user, (index, role) in zip(made_users, roles, strict=True):
        memberships.append(PlatformMembership(platform=made[index], user=user, role=role))
        people[index].append(user.pk)
        if role == PlatformRole.DIRECTOR:
            directors[index] = user.pk
    # A tenth of the directors also run the next platform (one user, several platforms).
    for index in range(len(made) - 1):
        if rng.random() < 0.1:
            memberships.append(
                PlatformMembership(
                    platform=made[index + 1], user_id=directors[index], role=PlatformRole.STAFF
                )
            )
            people[index + 1].append(directors[index])
    PlatformMembership.objects.bulk_create(memberships, batch_size=BATCH)
    report.add("users", len(made_users))
    report.add("platform memberships", len(memberships))

    return [
        FedPlatform(
            pk=platform.pk,
            slug=platform.slug,
            name=platform.name,
            region_id=plans[index][0],
            department_id=plans[index][1],
            joined=plans[index][2],
            is_member=platform.is_member,
            label_status=platform.label_status,
            director_id=directors[index],
            people=people[index],
        )
        for index, platform in enumerate(made)
    ]


LAST_NAMES_OF_PLACES = [
    "Jules-Ferry", "Marie-Curie", "Louis-Pasteur", "Victor-Hugo", "Jean-Moulin",
    "Condorcet", "Gustave-Eiffel", "Simone-Veil", "Paul-Langevin", "Sadi-Carnot",
]  # fmt: skip
