"""The results page: who sees it for each campaign status, what it shows (secrecy,
free text, cross-tabulation, year over year, "your platform"), bad input, its query
count, and that a GET writes nothing."""

import html
import re
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from innovalo.models import AuditEntry, SentReminder
from members.enums import PlatformRole
from surveys.enums import CampaignKind, CampaignStatus, QuestionType
from surveys.models import Answer, Response
from tests.conftest import ROLES
from tests.members.factories import MembershipFactory, department

from .factories import CampaignFactory, QuestionFactory, SectionFactory, choice_question
from .results_factories import answered, impact_campaign, labelled_platform

pytestmark = pytest.mark.django_db

# Expected status of the results page and the report, per campaign status and role.
SEEN = {
    CampaignStatus.DRAFT: {
        "anonymous": 302,
        "director": 404,
        "other_director": 404,
        "bureau": 200,
        "ministry": 404,
    },
    CampaignStatus.OPEN: {
        "anonymous": 302,
        "director": 403,
        "other_director": 403,
        "bureau": 200,
        "ministry": 403,
    },
    CampaignStatus.CLOSED: {
        "anonymous": 302,
        "director": 403,
        "other_director": 403,
        "bureau": 200,
        "ministry": 200,
    },
    CampaignStatus.PUBLISHED: {
        "anonymous": 302,
        "director": 200,
        "other_director": 200,
        "bureau": 200,
        "ministry": 200,
    },
}


def text(response) -> str:
    """The page's text, tags and (narrow) no-break spaces dropped."""
    content = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return " ".join(content.replace("\u202f", " ").replace("\xa0", " ").split())


def url(campaign, **query):
    base = reverse("survey_results", args=[campaign.pk])
    if query:
        base += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return base


def fill(campaign, platforms, start=1):
    """One submitted response per platform, with numbers that add up recognisably."""
    for index, platform in enumerate(platforms, start=start):
        answered(
            campaign,
            {
                "etudiants": 1111 * index,
                "pme_servies": index,
                "ca_services": Decimal(100 * index),
                "secteur": "industrie" if index % 2 else "services",
                "prestations": ["essais"],
                "partenariat": bool(index % 2),
                "satisfaction": 4,
                "pme_taille": {"tpe": {"industrie": Decimal(index)}},
                "commentaire": f"Commentaire confidentiel {index}",
            },
            platform=platform,
        )


@pytest.fixture
def quick_pdf(monkeypatch):
    """The report's context is built as usual, but WeasyPrint is skipped (the role
    matrix checks who gets the PDF; other tests read real ones)."""
    # The module (``surveys.views.results`` is also the name of the page's view).
    views = sys.modules["surveys.views.results"]

    rendered = []

    def fake(template, context, *, filename):
        rendered.append(context)
        return filename, b"%PDF-1.7 stub"

    monkeypatch.setattr(views, "render_pdf", fake)
    return rendered


@pytest.fixture
def published(platform, other_platform):
    campaign = impact_campaign(status=CampaignStatus.PUBLISHED)
    fill(campaign, [platform, other_platform, labelled_platform()])
    return campaign


@pytest.mark.parametrize("status", list(SEEN))
@pytest.mark.parametrize("role", ROLES)
def test_results_page_per_role_and_status(client_for, role, status, platform, other_platform):
    campaign = impact_campaign(status=status)
    fill(campaign, [platform, other_platform, labelled_platform()])
    response = client_for(role).get(url(campaign))
    assert response.status_code == SEEN[status][role], (role, status)
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ["director", "other_director"])
def test_platform_people_see_published_results_of_an_external_questionnaire(client_for, role):
    campaign = CampaignFactory(kind=CampaignKind.EXTERNAL, status=CampaignStatus.PUBLISHED)
    QuestionFactory(section=SectionFactory(campaign=campaign), code="effectif")
    assert client_for(role).get(url(campaign)).status_code == 200


def test_unknown_campaign_is_404(client_for):
    assert client_for("bureau").get("/enquetes/999999/resultats/").status_code == 404


def test_results_page_shows_each_kind_of_figure(client_for, published):
    response = client_for("bureau").get(url(published))
    assert "<svg" in response.content.decode()
    content = text(response)
    assert "Étudiants impliqués" in content
    assert "6 666" in content  # 1111 + 2222 + 3333
    assert "3 réponses envoyées sur 3 attendues" in content
    assert "Industrie" in content and "66,7 %" in content
    assert "TPE" in content
    assert "Méthode" in content


