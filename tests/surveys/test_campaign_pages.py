"""A campaign's page per role and status: who sees it (a draft stays hidden: 404),
and which links each sees (their platforms' responses, results, the bureau's editor)."""

import pytest
from django.urls import reverse

from surveys import services
from surveys.enums import CampaignKind, CampaignStatus
from tests.conftest import ROLES

from .editor_factories import build_questionnaire
from .factories import CampaignFactory, ResponseFactory

pytestmark = pytest.mark.django_db

SEEN = {  # status -> role -> status code of a platform survey's page
    CampaignStatus.DRAFT: {"director": 404, "other_director": 404, "ministry": 404},
    CampaignStatus.OPEN: {"director": 200, "other_director": 200, "ministry": 200},
    CampaignStatus.CLOSED: {"director": 200, "other_director": 200, "ministry": 200},
    CampaignStatus.PUBLISHED: {"director": 200, "other_director": 200, "ministry": 200},
}


def detail(client, campaign):
    return client.get(reverse("survey_detail", args=[campaign.pk]))


@pytest.mark.parametrize("status", list(SEEN))
@pytest.mark.parametrize("role", ROLES)
def test_the_campaign_page_per_role_and_status(client_for, platform, role, status):
    campaign = CampaignFactory(status=status, introduction="Merci de répondre avant avril.")
    build_questionnaire(campaign, sections=1)
    response = detail(client_for(role), campaign)
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
        return
    assert response.status_code == SEEN[status].get(role, 200)
    if response.status_code != 200:
        return
    content = response.content.decode()
    assert "Merci de répondre avant avril." in content
    assert campaign.get_status_display() in content
    editor = reverse("survey_question_create", args=[campaign.pk])
    assert (editor in content) is (role == "bureau" and status != CampaignStatus.PUBLISHED)
    assert ("Gestion (bureau)" in content) is (role == "bureau")
    assert ("Historique" in content) is (role == "bureau")
    assert ('id="question-' in content) is (role == "bureau")


@pytest.mark.parametrize("role", ROLES)
def test_an_external_questionnaire_page_is_hidden_from_platform_people(client_for, role):
    campaign = CampaignFactory(kind=CampaignKind.EXTERNAL, status=CampaignStatus.OPEN)
    expected = {"anonymous": 302, "director": 404, "other_director": 404}.get(role, 200)
    response = detail(client_for(role), campaign)
    assert response.status_code == expected
    if role == "bureau":
        assert reverse("survey_respondents", args=[campaign.pk]) in response.content.decode()


def test_a_platform_person_finds_the_response_of_each_of_their_platforms(
    client_for, platform, other_platform
):
    campaign = CampaignFactory(status=CampaignStatus.OPEN)
    ResponseFactory(campaign=campaign, platform=platform, status="draft")
    content = detail(client_for("director"), campaign).content.decode()
    assert reverse("survey_response", args=[campaign.pk, platform.slug]) in content
    assert reverse("survey_response", args=[campaign.pk, other_platform.slug]) not in content
    assert "Brouillon" in content
    other = detail(client_for("other_director"), campaign).content.decode()
    assert reverse("survey_response", args=[campaign.pk, other_platform.slug]) in other
    assert reverse("survey_response", args=[campaign.pk, platform.slug]) not in other


@pytest.mark.parametrize(
    ("role", "status", "shown"),
    [
        ("director", CampaignStatus.CLOSED, False),
        ("director", CampaignStatus.PUBLISHED, True),
        ("ministry", CampaignStatus.OPEN, False),
        ("ministry", CampaignStatus.CLOSED, True),
        ("bureau", CampaignStatus.OPEN, True),
    ],
)
def test_results_are_linked_to_those_who_may_see_them(client_for, platform, role, status, shown):
    campaign = CampaignFactory(status=status)
    content = detail(client_for(role), campaign).content.decode()
    assert (reverse("survey_results", args=[campaign.pk]) in content) is shown
    assert (reverse("survey_report", args=[campaign.pk]) in content) is shown


@pytest.mark.parametrize("role", ["director", "ministry", "bureau"])
def test_exports_tracking_and_editing_are_linked_for_the_bureau_only(client_for, platform, role):
    campaign = CampaignFactory(status=CampaignStatus.CLOSED)
    content = detail(client_for(role), campaign).content.decode()
    for name in ("survey_export", "survey_tracking", "survey_edit", "survey_preview"):
        assert (reverse(name, args=[campaign.pk]) in content) is (role == "bureau"), name


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        (CampaignStatus.DRAFT, ["?action=open"]),
        (CampaignStatus.OPEN, ['value="close"']),
        (CampaignStatus.CLOSED, ['value="open"', "?action=publish"]),
        (CampaignStatus.PUBLISHED, []),
    ],
)
def test_the_bureau_sees_the_status_buttons_the_status_allows(client_for, status, buttons):
    campaign = CampaignFactory(status=status)
    content = detail(client_for("bureau"), campaign).content.decode()
    for button in ['value="close"', 'value="open"', "?action=open", "?action=publish"]:
        assert (button in content) is (button in buttons), button


def test_the_bureau_overview_lists_sections_and_questions_in_order(client_for, bureau):
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    build_questionnaire(campaign, sections=2)
    services.section_create(campaign=campaign, title="Vide", actor=bureau)
    content = detail(client_for("bureau"), campaign).content.decode()
    positions = [
        content.index(code)
        for code in ("choix-0", "si-0", "heures-0", "tableau-0", "choix-1", "si-1", "Vide")
    ]
    assert positions == sorted(positions)
    assert "si <code>choix-0</code> = <code>c0</code>" in content
    assert "c1 : Choix 1" in content
    assert "2 ligne(s) × 2 colonne(s)" in content
    assert "Décimal" in content or "décimal" in content
    assert "Aucune question dans cette section." in content
    assert "Section ajoutée : Vide" in content  # the history


def test_once_a_response_exists_the_overview_offers_no_deletion(client_for):
    campaign = CampaignFactory(status=CampaignStatus.OPEN)
    question = build_questionnaire(campaign, sections=1)[0].questions.first()
    url = reverse("survey_question_delete", args=[campaign.pk, question.pk])
    assert url in detail(client_for("bureau"), campaign).content.decode()
    ResponseFactory(campaign=campaign)
    content = detail(client_for("bureau"), campaign).content.decode()
    assert url not in content
    assert "La campagne a des réponses" in content


def test_the_history_is_readable_and_paginated(client_for, bureau):
    campaign = CampaignFactory(status=CampaignStatus.DRAFT, reminder_days=[14, 7, 2])
    services.campaign_update(campaign=campaign, reminder_days=[10, 3], actor=bureau)
    for number in range(25):
        services.section_create(campaign=campaign, title=f"S{number}", actor=bureau)
    client = client_for("bureau")
    first = detail(client, campaign).content.decode()
    assert "Section ajoutée : S24" in first
    assert "Page 1 sur 2" in first
    second = client.get(reverse("survey_detail", args=[campaign.pk]), {"page": 2}).content
    second = second.decode()
    assert "relances (jours avant la clôture) : 14, 7, 2 → 10, 3" in second
