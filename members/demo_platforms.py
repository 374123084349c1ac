"""Demo platforms (issue 3): 48 platforms over 14 regions, idempotent.

Exactly 44 platforms are labelled members of the association (the dues demo calls
them); `innovaltech` (Saint-Quentin, Aisne) is managed by directeur@innovalo.demo
and by no other demo account; `le-creusot` hosts the May meeting. Some profiles
were reviewed more than 12 months ago, so the review reminder has work to do.
Running it twice creates nothing twice and changes nothing already there.
"""

import datetime

from django.utils import timezone
from django.utils.text import slugify
from stdnum import luhn

from innovalo.enums import Role

from .enums import CorrespondentKind, EstablishmentKind, HostRole, LabelStatus, PlatformRole
from .models import (
    Campus,
    Correspondent,
    Department,
    Domain,
    Equipment,
    Establishment,
    Platform,
    PlatformHost,
    PlatformMembership,
    Region,
    Service,
)

DOMAINS = [
    ("Mécanique", "Usinage, conception mécanique, maintenance industrielle."),
    ("Plasturgie", "Injection, extrusion, composites."),
    ("Numérique", "Logiciel, réalité virtuelle, cybersécurité, données."),
    ("Énergie", "Efficacité énergétique, énergies renouvelables, thermique."),
    ("Agroalimentaire", "Procédés alimentaires, qualité, conditionnement."),
    ("Matériaux", "Caractérisation, traitements de surface, métallurgie."),
    ("Bois", "Construction bois, ameublement, première transformation."),
    ("Électronique", "Systèmes embarqués, objets connectés, instrumentation."),
    ("Robotique", "Automatisation, cobotique, vision industrielle."),
    ("Textile", "Textiles techniques, confection, matériaux souples."),
    ("Chimie", "Analyses, formulation, procédés chimiques."),
    ("Éco-construction", "Bâtiment durable, rénovation énergétique."),
]
SERVICES = [
    "Essais et mesures",
    "Prototypage",
    "Formation continue",
    "Transfert de technologie",
    "Conseil et diagnostic",
    "Location d'équipements",
    "Petites séries",
]

# (kind, name, city, department code)
ESTABLISHMENTS = {
    "hm": (EstablishmentKind.LYCEE, "Lycée Henri-Martin", "Saint-Quentin", "02"),
    "iut-aisne": (EstablishmentKind.IUT, "IUT de l'Aisne", "Saint-Quentin", "02"),
    "creusot": (EstablishmentKind.IUT, "IUT du Creusot", "Le Creusot", "71"),
    "lhv": (EstablishmentKind.LYCEE, "Lycée Léon-Blum", "Le Creusot", "71"),
    "yon": (EstablishmentKind.LYCEE, "Lycée Édouard-Branly", "La Roche-sur-Yon", "85"),
}

