"""Open data: the public directory of labelled platforms as CSV and JSON under the
Licence Ouverte / Open Licence 2.0 (Etalab), and the page that documents it (issue 13).

What is published is a closed list of public fields (``COLUMNS``): a platform's public
contact, never a person, never its billing details, SIRET, dues or internal notes. Only
labelled platforms (or those whose label is being renewed) are published.

The files carry an ETag and a Last-Modified computed by one aggregate query (number of
platforms, latest change), so that a conditional GET answers 304 without building the
file. Every write to a platform saves it (``updated_at``), a platform removed changes the
count; ``FORMAT_VERSION`` changes with the columns.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition, require_safe

from members.enums import HostRole, LabelStatus
from members.models import Platform, PlatformHost, TransferOffer

from .exports import csv_lines

FORMAT_VERSION = "1"
LICENCE_NAME = "Licence Ouverte / Open Licence version 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
# Labels under which a platform appears in the directory's open data.
PUBLISHED_LABELS = (LabelStatus.LABELLED, LabelStatus.RENEWAL)
LIST_SEPARATOR = "|"  # between the values of a list in the CSV (JSON has arrays)


def published_platforms():
    return Platform.objects.filter(label_status__in=PUBLISHED_LABELS)


# The columns: (stable name, meaning, example). Names never change; a new column is
# added at the end and FORMAT_VERSION moves on.
COLUMNS = [
    (
        "identifiant",
        _("Identifiant stable de la plateforme (celui de son adresse sur le portail)."),
        "plateforme-plasturgie-oyonnax",
    ),
    (
        "nom",
        _("Nom de la plateforme."),
        "Plateforme Plasturgie Oyonnax",
    ),
    (
        "sigle",
        _("Sigle, s'il y en a un."),
        "PFT Plasturgie",
    ),
    (
        "url_fiche",
        _("Adresse de la fiche publique de la plateforme sur le portail."),
        "https://…/plateformes/plateforme-plasturgie-oyonnax/",
    ),
    (
        "label",
        _("État du label : « labelled » (labellisée) ou « renewal » (renouvellement en cours)."),
        "labelled",
    ),
    (
        "label_obtenu_le",
        _("Date d'obtention du label (AAAA-MM-JJ), vide si inconnue."),
        "2015-06-01",
    ),
    (
        "label_valable_jusqu_au",
        _("Date de fin de validité du label (AAAA-MM-JJ), vide si inconnue."),
        "2027-06-01",
    ),
    (
        "adresse",
        _("Adresse postale publique de la plateforme."),
        "1 rue du Lycée",
    ),
    (
        "code_postal",
        _("Code postal."),
        "01100",
    ),
    (
        "ville",
        _("Ville."),
        "Oyonnax",
    ),
    (
        "departement_code",
        _("Code INSEE du département."),
        "01",
    ),
    (
        "departement",
        _("Nom du département."),
        "Ain",
    ),
    (
        "region_code",
        _("Code INSEE de la région (régions de 2016)."),
        "84",
    ),
    (
        "region",
        _("Nom de la région."),
        "Auvergne-Rhône-Alpes",
    ),
    (
        "site_web",
        _("Site web de la plateforme."),
        "https://www.exemple.fr",
    ),
    (
        "email_contact",
        _("Adresse e-mail de contact publique de la plateforme (jamais celle d'une personne)."),
        "contact@exemple.fr",
    ),
    (
        "telephone_contact",
        _("Téléphone public de la plateforme."),
        "04 74 00 00 00",
    ),
    (
        "domaines",
        _("Domaines technologiques, séparés par « | » (une liste en JSON)."),
        "Plasturgie|Matériaux",
    ),
    (
        "services",
        _("Services proposés aux entreprises, séparés par « | » (une liste en JSON)."),
        "Essais|Prototypage",
    ),
    (
        "etablissements_porteurs",
        _("Établissements porteurs, séparés par « | » (une liste en JSON)."),
        "Lycée Arbez Carme",
    ),
    (
        "etablissements_porteurs_uai",
        _("Codes UAI des établissements porteurs qui en ont un, séparés par « | »."),
        "0010016M",
    ),
    (
        "niveaux_transfert",
        _("Niveaux de transfert de technologie proposés (1 à 4), séparés par « | »."),
        "1|3",
    ),
    (
        "presentation",
        _("Présentation de la plateforme."),
        "La plateforme accompagne les PME…",
    ),
    (
        "modifiee_le",
        _("Date et heure de la dernière modification de la fiche (ISO 8601, UTC)."),
        "2026-01-15T09:30:00+00:00",
    ),
]
COLUMN_NAMES = [name for name, _meaning, _example in COLUMNS]
LIST_COLUMNS = {
    "domaines",
    "services",
    "etablissements_porteurs",
    "etablissements_porteurs_uai",
    "niveaux_transfert",
}

# The platform's own public fields read (nothing else is selected from its row).
PLATFORM_FIELDS = (
    "pk",
    "slug",
    "name",
    "acronym",
    "label_status",
    "label_granted_on",
    "label_expires_on",
    "address",
    "postal_code",
    "city",
    "department__code",
    "department__name",
    "department__region__code",
    "department__region__name",
    "website",
    "email",
    "phone",
    "description",
    "updated_at",
)


# Version (one query) -------------------------------------------------------------------


def data_version(request=None) -> dict:
    """{"count", "published", "last_change"} of the platforms, in one aggregate query,
    kept on the request so that ETag and Last-Modified share it."""
    cached = getattr(request, "_opendata_version", None)
    if cached is not None:
        return cached
    version = Platform.objects.aggregate(
        count=Count("pk"),
        published=Count("pk", filter=Q(label_status__in=PUBLISHED_LABELS)),
        last_change=Max("updated_at"),
    )
    if request is not None:
        request._opendata_version = version
    return version


def _etag(request, *args, **kwargs):
    version = data_version(request)
    last = version["last_change"].isoformat() if version["last_change"] else "-"
    key = f"{FORMAT_VERSION}:{version['count']}:{version['published']}:{last}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request, *args, **kwargs):
    return data_version(request)["last_change"]


# Rows (a fixed number of queries) ------------------------------------------------------


def _lists_by_platform(rows, platform_ids) -> dict:
    found = {pk: [] for pk in platform_ids}
    for platform_id, value in rows:
        if value not in (None, ""):
            found[platform_id].append(value)
    return found


def directory_records(base_url: str) -> list[dict]:
    """The published platforms as {column: value} (lists as lists), by name, in five
    queries whatever their number."""
    platforms = list(
        published_platforms().order_by("name", "pk").values_list(*PLATFORM_FIELDS, named=True)
    )
    ids = [row.pk for row in platforms]
    through_domains = Platform.domains.through.objects.filter(platform_id__in=ids)
    through_services = Platform.services.through.objects.filter(platform_id__in=ids)
    domains = _lists_by_platform(
        through_domains.order_by("domain__name", "domain_id").values_list(
            "platform_id", "domain__name"
        ),
        ids,
    )
    services = _lists_by_platform(
        through_services.order_by("service__name", "service_id").values_list(
            "platform_id", "service__name"
        ),
        ids,
    )
    carrying = list(
        PlatformHost.objects.filter(platform_id__in=ids, role=HostRole.CARRYING)
        .order_by("pk")
        .values_list("platform_id", "establishment__name", "establishment__uai")
    )
    hosts = _lists_by_platform(((p, name) for p, name, _uai in carrying), ids)
    uais = _lists_by_platform(((p, uai) for p, _name, uai in carrying), ids)
    levels = _lists_by_platform(
        TransferOffer.objects.filter(platform_id__in=ids)
        .order_by("level")
        .values_list("platform_id", "level"),
        ids,
    )
    records = []
    for row in platforms:
        records.append(
            {
                "identifiant": row.slug,
                "nom": row.name,
                "sigle": row.acronym,
                "url_fiche": base_url + reverse("platform_detail", args=[row.slug]),
                "label": row.label_status,
                "label_obtenu_le": row.label_granted_on,
                "label_valable_jusqu_au": row.label_expires_on,
                "adresse": row.address,
                "code_postal": row.postal_code,
                "ville": row.city,
                "departement_code": row.department__code,
                "departement": row.department__name,
                "region_code": row.department__region__code,
                "region": row.department__region__name,
                "site_web": row.website,
                "email_contact": row.email,
                "telephone_contact": row.phone,
                "domaines": domains[row.pk],
                "services": services[row.pk],
                "etablissements_porteurs": hosts[row.pk],
                "etablissements_porteurs_uai": uais[row.pk],
                "niveaux_transfert": levels[row.pk],
                "presentation": row.description,
                "modifiee_le": row.updated_at,
            }
        )
    return records


def _csv_value(name, value):
    if name in LIST_COLUMNS:
        return LIST_SEPARATOR.join(str(item) for item in value)
    if name == "modifiee_le" and value is not None:
        return value.isoformat()
    return value


def _json_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# Views ----------------------------------------------------------------------------------


def _base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@login_not_required
@require_safe
def opendata_page(request):
    version = data_version(request)
    return render(
        request,
        "innovalo/opendata.html",
        {
            "columns": COLUMNS,
            "last_change": version["last_change"],
            "published": version["published"],
            "licence_name": LICENCE_NAME,
            "licence_url": LICENCE_URL,
            "list_separator": LIST_SEPARATOR,
        },
    )


@login_not_required
@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def platforms_csv(request):
    records = directory_records(_base_url(request))
    rows = ([_csv_value(name, record[name]) for name in COLUMN_NAMES] for record in records)
    response = HttpResponse(
        "".join(csv_lines(COLUMN_NAMES, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="plateformes.csv"'
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


@login_not_required
@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def platforms_json(request):
    version = data_version(request)
    records = directory_records(_base_url(request))
    document = {
        "titre": "Annuaire des plateformes technologiques labellisées",
        "licence": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "documentation": _base_url(request) + reverse("opendata"),
        "derniere_modification": _json_value(version["last_change"]),
        "colonnes": COLUMN_NAMES,
        "plateformes": [
            {name: _json_value(record[name]) for name in COLUMN_NAMES} for record in records
        ],
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


urlpatterns = [
    path("donnees/", opendata_page, name="opendata"),
    path("donnees/plateformes.csv", platforms_csv, name="opendata_platforms_csv"),
    path("donnees/plateformes.json", platforms_json, name="opendata_platforms_json"),
]
