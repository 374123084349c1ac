"""The directory's filters, sort, count and pagination, and its query count."""

import pytest
from django.urls import reverse

from members.enums import HostRole, LabelStatus

from .factories import (
    DomainFactory,
    PlatformFactory,
    PlatformHostFactory,
    ServiceFactory,
    department,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    """Four platforms in three regions, with domains, services and label statuses."""
    mechanics = DomainFactory(name="Mécanique", slug="mecanique")
    plastics = DomainFactory(name="Plasturgie", slug="plasturgie")
    digital = DomainFactory(name="Numérique", slug="numerique")
    tests = ServiceFactory(name="Essais", slug="essais")
    training = ServiceFactory(name="Formation", slug="formation")
    alpha = PlatformFactory(
        name="Alpha Méca", city="Saint-Quentin", department=department("02"), acronym="AM"
    )
    alpha.domains.add(mechanics)
    alpha.services.add(tests)
    bravo = PlatformFactory(
        name="Bravo Plast",
        city="La Roche-sur-Yon",
        department=department("85"),
        label_status=LabelStatus.RENEWAL,
    )
    bravo.domains.add(plastics, mechanics)
    bravo.services.add(training)
    charlie = PlatformFactory(
        name="Charlie Num",
        city="Le Creusot",
        department=department("71"),
        description="Réalité virtuelle et jumeaux numériques",
        label_status=LabelStatus.EXPIRED,
    )
    charlie.domains.add(digital)
    charlie.services.add(tests, training)
    delta = PlatformFactory(
        name="Delta Fonderie",
        city="Laon",
        department=department("02"),
        label_status=LabelStatus.NOT_LABELLED,
    )
    return {"alpha": alpha, "bravo": bravo, "charlie": charlie, "delta": delta}


def names(client, query=""):
    response = client.get(reverse("platform_list") + query)
    assert response.status_code == 200
    return [platform.name for platform in response.context["page_obj"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alpha Méca", "Bravo Plast", "Charlie Num", "Delta Fonderie"]),
        ("?q=plast", ["Bravo Plast"]),
        ("?q=creusot", ["Charlie Num"]),  # city
        ("?q=jumeaux", ["Charlie Num"]),  # description
        ("?q=AM", ["Alpha Méca"]),  # acronym, case-insensitive
        ("?q=vendée", ["Bravo Plast"]),  # department name
        ("?region=hauts-de-france", ["Alpha Méca", "Delta Fonderie"]),
        ("?department=85", ["Bravo Plast"]),
        ("?domain=mecanique", ["Alpha Méca", "Bravo Plast"]),
        ("?label=labelled", ["Alpha Méca"]),
        ("?label=renewal", ["Bravo Plast"]),
        ("?label=not_labelled", ["Delta Fonderie"]),
        ("?service=essais", ["Alpha Méca", "Charlie Num"]),
    ],
)
def test_each_filter(client, network, query, expected):
    assert names(client, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?domain=mecanique&region=pays-de-la-loire", ["Bravo Plast"]),
        ("?domain=mecanique&label=labelled", ["Alpha Méca"]),
        ("?service=formation&domain=mecanique", ["Bravo Plast"]),
        ("?region=hauts-de-france&label=not_labelled&q=fonderie", ["Delta Fonderie"]),
        ("?region=hauts-de-france&department=85", []),
    ],
)
def test_filters_combine(client, network, query, expected):
    assert names(client, query) == expected


def test_domain_filter_lists_each_platform_once(client, network):
    network["alpha"].domains.add(DomainFactory(name="Matériaux"))
    assert names(client, "?domain=mecanique") == ["Alpha Méca", "Bravo Plast"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alpha Méca", "Bravo Plast", "Charlie Num", "Delta Fonderie"]),
        ("-name", ["Delta Fonderie", "Charlie Num", "Bravo Plast", "Alpha Méca"]),
        ("city", ["Bravo Plast", "Delta Fonderie", "Charlie Num", "Alpha Méca"]),
        ("department", ["Alpha Méca", "Delta Fonderie", "Charlie Num", "Bravo Plast"]),
    ],
)
def test_sort(client, network, sort, expected):
    assert names(client, f"?sort={sort}") == expected


