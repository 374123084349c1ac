import pytest
from django.urls import reverse

from members.services.dues import dues_call_year, dues_set_rate

from .dues_factories import DuesLineFactory, DuesPlatformFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["anonymous", "director", "bureau", "ministry"])
def test_home_shows_the_network_in_figures(client_for, role, platform, other_platform):
    content = client_for(role).get("/").content.decode()
    assert "Le réseau" in content
    assert reverse("platform_list") in content


@pytest.mark.parametrize(
    ("role", "sees"),
    [("anonymous", False), ("director", True), ("other_director", False), ("bureau", False)],
)
def test_home_lists_my_platforms(client_for, role, sees, platform, other_platform):
    content = client_for(role).get("/").content.decode()
    assert ("Mes plateformes" in content and "InnovalTech" in content) is sees
    if sees:
        assert "fiche à revoir" in content  # never reviewed
        assert reverse("platform_dues", args=[platform.slug]) in content


@pytest.mark.parametrize(
    ("role", "sees"),
    [("director", False), ("bureau", True), ("ministry", False)],
)
def test_home_dues_summary_for_the_bureau_only(client_for, role, sees, platform, other_platform):
    import datetime

    from django.utils import timezone

    year = timezone.localdate().year
    dues_set_rate(year=year, amount="150.00", due_date=datetime.date(year, 3, 31))
    dues_call_year(year=year, send=False)
    content = client_for(role).get("/").content.decode()
    assert (f"Cotisations {year}" in content) is sees
    if sees:
        assert "0 / 2" in content


def test_home_query_count_stays_flat(client_for, platform, django_assert_max_num_queries):
    from tests.members.factories import MembershipFactory, PlatformFactory

    for _ in range(4):
        MembershipFactory(platform=PlatformFactory(), user=platform.memberships.first().user)
    client = client_for("director")
    # 12, and the pending answer to a meeting and the dues to pay (one query each).
    with django_assert_max_num_queries(14):
        assert client.get("/").status_code == 200


def test_home_dues_panel_is_one_aggregate_query(bureau, rf, django_assert_num_queries):
    """The panel reads the lines' stored amounts: one query however many lines."""
    from decimal import Decimal

    from django.utils import timezone

    from members.home import dues_panel

    year = timezone.localdate().year
    lines = [DuesLineFactory(year=year, due_date=timezone.localdate()) for _ in range(4)]
    DuesLineFactory(year=year, status="exempt")
    from members.services.dues import dues_record_payment

    dues_record_payment(
        received_on=timezone.localdate(),
        amount="400",
        method="cheque",
        allocations=[(lines[0], "300"), (lines[1], "100")],
        issue_documents=False,
    )
    request = rf.get("/")
    request.user = bureau
    with django_assert_num_queries(1):
        panel = dues_panel(request)
    summary = panel["summary"]
    assert (summary["paid"], summary["partly_paid"], summary["expected"]) == (1, 1, 4)
    assert summary["collected_amount"] == Decimal("400.00")
    assert DuesPlatformFactory._meta.model.objects.count() >= 5


def test_home_page_of_the_bureau_query_count_stays_flat(
    client_for, platform, django_assert_max_num_queries
):
    from django.utils import timezone

    for _ in range(5):
        DuesLineFactory(year=timezone.localdate().year)
    client = client_for("bureau")
    client.get("/")
    # 8, and the calls watch's panel: my followed deadlines and my projects' next steps;
    # the pending answer to a meeting (a bureau member may run a platform too: its ids).
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


def test_network_panel_is_one_query_and_counts_the_current_regions(
    rf, platform, other_platform, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    from members.home import network_panel
    from members.models import Region

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(1):
        panel = network_panel(request)
    assert panel["platforms"] == 2
    assert panel["regions_total"] == Region.objects.current().count() > 0


def test_network_panel_is_cached_until_a_platform_changes(
    rf, platform, other_platform, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    from members import caches
    from members.enums import LabelStatus
    from members.home import network_panel

    request = rf.get("/")
    request.user = AnonymousUser()
    caches.committed()  # the fixtures' writes never commit: close their window
    first = network_panel(request)
    with django_assert_num_queries(0):
        assert network_panel(request) == first
    platform.label_status = (
        LabelStatus.NOT_LABELLED
        if platform.label_status == LabelStatus.LABELLED
        else LabelStatus.LABELLED
    )
    platform.save()
    caches.committed()
    with django_assert_num_queries(1):
        changed = network_panel(request)
    assert changed["labelled"] != first["labelled"]
    assert changed["platforms"] == first["platforms"] == 2


def test_network_panel_of_an_empty_network_still_counts_the_regions(rf, db):
    from django.contrib.auth.models import AnonymousUser

    from members.home import network_panel
    from members.models import Platform, Region

    request = rf.get("/")
    request.user = AnonymousUser()
    panel = network_panel(request)
    assert Platform.objects.count() == panel["platforms"] == 0
    assert panel["regions_total"] == Region.objects.current().count()


@pytest.mark.parametrize("extra_platforms", [0, 6])
def test_director_home_stays_within_fifteen_queries_whatever_the_platforms(
    client_for, platform, other_platform, extra_platforms, django_assert_max_num_queries
):
    """Issue 15: the director's home ran 16 queries. The network's figures are one
    aggregate, and the platforms panel gives the dues and survey panels the user's
    platform ids (no membership query of their own)."""
    from django.utils import timezone

    from tests.members.factories import MembershipFactory, PlatformFactory

    director = platform.memberships.first().user
    for _ in range(extra_platforms):
        extra = PlatformFactory()
        MembershipFactory(platform=extra, user=director)
        DuesLineFactory(platform=extra, year=timezone.localdate().year)
    client = client_for("director")
    client.get("/")
    with django_assert_max_num_queries(14):
        content = client.get("/").content.decode()
    assert "Mes plateformes" in content
