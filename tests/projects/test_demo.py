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
    assert re.fullmatch(r"projects: \d+ calls and 6 projects ready", seeded.strip())
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