# slug, name, acronym, city, department, postal code, carrying establishment
# (kind, name) or a key of ESTABLISHMENTS, domains, equipment
PLATFORMS = [
    ("innovaltech", "InnovalTech", "IVT", "Saint-Quentin", "02", "02100", "hm",
     ["Mécanique", "Robotique"], ["Centre d'usinage 5 axes", "Cellule robotisée"]),
    ("le-creusot", "Plateforme Mécatronique du Creusot", "PFT Méca", "Le Creusot", "71",
     "71200", "creusot", ["Mécanique", "Matériaux"], ["Banc de fatigue", "Tomographe"]),
    ("plasti-vendee", "Plasti Vendée", "PV", "La Roche-sur-Yon", "85", "85000", "yon",
     ["Plasturgie", "Matériaux"], ["Presse à injecter 200 t", "Extrudeuse bi-vis"]),
    ("amiens-numerique", "Amiens Numérique", "AMNUM", "Amiens", "80", "80000",
     (EstablishmentKind.IUT, "IUT d'Amiens"), ["Numérique"], ["Salle de réalité virtuelle"]),
    ("valenciennes-ferroviaire", "Innov'Rail Valenciennes", "IRV", "Valenciennes", "59",
     "59300", (EstablishmentKind.UNIVERSITY, "Université Polytechnique Hauts-de-France"),
     ["Mécanique", "Électronique"], ["Banc d'essais ferroviaire"]),
    ("compiegne-agro", "Agro Compiègne", "AGC", "Compiègne", "60", "60200",
     (EstablishmentKind.LYCEE, "Lycée Charles-de-Gaulle"), ["Agroalimentaire"],
     ["Pilote de pasteurisation"]),
    ("caen-materiaux", "Caen Matériaux", "CAMAT", "Caen", "14", "14000",
     (EstablishmentKind.IUT, "IUT Grand Ouest Normandie"), ["Matériaux", "Chimie"],
     ["Microscope électronique à balayage"]),
    ("rouen-energie", "Énergie Seine", "ENS", "Rouen", "76", "76000",
     (EstablishmentKind.LYCEE, "Lycée Gustave-Flaubert"), ["Énergie"], ["Banc thermique"]),
    ("cherbourg-naval", "Naval Cotentin", "NAVCO", "Cherbourg-en-Cotentin", "50", "50100",
     (EstablishmentKind.LYCEE, "Lycée Alexis-de-Tocqueville"), ["Mécanique", "Matériaux"],
     ["Soudage orbital"]),
    ("saint-denis-numerique", "Fab Numérique Saint-Denis", "FNSD", "Saint-Denis", "93", "93200",
     (EstablishmentKind.IUT, "IUT de Saint-Denis"), ["Numérique", "Électronique"],
     ["Parc d'imprimantes 3D"]),
    ("creteil-eco", "Éco-Bâti Créteil", "EBC", "Créteil", "94", "94000",
     (EstablishmentKind.UNIVERSITY, "Université Paris-Est Créteil"), ["Éco-construction"],
     ["Caméra thermique", "Porte soufflante"]),
    ("metz-materiaux", "Lorraine Surfaces", "LOSU", "Metz", "57", "57000",
     (EstablishmentKind.LYCEE, "Lycée Louis-Vincent"), ["Matériaux"],
     ["Ligne de traitement de surface"]),
    ("strasbourg-robotique", "Robotique Alsace", "ROBAL", "Strasbourg", "67", "67000",
     (EstablishmentKind.IUT, "IUT Louis-Pasteur"), ["Robotique", "Électronique"],
     ["Cobots UR10"]),
    ("reims-agro", "Agro Champagne", "AGRICHAMP", "Reims", "51", "51100",
     (EstablishmentKind.UNIVERSITY, "Université de Reims Champagne-Ardenne"),
     ["Agroalimentaire", "Chimie"], ["Chromatographe"]),
    ("troyes-textile", "Textile Aube", "TEXA", "Troyes", "10", "10000",
     (EstablishmentKind.LYCEE, "Lycée Les Lombards"), ["Textile"], ["Métier à tricoter 3D"]),
    ("epinal-bois", "Bois Vosges", "BOVO", "Épinal", "88", "88000",
     (EstablishmentKind.LYCEE, "Lycée Pierre-Mendès-France"), ["Bois"],
     ["Centre d'usinage bois CN"]),
    ("brest-naval", "Brest Composites", "BRCO", "Brest", "29", "29200",
     (EstablishmentKind.IUT, "IUT de Brest"), ["Plasturgie", "Matériaux"],
     ["Autoclave composite"]),
    ("rennes-numerique", "Rennes Systèmes Embarqués", "RSE", "Rennes", "35", "35000",
     (EstablishmentKind.IUT, "IUT de Rennes"), ["Électronique", "Numérique"],
     ["Chambre anéchoïque"]),
    ("lorient-agro", "Agro Bretagne Sud", "ABS", "Lorient", "56", "56100",
     (EstablishmentKind.LYCEE, "Lycée Dupuy-de-Lôme"), ["Agroalimentaire"],
     ["Atelier de conditionnement"]),
    ("nantes-composites", "Nantes Composites", "NACO", "Nantes", "44", "44000",
     (EstablishmentKind.IUT, "IUT de Nantes"), ["Plasturgie", "Matériaux"],
     ["Machine d'infusion"]),
    ("angers-vegetal", "Végétal Anjou", "VEGA", "Angers", "49", "49000",
     (EstablishmentKind.LYCEE, "Lycée Chevrollier"), ["Agroalimentaire"], ["Serre pilote"]),
    ("le-mans-acoustique", "Acoustique du Mans", "ACOM", "Le Mans", "72", "72000",
     (EstablishmentKind.UNIVERSITY, "Le Mans Université"), ["Électronique", "Matériaux"],
     ["Salle réverbérante"]),
    ("orleans-cosmetique", "Cosmétique Loiret", "COSLO", "Orléans", "45", "45000",
     (EstablishmentKind.IUT, "IUT d'Orléans"), ["Chimie"], ["Laboratoire de formulation"]),
    ("tours-energie", "Énergie Touraine", "ENTO", "Tours", "37", "37000",
     (EstablishmentKind.LYCEE, "Lycée Albert-Bayet"), ["Énergie", "Éco-construction"],
     ["Plateau photovoltaïque"]),
    ("bourges-mecanique", "Mécanique Berry", "MEBE", "Bourges", "18", "18000",
     (EstablishmentKind.LYCEE, "Lycée Jacques-Cœur"), ["Mécanique"], ["Tour multi-axes"]),
    ("dijon-agro", "Agro Dijon", "AGDI", "Dijon", "21", "21000",
     (EstablishmentKind.UNIVERSITY, "Université de Bourgogne"), ["Agroalimentaire"],
     ["Halle technologique"]),
    ("besancon-microtech", "Microtechniques Besançon", "MTB", "Besançon", "25", "25000",
     (EstablishmentKind.IUT, "IUT de Besançon-Vesoul"), ["Mécanique", "Électronique"],
     ["Machine de micro-usinage"]),
    ("oyonnax-plasturgie", "Plasturgie Ain", "PLAIN", "Oyonnax", "01", "01100",
     (EstablishmentKind.LYCEE, "Lycée Paul-Painlevé"), ["Plasturgie"],
     ["Presse bi-matière"]),
    ("belfort-energie", "Énergie Belfort", "ENBE", "Belfort", "90", "90000",
     (EstablishmentKind.UNIVERSITY, "Université de technologie de Belfort-Montbéliard"),
     ["Énergie", "Électronique"], ["Banc pile à combustible"]),
    ("bordeaux-aero", "Aéro Gironde", "AEGI", "Mérignac", "33", "33700",
     (EstablishmentKind.IUT, "IUT de Bordeaux"), ["Matériaux", "Mécanique"],
     ["Banc de contrôle non destructif"]),
    ("limoges-ceramique", "Céramique Limousin", "CELI", "Limoges", "87", "87000",
     (EstablishmentKind.LYCEE, "Lycée Turgot"), ["Matériaux"], ["Four haute température"]),
    ("poitiers-numerique", "Numérique Vienne", "NUVI", "Poitiers", "86", "86000",
     (EstablishmentKind.IUT, "IUT de Poitiers"), ["Numérique"], ["Plateau cybersécurité"]),
    ("bayonne-bois", "Bois Adour", "BOAD", "Bayonne", "64", "64100",
     (EstablishmentKind.LYCEE, "Lycée Louis-de-Foix"), ["Bois", "Éco-construction"],
     ["Scie à panneaux"]),
    ("la-rochelle-nautisme", "Nautisme Atlantique", "NAUT", "La Rochelle", "17", "17000",
     (EstablishmentKind.IUT, "IUT de La Rochelle"), ["Plasturgie"], ["Bassin d'essais"]),
    ("toulouse-robotique", "Robotique Occitanie", "ROC", "Toulouse", "31", "31000",
     (EstablishmentKind.IUT, "IUT Paul-Sabatier"), ["Robotique", "Numérique"],
     ["Robot mobile autonome"]),
    ("montpellier-agro", "Agro Hérault", "AGHE", "Montpellier", "34", "34000",
     (EstablishmentKind.LYCEE, "Lycée Jean-Mermoz"), ["Agroalimentaire"],
     ["Pilote de fermentation"]),
    ("albi-materiaux", "Matériaux Tarn", "MATA", "Albi", "81", "81000",
     (EstablishmentKind.ENGINEERING_SCHOOL, "IMT Mines Albi"), ["Matériaux"],
     ["Presse de forgeage"]),
    ("tarbes-mecanique", "Méca Bigorre", "MEBI", "Tarbes", "65", "65000",
     (EstablishmentKind.LYCEE, "Lycée Jean-Dupuy"), ["Mécanique"], ["Rectifieuse CN"]),
    ("lyon-textile", "Textiles Techniques Lyon", "TTL", "Villeurbanne", "69", "69100",
     (EstablishmentKind.IUT, "IUT Lyon 1"), ["Textile", "Chimie"], ["Enducteuse pilote"]),
    ("saint-etienne-mecanique", "Mécanique Loire", "MELO", "Saint-Étienne", "42", "42000",
     (EstablishmentKind.LYCEE, "Lycée Benoît-Fourneyron"), ["Mécanique", "Matériaux"],
     ["Machine de fabrication additive métal"]),
    ("grenoble-electronique", "Électronique Isère", "ELIS", "Grenoble", "38", "38000",
     (EstablishmentKind.IUT, "IUT de Grenoble"), ["Électronique"], ["Salle blanche"]),
    ("annecy-decolletage", "Décolletage Arve", "DECA", "Cluses", "74", "74300",
     (EstablishmentKind.LYCEE, "Lycée Charles-Poncet"), ["Mécanique"], ["Tour à poupée mobile"]),
    ("clermont-energie", "Énergie Auvergne", "ENAU", "Clermont-Ferrand", "63", "63000",
     (EstablishmentKind.UNIVERSITY, "Université Clermont Auvergne"), ["Énergie"],
     ["Banc biomasse"]),
    ("marseille-numerique", "Numérique Provence", "NUPRO", "Marseille", "13", "13001",
     (EstablishmentKind.IUT, "IUT d'Aix-Marseille"), ["Numérique"], ["Plateau IoT"]),
    ("toulon-naval", "Naval Var", "NAVA", "La Seyne-sur-Mer", "83", "83500",
     (EstablishmentKind.LYCEE, "Lycée Paul-Langevin"), ["Mécanique", "Matériaux"],
     ["Cabine de peinture marine"]),
    ("nice-energie", "Énergie Azur", "ENAZ", "Nice", "06", "06000",
     (EstablishmentKind.LYCEE, "Lycée Les Eucalyptus"), ["Énergie", "Éco-construction"],
     ["Banc solaire thermique"]),
    ("reunion-agro", "Agro Réunion", "AGRE", "Saint-Pierre", "974", "97410",
     (EstablishmentKind.LYCEE, "Lycée Roland-Garros"), ["Agroalimentaire"],
     ["Pilote de séchage"]),
    ("lille-textile", "Textile Nord", "TENO", "Roubaix", "59", "59100",
     (EstablishmentKind.LYCEE, "Lycée Jean-Rostand"), ["Textile"], ["Métier Jacquard"]),
]  # fmt: skip

