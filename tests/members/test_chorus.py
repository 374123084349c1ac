"""The bureau's ZIP of a year's public buyers' notices for Chorus Pro: the stored
notices as issued and a CSV; only the bureau; a GET never writes."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from innovalo.models import AuditEntry
from members.enums import EstablishmentKind, HostRole
from members.models import DocumentCounter, DuesDocument
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    fast_pdf_fixture,
    frozen_fixture,
    stored_amounts_agree_fixture,
)
from .factories import EstablishmentFactory, PlatformHostFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]

URL = reverse("dues_chorus_zip")


def hosted(line, kind, role=HostRole.CARRYING):
    PlatformHostFactory(
        platform=line.platform, establishment=EstablishmentFactory(kind=kind), role=role
    )
    return line


@pytest.fixture
def notices():
    """2026: one buyer with a Chorus code, one hosted by a lycée, one private, one
    public only as partner; and a public buyer's notice of 2025."""
    chorus = DuesLineFactory(
        amount_due=Decimal("450.00"),
        purchase_order="BC-77",
        platform__siret="19750001000016",
        platform__chorus_service_code="SERV-DAF",
        platform__billing_name="Lycée Jules Ferry",
    )
    lycee = hosted(DuesLineFactory(platform__chorus_service_code=""), EstablishmentKind.LYCEE)
    private = hosted(DuesLineFactory(platform__chorus_service_code=""), EstablishmentKind.OTHER)
    partner = hosted(
        DuesLineFactory(platform__chorus_service_code=""),
        EstablishmentKind.IUT,
        role=HostRole.PARTNER,
    )
    older = hosted(
        DuesLineFactory(year=2025, platform__chorus_service_code=""), EstablishmentKind.UNIVERSITY
    )
    return {
        name: services.dues_issue_notice(line)
        for name, line in [
            ("chorus", chorus),
            ("lycee", lycee),
            ("private", private),
            ("partner", partner),
            ("older", older),
        ]
    }


def writes():
    return (
        DuesDocument.objects.count(),
        list(DocumentCounter.objects.values_list("last_number", flat=True)),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("director", 403),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_only_the_bureau_downloads_the_zip(client_for, notices, role, status):
    before = writes()
    response = client_for(role).get(URL, {"year": 2026})
    assert response.status_code == status
    if role == "anonymous":
        assert "/login/" in response["Location"] or "connexion" in response["Location"]
    assert writes() == before


def read_zip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = archive.read("chorus.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return archive, rows


def test_the_zip_holds_the_public_buyers_notices_as_issued_and_their_csv(client_for, notices):
    response = client_for("bureau").get(URL, {"year": 2026})
    assert response["Content-Type"] == "application/zip"
    assert 'filename="chorus-pro-2026.zip"' in response["Content-Disposition"]
    archive, rows = read_zip(response)
    chorus, lycee = notices["chorus"], notices["lycee"]
    assert sorted(archive.namelist()) == sorted(["chorus.csv", chorus.filename, lycee.filename])
    assert archive.read(chorus.filename) == bytes(chorus.content)
    assert rows[0][:5] == [
        "SIRET acheteur",
        "Code service",
        "Bon de commande",
        "Montant",
        "Numéro d'appel",
    ]
    assert rows[1][:6] == [
        "19750001000016",
        "SERV-DAF",
        "BC-77",
        "450,00",
        chorus.number,
        "Lycée Jules Ferry",
    ]
    assert rows[2][4] == lycee.number and rows[2][3] == "300,00" and rows[2][1] == ""
    assert len(rows) == 3


def test_another_year_and_a_bad_year(client_for, notices):
    _archive, rows = read_zip(client_for("bureau").get(URL, {"year": 2025}))
    assert [row[4] for row in rows[1:]] == [notices["older"].number]
    # Not a year: the current one (2026), never a 500.
    for bad in ("abc", "99999999999999999999", "1"):
        response = client_for("bureau").get(URL, {"year": bad})
        assert response.status_code == 200
        _archive, rows = read_zip(response)
        assert len(rows) == 3


def test_the_queries_do_not_grow_with_the_notices(client_for, django_assert_max_num_queries):
    bureau = client_for("bureau")
    for _ in range(6):
        line = DuesLineFactory(platform__chorus_service_code="")
        hosted(line, EstablishmentKind.LYCEE)
        services.dues_issue_notice(line)
    with django_assert_max_num_queries(6):
        response = bureau.get(URL, {"year": 2026})
    _archive, rows = read_zip(response)
    assert len(rows) == 7
