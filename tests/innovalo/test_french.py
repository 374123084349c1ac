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


# The other searches -----------------------------------------------------------------


def test_calls_words_ignore_accents():
    from django.http import QueryDict

    from projects.filters import CallFilter
    from projects.models import Call
    from tests.projects.factories import with_deadline

    with_deadline(title="Filière céramique", description="")
    with_deadline(title="Numérique", description="Transition ÉNERGÉTIQUE")
    found = CallFilter(QueryDict("q=ceramique"), queryset=Call.objects.for_list())
    assert [call.title for call in found.qs] == ["Filière céramique"]
    found = CallFilter(QueryDict("q=energetique+NUMERIQUE"), queryset=Call.objects.for_list())
    assert [call.title for call in found.qs] == ["Numérique"]


def test_calls_filter_choices_in_french_order():
    from projects.filters import load_choices
    from tests.projects.factories import FunderFactory, ThemeFactory

    for index, name in enumerate(E_NAMES):
        ThemeFactory(name=name, slug=f"t{index}")
        FunderFactory(name=name)
    choices = load_choices()
    assert [label for _value, label in choices["theme"]] == FRENCH_ORDER
    assert [label for _value, label in choices["funder"]] == FRENCH_ORDER
    regions = [label for _value, label in choices["region"]]
    assert regions == sorted(regions, key=french_key)


def test_dues_board_search_ignores_accents():
    from django.http import QueryDict

    from members.filters.dues import DuesLineFilter
    from members.models import DuesLine
    from tests.members.dues_factories import DuesLineFactory

    DuesLineFactory(platform__name="Céramique", platform__city="Limoges")
    DuesLineFactory(platform__name="Verre", platform__city="Sèvres")
    found = DuesLineFilter(QueryDict("q=ceramique"), queryset=DuesLine.objects.all()).qs
    assert [line.platform.name for line in found] == ["Céramique"]
    found = DuesLineFilter(QueryDict("q=SEVRES"), queryset=DuesLine.objects.all()).qs
    assert [line.platform.name for line in found] == ["Verre"]


def test_respondents_search_ignores_accents():
    from surveys.selectors.respondents import respondent_rows
    from tests.surveys.respondent_factories import external_campaign, respondent

    campaign = external_campaign()
    respondent(campaign, email="a@example.fr", organisation="Céramiques Dupré")
    respondent(campaign, email="b@example.fr", organisation="Verrerie")
    rows = respondent_rows(campaign, q="ceramiques dupre")
    assert [row.organisation for row in rows] == ["Céramiques Dupré"]


def test_people_list_search_ignores_accents(client_for):
    from tests.factories import UserFactory

    UserFactory(last_name="Ménagé", first_name="Jérôme")
    UserFactory(last_name="Menard", first_name="Paul")
    response = client_for("bureau").get(reverse("people_list"), {"q": "menage jerome"})
    assert [user.last_name for user in response.context["page_obj"]] == ["Ménagé"]


def test_people_list_sorts_names_in_french(client_for):
    from innovalo.models import User
    from tests.factories import UserFactory

    for name in E_NAMES:
        UserFactory(last_name=name)
    response = client_for("bureau").get(reverse("people_list"))
    names = [user.last_name for user in response.context["page_obj"]]
    assert [name for name in names if name in E_NAMES] == FRENCH_ORDER
    assert User.objects.count() >= len(E_NAMES)


# Drop-downs -----------------------------------------------------------------------


def labels(field):
    return [label for value, label in field.choices if value != ""]


@pytest.fixture
def e_world():
    """Platforms, domains and regions whose names start with an accent."""
    for index, name in enumerate(E_NAMES):
        PlatformFactory(name=name, slug=f"p{index}")
        DomainFactory(name=name)


def test_projects_board_drop_downs_in_french_order(e_world, rf, bureau):
    from projects.filters_projects import ProjectBoardFilter

    request = rf.get("/")
    request.user = bureau
    form = ProjectBoardFilter({}, request=request).form
    # The platform is a search picker (a federation has thousands): its matches come in
    # French order.
    picker = form.fields["platform"]
    found = picker.rows().filter(slug__startswith="p").order_by(*picker.order_by)
    assert [platform.name for platform in found] == FRENCH_ORDER
    regions = labels(form.fields["region"])
    assert "Île-de-France" in regions and regions == sorted(regions, key=french_key)


def test_requests_board_drop_downs_in_french_order(e_world, rf, bureau):
    from projects.filters_requests import RequestBoardFilter

    request = rf.get("/")
    request.user = bureau
    form = RequestBoardFilter({}, request=request).form
    assert labels(form.fields["domain"]) == FRENCH_ORDER
    assert [label.split(" (")[0] for label in labels(form.fields["platform"])] == FRENCH_ORDER


def test_call_form_drop_downs_in_french_order():
    from projects.forms.calls import CallForm
    from tests.projects.factories import FunderFactory, ThemeFactory

    for index, name in enumerate(E_NAMES):
        ThemeFactory(name=name, slug=f"t{index}")
        FunderFactory(name=name)
    form = CallForm()
    assert labels(form.fields["themes"]) == FRENCH_ORDER
    assert labels(form.fields["funders"]) == FRENCH_ORDER
    regions = labels(form.fields["regions"])
    assert regions == sorted(regions, key=french_key)


def test_exemption_form_platforms_in_french_order():
    from members.forms.dues import ExemptionForm

    for index, name in enumerate(E_NAMES):
        PlatformFactory(name=name, slug=f"p{index}", is_member=True)
    assert [label.split(" (")[0] for label in labels(ExemptionForm().fields["platform"])] == (
        FRENCH_ORDER
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_long_date_writes_what_date_text_writes(language):
    import datetime

    from django.utils import translation

    from innovalo.french import date_text, long_date

    with translation.override(language):
        day = datetime.date(2026, 1, 1)
        while day.year == 2026:
            assert long_date(day) == date_text(day, "j F Y"), day
            day += datetime.timedelta(days=1)
        assert long_date(datetime.date(2026, 2, 1)) == (
            "1er février 2026" if language == "fr" else "1 February 2026"
        )
