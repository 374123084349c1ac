"""French text in the database: searches that ignore accents and case, names sorted in
French collation (innovalo.french), on every page that searches or sorts by name."""

import re

import pytest
from django.urls import reverse

from innovalo.french import French, by_name, french_key, search_words, unaccent
from members.models import Domain, Platform
from tests.members.factories import DomainFactory, PlatformFactory, department

pytestmark = pytest.mark.django_db

E_NAMES = ["Éco-Bâti", "Électronique", "Énergie solaire", "Végétal", "Aéro", "Zinc", "eau"]
FRENCH_ORDER = ["Aéro", "eau", "Éco-Bâti", "Électronique", "Énergie solaire", "Végétal", "Zinc"]


def test_unaccent_strips_accents_and_ligatures():
    assert unaccent("Éco-Bâti Cœur ÇA") == "Eco-Bati Coeur CA"
    assert unaccent(None) is None


def test_french_key_puts_accented_capitals_among_their_letter():
    assert sorted(E_NAMES, key=french_key) == FRENCH_ORDER


@pytest.mark.parametrize("word", ["ceramique", "CÉRAMIQUE", "Céramique", "éram"])
def test_unaccent_icontains_ignores_accents_and_case(word):
    PlatformFactory(name="Céramique du Limousin")
    PlatformFactory(name="Plasturgie")
    found = Platform.objects.filter(name__unaccent_icontains=word)
    assert [p.name for p in found] == ["Céramique du Limousin"]


def test_unaccent_icontains_escapes_like_wildcards():
    PlatformFactory(name="Céramique 100%")
    PlatformFactory(name="Céramique 1000")
    assert Platform.objects.filter(name__unaccent_icontains="100%").count() == 1
    assert Platform.objects.filter(name__unaccent_icontains="_").count() == 0


def test_search_words_needs_every_word_in_some_field():
    PlatformFactory(name="Céramique", slug="c1", city="Limoges")
    PlatformFactory(name="Céramique", slug="c2", city="Vierzon")
    found = search_words(Platform.objects.all(), "ceramique LIMOGES", ["name", "city"])
    assert [p.city for p in found] == ["Limoges"]


def test_french_order_and_by_name():
    for name in E_NAMES:
        DomainFactory(name=name)
    assert [d.name for d in by_name(Domain.objects.all())] == FRENCH_ORDER
    ordered = Domain.objects.order_by(French("name").desc())
    assert [d.name for d in ordered] == FRENCH_ORDER[::-1]


# The directory ----------------------------------------------------------------------


@pytest.fixture
def e_platforms():
    return [PlatformFactory(name=name, department=department("02")) for name in E_NAMES]


def directory_names(client, query):
    response = client.get(reverse("platform_list") + query)
    assert response.status_code == 200
    return [platform.name for platform in response.context["page_obj"]]


def test_directory_search_ignores_accents(client):
    PlatformFactory(name="Céramique", city="Limoges", department=department("87"))
    PlatformFactory(name="Verre", city="Limoges", department=department("87"))
    assert directory_names(client, "?q=ceramique") == ["Céramique"]
    assert directory_names(client, "?q=CERAMIQUE+limoges") == ["Céramique"]
    assert directory_names(client, "?q=haute-vienne") == ["Céramique", "Verre"]


@pytest.mark.parametrize("sort", ["", "?sort=name"])
def test_directory_sorts_names_in_french(client, e_platforms, sort):
    assert directory_names(client, sort) == FRENCH_ORDER


def test_directory_sorts_names_backwards_in_french(client, e_platforms):
    assert directory_names(client, "?sort=-name") == FRENCH_ORDER[::-1]


def options(html, name):
    """The labels of the options of the <select name=`name`> in `html`."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def test_directory_drop_downs_in_french_order(client):
    for name in E_NAMES:
        DomainFactory(name=name)
    html = client.get(reverse("platform_list")).content.decode()
    assert [name for name in options(html, "domain") if name in E_NAMES] == FRENCH_ORDER
    regions = options(html, "region")[1:]  # after "Toutes"
    assert "Île-de-France" in regions
    assert regions == sorted(regions, key=french_key)