# The platforms that are not labelled members (all the others are): 44 labelled members.
NOT_LABELLED_MEMBERS = {
    "troyes-textile": (LabelStatus.RENEWAL, True),
    "tarbes-mecanique": (LabelStatus.RENEWAL, False),
    "reunion-agro": (LabelStatus.EXPIRED, False),
    "lille-textile": (LabelStatus.NOT_LABELLED, False),
}
# Labelled after 2016 (the year each was first labelled); every other platform with a
# label was labelled in 2008-2015.
LABELLED_SINCE = {
    "saint-denis-numerique": 2018,
    "la-rochelle-nautisme": 2020,
    "annecy-decolletage": 2023,
}
# Profiles reviewed more than 12 months ago (or never): the review reminder's work.
STALE = {"amiens-numerique", "metz-materiaux", "bourges-mecanique", "limoges-ceramique"}
NEVER_REVIEWED = {"tarbes-mecanique", "nice-energie"}

# Other platforms' directors (demo accounts too), some of them correspondents.
# email, first name, last name, platform slug, correspondent of (region code | domain name)
DIRECTORS = [
    ("ph.planard@innovalo.demo", "Philippe", "Planard", "le-creusot", "27"),
    ("j.menage@innovalo.demo", "Jacques", "Ménagé", "plasti-vendee", "Plasturgie"),
    ("d.lefaivre@innovalo.demo", "Dominique", "Lefaivre", "nantes-composites", "52"),
    ("s.martin@innovalo.demo", "Sophie", "Martin", "valenciennes-ferroviaire", "32"),
    ("a.bernard@innovalo.demo", "Agnès", "Bernard", "toulouse-robotique", "Robotique"),
    ("l.petit@innovalo.demo", "Luc", "Petit", "saint-etienne-mecanique", "Mécanique"),
    ("c.girard@innovalo.demo", "Camille", "Girard", "rennes-numerique", "Numérique"),
    ("m.roux@innovalo.demo", "Marc", "Roux", "amiens-numerique", None),
]

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def uai(department_code: str, number: int) -> str:
    """A well-formed UAI code: 3 digits of department, 4 digits, the check letter."""
    digits = department_code.replace("A", "0").replace("B", "0").zfill(3)[-3:] + f"{number:04d}"
    return digits + UAI_LETTERS[int(digits) % 23]