def test_post_is_refused(client_for, published):
    assert client_for("bureau").post(url(published)).status_code == 405


# Statistical secrecy ------------------------------------------------------------------


@pytest.fixture
def two_answers(platform, other_platform):
    campaign = impact_campaign(status=CampaignStatus.PUBLISHED)
    fill(campaign, [platform, other_platform])
    return campaign


@pytest.mark.parametrize("role", ["ministry", "director"])
def test_two_responses_are_secret_for_the_ministry_and_platforms(client_for, role, two_answers):
    content = text(client_for(role).get(url(two_answers)))
    assert "secret" in content
    assert "3 333" not in content  # the total of 1111 and 2222
    assert "1 666,5" not in content  # their mean and median
    assert "2 222" not in content  # their maximum (their own value is the director's)


def test_two_responses_are_shown_to_the_bureau(client_for, two_answers):
    content = text(client_for("bureau").get(url(two_answers)))
    assert "3 333" in content


def test_three_responses_are_shown_to_the_ministry(client_for, published):
    content = text(client_for("ministry").get(url(published)))
    assert "6 666" in content
    assert "Moins de 3 réponses" not in content


# Free text -------------------------------------------------------------------------


def test_free_text_is_the_bureau_s(client_for, published):
    bureau = text(client_for("bureau").get(url(published)))
    assert "Commentaire confidentiel 1" in bureau
    assert "InnovalTech" in bureau  # next to its platform: the campaign is not anonymous
    for role in ("ministry", "director"):
        content = text(client_for(role).get(url(published)))
        assert "Commentaire confidentiel" not in content
        assert "réservées au bureau" in content


def test_free_text_of_an_anonymous_campaign_names_nobody(client_for, platform, other_platform):
    campaign = impact_campaign(status=CampaignStatus.CLOSED, anonymous=True)
    fill(campaign, [platform, other_platform, labelled_platform()])
    content = text(client_for("bureau").get(url(campaign)))
    assert "Commentaire confidentiel 1" in content
    assert "InnovalTech" not in content
    assert "Plasti Vendée" not in content


def test_free_text_is_limited_then_paginated(client_for, platform):
    campaign = impact_campaign(status=CampaignStatus.CLOSED)
    for index in range(12):
        answered(campaign, {"commentaire": f"Avis numéro {index:02d}"})
    content = text(client_for("bureau").get(url(campaign)))
    assert "Avis numéro 11" in content
    assert "Avis numéro 01" not in content  # beyond the ten latest
    assert "Toutes les réponses (12)" in content
    content = text(client_for("bureau").get(url(campaign, textes="commentaire")))
    assert "Avis numéro 01" in content and "Avis numéro 11" in content


def test_the_ministry_cannot_ask_for_the_free_text_pages(client_for, published):
    content = text(client_for("ministry").get(url(published, textes="commentaire")))
    assert "Commentaire confidentiel" not in content


# Filters and cross-tabulation ---------------------------------------------------------


def test_filter_by_region_shows_only_its_responses(client_for, published):
    answered(
        published,
        {"etudiants": 7000},
        platform=labelled_platform(department=department("29")),
    )
    region = department("29").region_id
    content = text(client_for("bureau").get(url(published, region=region)))
    assert "1 réponses envoyées sur 1 attendues" in content or "1 réponse" in content
    assert "7 000" in content
    assert "6 666" not in content


@pytest.mark.parametrize(
    "query", [{"region": "abc"}, {"region": "99999999999999999999"}, {"label": "x"}]
)
def test_a_bad_filter_is_reported_next_to_its_field_never_a_500(client_for, published, query):
    response = client_for("bureau").get(url(published, **query))
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert "6 666" in text(response)  # the other filters (none) still apply


def test_cross_tab_on_the_page(client_for):
    campaign = CampaignFactory(kind=CampaignKind.EXTERNAL, status=CampaignStatus.CLOSED)
    section = SectionFactory(campaign=campaign)
    choice_question(section, "innove", ("oui", "non"), label="Innove", order=1)
    QuestionFactory(
        section=section, code="exporte", label="Exporte", type=QuestionType.YES_NO, order=2
    )
    for innovates, exports, count in [
        ("non", True, 1),
        ("non", False, 19),
        ("oui", True, 5),
        ("oui", False, 5),
    ]:
        for _n in range(count):
            answered(campaign, {"innove": innovates, "exporte": exports})
    content = text(client_for("ministry").get(url(campaign, rows="innove", columns="exporte")))
    assert "« Innove » (en lignes) selon « Exporte » (en colonnes)" in content
    assert "1 5 %" in content  # one in twenty exports when it does not innovate
    assert "5 50 %" in content  # one in two when it does
    assert "30 réponses aux deux questions" in content


