"""The searchable picker of one row among thousands (``innovalo.widgets.SearchChoiceField``),
through the platform and establishment pickers: what it renders, how it reads what was
typed (with or without JavaScript), and its search endpoints."""

import html
import re

import pytest
from django import forms
from django.test import RequestFactory
from django.urls import reverse

from innovalo.widgets import PICKER_MATCHES
from members.forms.pickers import establishment_field, platform_field
from tests.conftest import ROLES
from tests.members.factories import EstablishmentFactory, PlatformFactory

pytestmark = pytest.mark.django_db


class PlatformForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"] = platform_field(label="Plateforme", required=False)


@pytest.fixture
def many():
    return [
        PlatformFactory(name=f"Plateforme Usinage {n:02d}", acronym=f"PU{n}") for n in range(30)
    ]


def chosen(text):
    form = PlatformForm({"platform": text})
    assert form.is_valid(), form.errors
    return form.cleaned_data["platform"]


def error(text):
    form = PlatformForm({"platform": text})
    assert not form.is_valid()
    return form.errors["platform"][0]


# Reading what was typed ------------------------------------------------------------------


def test_an_id_a_label_or_words_that_fit_one_platform_choose_it(platform, many):
    assert chosen(str(platform.pk)) == platform
    assert chosen("InnovalTech (IVT)") == platform
    assert chosen("innovaltech") == platform
    assert chosen("IVT") == platform
    assert chosen("usinage 07") == many[7]
    assert chosen("Plateforme Usinage 07 (PU7)") == many[7]


def test_accents_and_case_are_ignored(db):
    target = PlatformFactory(name="Éco-Bâti Créteil", acronym="")
    assert chosen("eco-bati creteil") == target
    assert chosen("ÉCO-BÂTI CRÉTEIL") == target


def test_a_label_found_by_its_plain_columns_wins_over_a_wider_search(db):
    short = PlatformFactory(name="Usinage", acronym="")
    PlatformFactory(name="Usinage avancé", acronym="")
    assert chosen("Usinage") == short


def test_words_that_fit_several_platforms_are_an_error_naming_some(many):
    message = error("usinage")
    assert "Plusieurs" in message and "Plateforme Usinage 00 (PU0)" in message


def test_nothing_that_fits_is_an_error(many):
    assert "Aucun" in error("céramique")
    assert "Aucun" in error("999999")
    assert "Aucun" in error("9" * 30)
    assert "Aucun" in error("()")


def test_empty_is_no_choice(many):
    assert chosen("") is None
    assert chosen("   ") is None


def test_a_valid_choice_shows_by_its_label_and_what_was_typed_stays_otherwise(platform, many):
    form = PlatformForm({"platform": str(platform.pk)})
    form.is_valid()
    assert 'value="InnovalTech (IVT)"' in str(form["platform"])
    form = PlatformForm({"platform": "usinage"})
    form.is_valid()
    assert 'value="usinage"' in str(form["platform"])


# What the page holds ---------------------------------------------------------------------


def test_the_page_holds_the_chosen_platform_only(platform, many):
    form = PlatformForm(initial={"platform": platform})
    rendered = str(form["platform"])
    assert rendered.count("<option") == 1
    assert "Usinage" not in rendered
    assert 'list="id_platform_list"' in rendered and '<datalist id="id_platform_list">' in rendered
    assert 'value="InnovalTech (IVT)"' in rendered
    assert f'data-hx-get="{reverse("platform_picker")}"' in rendered
    assert 'aria-describedby="id_platform_helptext"' in rendered


def test_an_id_as_initial_shows_its_label(platform):
    form = PlatformForm(initial={"platform": platform.pk})
    assert 'value="InnovalTech (IVT)"' in str(form["platform"])


def test_changed_or_not(platform, many):
    assert not PlatformForm(
        {"platform": "InnovalTech (IVT)"}, initial={"platform": platform}
    ).has_changed()
    assert PlatformForm({"platform": "usinage 07"}, initial={"platform": platform}).has_changed()


# The search endpoints ---------------------------------------------------------------------


def search(client, url, text, list_id="id_platform_list", field="platform"):
    return client.get(url, {"field": field, field: text, "list": list_id})


def options(response):
    return [
        html.unescape(v) for v in re.findall(r'<option value="([^"]*)">', response.content.decode())
    ]


def test_the_search_answers_a_few_matches(client_for, many):
    response = search(client_for("director"), reverse("platform_picker"), "usinage")
    assert response.status_code == 200
    assert response.content.decode().startswith('<datalist id="id_platform_list">')
    assert len(options(response)) == PICKER_MATCHES
    assert options(response)[0] == "Plateforme Usinage 00 (PU0)"
    one = search(client_for("director"), reverse("platform_picker"), "usinage 12")
    assert options(one) == ["Plateforme Usinage 12 (PU12)"]
    assert options(search(client_for("director"), reverse("platform_picker"), "")) == []


@pytest.mark.parametrize("list_id", ["", "1x", '"><script>', "a" * 200])
def test_the_search_refuses_a_strange_list_id(client_for, list_id):
    response = search(client_for("director"), reverse("platform_picker"), "x", list_id=list_id)
    assert response.status_code == 400


def test_the_search_escapes_names(client_for):
    PlatformFactory(name='Plateforme <b>"gras"</b>', acronym="")
    response = search(client_for("director"), reverse("platform_picker"), "gras")
    assert "<b>" not in response.content.decode()
    assert options(response) == ['Plateforme <b>"gras"</b>']


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", ["platform_picker", "establishment_picker"])
def test_the_searches_are_for_signed_in_users(client_for, role, url_name):
    response = search(client_for(role), reverse(url_name), "x")
    assert response.status_code == (302 if role == "anonymous" else 200)


def test_the_search_runs_two_queries_whatever_the_rows(client_for, many, django_assert_num_queries):
    client = client_for("director")
    search(client, reverse("platform_picker"), "usinage")
    with django_assert_num_queries(3):  # session, user, the matches
        search(client, reverse("platform_picker"), "usinage")


def test_establishments_are_found_by_name_or_city(client_for):
    lycee = EstablishmentFactory(name="Lycée Nicéphore-Niépce", city="Chalon-sur-Saône")
    EstablishmentFactory(name="Lycée Niépce", city="Paris")
    response = search(
        client_for("director"), reverse("establishment_picker"), "niepce chalon", "id_x_list", "x"
    )
    assert options(response) == ["Lycée Nicéphore-Niépce (Chalon-sur-Saône)"]
    field = establishment_field()
    assert field.clean("Lycée Nicéphore-Niépce (Chalon-sur-Saône)") == lycee
    assert field.clean("chalon") == lycee


def test_the_options_response_reads_the_field_named(db, many):
    request = RequestFactory().get("/", {"field": "p", "p": "usinage 03", "list": "l"})
    response = platform_field().options_response(request)
    assert options(response) == ["Plateforme Usinage 03 (PU3)"]
