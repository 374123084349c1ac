"""What a platform's people see of their dues: each unpaid year with its notice (or
whom to ask), the total outstanding, the home page's dues and pending answer to a
meeting, and their own platform's history (issue 14)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from members.models import DuesDocument
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    DuesRateFactory,
    fast_pdf_fixture,
    frozen_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]


@pytest.fixture
def owed(platform, other_platform):
    """InnovalTech owes 2024 (notice issued), 2025 (no notice yet, 100 of 300 paid);
    2026 is paid; the other platform owes 2025."""
    late = DuesLineFactory(platform=platform, year=2024)
    notice = services.dues_issue_notice(late)
    partly = DuesLineFactory(platform=platform, year=2025)
    services.dues_record_payment(
        received_on=datetime.date(2025, 6, 1),
        amount="100",
        method="cheque",
        allocations=[(partly, "100")],
        issue_documents=False,
    )
    paid = DuesLineFactory(platform=platform, year=2026)
    services.dues_record_payment(
        received_on=datetime.date(2026, 4, 1),
        amount="300",
        method="transfer",
        allocations=[(paid, "300")],
        issue_documents=False,
    )
    other = DuesLineFactory(platform=other_platform, year=2025)
    other_notice = services.dues_issue_notice(other)
    return {"late": late, "notice": notice, "partly": partly, "other_notice": other_notice}


def test_dues_page_links_each_unpaid_years_notice_and_says_whom_to_ask(
    client_for, owed, platform, settings
):
    content = client_for("director").get(reverse("platform_dues", args=[platform.slug]))
    content = content.content.decode()
    assert owed["notice"].number in content
    assert owed["notice"].get_absolute_url() in content
    assert "Télécharger l'appel 2024 (PDF)" in content
    assert "pas encore été émis" in content
    assert f"mailto:{settings.ASSOCIATION['email']}" in content
    assert owed["other_notice"].number not in content


def test_dues_page_shows_the_total_outstanding(client_for, owed, platform):
    response = client_for("director").get(reverse("platform_dues", args=[platform.slug]))
    assert response.context["outstanding"] == {"count": 2, "amount": Decimal("500.00")}
    assert "500,00" in response.content.decode()


def test_opening_the_dues_page_issues_no_notice(client_for, owed, platform):
    before = DuesDocument.objects.count()
    client_for("director").get(reverse("platform_dues", args=[platform.slug]))
    client_for("bureau").get(reverse("platform_dues", args=[platform.slug]))
    assert DuesDocument.objects.count() == before
    assert not DuesDocument.objects.filter(line=owed["partly"]).exists()


def test_dues_page_with_nothing_to_pay_says_so(client_for, platform):
    line = DuesLineFactory(platform=platform, year=2026)
    services.dues_exempt(line=line, reason="Création")
    content = client_for("director").get(reverse("platform_dues", args=[platform.slug]))
    assert "Aucune cotisation à régler." in content.content.decode()


def test_dues_page_query_count_is_pinned(client_for, owed, platform, django_assert_max_num_queries):
    client = client_for("director")
    client.get(reverse("platform_dues", args=[platform.slug]))
    for year in (2020, 2021, 2022):
        services.dues_issue_notice(DuesLineFactory(platform=platform, year=year))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("platform_dues", args=[platform.slug]))
    assert response.context["outstanding"]["count"] == 5


def test_outstanding_is_one_aggregate_query(owed, platform, django_assert_num_queries):
    from members.selectors.dues import platform_outstanding

    with django_assert_num_queries(1):
        assert platform_outstanding(platform)["amount"] == Decimal("500.00")


# The home page --------------------------------------------------------------------------


@pytest.mark.parametrize("role, sees", [("director", True), ("bureau", False), ("ministry", False)])
def test_home_shows_what_is_due_with_the_notice(client_for, owed, role, sees):
    content = client_for(role).get("/").content.decode()
    assert ("Cotisations à régler" in content) is sees
    assert (owed["notice"].get_absolute_url() in content) is sees
    if sees:
        assert f"Appel n° {owed['notice'].number} (PDF)" in content
        assert "Appel pas encore émis" in content  # 2025
        assert "200,00" in content
        assert reverse("platform_dues", args=["innovaltech"]) in content


def test_home_of_the_other_director_shows_only_their_own_dues(client_for, owed):
    content = client_for("other_director").get("/").content.decode()
    assert owed["other_notice"].number in content
    assert owed["notice"].number not in content


def test_home_dues_panel_is_one_query(rf, director, owed, django_assert_num_queries):
    from members.home import my_dues_panel
    from members.perms import platform_ids

    request = rf.get("/")
    request.user = director
    platform_ids(director)
    with django_assert_num_queries(1):
        panel = my_dues_panel(request)
    assert [row["year"] for row in panel["owed"]] == [2024, 2025]


@pytest.fixture
def meeting_invitation(director):
    from tests.meetings.factories import InvitationFactory, MeetingFactory

    meeting = MeetingFactory(title="Rencontre nationale du Creusot")
    return InvitationFactory(meeting=meeting, user=director)


def test_home_links_the_pending_answer_of_the_next_meeting(client_for, meeting_invitation):
    content = client_for("director").get("/").content.decode()
    assert "Rencontre nationale du Creusot" in content
    assert f"{meeting_invitation.meeting.get_absolute_url()}#reponse" in content
    assert "Réponse attendue" not in client_for("other_director").get("/").content.decode()


@pytest.mark.parametrize("change", ["answered", "past", "draft"])
def test_home_shows_no_pending_answer_when_none_is_expected(client_for, meeting_invitation, change):
    from meetings.enums import MeetingStatus, RsvpStatus

    meeting = meeting_invitation.meeting
    if change == "answered":
        meeting_invitation.rsvp = RsvpStatus.YES
        meeting_invitation.save()
    elif change == "past":
        meeting.start -= datetime.timedelta(days=60)
        meeting.end -= datetime.timedelta(days=60)
        meeting.save()
    else:
        meeting.status = MeetingStatus.DRAFT
        meeting.save()
    assert "Réponse attendue" not in client_for("director").get("/").content.decode()


def test_home_of_a_director_without_platform_says_whom_to_ask(client_for, director):
    content = client_for("director").get("/").content.decode()
    assert "rattaché à aucune plateforme" in content
    assert "Tenez à jour votre plateforme" not in content


def test_home_of_a_director_with_a_platform_asks_to_keep_it_current(client_for, platform):
    content = client_for("director").get("/").content.decode()
    assert "Tenez à jour votre plateforme" in content


# The platform's history ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("director", 200),
        ("other_director", 403),
        ("ministry", 403),
        ("bureau", 200),
    ],
)
def test_platform_history_for_its_people_and_the_bureau(client_for, platform, role, status):
    response = client_for(role).get(reverse("platform_history", args=[platform.slug]))
    assert response.status_code == status


def test_platform_history_hides_the_bureaus_own_entries_from_the_platform(
    client_for, platform, bureau
):
    from members.services.platforms import platform_invite

    services.dues_exempt_platform(
        platform=platform, year=2027, reason="Difficultés du lycée porteur", actor=bureau
    )
    platform_invite(platform=platform, actor=bureau, email="collegue@exemple.fr")
    url = reverse("platform_history", args=[platform.slug])
    mine = client_for("director").get(url).content.decode()
    assert "Difficultés du lycée porteur" not in mine
    assert "collegue@exemple.fr" in mine
    assert "Difficultés du lycée porteur" in client_for("bureau").get(url).content.decode()


def test_profile_links_the_history_for_its_people(client_for, platform):
    url = reverse("platform_history", args=[platform.slug])
    profile = reverse("platform_detail", args=[platform.slug])
    assert url in client_for("director").get(profile).content.decode()
    assert url not in client_for("other_director").get(profile).content.decode()
