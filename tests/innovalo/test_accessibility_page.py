"""The accessibility statement, the folded menu and the directory's folded filters."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "director", "other_director", "bureau", "ministry"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_statement_linked_from_the_footer(
    client_for, role, django_assert_max_num_queries
):
    client = client_for(role)
    home = client.get("/").content.decode()
    assert f'href="{reverse("accessibility")}"' in home
    with django_assert_max_num_queries(3):  # the session and its user, nothing else
        response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "partiellement conforme" in content and "RGAA" in content
    assert "Défenseur des droits" in content


def test_the_main_menu_folds_behind_one_button(client_for):
    content = client_for("bureau").get("/").content.decode()
    assert '<details class="nav-fold" data-open-wide>' in content
    assert 'aria-label="Navigation principale"' in content


def test_directory_filters_fold_and_open_when_some_are_active(client, platform):
    url = reverse("platform_list")
    content = client.get(url).content.decode()
    assert '<details class="filters-fold" data-open-wide>' in content
    assert "<summary>Filtres</summary>" in content
    content = client.get(url, {"q": "innoval", "sort": "name"}).content.decode()
    assert '<details class="filters-fold" data-open-wide open>' in content
    assert "Filtres (1 actif)" in content
