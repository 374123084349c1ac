"""The national report (PDF): who may download it, what it says (cover, key figures,
charts, regions, year over year, response rate and method, page numbers), secrecy for
the ministry, its query count, and that opening it writes nothing."""

import pytest
from django.urls import reverse

from innovalo.models import AuditEntry
from surveys.enums import CampaignStatus
from surveys.models import Answer, Response
from tests.conftest import ROLES
from tests.members.factories import department
from tests.pdf import pdf_text

from . import test_results
from .results_factories import answered, impact_campaign, labelled_platform
from .test_results import MEDIAN_READ, SEEN, fill

pytestmark = pytest.mark.django_db

quick_pdf = test_results.quick_pdf  # a fixture: WeasyPrint skipped


def report_url(campaign):
    return reverse("survey_report", args=[campaign.pk])


@pytest.fixture
def campaigns(platform, other_platform):
    earlier = impact_campaign(year=2016, status=CampaignStatus.PUBLISHED)
    current = impact_campaign(year=2017, status=CampaignStatus.PUBLISHED, copied_from=earlier)
    fill(earlier, [labelled_platform() for _n in range(3)])
    fill(current, [platform, other_platform, labelled_platform()])
    answered(current, {"etudiants": 4321}, platform=labelled_platform(department=department("29")))
    return earlier, current


@pytest.mark.parametrize("status", list(SEEN))
@pytest.mark.parametrize("role", ROLES)
def test_report_per_role_and_status(client_for, role, status, platform, quick_pdf):
    campaign = impact_campaign(status=status)
    fill(campaign, [platform, labelled_platform(), labelled_platform()])
    response = client_for(role).get(report_url(campaign))
    assert response.status_code == SEEN[status][role], (role, status)
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        assert quick_pdf[-1]["results"].keep_secret is (role != "bureau")


def test_report_sections(client_for, campaigns):
    _earlier, current = campaigns
    response = client_for("bureau").get(report_url(current))
    assert response.status_code == 200
    content = pdf_text(response.content, flat=True)
    assert "Rapport national" in content
    assert "Enquête d'impact 2017" in content
    # The platforms that answered in 2016 are labelled too: expected this year.
    assert "4 réponses envoyées sur 7 attendues" in content
    assert "Chiffres clés" in content
    assert "Étudiants impliqués" in content
    assert "10 987" in content  # 1111 + 2222 + 3333 + 4321
    assert "Par région" in content
    assert "Hauts-de-France" in content and "Bretagne" in content
    assert "D'une année à l'autre" in content
    assert "2016" in content
    assert "En 2016 : 6 666" in content  # beside the key figure (1111 + 2222 + 3333)
    assert "Taux de réponse et méthode" in content
    assert "Secret statistique" in content
    assert "Page 1 / " in content
    assert "Commentaire confidentiel" not in content  # free text stays on the bureau's page


def test_report_keeps_secrecy_for_the_ministry(client_for, campaigns):
    _earlier, current = campaigns
    content = pdf_text(client_for("ministry").get(report_url(current)).content, flat=True)
    assert "secret" in content
    # Bretagne's only response: secret in the table by region, and as the maximum.
    assert "4 321" not in content
    assert "10 987" in content  # the national total comes from four responses
    bureau = pdf_text(client_for("bureau").get(report_url(current)).content, flat=True)
    assert "4 321" in bureau


def test_report_of_a_campaign_with_two_responses_shows_secret_for_the_ministry(
    client_for, platform, other_platform
):
    campaign = impact_campaign(status=CampaignStatus.CLOSED)
    fill(campaign, [platform, other_platform])
    content = pdf_text(client_for("ministry").get(report_url(campaign)).content, flat=True)
    assert "secret" in content
    assert "3 333" not in content


def test_report_query_count_does_not_grow_with_responses(
    client_for, campaigns, django_assert_num_queries
):
    _earlier, current = campaigns
    client = client_for("ministry")
    with django_assert_num_queries(REPORT_QUERIES + MEDIAN_READ):
        assert client.get(report_url(current)).status_code == 200
    fill(current, [labelled_platform() for _n in range(10)], start=5)
    with django_assert_num_queries(REPORT_QUERIES + MEDIAN_READ):
        assert client.get(report_url(current)).status_code == 200


# Session, user, campaign, questions, choices, regions, earlier campaigns and their
# questions, and every figure (one statement).
REPORT_QUERIES = 9


def test_the_report_reads_the_results_pages_cache_until_a_response_changes(
    client_for, campaigns, quick_pdf, django_assert_max_num_queries
):
    _earlier, current = campaigns
    client = client_for("bureau")
    client.get(report_url(current))
    first = quick_pdf[-1]["results"]
    # Session, user and the campaign: the figures come from the cache.
    with django_assert_max_num_queries(3):
        client.get(report_url(current))
    assert quick_pdf[-1]["results"].participation.submitted == first.participation.submitted
    answered(current, {"etudiants": 1000}, platform=labelled_platform())
    client.get(report_url(current))
    assert quick_pdf[-1]["results"].participation.submitted == first.participation.submitted + 1


def test_opening_the_report_writes_nothing(client_for, campaigns):
    _earlier, current = campaigns
    before = (Response.objects.count(), Answer.objects.count(), AuditEntry.objects.count())
    client_for("bureau").get(report_url(current))
    client_for("ministry").get(report_url(current))
    assert (Response.objects.count(), Answer.objects.count(), AuditEntry.objects.count()) == before