def demo_siret(number: int) -> str:
    """A SIRET that passes the real checks (public bodies' SIRENs start with 1 or 2):
    SIREN 19xxxxxx + its Luhn key, then establishment 0001 + the SIRET's Luhn key."""
    siren = f"19{number:06d}"
    siren += luhn.calc_check_digit(siren)
    siret = f"{siren}0001"
    return siret + luhn.calc_check_digit(siret)


def _slug(name):
    return slugify(name)


def _label_dates(slug, number, label):
    """(labelled on, label valid until): when the platform was first labelled (a renewal
    keeps the date) and the end of its current five-year label, renewed in 2022-2025.
    Most platforms were labelled before the association's first dues (2016), a few
    since (``LABELLED_SINCE``); the expired one lost its label in 2022."""
    if label == LabelStatus.NOT_LABELLED:
        return None, None
    month = 1 + number % 12
    if label == LabelStatus.EXPIRED:
        return datetime.date(2010, month, 1), datetime.date(2022, month, 1)
    granted = datetime.date(LABELLED_SINCE.get(slug, 2008 + number % 8), month, 1)
    renewed = max(datetime.date(2022 + number % 4, month, 1), granted)
    return granted, renewed.replace(year=renewed.year + 5)


def seed_platforms(stdout):
    from innovalo.management.commands.seed_demo import demo_user
    from innovalo.models import User

    now = timezone.now()
    departments = {d.code: d for d in Department.objects.select_related("region")}
    domains = {}
    for name, description in DOMAINS:
        domains[name], _ = Domain.objects.get_or_create(
            slug=_slug(name), defaults={"name": name, "description": description}
        )
    services = [
        Service.objects.get_or_create(slug=_slug(name), defaults={"name": name})[0]
        for name in SERVICES
    ]
    campus, _ = Campus.objects.get_or_create(
        name="Campus des métiers de l'industrie du futur Hauts-de-France",
        defaults={"region": Region.objects.get(code="32")},
    )

    def establishment(key_or_spec, city, code, number):
        if isinstance(key_or_spec, str):
            kind, name, city, code = ESTABLISHMENTS[key_or_spec]
        else:
            kind, name = key_or_spec
        obj, _ = Establishment.objects.get_or_create(
            uai=uai(code, number),
            defaults={"name": name, "kind": kind, "city": city, "department": departments[code]},
        )
        return obj

    created = 0
    for number, row in enumerate(PLATFORMS, start=1):
        slug, name, acronym, city, code, postal, host, domain_names, equipment = row
        label, member = NOT_LABELLED_MEMBERS.get(slug, (LabelStatus.LABELLED, True))
        if slug in NEVER_REVIEWED:
            reviewed_at = None
        elif slug in STALE:
            reviewed_at = now - datetime.timedelta(days=400 + number * 7)
        else:
            reviewed_at = now - datetime.timedelta(days=10 + number * 5)
        granted, expires = _label_dates(slug, number, label)
        platform, was_created = Platform.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "acronym": acronym,
                "city": city,
                "department": departments[code],
                "postal_code": postal,
                "address": f"{10 + number} rue de l'Industrie",
                "website": f"https://www.{slug}.fr",
                "email": f"contact@{slug}.fr",
                "phone": f"0{1 + number % 5} {number:02d} 45 67 89",
                "description": (
                    f"{name} accompagne les PME de son territoire : "
                    f"{', '.join(domain_names).lower()}. Essais, prototypes et formation, "
                    "avec les élèves et les étudiants de l'établissement."
                ),
                "services_description": "Devis sous huit jours ; tarifs publics sur demande.",
                "label_status": label,
                "label_granted_on": granted,
                "label_expires_on": expires,
                "is_member": member,
                "billing_name": f"{name} — service financier",
                "siret": demo_siret(number),
                "chorus_service_code": f"PFT{number:03d}" if number % 3 == 0 else "",
                "reviewed_at": reviewed_at,
            },
        )
        if not was_created:
            continue
        created += 1
        platform.domains.set([domains[d] for d in domain_names])
        platform.services.set(services[number % 3 : number % 3 + 3])
        if code in {"02", "59", "60", "80"}:
            platform.campuses.add(campus)
        PlatformHost.objects.get_or_create(
            platform=platform,
            establishment=establishment(host, city, code, number),
            defaults={"role": HostRole.CARRYING},
        )
        if number % 4 == 0:
            partner = establishment(
                (EstablishmentKind.LYCEE, f"Lycée des métiers de {city}"), city, code, 500 + number
            )
            PlatformHost.objects.get_or_create(
                platform=platform, establishment=partner, defaults={"role": HostRole.PARTNER}
            )
        for item in equipment:
            Equipment.objects.get_or_create(
                platform=platform,
                name=item,
                defaults={"description": "Disponible à la location avec un technicien."},
            )

    director = User.objects.get(email="directeur@innovalo.demo")
    PlatformMembership.objects.get_or_create(
        platform=Platform.objects.get(slug="innovaltech"),
        user=director,
        defaults={"role": PlatformRole.DIRECTOR},
    )
    for email, first_name, last_name, slug, correspondence in DIRECTORS:
        user = demo_user(email, first_name, last_name, Role.DIRECTOR)
        PlatformMembership.objects.get_or_create(
            platform=Platform.objects.get(slug=slug),
            user=user,
            defaults={"role": PlatformRole.DIRECTOR},
        )
        if correspondence is None:
            continue
        if correspondence in domains:
            Correspondent.objects.get_or_create(
                kind=CorrespondentKind.THEMATIC,
                domain=domains[correspondence],
                defaults={"user": user},
            )
        else:
            Correspondent.objects.get_or_create(
                kind=CorrespondentKind.REGIONAL,
                region=Region.objects.get(code=correspondence),
                defaults={"user": user},
            )
    stdout.write(
        f"demo platforms: {created} created, {Platform.objects.count()} in all, "
        f"{Correspondent.objects.count()} correspondents"
    )
