"""The year's notices of public buyers as one ZIP to deposit on Chorus Pro. (issue 12)

`/cotisations/chorus/?year=` (bureau only): the stored Factur-X notices (as issued,
not rendered again) of the year whose buyer is a public establishment, with
`chorus.csv` listing, for each, the buyer's SIRET, Chorus Pro service code, purchase
order, amount and notice number. A GET only reads the stored documents.

A buyer is *public* when its platform has a Chorus Pro service code, or when its
carrying establishment is a lycée, an IUT or a university (the models have no
"public entity" flag nor an establishment SIRET: the platform's billing identity is
the buyer).
"""

import csv
import io
import zipfile

from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse

from innovalo.exports import _defuse
from innovalo.perms import require

from .. import perms
from ..enums import DuesDocumentKind, EstablishmentKind, HostRole
from ..models import DuesDocument, PlatformHost
from .dues import _money, _year

PUBLIC_KINDS = (EstablishmentKind.LYCEE, EstablishmentKind.IUT, EstablishmentKind.UNIVERSITY)
CSV_HEADER = [
    "SIRET acheteur",
    "Code service",
    "Bon de commande",
    "Montant",
    "Numéro d'appel",
    "Acheteur",
    "Fichier",
]


def public_notices(year):
    """The year's valid notices whose buyer is public, with their line and platform."""
    public_host = PlatformHost.objects.filter(
        platform=OuterRef("line__platform"),
        role=HostRole.CARRYING,
        establishment__kind__in=PUBLIC_KINDS,
    )
    return (
        DuesDocument.objects.valid()
        .filter(kind=DuesDocumentKind.NOTICE, year=year)
        .filter(~Q(line__platform__chorus_service_code="") | Exists(public_host))
        .select_related("line__platform")
        .only(
            "number",
            "filename",
            "content",
            "amount",
            "line__purchase_order",
            "line__platform__name",
            "line__platform__billing_name",
            "line__platform__siret",
            "line__platform__chorus_service_code",
        )
        .order_by("sequence")
    )


def _csv(documents) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for document in documents:
        platform = document.line.platform
        writer.writerow(
            [
                _defuse(platform.siret),
                _defuse(platform.chorus_service_code),
                _defuse(document.line.purchase_order),
                str(_money(document.amount)).replace(".", ","),
                document.number,
                _defuse(platform.billing_name or platform.name),
                document.filename,
            ]
        )
    return out.getvalue().encode("utf-8")


def dues_chorus_zip(request):
    """The ZIP of the year's public buyers' notices and their CSV (bureau only)."""
    require(perms.can_manage_dues(request.user))
    year = _year(request)
    documents = list(public_notices(year))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("chorus.csv", _csv(documents))
        for document in documents:
            archive.writestr(document.filename, bytes(document.content))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="chorus-pro-{year}.zip"'
    return response