def test_unknown_filter_values_do_not_crash(client, network):
    response = client.get(reverse("platform_list") + "?region=atlantide&label=gold&sort=evil")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_result_count_and_empty_message(client, network):
    content = client.get(reverse("platform_list") + "?domain=plasturgie").content.decode()
    assert "1 plateforme" in content
    content = client.get(reverse("platform_list") + "?q=zzzz").content.decode()
    assert "0 plateforme" in content
    assert "Aucune plateforme ne correspond" in content


def test_pagination_keeps_filters(client):
    for index in range(25):
        PlatformFactory(name=f"Plateforme {index:02d}", department=department("85"))
    PlatformFactory(name="Hors filtre", department=department("02"))
    response = client.get(reverse("platform_list") + "?department=85")
    content = response.content.decode()
    assert "25 plateformes" in content
    assert len(response.context["page_obj"]) == 20
    assert "department=85&amp;page=2" in content
    second = client.get(reverse("platform_list") + "?department=85&page=2")
    assert len(second.context["page_obj"]) == 5


def test_thematic_correspondent_shown_with_domain_filter_when_logged_in(client_for, network):
    from members.enums import CorrespondentKind

    from .factories import CorrespondentFactory

    CorrespondentFactory(
        kind=CorrespondentKind.THEMATIC,
        region=None,
        domain=network["alpha"].domains.get(),
        user__email="thema@exemple.fr",
    )
    url = reverse("platform_list") + "?domain=mecanique"
    assert "thema@exemple.fr" in client_for("director").get(url).content.decode()
    assert "thema@exemple.fr" not in client_for("anonymous").get(url).content.decode()


@pytest.mark.parametrize("role", ["anonymous", "bureau"])
def test_directory_query_count_does_not_grow_with_rows(
    client_for, role, network, django_assert_max_num_queries
):
    client = client_for(role)
    with django_assert_max_num_queries(7):
        client.get(reverse("platform_list"))
    for index in range(15):
        platform = PlatformFactory(name=f"Autre {index}")
        platform.domains.add(network["alpha"].domains.get())
        PlatformHostFactory(platform=platform, role=HostRole.CARRYING)
    with django_assert_max_num_queries(7) as queries:
        response = client.get(reverse("platform_list") + "?domain=mecanique&sort=city")
    assert len(response.context["page_obj"]) == 17
    # The filters' four lists: one plain query, that also checks the values chosen
    # (no server-side cursor, no query per list or for the domain chosen).
    sql = [query["sql"] for query in queries.captured_queries]
    assert not any("DECLARE" in text for text in sql)
    assert sum('FROM "members_domain"' in text for text in sql) == 1
    assert sum('FROM "members_region"' in text for text in sql) == 1
    # Rows read the columns a row prints, not the presentations.
    assert not any('"members_platform"."description"' in text for text in sql)


def test_directory_rows_show_domains_and_carrying_establishments(client, network):
    from .factories import EstablishmentFactory

    university = EstablishmentFactory(name="Université de Picardie")
    school = EstablishmentFactory(name="École des Mines")
    partner = EstablishmentFactory(name="Lycée partenaire")
    PlatformHostFactory(platform=network["alpha"], establishment=school, role=HostRole.CARRYING)
    PlatformHostFactory(platform=network["alpha"], establishment=partner, role=HostRole.PARTNER)
    PlatformHostFactory(platform=network["alpha"], establishment=university, role=HostRole.CARRYING)
    response = client.get(reverse("platform_list"))
    content = response.content.decode()
    assert "<td>École des Mines<br>Université de Picardie</td>" in content
    assert "Lycée partenaire" not in content
    assert '<span class="tag">Mécanique</span> <span class="tag">Plasturgie</span>' in content
    assert '<span class="badge badge-renewal">' in content
    assert f'<a href="{network["bravo"].get_absolute_url()}">Bravo Plast</a>' in content
    assert 'href="/regions/hauts-de-france/">Hauts-de-France</a>' in content
    # Delta has no domain.
    assert '<span class="muted">—</span>' in content


@pytest.mark.parametrize("query", ["?region=hauts-de-france", "?department=02"])
def test_regional_correspondent_shown_with_region_filter_when_logged_in(client_for, network, query):
    from .factories import CorrespondentFactory

    CorrespondentFactory(region=department("02").region, user__email="region@exemple.fr")
    url = reverse("platform_list") + query
    assert "region@exemple.fr" in client_for("director").get(url).content.decode()
    assert "region@exemple.fr" not in client_for("anonymous").get(url).content.decode()
    other = reverse("platform_list") + "?region=pays-de-la-loire"
    assert "region@exemple.fr" not in client_for("director").get(other).content.decode()


