"""A general assembly's activity report links to the results of the year before's
surveys, for those who may see them (meetings.selectors.assembly_survey_results)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.enums import MeetingKind, MeetingStatus
from meetings.selectors import assembly_survey_results
from surveys.enums import CampaignKind, CampaignStatus
from tests.meetings.factories import InvitationFactory, MeetingFactory

from .factories import CampaignFactory

pytestmark = pytest.mark.django_db
EXTERNAL = CampaignKind.EXTERNAL


def campaign(title, year, status, kind=CampaignKind.PLATFORM_SURVEY):
    return CampaignFactory(
        title=title,
        year=year,
        status=status,
        kind=kind,
        opens_on=datetime.date(year, 2, 15),
        closes_on=datetime.date(year, 4, 15),
    )


@pytest.fixture
def assembly():
    start = timezone.make_aware(datetime.datetime(2018, 1, 25, 14))
    return MeetingFactory(
        kind=MeetingKind.GENERAL_ASSEMBLY,
        title="AG 2018",
        start=start,
        end=start + datetime.timedelta(hours=2),
        status=MeetingStatus.HELD,
    )


@pytest.fixture
def campaigns():
    return {
        "published": campaign("Enquête d'impact 2017", 2017, CampaignStatus.PUBLISHED),
        "closed": campaign(
            "Questionnaire 2017", 2017, CampaignStatus.CLOSED, CampaignKind.EXTERNAL
        ),
        "open": campaign("Enquête ouverte 2017", 2017, CampaignStatus.OPEN),
        "other_year": campaign("Enquête d'impact 2016", 2016, CampaignStatus.PUBLISHED),
    }


@pytest.mark.parametrize(
    "role,expected",
    [
        ("bureau", ["Enquête d'impact 2017", "Questionnaire 2017"]),
        ("ministry", ["Enquête d'impact 2017", "Questionnaire 2017"]),
        ("director", ["Enquête d'impact 2017"]),
    ],
)
def test_assembly_lists_last_years_results_each_role_may_see(
    request, assembly, campaigns, role, expected
):
    user = request.getfixturevalue(role)
    assert [c.title for c in assembly_survey_results(user, assembly)] == expected


def test_other_meetings_list_no_results(bureau, campaigns):
    national = MeetingFactory(
        kind=MeetingKind.NATIONAL,
        start=timezone.make_aware(datetime.datetime(2018, 1, 25, 9)),
        end=timezone.make_aware(datetime.datetime(2018, 1, 25, 12)),
    )
    assert assembly_survey_results(bureau, national) == []


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_assembly_page_links_to_the_results(
    request, client_for, role, assembly, campaigns, django_assert_max_num_queries
):
    InvitationFactory(meeting=assembly, user=request.getfixturevalue(role))
    published = reverse("survey_results", args=[campaigns["published"].pk])
    closed = reverse("survey_results", args=[campaigns["closed"].pk])
    client = client_for(role)
    with django_assert_max_num_queries(13):
        page = client.get(reverse("meeting_detail", args=[assembly.pk])).content.decode()
    assert "Rapport d'activité : résultats des enquêtes" in page
    assert f'href="{published}"' in page
    assert (f'href="{closed}"' in page) == (role != "director")
    assert reverse("survey_results", args=[campaigns["open"].pk]) not in page


def test_general_assembly_page_links_to_the_results(client_for, assembly, campaigns):
    page = client_for("bureau").get(reverse("general_assembly", args=[assembly.pk]))
    assert f'href="{reverse("survey_results", args=[campaigns["published"].pk])}"' in (
        page.content.decode()
    )