@pytest.mark.parametrize(
    "query",
    [
        {"rows": "innove", "columns": "innove"},
        {"rows": "nope", "columns": "partenariat"},
        {"rows": "commentaire", "columns": "partenariat"},
        {"rows": "secteur"},
    ],
)
def test_a_bad_cross_tab_choice_is_an_error_next_to_the_field(client_for, published, query):
    response = client_for("bureau").get(url(published, **query))
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


# Year over year and "your platform" ---------------------------------------------------


def test_year_over_year_table_and_chart(client_for, platform):
    earlier = impact_campaign(year=2016, status=CampaignStatus.PUBLISHED)
    current = impact_campaign(year=2017, status=CampaignStatus.PUBLISHED, copied_from=earlier)
    for campaign, base in ((earlier, 100), (current, 1000)):
        for index in range(3):
            answered(campaign, {"etudiants": base * (index + 1), "partenariat": index == 0})
    response = client_for("bureau").get(url(current))
    assert "<polyline" in response.content.decode()
    content = text(response)
    assert "D'une année à l'autre" in content
    assert "2016 3 600" in content  # year, responses, total (100 + 200 + 300)
    assert "2017 3 6 000" in content
    assert "33,3 %" in content  # share of "yes", both years


def test_platform_people_see_their_platform_beside_the_median(client_for, published, platform):
    content = text(client_for("director").get(url(published)))
    assert "Votre plateforme et la médiane" in content
    assert "InnovalTech" in content
    assert "Médiane nationale" in content
    assert "2 222" in content  # the national median of etudiants (1111, 2222, 3333)


def test_a_platform_person_with_two_platforms_sees_both(client_for, published, director):
    second = labelled_platform(name="Seconde plateforme")
    MembershipFactory(platform=second, user=director, role=PlatformRole.STAFF)
    content = text(client_for("director").get(url(published)))
    assert "Seconde plateforme — réponse non envoyée" in content


def test_neither_the_bureau_nor_the_ministry_get_a_platform_comparison(client_for, published):
    for role in ("bureau", "ministry"):
        assert "Votre plateforme et la médiane" not in text(client_for(role).get(url(published)))


# Queries and writes ----------------------------------------------------------------


# Session and user, campaign, regions and domains (filters), questions and choices,
# earlier campaigns and their questions, every figure (one statement: numbers, choices,
# multiple choices, number tables, expected / submitted / indicators per region, the
# cross-tab and the bureau's free text), and for a director the platform's memberships
# and its own answers. SQLite (``make run``) reads the numbers once more for the medians.
RESULTS_QUERIES = {"bureau": 10, "ministry": 10, "director": 12}
MEDIAN_READ = int(connection.vendor == "sqlite")


def query_count(client, address, django_assert_num_queries, expected):
    with django_assert_num_queries(expected) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["bureau", "ministry", "director"])
def test_query_count_does_not_grow_with_responses(
    client_for, role, platform, other_platform, django_assert_num_queries
):
    earlier = impact_campaign(year=2016, status=CampaignStatus.PUBLISHED)
    campaign = impact_campaign(year=2017, status=CampaignStatus.PUBLISHED, copied_from=earlier)
    fill(earlier, [labelled_platform() for _n in range(3)])
    fill(campaign, [platform, other_platform, labelled_platform()])
    client = client_for(role)
    address = url(campaign, rows="secteur", columns="partenariat")
    few = query_count(
        client, address, django_assert_num_queries, RESULTS_QUERIES[role] + MEDIAN_READ
    )
    fill(campaign, [labelled_platform() for _n in range(12)], start=4)
    fill(earlier, [labelled_platform() for _n in range(6)], start=4)
    many = query_count(
        client, address, django_assert_num_queries, RESULTS_QUERIES[role] + MEDIAN_READ
    )
    assert few == many


def test_a_get_writes_nothing(client_for, published, quick_pdf):
    def counts():
        return (
            Response.objects.count(),
            Answer.objects.count(),
            AuditEntry.objects.count(),
            SentReminder.objects.count(),
        )

    before = counts()
    for role in ROLES:
        client = client_for(role)
        client.get(url(published, rows="secteur", columns="partenariat"))
        client.get(url(published, textes="commentaire"))
        client.get(reverse("survey_report", args=[published.pk]))
        client.get(reverse("survey_export", args=[published.pk]))
    assert counts() == before
