"""The demo calls (see the package's docstring)."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from innovalo.audit import log_action
from innovalo.models import User
from members.models import Region

from ..enums import Applicant, CallKind, CallScope, CallStatus, Frequency, FunderKind
from ..models import Call, CallDeadline, CallFollow, CallInterest, Funder, SavedSearch, Theme

FUNDERS = {
    "france2030": (
        "France 2030 — Secrétariat général pour l'investissement",
        FunderKind.STATE,
        "https://www.info.gouv.fr/france-2030",
    ),
    "bpi": ("Bpifrance", FunderKind.BPIFRANCE, "https://www.bpifrance.fr/"),
    "ademe": ("ADEME", FunderKind.ADEME, "https://agirpourlatransition.ademe.fr/"),
    "anr": ("Agence nationale de la recherche (ANR)", FunderKind.ANR, "https://anr.fr/"),
    "eu": ("Commission européenne", FunderKind.EU, "https://ec.europa.eu/info/funding-tenders/"),
    "mesr": (
        "Ministère de l'Enseignement supérieur et de la Recherche",
        FunderKind.STATE,
        "https://www.enseignementsup-recherche.gouv.fr/",
    ),
    "fondation": ("Fondation Innovation et Territoires", FunderKind.FOUNDATION, ""),
    "industrie": ("Groupe Industriel du Creusot", FunderKind.FIRM, ""),
}
REGION_FUNDERS = {
    "32": "Région Hauts-de-France",
    "27": "Région Bourgogne-Franche-Comté",
    "44": "Région Grand Est",
    "84": "Région Auvergne-Rhône-Alpes",
    "76": "Région Occitanie",
    "53": "Région Bretagne",
    "52": "Région Pays de la Loire",
    "75": "Région Nouvelle-Aquitaine",
}
THEMES = [
    "Numérique",
    "Transition énergétique",
    "Industrie du futur",
    "Matériaux",
    "Agroalimentaire",
    "Santé",
    "Économie circulaire",
    "Formation et compétences",
    "Recherche partenariale",
]


def _at(days, hour=12):
    """A deadline ``days`` from today at ``hour`` (Paris time)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# (key, title, funders, kind, scope, regions, themes, opens (days), deadlines [(label, days)],
