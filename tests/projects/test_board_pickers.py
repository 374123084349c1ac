"""The projects board's call and platform filters are searchable pickers: the board never
lists every platform or call (a federation holds 5,000 and 10,000 of them), the choice
is typed (a name, its words or an id) and shown by name, and its query count does not
grow with the platforms and calls."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import ROLES
from tests.members.factories import PlatformFactory

from .factories import with_deadline
from .projects_helpers import *  # noqa: F403 (fixtures)
from .projects_helpers import project_with

pytestmark = pytest.mark.django_db


def board(client, **query):
    response = client.get(reverse("project_board"), query)
    assert response.status_code == 200
    return response.content.decode()


def add_platforms_and_calls(n):
    for i in range(n):
        platform = PlatformFactory(name=f"Plateforme Extra {n}-{i}", acronym="")
        project_with(platform, call=with_deadline(40 + i, title=f"Appel Extra {n}-{i}"))


def test_the_board_lists_neither_the_platforms_nor_the_calls(client_for, led, foreign):
    for i in range(5):
        PlatformFactory(name=f"Plateforme sans projet {i}")
    content = board(client_for("bureau"))
    assert "Plateforme sans projet" not in content
    assert "<select" not in content.split('name="platform"')[1].split("</div>")[0]
    assert 'id="id_platform" list="id_platform_list"' in content
    assert '<datalist id="id_platform_list"></datalist>' in content
    assert '<datalist id="id_call_list"></datalist>' in content


def test_a_platform_typed_by_name_filters_and_shows_by_name(client_for, led, foreign, platform):
    client = client_for("bureau")
    for text in ("InnovalTech (IVT)", "innovaltech", str(platform.pk)):
        content = board(client, platform=text)
        assert led.title in content and foreign.title not in content
        assert 'value="InnovalTech (IVT)"' in content
        assert '<option value="InnovalTech (IVT)"></option>' in content


def test_a_call_typed_by_title_filters(client_for, led, foreign):
    call = with_deadline(30, title="Appel FEDER Hauts-de-France")
    foreign.call = call
    foreign.save()
    content = board(client_for("director"), call="feder hauts")
    assert foreign.title in content and led.title not in content
    assert 'value="Appel FEDER Hauts-de-France"' in content


def test_a_call_no_project_answers_is_not_offered(client_for, led):
    with_deadline(30, title="Appel sans projet")
    content = board(client_for("director"), call="Appel sans projet")
    assert "Aucun élément ne correspond" in content


def test_an_ambiguous_platform_is_a_message_next_to_the_field(client_for, led, foreign):
    PlatformFactory(name="Plateforme A")
    PlatformFactory(name="Plateforme B")
    content = board(client_for("bureau"), platform="plateforme")
    assert "Plusieurs éléments correspondent" in content  # and the board is unfiltered
    assert led.title in content and foreign.title in content
    assert 'value="plateforme"' in content


@pytest.mark.parametrize("role", ROLES)
def test_the_call_search_is_for_those_who_read_the_board(client_for, role, led):
    call = with_deadline(30, title="Appel Industrie du futur")
    led.call = call
    led.save()
    response = client_for(role).get(
        reverse("project_call_picker"),
        {"field": "call", "call": "industrie", "list": "id_call_list"},
    )
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert '<option value="Appel Industrie du futur"></option>' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("bureau", {}),
        ("director", {"platform": "InnovalTech (IVT)"}),
        ("ministry", {"call": "Appel Extra"}),
    ],
)
def test_board_queries_do_not_grow_with_platforms_and_calls(client_for, led, role, query):
    client = client_for(role)

    def count():
        with CaptureQueriesContext(connection) as captured:
            board(client, **query)
        return len(captured)

    add_platforms_and_calls(2)
    few = count()
    add_platforms_and_calls(20)
    assert count() == few
