"""Open data (issue 13): the public directory as CSV and JSON, its page, its caching headers,
and that nothing private is ever reachable there."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from innovalo.opendata import COLUMN_NAMES
from members.enums import HostRole, LabelStatus, PaymentMethod, PlatformRole
from members.models import DuesLine, Payment, Platform, TransferOffer
from tests.factories import UserFactory
from tests.members.factories import (
    DomainFactory,
    EquipmentFactory,
    EstablishmentFactory,
    MembershipFactory,
    PlatformFactory,
    PlatformHostFactory,
    ServiceFactory,
)

CSV_URL = "/donnees/plateformes.csv"
JSON_URL = "/donnees/plateformes.json"
PAGE_URL = "/donnees/"


def _csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def _json(response) -> dict:
    return json.loads(response.content.decode("utf-8"))


@pytest.fixture
def published(db):
    """A labelled platform with its public profile, its people and private data."""
    platform = PlatformFactory(
        name="Plateforme Plasturgie Oyonnax",
        acronym="PPO",
        slug="plateforme-plasturgie-oyonnax",
        city="Oyonnax",
        postal_code="01100",
        address="1 rue du Lycée",
        website="https://pft-plasturgie.exemple.fr",
        email="contact@pft-plasturgie.exemple.fr",
        phone="04 74 00 00 00",
        description="Essais et prototypage pour les PME.",
        label_granted_on=datetime.date(2015, 6, 1),
        label_expires_on=datetime.date(2027, 6, 1),
        billing_name="Agence comptable secrète du lycée",
        billing_address="99 avenue Privée\n01100 Oyonnax",
        siret="19010016400019",
        chorus_service_code="CHORUS-PRIVE-42",
    )
    platform.domains.set([DomainFactory(name="Plasturgie"), DomainFactory(name="Matériaux")])
    platform.services.set([ServiceFactory(name="Essais")])
    PlatformHostFactory(
        platform=platform,
        establishment=EstablishmentFactory(name="Lycée Arbez Carme", uai="0010016M"),
    )
    PlatformHostFactory(
        platform=platform,
        establishment=EstablishmentFactory(name="Lycée partenaire discret"),
        role=HostRole.PARTNER,
    )
    TransferOffer.objects.create(platform=platform, level=3, description="Expertise")
    EquipmentFactory(platform=platform, name="Presse à injecter")
    director = UserFactory(
        first_name="Hortense",
        last_name="Confidentielle",
        email="hortense.confidentielle@exemple.fr",
        phone="06 11 22 33 44",
    )
    MembershipFactory(platform=platform, user=director, role=PlatformRole.DIRECTOR)
    line = DuesLine.objects.create(
        platform=platform,
        year=2026,
        amount_due=Decimal("317.43"),
        due_date=datetime.date(2026, 3, 31),
        status="called",
        called_at=timezone.now(),
    )
    Payment.objects.create(
        amount=Decimal("317.43"),
        method=PaymentMethod.CHEQUE,
        received_on=datetime.date(2026, 4, 2),
        payer="Payeur Très Privé",
        reference="CHQ-PRIVE-8812",
        note="Note interne du trésorier",
    )
    return platform, line


@pytest.fixture
def hidden(db):
    """A platform whose label expired and one never labelled: never published."""
    return [
        PlatformFactory(
            name="Plateforme Au Label Expiré",
            slug="plateforme-au-label-expire",
            email="expiree@exemple.fr",
            label_status=LabelStatus.EXPIRED,
        ),
        PlatformFactory(
            name="Plateforme Jamais Labellisée",
            slug="plateforme-jamais-labellisee",
            email="jamais@exemple.fr",
            phone="05 55 55 55 55",
            label_status=LabelStatus.NOT_LABELLED,
        ),
    ]


PRIVATE_VALUES = [
    "Hortense",
    "Confidentielle",
    "hortense.confidentielle@exemple.fr",
    "06 11 22 33 44",
    "Agence comptable secrète",
    "99 avenue Privée",
    "19010016400019",
    "CHORUS-PRIVE-42",
    "317",
    "Payeur Très Privé",
    "CHQ-PRIVE-8812",
    "Note interne",
    "Plateforme Au Label Expiré",
    "plateforme-au-label-expire",
    "expiree@exemple.fr",
    "Plateforme Jamais Labellisée",
    "jamais@exemple.fr",
    "05 55 55 55 55",
]


# Content --------------------------------------------------------------------------------


def test_csv_lists_the_published_platform_under_the_stable_columns(client, published, hidden):
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response)
    assert list(rows[0]) == COLUMN_NAMES
    assert len(rows) == 1
    row = rows[0]
    assert row["identifiant"] == "plateforme-plasturgie-oyonnax"
    assert row["nom"] == "Plateforme Plasturgie Oyonnax"
    assert row["sigle"] == "PPO"
    assert row["url_fiche"] == "http://testserver/plateformes/plateforme-plasturgie-oyonnax/"
    assert row["label"] == "labelled"
    assert row["label_obtenu_le"] == "2015-06-01"
    assert row["label_valable_jusqu_au"] == "2027-06-01"
    assert row["ville"] == "Oyonnax"
    assert row["code_postal"] == "01100"
    assert row["departement_code"] == "02"
    assert row["region_code"] == "32"
    assert row["email_contact"] == "contact@pft-plasturgie.exemple.fr"
    assert row["domaines"] == "Matériaux|Plasturgie"
    assert row["services"] == "Essais"
    assert row["etablissements_porteurs"] == "Lycée Arbez Carme"
    assert row["etablissements_porteurs_uai"] == "0010016M"
    assert row["niveaux_transfert"] == "3"
    assert row["modifiee_le"].startswith(str(published[0].updated_at.year))


def test_json_has_the_same_rows_with_lists_and_the_licence(client, published, hidden):
    document = _json(client.get(JSON_URL))
    assert document["licence"].startswith("Licence Ouverte")
    assert document["colonnes"] == COLUMN_NAMES
    assert document["derniere_modification"]
    [record] = document["plateformes"]
    assert list(record) == COLUMN_NAMES
    assert record["domaines"] == ["Matériaux", "Plasturgie"]
    assert record["niveaux_transfert"] == [3]
    assert record["label_obtenu_le"] == "2015-06-01"


def test_a_platform_whose_label_is_being_renewed_is_published(client, db):
    PlatformFactory(name="En renouvellement", label_status=LabelStatus.RENEWAL)
    assert [row["nom"] for row in _csv_rows(client.get(CSV_URL))] == ["En renouvellement"]


def test_page_documents_every_column_the_licence_and_the_last_change(client, published):
    response = client.get(PAGE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in COLUMN_NAMES:
        assert f"<code>{name}</code>" in html
    assert "Licence Ouverte" in html
    assert "Dernière modification" in html
    assert reverse("opendata_platforms_csv") in html
    assert reverse("opendata_platforms_json") in html


def test_the_footer_links_to_the_open_data(client, db):
    assert 'href="/donnees/"' in client.get(reverse("platform_list")).content.decode()


# Nothing private ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_nothing_private_is_in_the_files(client, published, hidden, url):
    content = client.get(url).content.decode("utf-8")
    for value in PRIVATE_VALUES:
        assert value not in content, value
    # The partner establishment and the equipment are not columns either.
    assert "Lycée partenaire discret" not in content
    assert "Presse à injecter" not in content


def test_nothing_private_is_on_the_page(client, published, hidden):
    content = client.get(PAGE_URL).content.decode("utf-8")
    for value in PRIVATE_VALUES:
        assert value not in content, value


# Anonymous access, methods, no writes ---------------------------------------------------


@pytest.mark.parametrize("url", [PAGE_URL, CSV_URL, JSON_URL])
def test_anonymous_users_get_every_page(client, db, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_a_post_is_refused(client, db, url):
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("url", [PAGE_URL, CSV_URL, JSON_URL])
def test_a_get_writes_nothing(client, published, url):
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


# Caching headers ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_the_files_carry_an_etag_and_a_last_modified(client, published, url):
    response = client.get(url)
    assert response["ETag"]
    assert response["Last-Modified"]


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_if_none_match_answers_304_in_one_query(client, published, url, django_assert_num_queries):
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_if_modified_since_answers_304_in_one_query(
    client, published, url, django_assert_num_queries
):
    last_modified = client.get(url)["Last-Modified"]
    with django_assert_num_queries(1):
        response = client.get(url, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304


def test_an_old_date_gets_the_file(client, published):
    response = client.get(CSV_URL, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert response.status_code == 200


def test_the_etag_changes_when_a_platform_changes(client, published):
    etag = client.get(CSV_URL)["ETag"]
    platform = published[0]
    platform.city = "Bellignat"
    platform.save()
    response = client.get(CSV_URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert _csv_rows(response)[0]["ville"] == "Bellignat"


def test_the_etag_changes_when_a_platform_loses_its_label(client, published):
    etag = client.get(JSON_URL)["ETag"]
    Platform.objects.filter(pk=published[0].pk).update(label_status=LabelStatus.EXPIRED)
    response = client.get(JSON_URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert _json(response)["plateformes"] == []


def test_the_etag_changes_when_a_platform_is_removed(client, published, hidden):
    etag = client.get(CSV_URL)["ETag"]
    hidden[0].delete()
    assert client.get(CSV_URL, headers={"If-None-Match": etag}).status_code == 200


# Queries and defusing -------------------------------------------------------------------


def _platforms(count):
    for n in range(count):
        platform = PlatformFactory()
        platform.domains.set([DomainFactory(), DomainFactory()])
        platform.services.set([ServiceFactory()])
        PlatformHostFactory(platform=platform)
        TransferOffer.objects.create(platform=platform, level=1 + n % 4)


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_the_query_count_does_not_grow_with_the_rows(client, db, url):
    _platforms(1)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _platforms(4)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert len(one) == len(five) <= 6
    rows = _json(response)["plateformes"] if url == JSON_URL else _csv_rows(response)
    assert len(rows) == 5


def test_the_page_runs_one_query(client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        client.get(PAGE_URL)


def test_csv_defuses_spreadsheet_formulas(client, db):
    PlatformFactory(
        name='=HYPERLINK("http://x")', city="+cmd|' /C calc'!A0", phone="+33 3 23 00 00 00"
    )
    row = _csv_rows(client.get(CSV_URL))[0]
    assert row["nom"] == '\'=HYPERLINK("http://x")'
    assert row["ville"].startswith("'+")
    assert row["telephone_contact"] == "+33 3 23 00 00 00"  # a phone number stays as it is
