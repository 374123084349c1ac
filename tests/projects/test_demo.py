"""The projects demo (seed_demo's "projects" part): about forty calls dated relative to
today and six projects, as the issue and the association's documents describe them.

Seeded once for the module inside a transaction rolled back at its end (like the surveys
demo's tests); only what it stands on is seeded first (accounts and platforms)."""

import io
import re

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from innovalo.management.commands.seed_demo import DEMO_ACCOUNTS, demo_user
from innovalo.models import User
from members.demo_platforms import seed_platforms
from projects.demo import seed as seed_projects
from projects.enums import CallKind, CallScope, CallState, CallStatus, ProjectStage
from projects.models import Call, CallFollow, Project, ProjectPartner, SavedSearch

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        for account in DEMO_ACCOUNTS:
            demo_user(*account)
        seed_platforms(io.StringIO())
        out = io.StringIO()
        seed_projects(out)
        yield out.getvalue()
        transaction.set_rollback(True)


def states():
    calls = Call.objects.published().with_next_deadline()
    return [call.state() for call in calls]


def test_seed_says_what_it_made(seeded):
    assert re.search(r"projects: \d+ calls and 6 projects ready", seeded)
    assert "60 firms' requests" in seeded
    assert 35 <= Call.objects.count() <= 45


def test_a_second_seed_creates_nothing(seeded):
    before = (Call.objects.count(), Project.objects.count(), ProjectPartner.objects.count())
    out = io.StringIO()
    seed_projects(out)
    assert "already" in out.getvalue()
    assert (Call.objects.count(), Project.objects.count(), ProjectPartner.objects.count()) == before


def test_calls_cover_every_state_the_watch_shows(seeded):
    found = states()
    for state in CallState:
        assert state in found, state
    assert found.count(CallState.CLOSING_SOON) >= 3


def test_the_calls_of_the_documents_are_there(seeded):
    titles = " | ".join(Call.objects.values_list("title", flat=True))
    for words in (
        "France 2030",
        "i-Nov",
        "FEDER",
        "crédit d'impôt recherche",
        "ANR",
        "Horizon",
        "ADEME",
    ):
        assert words in titles, words
    cir = Call.objects.get(kind=CallKind.TAX_CREDIT)
    assert cir.open_all_year and not cir.deadlines.exists()
    anr = Call.objects.get(title__startswith="ANR")
    assert list(anr.deadlines.values_list("label", flat=True)) == [
        "Pré-proposition",
        "Proposition complète",
    ]
    horizon = Call.objects.get(title__startswith="Horizon Europe")
    assert horizon.scope == CallScope.EUROPEAN and horizon.deadlines.count() == 2
    regions = Call.objects.filter(title__startswith="FEDER").aggregate(n=Count("regions"))
    assert regions["n"] >= 5
    assert Call.objects.filter(status=CallStatus.PROPOSED).count() == 1


def test_projects_at_every_stage_and_innovaltech_writing_as_a_partner(seeded):
    stages = set(Project.objects.values_list("stage", flat=True))
    assert {ProjectStage.WON, ProjectStage.NOT_RETAINED, ProjectStage.WRITING} <= stages
    writing = Project.objects.get(stage=ProjectStage.WRITING)
    assert writing.partners.filter(platform__slug="innovaltech").exists()
    assert writing.lead_platform.slug != "innovaltech"
    won = Project.objects.get(stage=ProjectStage.WON)
    obtained = won.partners.aggregate(total=Sum("amount_obtained"))["total"]
    assert obtained and obtained > 0 and won.decided_on


def test_the_demo_director_follows_two_calls_and_has_a_saved_search(seeded):
    director = User.objects.get(email="directeur@innovalo.demo")
    assert CallFollow.objects.filter(user=director).count() == 2
    assert SavedSearch.objects.filter(user=director).count() == 1


# Issue 11: firms' requests, agreements, steering committee ----------------------------


def test_sixty_requests_in_every_state_over_two_years(seeded):
    from projects.enums import RequestStatus
    from projects.models import FirmRequest

    assert FirmRequest.objects.count() == 60
    assert set(FirmRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert FirmRequest.objects.values("region").distinct().count() >= 5
    done = FirmRequest.objects.filter(status=RequestStatus.DONE)
    assert set(done.values_list("transfer_level", flat=True)) == {1, 2, 3, 4}
    in_progress = FirmRequest.objects.filter(
        status=RequestStatus.IN_PROGRESS, taken_by__slug="innovaltech"
    )
    assert in_progress.count() == 2


def test_some_requests_wait_for_an_answer_past_five_working_days(seeded):
    import datetime

    from django.utils import timezone

    from projects.enums import RequestStatus, RoutingStatus
    from projects.models import RequestRouting

    late = RequestRouting.objects.filter(
        status=RoutingStatus.NOTIFIED,
        request__status=RequestStatus.ROUTED,
        notified_at__lt=timezone.now() - datetime.timedelta(days=8),
    )
    assert late.exists()
    assert RequestRouting.objects.filter(status=RoutingStatus.PASSED).exists()
    assert RequestRouting.objects.filter(routed_by__isnull=False).exists()


def test_innovaltech_agreements_and_steering_committee(seeded):
    from meetings.enums import MeetingKind
    from meetings.models import Meeting
    from members.models import Agreement, SteeringMember

    agreements = Agreement.objects.filter(platform__slug="innovaltech")
    assert agreements.count() == 3
    assert agreements.ending_within(90).count() == 1
    assert (
        SteeringMember.objects.filter(platform__slug="innovaltech")
        .values("college")
        .distinct()
        .count()
        == 4
    )
    meetings = Meeting.objects.filter(
        kind=MeetingKind.STEERING_COMMITTEE, platform__slug="innovaltech"
    )
    assert meetings.upcoming().count() == 1 and meetings.past().count() == 1


def test_the_demo_firms_private_links_open(seeded, client):
    from projects.models import FirmRequest
    from projects.services.requests import request_link

    request = FirmRequest.objects.order_by("pk").first()
    assert client.get(request_link(request)).status_code == 200
