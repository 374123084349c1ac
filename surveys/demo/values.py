"""Plausible answers, deterministic (``random.Random`` with fixed seeds): a platform's
answers to the impact survey (``platform_answers``), growing a little year over year,
and an SME's answers to the InnovENT-E questionnaire (``sme_answers``).

Values are typed as ``Answer.set_value`` and ``answer_value`` take them: int, Decimal,
str (a choice's code), list of codes, date, bool, {row: {column: number}}.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from .questions import COMPANY_SIZES, PARTNERS

CENT = Decimal("0.01")
TENTH = Decimal("0.1")

# What a platform did, by its domains: the sectors of the SMEs it serves.
SECTOR_WEIGHTS = {
    "agroalimentaire": {"industrie": 4, "btp": 0, "services": 2, "agriculture": 5},
    "eco-construction": {"industrie": 2, "btp": 6, "services": 2, "agriculture": 0},
    "bois": {"industrie": 4, "btp": 4, "services": 1, "agriculture": 1},
    "numerique": {"industrie": 4, "btp": 1, "services": 6, "agriculture": 0},
}
DEFAULT_SECTORS = {"industrie": 7, "btp": 1, "services": 2, "agriculture": 0}
SIZE_WEIGHTS = {"tpe": 5, "pme": 4, "eti": 1}

HIGHLIGHTS = [
    "Mise en service d'un nouvel équipement, financé avec la région : {equipment}.",
    "Un projet de fin d'études mené avec une PME du territoire a abouti à un brevet.",
    "Convention signée avec la CCI pour un diagnostic gratuit des TPE.",
    "Journée portes ouvertes : {n} entreprises accueillies sur la plateforme.",
    "Deux anciens apprentis embauchés par des entreprises clientes.",
    "Participation au salon régional de l'industrie avec les étudiants de BTS.",
    "Nouvelle offre de formation continue sur {domain}.",
    "Comité de pilotage élargi aux représentants des branches professionnelles.",
]


@dataclass(frozen=True)
class Profile:
    """What stays true of a platform from year to year."""

    size: float
    sectors: dict
    apprentices: bool
    quality: bool
    partners: tuple
    regional_share: float
    price: int
    domain: str
    equipment: str


def platform_profile(slug: str, domain_slugs=(), equipment="un banc d'essais") -> Profile:
    rng = random.Random(f"profile:{slug}")
    sectors = DEFAULT_SECTORS
    for domain in domain_slugs:
        if domain in SECTOR_WEIGHTS:
            sectors = SECTOR_WEIGHTS[domain]
            break
    partners = tuple(
        code
        for code, chance in zip(
            [code for code, _label in PARTNERS], (0.9, 0.6, 0.5, 0.4, 0.3), strict=True
        )
        if rng.random() < chance
    ) or ("region",)
    return Profile(
        size=rng.uniform(0.5, 2.0),
        sectors=sectors,
        apprentices=rng.random() < 0.7,
        quality=rng.random() < 0.45,
        partners=partners,
        regional_share=rng.uniform(55, 95),
        price=rng.randint(1200, 3500),
        domain=(domain_slugs[0] if domain_slugs else "mecanique").replace("-", " "),
        equipment=equipment,
    )


def _spread(total: int, weights: dict, rng) -> dict:
    """``total`` split over the weights' keys, a little at random, summing to ``total``."""
    keys = [key for key, weight in weights.items() if weight]
    raw = {key: weights[key] * rng.uniform(0.7, 1.3) for key in keys}
    scale = total / sum(raw.values())
    counts = {key: int(value * scale) for key, value in raw.items()}
    counts[keys[0]] += total - sum(counts.values())
    return {key: counts.get(key, 0) for key in weights}


def _table(total: int, profile: Profile, rng) -> dict:
    by_size = _spread(total, SIZE_WEIGHTS, rng)
    return {
        size: {
            sector: Decimal(count)
            for sector, count in _spread(by_size[size], profile.sectors, rng).items()
        }
        for size, _label in COMPANY_SIZES
    }