#  open all year, amounts, rates)
CALLS = [
    (
        "f2030-num",
        "France 2030 — Transition numérique des PME industrielles",
        ["france2030", "bpi"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.NATIONAL,
        [],
        ["Numérique", "Industrie du futur"],
        -60,
        [("Relève 1", -20), ("Relève 2", 21)],
        False,
        (200_000, 3_000_000),
        (25, 50),
    ),
    (
        "f2030-energie",
        "France 2030 — Transition énergétique des sites de production",
        ["france2030", "ademe"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.NATIONAL,
        [],
        ["Transition énergétique", "Industrie du futur"],
        -30,
        [("Dépôt des dossiers", 74)],
        False,
        (500_000, 5_000_000),
        (30, 60),
    ),
    (
        "inov",
        "Concours d'innovation i-Nov — vague 14",
        ["bpi", "ademe"],
        CallKind.CONTEST,
        CallScope.NATIONAL,
        [],
        ["Numérique", "Transition énergétique", "Santé"],
        -45,
        [("Clôture de la vague", 12)],
        False,
        (600_000, 5_000_000),
        (25, 45),
    ),
    (
        "cir",
        "Agrément au crédit d'impôt recherche (CIR) des plateformes",
        ["mesr"],
        CallKind.TAX_CREDIT,
        CallScope.NATIONAL,
        [],
        ["Recherche partenariale"],
        None,
        [],
        True,
        (None, None),
        (None, None),
    ),
    (
        "anr",
        "ANR — Laboratoires communs organismes de recherche et PME (LabCom)",
        ["anr"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.NATIONAL,
        [],
        ["Recherche partenariale", "Matériaux"],
        -20,
        [("Pré-proposition", 26), ("Proposition complète", 118)],
        False,
        (None, 363_000),
        (None, 100),
    ),
    (
        "horizon",
        "Horizon Europe — Made in Europe: digital and green manufacturing",
        ["eu"],
        CallKind.EU_FUND,
        CallScope.EUROPEAN,
        [],
        ["Industrie du futur", "Numérique"],
        -90,
        [("Cut-off 1", -15), ("Cut-off 2", 140)],
        False,
        (3_000_000, 6_000_000),
        (70, 100),
    ),
    (
        "ademe-eco",
        "ADEME — Économie circulaire et écoconception dans l'industrie",
        ["ademe"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.NATIONAL,
        [],
        ["Économie circulaire"],
        -40,
        [("Date limite de dépôt", 45)],
        False,
        (100_000, 1_500_000),
        (30, 55),
    ),
    (
        "compet",
        "Compétences et métiers d'avenir — ingénierie de formation",
        ["france2030"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.NATIONAL,
        [],
        ["Formation et compétences"],
        20,
        [("Date limite de dépôt", 110)],
        False,
        (500_000, 3_000_000),
        (None, 70),
    ),
    (
        "label-pft",
        "Label « Plateforme technologique » — campagne de labellisation",
        ["mesr"],
        CallKind.LABEL,
        CallScope.NATIONAL,
        [],
        ["Formation et compétences"],
        -120,
        [("Dépôt des dossiers", -40)],
        False,
        (None, None),
        (None, None),
    ),
    (
        "fondation",
        "Prix de l'innovation territoriale",
        ["fondation"],
        CallKind.CONTEST,
        CallScope.NATIONAL,
        [],
        ["Agroalimentaire", "Économie circulaire"],
        -10,
        [("Candidatures", 8)],
        False,
        (10_000, 30_000),
        (None, None),
    ),
    (
        "erasmus",
        "Erasmus+ — Alliances pour l'innovation",
        ["eu"],
        CallKind.EU_FUND,
        CallScope.EUROPEAN,
        [],
        ["Formation et compétences", "Numérique"],
        -50,
        [("Cut-off 1", 70), ("Cut-off 2", 250)],
        False,
        (1_000_000, 4_000_000),
        (None, 80),
    ),
    (
        "decarb",
        "ADEME — Décarbonation de l'industrie (DECARB FLASH)",
        ["ademe"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.NATIONAL,
        [],
        ["Transition énergétique"],
        -150,
        [("Date limite de dépôt", -45)],
        False,
        (100_000, 3_000_000),
        (30, 50),
    ),
    (
        "bourse",
        "Bourse French Tech — création de start-up innovantes",
        ["bpi"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.NATIONAL,
        [],
        ["Numérique", "Santé"],
        None,
        [],
        True,
        (None, 30_000),
        (None, 70),
    ),
    (
        "industrie",
        "Défi industriel : prototypage rapide de pièces composites",
        ["industrie"],
        CallKind.CONTEST,
        CallScope.REGIONAL,
        ["27"],
        ["Matériaux", "Industrie du futur"],
        -25,
        [("Dépôt des idées", 5), ("Présentation au jury", 33)],
        False,
        (20_000, 80_000),
        (None, None),
    ),
]
FEDER_THEMES = {
    "32": ["Numérique", "Industrie du futur"],
    "27": ["Matériaux", "Transition énergétique"],
    "44": ["Économie circulaire", "Industrie du futur"],
    "84": ["Santé", "Numérique"],
    "76": ["Agroalimentaire", "Transition énergétique"],
    "53": ["Agroalimentaire", "Numérique"],
    "52": ["Matériaux", "Économie circulaire"],
    "75": ["Transition énergétique", "Matériaux"],
}
# Days to the FEDER call's deadline and to the regional innovation call's, per region:
# some closing within 30 days, some closed.
REGIONAL_DAYS = {
    "32": (18, 95),
    "27": (52, -12),
    "44": (-30, 64),
    "84": (27, 150),
    "76": (88, 9),
    "53": (-5, 41),
    "52": (130, 23),
    "75": (60, -60),
}


def _funders():
    funders = {}
    for key, (name, kind, website) in FUNDERS.items():
        funders[key] = Funder.objects.get_or_create(
            name=name, defaults={"kind": kind, "website": website}
        )[0]
    for code, name in REGION_FUNDERS.items():
        funders[code] = Funder.objects.get_or_create(
            name=name, defaults={"kind": FunderKind.REGION}
        )[0]
    return funders


def _themes():
    return {
        name: Theme.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in THEMES
    }


def _call(
    key,
    title,
    funders,
    kind,
    scope,
    regions,
    themes,
    opens,
    deadlines,
    all_year,
    amounts,
    rates,
    *,
    refs,
    **extra,
):
    funder_rows, theme_rows, region_rows = refs
    now = timezone.now()
    call = Call.objects.create(
        title=title,
        kind=kind,
        scope=scope,
        description=extra.pop(
            "description",
            f"{title}. Soutien aux projets collaboratifs associant plateformes "
            "technologiques, établissements et PME.",
        ),
        eligibility=extra.pop(
            "eligibility",
            "PME au sens européen, seules ou en consortium avec un établissement "
            "d'enseignement ou de recherche.",
        ),
        applicants=extra.pop(
            "applicants", [Applicant.SMES, Applicant.CONSORTIA, Applicant.PLATFORMS]
        ),
        amount_min=Decimal(amounts[0]) if amounts[0] else None,
        amount_max=Decimal(amounts[1]) if amounts[1] else None,
        rate_min=Decimal(rates[0]) if rates[0] else None,
        rate_max=Decimal(rates[1]) if rates[1] else None,
        url=f"https://appels.example.org/{key}",
        application_url=f"https://depot.example.org/{key}",
        contact="veille@innovalo.demo",
        opens_on=(timezone.localdate() + datetime.timedelta(days=opens)) if opens else None,
        open_all_year=all_year,
        status=extra.pop("status", CallStatus.PUBLISHED),
        source="demo",
        external_id=key,
        published_at=extra.pop(
            "published_at", now - datetime.timedelta(days=max(1, -(opens or -30)))
        ),
        **extra,
    )
    call.funders.set([funder_rows[f] for f in funders])
    call.themes.set([theme_rows[t] for t in themes])
    call.regions.set([region_rows[code] for code in regions])
    CallDeadline.objects.bulk_create(
        CallDeadline(call=call, label=label, due_at=_at(days)) for label, days in deadlines
    )
    return call


def seed_calls() -> dict:
    funders, themes = _funders(), _themes()
    regions = {r.code: r for r in Region.objects.filter(code__in=REGION_FUNDERS)}
    refs = (funders, themes, regions)
    calls = {}
    for row in CALLS:
        calls[row[0]] = _call(*row, refs=refs)
    for code, name in REGION_FUNDERS.items():
        region = regions[code].name
        feder, innovation = REGIONAL_DAYS[code]
        calls[f"feder-{code}"] = _call(
            f"feder-{code}",
            f"FEDER {region} — Innovation et transfert de technologie",
            [code, "eu"],
            CallKind.EU_FUND,
            CallScope.REGIONAL,
            [code],
            FEDER_THEMES[code],
            -70,
            [("Date limite de dépôt", feder)],
            False,
            (50_000, 1_000_000),
            (40, 60),
            refs=refs,
        )
        calls[f"innov-{code}"] = _call(
            f"innov-{code}",
            f"{name} — Aide à l'innovation des PME avec une plateforme",
            [code],
            CallKind.CALL_FOR_PROJECTS,
            CallScope.REGIONAL,
            [code],
            [FEDER_THEMES[code][0], "Recherche partenariale"],
            -35,
            [("Date limite de dépôt", innovation)],
            False,
            (10_000, 200_000),
            (30, 50),
            refs=refs,
        )
        calls[f"bpi-{code}"] = _call(
            f"bpi-{code}",
            f"Bpifrance et {name} — Prêt d'amorçage innovation",
            ["bpi", code],
            CallKind.CALL_FOR_PROJECTS,
            CallScope.REGIONAL,
            [code],
            [FEDER_THEMES[code][1]],
            None,
            [],
            True,
            (30_000, 300_000),
            (None, 70),
            refs=refs,
        )
    director = User.objects.get(email="directeur@innovalo.demo")
    calls["proposed"] = _call(
        "proposed",
        "Appel « Usine agile » de la métropole du Creusot",
        ["industrie"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.REGIONAL,
        ["27"],
        ["Industrie du futur"],
        -5,
        [("Date limite de dépôt", 40)],
        False,
        (15_000, 60_000),
        (None, 50),
        refs=refs,
        status=CallStatus.PROPOSED,
        proposed_by=director,
        published_at=None,
    )
    calls["archived"] = _call(
        "archived",
        "Programme d'investissements d'avenir — Plateformes mutualisées (2017)",
        ["france2030"],
        CallKind.CALL_FOR_PROJECTS,
        CallScope.NATIONAL,
        [],
        ["Recherche partenariale"],
        -900,
        [("Date limite de dépôt", -700)],
        False,
        (100_000, 2_000_000),
        (None, 50),
        refs=refs,
        status=CallStatus.ARCHIVED,
    )
    bureau = User.objects.get(email="bureau@innovalo.demo")
    for call in calls.values():
        log_action(call, "projects.call_created", actor=bureau, message="Appel ajouté à la veille")
    _director_watch(director, calls)
    return calls


def _director_watch(director, calls):
    """The demo director follows two calls, is interested in one for innovaltech, and has a
    saved search on digital calls."""
    from members.models import Platform

    for key in ("f2030-num", "anr"):
        CallFollow.objects.get_or_create(call=calls[key], user=director)
    platform = Platform.objects.filter(slug="innovaltech").first()
    if platform:
        CallInterest.objects.get_or_create(
            call=calls["f2030-num"],
            platform=platform,
            defaults={
                "note": "Volet jumeau numérique avec deux PME clientes.",
                "created_by": director,
            },
        )
    numeric = Theme.objects.get(slug="numerique")
    SavedSearch.objects.get_or_create(
        user=director,
        name="Appels numériques",
        defaults={
            "query": f"theme={numeric.slug}",
            "frequency": Frequency.WEEKLY,
            "watermark": timezone.now() - datetime.timedelta(days=3),
        },
    )
