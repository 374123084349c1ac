"""The home page reminds a platform's people of the survey they have not sent."""

import pytest
from django.urls import reverse

from members.enums import LabelStatus
from surveys import services
from surveys.enums import CampaignStatus

from .factories import CampaignFactory, QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(platform):
    platform.label_status = LabelStatus.LABELLED
    platform.save()
    return platform


def test_director_sees_the_open_survey_to_fill(client_for, labelled):
    campaign = CampaignFactory(title="Enquête d'impact 2026")
    page = client_for("director").get(reverse("home")).content.decode()
    assert "Enquêtes à remplir" in page
    assert reverse("survey_response", args=[campaign.pk, labelled.slug]) in page


def test_nothing_once_submitted(client_for, labelled, director):
    campaign = CampaignFactory()
    QuestionFactory(section=SectionFactory(campaign=campaign), code="etudiants")
    response = services.response_start(campaign=campaign, platform=labelled)
    services.response_submit(response=response, actor=director)
    page = client_for("director").get(reverse("home")).content.decode()
    assert "Enquêtes à remplir" not in page


def test_nothing_for_a_closed_campaign_or_another_role(client_for, labelled):
    CampaignFactory(status=CampaignStatus.CLOSED)
    assert "Enquêtes à remplir" not in client_for("director").get(reverse("home")).content.decode()
    CampaignFactory()
    for role in ("bureau", "ministry", "anonymous"):
        assert "Enquêtes à remplir" not in client_for(role).get(reverse("home")).content.decode()


def test_survey_nav_entry(client_for, labelled):
    page = client_for("director").get(reverse("home")).content.decode()
    assert f'href="{reverse("survey_list")}"' in page
