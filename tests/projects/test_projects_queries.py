"""The query count of the projects pages: pinned, and the same with 3 or 15 projects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.enums import ProjectStage
from projects.services import projects as services

from .factories import with_deadline
from .projects_helpers import *  # noqa: F403 (fixtures)
from .projects_helpers import pdf, project_with, staffed_platform

pytestmark = pytest.mark.django_db

# Three projects already fill a column of each kind: decided, open, submitted.
STAGES = [
    ProjectStage.WON,
    ProjectStage.IDEA,
    ProjectStage.SUBMITTED,
    ProjectStage.CONSORTIUM,
    ProjectStage.WRITING,
]


def add_projects(n, platform):
    """`n` projects over every column, each with a call, two platforms and a firm."""
    partner = staffed_platform(f"Partenaire {n}", f"partenaire{n}@exemple.fr")
    for i in range(n):
        lead = platform if i % 2 else staffed_platform(f"Porteuse {n}-{i}")
        project_with(
            lead,
            partner,
            stage=STAGES[i % len(STAGES)],
            call=with_deadline(30 + i),
            title=f"Projet {n}-{i}",
        )


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


# Role, query string, pinned count: session, user, the user's platforms, the regions of
# the filter (the call and platform filters are searchable pickers: no list of them),
# then the cards (the ranked projects' ids, their rows, their partners' lines and
# those lines' platforms, the count per column; or a page's count, rows, lines and
# platforms) and for the bureau and the ministry the figures (per stage, total).
BOARD = [
    ("director", {}, 9),
    ("director", {"mine": "on", "platform": "lead"}, 10),  # + the platform chosen
    ("director", {"stage": "idea"}, 8),
    ("bureau", {}, 11),
    ("bureau", {"stage": "closed"}, 10),
    ("ministry", {}, 5),
]


@pytest.mark.parametrize(("role", "params", "limit"), BOARD)
def test_board_queries_do_not_grow_with_projects(
    client_for, platform, role, params, limit, django_assert_max_num_queries
):
    client = client_for(role)
    url = reverse("project_board")
    if params.get("platform") == "lead":
        params = {**params, "platform": platform.pk}
    add_projects(3, platform)
    few = queries(client, url, **params)
    add_projects(12, platform)
    many = queries(client, url, **params)
    assert few == many
    with django_assert_max_num_queries(limit):
        client.get(url, params)


@pytest.fixture
def busy(led, director, bureau, settings, tmp_path):
    """A won project with five lines, three documents and a history."""
    settings.MEDIA_ROOT = tmp_path
    for n in range(3):
        staffed = staffed_platform(f"Plateforme {n}", f"p{n}@exemple.fr")
        services.partner_add(project=led, actor=director, kind="platform", platform=staffed)
        services.document_add(project=led, actor=director, uploaded=pdf(f"d{n}.pdf"))
    services.next_step_set(project=led, actor=director, text="Convention", owner=director)
    services.project_set_stage(project=led, actor=director, stage=ProjectStage.SUBMITTED)
    return led


@pytest.mark.parametrize(("role", "limit"), [("director", 7), ("bureau", 6), ("other_director", 5)])
def test_detail_queries(client_for, busy, role, limit, django_assert_max_num_queries):
    client = client_for(role)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse("project_detail", args=[busy.pk])).status_code == 200


def test_detail_queries_do_not_grow_with_lines(client_for, busy, director, settings):
    url = reverse("project_detail", args=[busy.pk])
    client = client_for("director")
    before = queries(client, url)
    for n in range(3, 6):
        staffed = staffed_platform(f"Plateforme {n}", f"p{n}@exemple.fr")
        services.partner_add(project=busy, actor=director, kind="platform", platform=staffed)
        services.document_add(project=busy, actor=director, uploaded=pdf(f"d{n}.pdf"))
    assert queries(client, url) == before


@pytest.mark.parametrize(
    ("url_name", "query", "limit"),
    [
        ("project_edit", {}, 7),
        ("project_partner_add", {}, 6),
        ("project_next_step", {}, 6),
        ("project_stage", {"to": "won"}, 5),
    ],
)
def test_form_pages_queries(
    client_for, busy, url_name, query, limit, django_assert_max_num_queries
):
    client = client_for("director")
    with django_assert_max_num_queries(limit):
        response = client.get(reverse(url_name, args=[busy.pk]), query)
    assert response.status_code == 200
