"""The requests' figures (``/demandes/chiffres/`` and ``selectors.requests.request_figures``,
which the national dashboard reads): who may see them, the counts per region, domain,
transfer level and state, the share answered and the median time to first answer, the
filters, a constant number of queries, no company and no person."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.enums import TransferLevel
from projects.enums import RequestStatus
from projects.models import FirmRequest
from projects.selectors.requests import first_answer_label, median_duration, request_figures
from tests.members.factories import DomainFactory, PlatformFactory, department

from .requests_factories import FirmRequestFactory
from .test_requests_board_fixtures import *  # noqa: F403 (fixtures)
from .test_requests_board_fixtures import AWAY_DEPARTMENT, REQUEST_ROLES

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def made(*, hours_to_answer=None, routed=True, **kwargs):
    """A request deposited a day ago; routed; taken after `hours_to_answer` hours."""
    created = kwargs.pop("created_at", NOW - datetime.timedelta(days=1))
    fields = {"created_at": created, "routed_at": created if routed else None}
    if hours_to_answer is not None:
        fields["first_answer_at"] = created + datetime.timedelta(hours=hours_to_answer)
        fields.setdefault("status", RequestStatus.ACCEPTED)
    fields.update(kwargs)
    if fields.get("status") in (
        RequestStatus.ACCEPTED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.DONE,
    ):
        fields.setdefault("taken_by", kwargs.get("taken_by") or PlatformFactory())
    return FirmRequestFactory(**fields)


# Who sees them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", REQUEST_ROLES)
def test_figures_per_role(client_for, role):
    response = client_for(role).get(reverse("request_figures"))
    expected = {"anonymous": 302, "bureau": 200, "ministry": 200}.get(role, 403)
    assert response.status_code == expected
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


def test_no_company_and_no_person_on_the_ministrys_page(client_for):
    made(company_name="Fonderie Secrète", contact_name="Jeanne Secret", hours_to_answer=5)
    content = client_for("ministry").get(reverse("request_figures")).content.decode()
    assert "Secrète" not in content and "Secret" not in content
    assert "Jeanne" not in content
    assert f'href="{reverse("request_board")}"' not in content  # the ministry has no board


# The counts ------------------------------------------------------------------------------------


def test_counts_per_region_domain_level_and_state():
    usinage, textile = DomainFactory(name="Usinage"), DomainFactory(name="Textile")
    made(status=RequestStatus.NEW, routed=False, domains=[usinage])
    made(status=RequestStatus.ROUTED, domains=[usinage, textile])
    made(status=RequestStatus.DONE, hours_to_answer=10, transfer_level=TransferLevel.EXPERTISE)
    made(status=RequestStatus.DONE, hours_to_answer=30, transfer_level=TransferLevel.EXPERTISE)
    made(
        status=RequestStatus.DECLINED,
        department=department(AWAY_DEPARTMENT),
        transfer_level=TransferLevel.RESEARCH,  # a level on a request not done: not counted
    )
    figures = request_figures()
    assert figures["total"] == 5
    assert (figures["open"], figures["closed"]) == (2, 3)
    regions = {row["region"]: row for row in figures["per_region"]}
    home = department("02").region.name
    away = department(AWAY_DEPARTMENT).region.name
    assert regions[home]["count"] == 4 and regions[away]["count"] == 1
    assert regions[home]["routed"] == 3 and regions[home]["answered"] == 2
    assert regions[home]["share"] == 67
    assert {row["domain"]: row["count"] for row in figures["per_domain"]} == {
        "Usinage": 2,
        "Textile": 1,
    }
    assert figures["without_domain"] == 3
    levels = {row["level"]: row["count"] for row in figures["per_level"]}
    assert levels == {1: 0, 2: 0, 3: 2, 4: 0}
    states = {row["status"]: row["count"] for row in figures["per_state"]}
    assert states["done"] == 2 and states["new"] == 1 and states["no_answer"] == 0


def test_share_answered_is_taken_among_routed():
    made(status=RequestStatus.NEW, routed=False)
    made(status=RequestStatus.ROUTED)
    made(status=RequestStatus.NO_ANSWER)
    made(hours_to_answer=2)
    figures = request_figures()
    assert (figures["routed"], figures["answered"], figures["share_answered"]) == (3, 1, 33)


def test_a_request_taken_then_declined_counts_as_answered():
    made(status=RequestStatus.DECLINED, hours_to_answer=4, taken_by=PlatformFactory())
    assert request_figures()["share_answered"] == 100


def test_median_time_to_first_answer_odd_and_even():
    for hours in (1, 5, 100):
        made(hours_to_answer=hours)
    made(status=RequestStatus.ROUTED)  # not answered: not in the median
    assert request_figures()["median_first_answer"] == datetime.timedelta(hours=5)
    made(hours_to_answer=7)
    assert request_figures()["median_first_answer"] == datetime.timedelta(hours=6)


def test_median_of_nothing_is_none():
    made(status=RequestStatus.ROUTED)
    figures = request_figures()
    assert figures["median_first_answer"] is None
    assert figures["share_answered"] == 0
    assert request_figures(year=1999)["share_answered"] is None


def test_median_duration_alone():
    assert median_duration(FirmRequest.objects.all(), "created_at", "first_answer_at") is None
    made(hours_to_answer=3)
    assert median_duration(
        FirmRequest.objects.all(), "created_at", "first_answer_at"
    ) == datetime.timedelta(hours=3)


@pytest.mark.parametrize(
    ("median", "label"),
    [
        (None, None),
        (datetime.timedelta(hours=5, minutes=30), (5.5, "hours")),
        (datetime.timedelta(hours=47), (47.0, "hours")),
        (datetime.timedelta(days=3, hours=12), (3.5, "days")),
    ],
)
def test_first_answer_label(median, label):
    assert first_answer_label(median) == label


def test_filters_by_year_and_region():
    this_year = NOW.year
    made(created_at=NOW.replace(year=this_year - 1), hours_to_answer=1)
    made(department=department(AWAY_DEPARTMENT))
    made()
    assert request_figures(year=this_year - 1)["total"] == 1
    away = department(AWAY_DEPARTMENT).region
    assert request_figures(region=away)["total"] == 1
    assert request_figures(year=this_year, region=away)["total"] == 1
    assert request_figures(year=this_year - 1, region=away)["total"] == 0


def test_the_page_shows_the_figures_and_applies_its_filters(client_for):
    made(hours_to_answer=3, domains=[DomainFactory(name="Mécatronique")])
    made(department=department(AWAY_DEPARTMENT))
    away = department(AWAY_DEPARTMENT).region
    response = client_for("ministry").get(reverse("request_figures"), {"region": away.pk})
    assert response.context["figures"]["total"] == 1
    response = client_for("bureau").get(reverse("request_figures"))
    content = response.content.decode()
    assert response.context["figures"]["total"] == 2
    assert "Mécatronique" in content
    assert "3,0 h" in content
    assert away.name in content


def test_hostile_filters_are_never_a_500(client_for):
    made()
    for params in (
        {"year": "abc"},
        {"year": "99999999999999999999"},
        {"region": "9" * 40},
        {"region": "-1"},
        {"year": "<script>", "region": "x"},
    ):
        response = client_for("ministry").get(reverse("request_figures"), params)
        assert response.status_code == 200, params
        assert response.context["figures"]["total"] == 1  # an invalid filter filters nothing


# Queries ---------------------------------------------------------------------------------------


def _many(count):
    domains = [DomainFactory(name="Usinage"), DomainFactory(name="Textile")]
    for n in range(count):
        made(
            hours_to_answer=n + 1,
            status=RequestStatus.DONE,
            transfer_level=1 + n % 4,
            domains=domains[: 1 + n % 2],
            department=department("02" if n % 2 else AWAY_DEPARTMENT),
        )


def _queries(func):
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def test_the_selector_costs_six_queries_whatever_the_requests():
    _many(3)
    few = _queries(request_figures)
    _many(27)
    assert _queries(request_figures) == few == 6
    region = department("02").region
    assert _queries(lambda: request_figures(year=NOW.year, region=region)) == 6


def test_the_page_costs_the_same_with_3_or_30_requests(client_for, django_assert_max_num_queries):
    client = client_for("ministry")
    url = reverse("request_figures")
    _many(3)
    few = _queries(lambda: client.get(url))
    _many(27)
    with django_assert_max_num_queries(9):  # session, user, the six counts, the regions
        many = _queries(lambda: client.get(url))
    assert many == few
