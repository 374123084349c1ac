"""manage.py seed_federation (issue 15), run small (--scale) on top of a tiny seed."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Max

from innovalo.enums import Role
from innovalo.federation.common import FULL, SLUG_PREFIX, sized
from innovalo.models import User
from meetings.models import ActionItem, AgendaItem, Meeting, MeetingInvitation, Minutes
from members.enums import DuesDocumentKind, DuesStatus, PlatformRole
from members.models import (
    DocumentCounter,
    DuesDocument,
    DuesLine,
    Platform,
    PlatformMembership,
    Region,
)
from members.selectors.dues import dues_mismatches
from projects.models import Call, Project, SavedSearch
from surveys.enums import CampaignKind
from surveys.models import Campaign, Response
from tests.factories import PASSWORD, UserFactory
from tests.members.dues_factories import DuesLineFactory, DuesRateFactory

SCALE = 0.004  # 20 platforms, 8 meetings, 400 responses, 40 calls, 8 projects, 20 searches

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_seed(settings, fast_pdf):
    """A bureau member, a platform of the demo with its 2026 notice (AC-2026-0001)."""
    settings.ALLOW_DEMO_DATA = True
    UserFactory(role=Role.BUREAU, email="bureau@innovalo.demo")
    DuesRateFactory(year=datetime.date.today().year)
    line = DuesLineFactory(year=datetime.date.today().year)
    from members.services.dues import dues_issue_notice

    return dues_issue_notice(line)


@pytest.fixture
def fast_pdf(monkeypatch):
    """WeasyPrint replaced by a stand-in for the notices issued by the services."""
    from members import pdf

    def render(line, *, number, issued_at, void=None):
        return f"{number}.pdf", b"%PDF-1.4 " + number.encode()

    monkeypatch.setattr(pdf, "render_notice", render)


def _seed(**options):
    out = io.StringIO()
    call_command("seed_federation", scale=SCALE, stdout=out, **options)
    return out.getvalue()


def _key_values():
    platforms = Platform.objects.filter(slug__startswith=SLUG_PREFIX)
    return {
        "platforms": list(
            platforms.order_by("slug").values_list(
                "slug", "name", "department__code", "label_status", "is_member"
            )
        ),
        "people": sorted(
            PlatformMembership.objects.filter(platform__in=platforms).values_list(
                "platform__slug", "user__email", "role"
            )
        ),
        "dues": sorted(
            DuesLine.objects.filter(platform__in=platforms).values_list(
                "platform__slug", "year", "status", "amount_due", "paid_amount"
            )
        ),
        "meetings": list(Meeting.objects.order_by("start", "title").values_list("title", "start")),
        "projects": sorted(Project.objects.values_list("title", "stage")),
        "responses": Response.objects.count(),
    }


def test_it_creates_every_part_at_the_scale_asked(tiny_seed):
    output = _seed()
    platforms = Platform.objects.filter(slug__startswith=SLUG_PREFIX)
    assert platforms.count() == sized("platforms", SCALE) == 20
    assert "20 platforms" in output and "federation ready" in output
    # Every current region has platforms, and every platform its director.
    assert set(platforms.values_list("department__region", flat=True)) == set(
        Region.objects.current().filter(departments__isnull=False).values_list("pk", flat=True)
    )
    directed = platforms.filter(memberships__role=PlatformRole.DIRECTOR).distinct()
    assert directed.count() == 20
    assert platforms.annotate(n=Count("equipment")).filter(n=0).count() == 0
    assert platforms.annotate(n=Count("hosts")).filter(n=0).count() == 0
    # Twenty years of dues.
    years = DuesLine.objects.filter(platform__in=platforms).aggregate(
        first=Max("year") - 19, count=Count("pk")
    )
    assert DuesLine.objects.filter(platform__in=platforms, year=years["first"]).exists()
    assert DuesLine.objects.filter(platform__in=platforms, status=DuesStatus.PAID).exists()
    assert list(dues_mismatches()) == []
    assert Meeting.objects.count() == sized("meetings", SCALE)
    assert AgendaItem.objects.exists() and MeetingInvitation.objects.exists()
    assert Minutes.objects.exists() and ActionItem.objects.exists()
    assert Response.objects.count() == sized("survey_responses", SCALE)
    assert Campaign.objects.filter(kind=CampaignKind.EXTERNAL).count() == 1
    assert Campaign.objects.filter(kind=CampaignKind.PLATFORM_SURVEY).count() == 20
    assert Call.objects.count() == sized("calls", SCALE)
    assert Project.objects.count() == sized("projects", SCALE)
    assert SavedSearch.objects.count() == sized("saved_searches", SCALE)


def test_the_sizes_at_scale_one_are_those_of_the_issue():
    assert FULL == {
        "platforms": 5000,
        "meetings": 2000,
        "survey_responses": 100_000,
        "calls": 10_000,
        "projects": 2000,
        "saved_searches": 5000,
    }


def test_the_same_seed_gives_the_same_data(tiny_seed):
    runs = []
    for _run in range(2):
        with transaction.atomic():
            _seed(seed=7)
            runs.append(_key_values())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert runs[0]["platforms"]
    with transaction.atomic():
        _seed(seed=8)
        other = _key_values()
        transaction.set_rollback(True)
    assert other["platforms"] != runs[0]["platforms"]


def test_the_next_notice_after_seeding_gets_the_next_free_number(tiny_seed, fast_pdf):
    from members.services.dues import dues_issue_notice

    _seed()
    year = tiny_seed.year
    for kind in (DuesDocumentKind.NOTICE, DuesDocumentKind.RECEIPT):
        numbers = (
            DuesDocument.objects.filter(kind=kind)
            .values("year")
            .annotate(last=Max("sequence"), count=Count("pk"))
        )
        for row in numbers:
            counter = DocumentCounter.objects.get(kind=kind, year=row["year"])
            assert counter.last_number == row["last"] == row["count"]  # no gap, no duplicate
    # The demo's notice kept its number; the generated ones follow it.
    tiny_seed.refresh_from_db()
    assert tiny_seed.number == f"AC-{year}-0001"
    line = DuesLine.objects.filter(year=year, status=DuesStatus.TO_CALL).first()
    line = line or DuesLineFactory(year=year)
    DuesLine.objects.filter(pk=line.pk).update(
        status=DuesStatus.CALLED, called_at=tiny_seed.issued_at
    )
    line.refresh_from_db()
    last = DocumentCounter.objects.get(kind=DuesDocumentKind.NOTICE, year=year).last_number
    notice = dues_issue_notice(line)
    assert notice.number == f"AC-{year}-{last + 1:04d}"


def test_federation_people_log_in_with_the_demo_password(tiny_seed, client, settings):
    _seed()
    director = User.objects.filter(email__startswith="direction.fed-").order_by("pk").first()
    assert client.login(email=director.email, password=settings.DEMO_PASSWORD)
    # The demo's own accounts are untouched.
    assert client.login(email="bureau@innovalo.demo", password=PASSWORD)


def test_it_is_refused_without_debug_or_allow_demo_data(settings, db):
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError, match="only for development"):
        call_command("seed_federation", scale=SCALE, stdout=io.StringIO())
    assert not Platform.objects.exists()


def test_a_second_run_adds_nothing(tiny_seed):
    _seed()
    count = Platform.objects.count()
    with pytest.raises(CommandError, match="already there"):
        _seed()
    assert Platform.objects.count() == count
