"""The bureau's export of a campaign's responses: one row per response, one column per
question code, identity unless anonymous, formulas defused, CSV streamed and XLSX
written in write-only mode, a fixed number of queries per chunk of responses."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from surveys.enums import CampaignKind, CampaignStatus, ResponseStatus
from surveys.selectors import exports
from surveys.selectors import results as selectors
from tests.conftest import ROLES

from .factories import CampaignFactory, QuestionFactory, SectionFactory
from .results_factories import answered, impact_campaign

pytestmark = pytest.mark.django_db

SEEN = {
    CampaignStatus.DRAFT: {"director": 404, "ministry": 404},
    CampaignStatus.OPEN: {"director": 403, "ministry": 403},
    CampaignStatus.CLOSED: {"director": 403, "ministry": 403},
    CampaignStatus.PUBLISHED: {"director": 403, "ministry": 403},
}


def export_url(campaign, fmt="csv"):
    return reverse("survey_export", args=[campaign.pk]) + f"?format={fmt}"


def csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


@pytest.fixture
def campaign(platform, other_platform):
    campaign = impact_campaign(status=CampaignStatus.CLOSED)
    answered(
        campaign,
        {
            "etudiants": 12,
            "ca_services": Decimal("1500.50"),
            "secteur": "industrie",
            "prestations": ["essais", "formation"],
            "partenariat": True,
            "pme_taille": {"tpe": {"industrie": Decimal("3")}, "pme": {"services": Decimal("2.5")}},
            "commentaire": '=HYPERLINK("http://pirate.example")',
            "date_bilan": datetime.date(2017, 3, 1),
        },
        platform=platform,
    )
    answered(campaign, {"etudiants": 5, "partenariat": False}, platform=other_platform)
    return campaign


@pytest.mark.parametrize("status", list(SEEN))
@pytest.mark.parametrize("role", ROLES)
def test_export_per_role_and_status(client_for, role, status):
    campaign = impact_campaign(status=status)
    response = client_for(role).get(export_url(campaign))
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "bureau":
        assert response.status_code == 200
    else:
        role = "director" if role == "other_director" else role
        assert response.status_code == SEEN[status][role]


def test_csv_is_streamed_with_a_column_per_question_code(client_for, campaign):
    response = client_for("bureau").get(export_url(campaign))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:7] == [
        "réponse",
        "plateforme",
        "identifiant de la plateforme",
        "région",
        "envoyée le",
        "envoyée par",
        "état",
    ]
    assert header[7:] == [
        "etudiants",
        "apprentis",
        "pme_servies",
        "ca_services",
        "part_export",
        "secteur",
        "prestations",
        "partenariat",
        "satisfaction",
        "pme_taille_tpe_industrie",
        "pme_taille_tpe_services",
        "pme_taille_pme_industrie",
        "pme_taille_pme_services",
        "commentaire",
        "date_bilan",
    ]
    assert len(rows) == 2
    first = dict(zip(header, rows[0], strict=True))
    assert first["plateforme"] == "InnovalTech"
    assert first["état"] == "Envoyée"
    assert first["etudiants"] == "12"
    assert first["ca_services"] == "1500,5"
    assert first["prestations"] == "essais, formation"
    assert first["partenariat"] == "oui"
    assert first["pme_taille_tpe_industrie"] == "3"
    assert first["pme_taille_pme_services"] == "2,5"
    assert first["pme_taille_tpe_services"] == ""
    assert first["date_bilan"] == "2017-03-01"
    assert first["apprentis"] == ""
    assert dict(zip(header, rows[1], strict=True))["partenariat"] == "non"


def test_export_defuses_formulas(client_for, campaign):
    header, *rows = csv_rows(client_for("bureau").get(export_url(campaign)))
    assert dict(zip(header, rows[0], strict=True))["commentaire"].startswith("'=HYPERLINK")


def test_export_includes_drafts_with_their_state(client_for, campaign):
    answered(campaign, {"etudiants": 1}, status=ResponseStatus.DRAFT)
    header, *rows = csv_rows(client_for("bureau").get(export_url(campaign)))
    assert [dict(zip(header, row, strict=True))["état"] for row in rows] == [
        "Envoyée",
        "Envoyée",
        "Brouillon",
    ]


def test_anonymous_campaign_export_has_no_identity(client_for, platform):
    campaign = impact_campaign(status=CampaignStatus.CLOSED, anonymous=True)
    answered(campaign, {"etudiants": 12}, platform=platform)
    header, *rows = csv_rows(client_for("bureau").get(export_url(campaign)))
    assert header[0] == "état"
    for name in ("réponse", "plateforme", "envoyée le", "envoyée par"):
        assert name not in header
    assert "InnovalTech" not in ";".join(rows[0])


def test_external_questionnaire_export_names_the_respondent(client_for):
    campaign = CampaignFactory(kind=CampaignKind.EXTERNAL, status=CampaignStatus.CLOSED)
    QuestionFactory(section=SectionFactory(campaign=campaign), code="effectif")
    answered(campaign, {"effectif": 40})
    header, row = csv_rows(client_for("bureau").get(export_url(campaign)))
    values = dict(zip(header, row, strict=True))
    assert values["organisation"].startswith("PME ")
    assert values["courriel"].endswith("@exemple.fr")
    assert values["effectif"] == "40"


def test_xlsx_export(client_for, campaign):
    response = client_for("bureau").get(export_url(campaign, "xlsx"))
    assert response.status_code == 200
    assert response.streaming  # written as it is sent: no timeout on 100,000 responses
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    header = rows[0]
    assert header[7] == "etudiants"
    first = dict(zip(header, rows[1], strict=True))
    assert first["etudiants"] == 12
    assert first["ca_services"] == Decimal("1500.5") or first["ca_services"] == 1500.5
    assert first["commentaire"].startswith("'=")
    assert len(rows) == 3


@pytest.mark.parametrize("fmt", ["pdf", "", "x" * 300])
def test_a_bad_format_is_a_clear_400(client_for, campaign, fmt):
    address = reverse("survey_export", args=[campaign.pk])
    response = client_for("bureau").get(address, {"format": fmt})
    assert response.status_code == 400
    assert "csv ou xlsx" in response.content.decode()
    assert client_for("bureau").get(address, {"format": "\x00"}).status_code == 400


def test_no_format_means_csv(client_for, campaign):
    response = client_for("bureau").get(reverse("survey_export", args=[campaign.pk]))
    assert response.status_code == 200
    assert response.streaming


def test_rows_are_read_a_chunk_at_a_time(campaign, django_assert_num_queries):
    for index in range(5):
        answered(campaign, {"etudiants": index})
    questions = selectors.load_questions(campaign)
    # Per chunk: its responses and their answers; then one read that finds no more.
    with django_assert_num_queries(2 * 4 + 1):
        rows = list(exports.export_rows(campaign, questions, chunk_size=2))
    assert len(rows) == 7
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)


EXPORT_QUERIES = 8  # session, user, campaign, questions, choices, a chunk, its answers, the end


def test_export_query_count_does_not_grow_with_responses(
    client_for, campaign, django_assert_num_queries
):
    client = client_for("bureau")

    def count():
        with django_assert_num_queries(EXPORT_QUERIES) as captured:
            response = client.get(export_url(campaign))
            b"".join(response.streaming_content)
        return len(captured.captured_queries)

    few = count()
    for index in range(20):
        answered(campaign, {"etudiants": index})
    assert count() == few