def platform_answers(slug: str, year: int, profile: Profile, contact="", codes=None) -> dict:
    """{code: value} of one platform's response for ``year`` (``codes``: only those)."""
    rng = random.Random(f"answers:{slug}:{year}")
    growth = (1 + 0.06 * (year - 2016)) * rng.uniform(0.9, 1.1) * profile.size

    def scaled(base):
        return max(0, round(base * growth * rng.uniform(0.85, 1.15)))

    smes = max(3, scaled(45))
    services = round(smes * rng.uniform(1.3, 2.2))
    values = {
        "etudiants_projets": scaled(60) + 5,
        "accueille_apprentis": "oui" if profile.apprentices else "non",
        "stages": scaled(12),
        "pme_servies": smes,
        "pme_taille_secteur": _table(smes, profile, rng),
        "prestations": services,
        "ca_prestations": Decimal(
            round(services * profile.price * rng.uniform(0.8, 1.2), -1)
        ).quantize(CENT),
        "heures_formation": scaled(300),
        "satisfaction": rng.choice([3, 4, 4, 4, 5, 5]),
        "emplois_crees": max(0, round(smes * rng.uniform(0.05, 0.2))),
        "part_pme_region": Decimal(min(100, profile.regional_share + rng.uniform(-5, 5))).quantize(
            TENTH
        ),
        "partenariats": [code for code, _label in PARTNERS if code in profile.partners],
        "effectif": Decimal(2 + 3.5 * profile.size * growth**0.3).quantize(TENTH),
        "investissement": Decimal(rng.randint(4, 50) * 5000).quantize(CENT),
        "demarche_qualite": profile.quality,
        "date_comite": datetime.date(year - 1, 10, 1)
        + datetime.timedelta(days=rng.randint(0, 150)),
        "contact": contact,
        "faits_marquants": rng.choice(HIGHLIGHTS).format(
            equipment=profile.equipment, n=rng.randint(15, 60), domain=profile.domain
        ),
        "pme_nouvelles": round(smes * rng.uniform(0.25, 0.45)),
    }
    if profile.apprentices:
        values["apprentis"] = max(1, scaled(4))
    if not contact:
        del values["contact"]
    if codes is not None:
        values = {code: value for code, value in values.items() if code in codes}
    return values


INNOVENTE_SIZES = ["tpe", "tpe", "tpe", "pe", "pe", "me", "eti"]
COMMENTS = [
    "Nous cherchons un partenaire pour tester un nouveau matériau.",
    "Intéressés par des apprentis en maintenance industrielle.",
    "Le tour était une bonne occasion de découvrir la plateforme voisine.",
    "Besoin d'aide pour monter un dossier de financement régional.",
    "",
    "",
    "",
]


OBSTACLES = ["financement", "competences", "temps", "equipements", "partenaires"]
NEEDS = ["essais", "prototypage", "formation", "conseil", "recrutement"]


def _some(rng, codes):
    """One to three of ``codes``, in their order (as a multiple choice is stored)."""
    chosen = set(rng.sample(codes, rng.randint(1, 3)))
    return [code for code in codes if code in chosen]


def sme_answers(rng, *, innovates: bool, exports: bool, codes=None) -> dict:
    """{code: value} of an SME's answers to the InnovENT-E questionnaire."""
    values = {
        "taille": rng.choice(INNOVENTE_SIZES[2:] if innovates else INNOVENTE_SIZES),
        "secteur": rng.choice(["industrie", "industrie", "industrie", "btp", "services"]),
        "innove": "oui" if innovates else "non",
        "exporte": "oui" if exports else "non",
        "freins": _some(rng, OBSTACLES),
        "connait_pft": rng.random() < (0.4 if innovates else 0.15),
        "besoins": _some(rng, NEEDS),
        "interet": rng.choice([2, 3, 3, 4, 4, 5] if innovates else [1, 2, 2, 3, 3, 4]),
        "commentaire": rng.choice(COMMENTS),
    }
    if exports:
        values["part_export"] = Decimal(rng.randint(5, 60))
    if not values["commentaire"]:
        del values["commentaire"]
    if codes is not None:
        values = {code: value for code, value in values.items() if code in codes}
    return values