def test_valid_filters_apply_when_another_is_invalid(client_for, network):
    response = client_for("director").get(reverse("platform_list") + "?domain=mecanique&sort=x")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert [p.name for p in response.context["page_obj"]] == ["Alpha Méca", "Bravo Plast"]


# Hostile query strings: 400 or 404, never a 500 ---------------------------------


def test_a_thousand_search_words_use_the_first_ten(client, network):
    words = " ".join(["plast"] + [f"mot{n}" for n in range(1300)])
    response = client.get(reverse("platform_list"), {"q": words})
    assert response.status_code == 200
    assert [p.name for p in response.context["page_obj"]] == []  # "mot0"... match nothing
    response = client.get(reverse("platform_list"), {"q": " ".join(["plast"] * 1300)})
    assert [p.name for p in response.context["page_obj"]] == ["Bravo Plast"]


def test_search_words_are_capped_in_the_queryset(network):
    from members.models import Platform
    from members.models.platforms import MAX_SEARCH_WORDS

    query = str(Platform.objects.search(" ".join(["x"] * 1300)).query)
    assert query.count("LIKE") == 6 * MAX_SEARCH_WORDS


@pytest.mark.parametrize(
    "query",
    [
        "?page=99999999999999999999999999",
        "?page=-1",
        "?page=abc",
        "?page=1e9",
        "?sort=%27%3B--",
        "?sort=-reviewed&sort=unknown",
        "?region=99999999999999999999999",
        "?department=99999999999999999999999",
        "?domain=99999999999999999999999&service=%27",
        "?label=" + "x" * 5000,
        "?q=" + "%C3%A9" * 2000,
    ],
)
def test_hostile_query_strings_never_give_a_500(client, network, query):
    assert client.get(reverse("platform_list") + query).status_code in (200, 400, 404)
    assert client.get(reverse("region_detail", args=["hauts-de-france"]) + query).status_code in (
        200,
        400,
        404,
    )


def test_export_links_keep_the_filters_but_not_the_page(client_for, network):
    content = client_for("bureau").get(reverse("platform_list") + "?domain=mecanique&page=1")
    content = content.content.decode()
    assert f"{reverse('platform_export')}?domain=mecanique&amp;format=csv" in content
    assert f"{reverse('platform_export')}?domain=mecanique&amp;format=xlsx" in content


@pytest.mark.parametrize("model", ["platform", "establishment"])
def test_admin_search_uses_the_first_words_too(client, network, model):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    words = " ".join(["alpha"] * 1300)
    response = client.get(reverse(f"admin:members_{model}_changelist"), {"q": words})
    assert response.status_code == 200


def test_filter_lists_are_read_in_one_query_names_in_french_order(network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from innovalo.french import by_name
    from members.models import Department, Domain, Region, Service
    from members.selectors.platforms import directory_filter_lists

    with CaptureQueriesContext(connection) as queries:
        lists = directory_filter_lists()
    assert len(queries) == 1
    expected = {
        "region": [(r.slug, str(r), r.pk) for r in by_name(Region.objects.current())],
        "department": [(d.code, str(d), d.pk) for d in Department.objects.all()],
        "domain": [(d.slug, str(d), d.pk) for d in by_name(Domain.objects.all())],
        "service": [(s.slug, str(s), s.pk) for s in by_name(Service.objects.all())],
    }
    assert {
        name: [(key, label, values["id"]) for key, label, values in rows]
        for name, rows in lists.items()
    } == expected
    regions = {d.pk: d.region_id for d in Department.objects.all()}
    assert all(values["region_id"] == regions[values["id"]] for *_, values in lists["department"])


def test_chosen_filter_values_are_instances_with_the_fields_the_page_reads(client_for, network):
    response = client_for("director").get(
        reverse("platform_list") + "?department=85&domain=plasturgie"
    )
    chosen = response.context["filter"].form.cleaned_data
    assert (chosen["department"].pk, chosen["department"].code) == (department("85").pk, "85")
    assert chosen["department"].region == department("85").region
    assert (chosen["domain"].name, chosen["domain"].slug) == ("Plasturgie", "plasturgie")
    assert response.context["region"] == department("85").region
    assert [p.name for p in response.context["page_obj"]] == ["Bravo Plast"]
