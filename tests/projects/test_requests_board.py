"""The requests' board and a request's page: every URL for every role, what each role
sees, the filters, the query counts that do not grow with the rows, a GET that never
writes and hostile input that is never a 500."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.enums import RequestEventKind, RequestStatus, RoutingStatus
from projects.models import RequestEvent
from tests.members.factories import DomainFactory, department

from .requests_factories import FirmRequestFactory, RoutingFactory
from .test_requests_board_fixtures import *  # noqa: F403 (fixtures)
from .test_requests_board_fixtures import (
    AWAY_DEPARTMENT,
    REQUEST_ROLES,
    counts,
    proposed,
    routed_to,
    staffed,
)

pytestmark = pytest.mark.django_db


def status(client_for, role, url, method="get", data=None):
    response = getattr(client_for(role), method)(url, data or {})
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]
    return response.status_code


# Every URL, every role -----------------------------------------------------------------------


@pytest.mark.parametrize("role", REQUEST_ROLES)
def test_board_per_role(client_for, role, routed):
    response_status = status(client_for, role, reverse("request_board"))
    assert response_status == {"anonymous": 302, "ministry": 302}.get(role, 200)


def test_the_ministry_is_sent_to_the_figures(client_for, routed):
    response = client_for("ministry").get(reverse("request_board"))
    assert response["Location"] == reverse("request_figures")


SEES_ROUTED = {
    "anonymous": 302,
    "director": 200,
    "other_director": 404,
    "correspondent": 200,
    "bureau": 200,
    "ministry": 404,
}


@pytest.mark.parametrize("role", REQUEST_ROLES)
def test_detail_per_role(client_for, role, routed):
    url = reverse("request_detail", args=[routed.pk])
    assert status(client_for, role, url) == SEES_ROUTED[role]


@pytest.mark.parametrize("role", REQUEST_ROLES)
def test_detail_of_another_region_per_role(client_for, role, foreign):
    expected = {"anonymous": 302, "other_director": 200, "bureau": 200}.get(role, 404)
    assert status(client_for, role, reverse("request_detail", args=[foreign.pk])) == expected


def test_another_regions_correspondent_does_not_see_it(client, away_correspondent, routed):
    client.force_login(away_correspondent)
    assert client.get(reverse("request_detail", args=[routed.pk])).status_code == 404


# Pages of the actions (GET): 404 for who does not see the request, 403 for who sees it
# but may not do this.
ACTION_PAGES = {
    "request_route": {"director": 403, "correspondent": 200, "bureau": 200},
    "request_decline": {"director": 200, "correspondent": 403, "bureau": 403},
    "request_pass": {"director": 200, "correspondent": 403, "bureau": 403},
    "request_close": {"director": 403, "correspondent": 200, "bureau": 200},
    "request_reopen": {"director": 403, "correspondent": 403, "bureau": 403},
}


@pytest.mark.parametrize("url_name", list(ACTION_PAGES))
@pytest.mark.parametrize("role", REQUEST_ROLES)
def test_action_pages_per_role(client_for, role, routed, url_name):
    expected = {"anonymous": 302, "other_director": 404, "ministry": 404}
    expected.update(ACTION_PAGES[url_name])
    url = reverse(url_name, args=[routed.pk])
    assert status(client_for, role, url) == expected[role]


POSTED = ["request_accept", "request_start", "request_message", "request_note"]


@pytest.mark.parametrize("url_name", POSTED)
@pytest.mark.parametrize("role", REQUEST_ROLES)
def test_posted_actions_per_role(client_for, role, routed, url_name):
    """Actions posted from the request's page: refused to whoever may not, before
    anything is written; a GET is not allowed."""
    before = counts()
    url = reverse(url_name, args=[routed.pk])
    response_status = status(client_for, role, url, "post", {"text": "Bonjour"})
    allowed = {
        ("request_accept", "director"),  # no routing chosen: a message, nothing written
        ("request_note", "director"),
        ("request_note", "correspondent"),
        ("request_note", "bureau"),
    }
    if (url_name, role) in allowed:
        assert response_status == 302
    else:
        expected = {"anonymous": 302, "other_director": 404, "ministry": 404}.get(role, 403)
        assert response_status == expected
        assert counts() == before
    if role != "anonymous":
        assert client_for(role).get(url).status_code in (404, 405)


@pytest.mark.parametrize("url_name", ["request_detail", *ACTION_PAGES, *POSTED])
def test_an_unknown_request_is_404(client_for, url_name):
    url = reverse(url_name, args=[999999])
    assert client_for("bureau").get(url).status_code in (404, 405)
    assert client_for("bureau").post(url).status_code == 404


def test_figures_are_linked_from_the_board_for_the_bureau_only(client_for, routed):
    assert (
        reverse("request_figures")
        in client_for("bureau").get(reverse("request_board")).content.decode()
    )
    content = client_for("director").get(reverse("request_board")).content.decode()
    assert reverse("request_figures") not in content


# Who sees which request on the board -----------------------------------------------------------


def _board(client, **params):
    response = client.get(reverse("request_board"), params)
    assert response.status_code == 200
    return response


def _listed(response) -> set[int]:
    return {row.pk for row in response.context["page_obj"]}


def test_a_platform_sees_what_was_transmitted_to_it_or_taken(
    client_for, platform, other_platform, routed, foreign
):
    proposal_only = proposed(platform, company_name="Seulement proposée")
    taken = FirmRequestFactory(status=RequestStatus.ACCEPTED, taken_by=platform)
    withdrawn = FirmRequestFactory()
    RoutingFactory(request=withdrawn, platform=platform, status=RoutingStatus.WITHDRAWN)
    declined = FirmRequestFactory()
    RoutingFactory(request=declined, platform=platform, status=RoutingStatus.DECLINED)
    listed = _listed(_board(client_for("director")))
    assert listed == {routed.pk, taken.pk, declined.pk}
    assert proposal_only.pk not in listed and withdrawn.pk not in listed
    assert _listed(_board(client_for("other_director"))) == {foreign.pk}


def test_a_correspondent_sees_his_regions_requests(client_for, routed, foreign, correspondent):
    new = proposed(company_name="Nouvelle de l'Aisne")
    assert _listed(_board(client_for("correspondent"))) == {routed.pk, new.pk}


def test_the_bureau_sees_every_request(client_for, routed, foreign):
    new = proposed()
    assert _listed(_board(client_for("bureau"))) == {routed.pk, foreign.pk, new.pk}


def test_a_row_shows_company_department_domains_state_platform_and_waiting(
    client_for, platform, third_platform
):
    domain = DomainFactory(name="Usinage")
    firm_request = routed_to(
        platform,
        third_platform,
        company_name="Forges de Chauny",
        domains=[domain],
        when=timezone.now() - datetime.timedelta(days=12),
    )
    content = _board(client_for("director")).content.decode()
    assert "Forges de Chauny" in content
    assert str(department("02")) in content
    assert "Usinage" in content
    assert "Orientée" in content
    assert platform.name in content and third_platform.name in content
    assert "attend depuis 12 jours" in content
    assert "sans réponse" in content  # more than five working days
    assert reverse("request_detail", args=[firm_request.pk]) in content


def test_a_taken_request_shows_its_platform_and_answer_time(client_for, platform):
    created = timezone.now() - datetime.timedelta(days=9)
    FirmRequestFactory(
        status=RequestStatus.IN_PROGRESS,
        taken_by=platform,
        created_at=created,
        first_answer_at=created + datetime.timedelta(days=3),
    )
    content = _board(client_for("director")).content.decode()
    assert f"Prise par {platform}" in content
    assert "réponse en 3 jours" in content


# The correspondent's "to route" panel -----------------------------------------------------------


def test_the_correspondent_has_his_new_requests_to_route_with_proposals(
    client_for, correspondent, platform, third_platform, routed
):
    new = proposed(platform, third_platform, company_name="Verrerie de Saint-Gobain")
    away = proposed(platform, department=department(AWAY_DEPARTMENT))
    response = _board(client_for("correspondent"))
    assert [r.pk for r in response.context["to_route"]] == [new.pk]
    assert [r.platform for r in response.context["to_route"][0].proposals] == [
        third_platform,
        platform,
    ]
    content = response.content.decode()
    assert "À orienter" in content and reverse("request_route", args=[new.pk]) in content
    assert away.pk not in {r.pk for r in response.context["to_route"]}


def test_a_director_has_no_panel_to_route(client_for, platform):
    proposed(platform)
    response = _board(client_for("director"))
    assert response.context["to_route"] == []
    assert "À orienter" not in response.content.decode()


# Filters ------------------------------------------------------------------------------------


def test_filter_by_state_region_domain_platform_and_year(
    client_for, platform, other_platform, routed, foreign
):
    client = client_for("bureau")
    domain = DomainFactory(name="Plasturgie")
    routed.domains.set([domain])
    old = FirmRequestFactory(
        created_at=timezone.now().replace(year=timezone.now().year - 2),
        status=RequestStatus.DONE,
    )
    assert _listed(_board(client, state="routed")) == {routed.pk, foreign.pk}
    assert _listed(_board(client, state="closed")) == {old.pk}
    assert _listed(_board(client, state="open")) == {routed.pk, foreign.pk}
    away_region = department(AWAY_DEPARTMENT).region
    assert _listed(_board(client, region=away_region.pk)) == {foreign.pk}
    assert _listed(_board(client, domain=domain.pk)) == {routed.pk}
    assert _listed(_board(client, platform=other_platform.pk)) == {foreign.pk}
    assert _listed(_board(client, year=timezone.now().year - 2)) == {old.pk}


def test_to_do_for_a_platform_is_what_waits_for_its_answer(client_for, platform, routed):
    answered = routed_to(platform)
    answered.routings.update(status=RoutingStatus.DECLINED)
    taken_elsewhere = routed_to(platform)
    taken_elsewhere.taken_by = staffed("Autre")
    taken_elsewhere.status = RequestStatus.ACCEPTED
    taken_elsewhere.save()
    assert _listed(_board(client_for("director"), todo="on")) == {routed.pk}


def test_to_do_for_a_correspondent_is_his_new_requests(client_for, correspondent, routed):
    new = proposed()
    proposed(department=department(AWAY_DEPARTMENT))
    assert _listed(_board(client_for("correspondent"), todo="on")) == {new.pk}


def test_hostile_filters_are_never_a_500(client_for, routed):
    client = client_for("bureau")
    for params in (
        {"page": "abc"},
        {"page": "999999"},
        {"region": "9" * 40},
        {"domain": "-1"},
        {"platform": "x"},
        {"year": "1789"},
        {"state": "<script>"},
        {"todo": "peut-être"},
    ):
        assert client.get(reverse("request_board"), params).status_code == 200, params
    # A NUL byte is refused by the portal's middleware, as everywhere.
    assert client.get(reverse("request_board"), {"region": "\x00"}).status_code == 400


# Query counts -----------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _many(count, platform, third_platform):
    domains = [DomainFactory(name="Usinage"), DomainFactory(name="Textile")]
    for n in range(count):
        firm_request = routed_to(platform, third_platform, domains=domains)
        if n % 3 == 0:
            firm_request.routings.filter(platform=platform).update(status=RoutingStatus.ACCEPTED)
            firm_request.taken_by = platform
            firm_request.status = RequestStatus.ACCEPTED
            firm_request.save()
        proposed(platform, third_platform, domains=domains)


BOARD_QUERIES = {"director": 11, "correspondent": 14, "bureau": 13}


@pytest.mark.parametrize("role", list(BOARD_QUERIES))
def test_the_board_costs_the_same_with_3_or_15_requests(
    client_for, role, platform, third_platform, correspondent, django_assert_max_num_queries
):
    client = client_for(role)
    url = reverse("request_board")
    _many(3, platform, third_platform)
    few = _queries(client, url)
    _many(12, platform, third_platform)
    with django_assert_max_num_queries(BOARD_QUERIES[role]):
        many = _queries(client, url)
    assert many == few


def test_the_detail_costs_the_same_with_few_or_many_events(
    client_for, routed, platform, django_assert_max_num_queries
):
    client = client_for("director")
    url = reverse("request_detail", args=[routed.pk])
    few = _queries(client, url)
    for n in range(12):
        RoutingFactory(request=routed, platform=staffed(f"P{n}"), status=RoutingStatus.DECLINED)
        RequestEvent.objects.create(request=routed, kind=RequestEventKind.NOTE, text=f"note {n}")
    routed.domains.set([DomainFactory(), DomainFactory()])
    with django_assert_max_num_queries(8):
        many = _queries(client, url)
    assert many == few


# A GET never writes ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["director", "correspondent", "bureau"])
def test_a_get_never_writes(client_for, role, routed, foreign):
    proposed()
    before = counts()
    client = client_for(role)
    for url in (
        reverse("request_board"),
        reverse("request_board") + "?todo=on&state=open",
        reverse("request_detail", args=[routed.pk]),
        reverse("request_route", args=[routed.pk]),
        reverse("request_decline", args=[routed.pk]),
        reverse("request_pass", args=[routed.pk]),
        reverse("request_close", args=[routed.pk]),
        reverse("request_figures"),
    ):
        client.get(url)
    assert counts() == before


# What the page shows ----------------------------------------------------------------------------


def test_the_page_shows_what_the_firm_sent_the_timeline_and_the_routings(
    client_for, routed, platform, third_platform, director
):
    RequestRouting = routed.routings.model
    RequestRouting.objects.filter(request=routed, platform=third_platform).update(
        status=RoutingStatus.DECLINED, reason="Pas d'équipement de fonderie"
    )
    RequestEvent.objects.create(
        request=routed, kind=RequestEventKind.MESSAGE_FIRM, text="Avez-vous reçu notre demande ?"
    )
    RequestEvent.objects.create(
        request=routed, kind=RequestEventKind.NOTE, author=director, text="À voir lundi"
    )
    content = client_for("director").get(reverse("request_detail", args=[routed.pk])).content
    content = content.decode()
    for text in (
        "Fonderie de l",
        routed.email,
        routed.need[:30],
        "Pas d&#x27;équipement de fonderie",
        "Avez-vous reçu notre demande ?",
        "À voir lundi",
        "jamais montrée à l'entreprise",
        "Demande déposée",
    ):
        assert text in content, text
    assert reverse("request_accept", args=[routed.pk]) in content
    assert reverse("request_decline", args=[routed.pk]) in content
    assert reverse("request_route", args=[routed.pk]) not in content


def test_the_correspondent_sees_the_routing_action_not_the_answers(client_for, routed):
    content = client_for("correspondent").get(reverse("request_detail", args=[routed.pk]))
    content = content.content.decode()
    assert reverse("request_route", args=[routed.pk]) in content
    assert reverse("request_accept", args=[routed.pk]) not in content


def test_an_anonymised_request_hides_its_contact(client_for, routed):
    routed.anonymised_at = timezone.now()
    routed.save()
    content = client_for("bureau").get(reverse("request_detail", args=[routed.pk])).content
    assert "Données de contact effacées" in content.decode()
    assert f"mailto:{routed.email}" not in content.decode()


ACTION_PAGE_QUERIES = {
    ("request_route", "correspondent"): 7,
    ("request_decline", "director"): 6,
    ("request_pass", "director"): 7,
    ("request_close", "bureau"): 4,
    ("request_close", "correspondent"): 6,
}


@pytest.mark.parametrize(("url_name", "role"), list(ACTION_PAGE_QUERIES))
def test_action_pages_cost_the_same_with_few_or_many_routings(
    client_for, routed, correspondent, url_name, role, django_assert_max_num_queries
):
    client = client_for(role)
    url = reverse(url_name, args=[routed.pk])
    few = _queries(client, url)
    for n in range(12):
        status_ = RoutingStatus.PROPOSED if n % 2 else RoutingStatus.DECLINED
        RoutingFactory(request=routed, platform=staffed(f"Q{n}"), status=status_)
    with django_assert_max_num_queries(ACTION_PAGE_QUERIES[(url_name, role)]):
        many = _queries(client, url)
    assert many == few


@pytest.mark.parametrize("role", REQUEST_ROLES)
def test_pages_of_a_closed_request_per_role(client_for, role, routed, bureau):
    from projects.services import request_actions

    request_actions.request_close(
        firm_request=routed, status="declined", reason="Hors réseau", actor=bureau
    )
    seen = {"anonymous": 302, "other_director": 404, "ministry": 404}
    detail = reverse("request_detail", args=[routed.pk])
    assert status(client_for, role, detail) == seen.get(role, 200)
    reopen = reverse("request_reopen", args=[routed.pk])
    assert status(client_for, role, reopen) == seen.get(role, 200 if role == "bureau" else 403)
    for name in ("request_close", "request_route", "request_decline", "request_pass"):
        url = reverse(name, args=[routed.pk])
        assert status(client_for, role, url) == seen.get(role, 403), name
