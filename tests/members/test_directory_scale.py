"""The directory at federation scale (issue 15): the index of its default sort, its
filter lists and its anonymous page kept in the cache until a platform changes."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_the_default_sort_has_its_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'members_platform_name_fr_id'"
        )
        (definition,) = cursor.fetchone()
    assert 'COLLATE "fr-x-icu"' in definition and "id" in definition


# The anonymous page in the cache ------------------------------------------------------


@pytest.fixture
def rows():
    from .factories import DomainFactory, PlatformFactory, PlatformHostFactory, department

    mechanics = DomainFactory(name="Mécanique", slug="mecanique")
    platforms = [
        PlatformFactory(name=name, department=department(code))
        for name, code in [("Alpha Méca", "02"), ("Bravo Plast", "85"), ("Charlie Num", "71")]
    ]
    for platform in platforms:
        platform.domains.add(mechanics)
        PlatformHostFactory(platform=platform)
    committed()
    return platforms


def committed():
    """Each test runs in a transaction that never commits: close the writing window
    that its writes opened, as a commit would let it expire."""
    from members import caches

    caches.committed()


def directory(client, query=""):
    response = client.get("/plateformes/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_directory_is_served_from_the_cache_without_a_query(
    client, rows, django_assert_num_queries
):
    first = directory(client)
    with django_assert_num_queries(0):
        second = directory(client)
    # The layout is drawn afresh (the CSRF token changes with each page): the body is not.
    assert second.split('<main id="main"')[1] == first.split('<main id="main"')[1]
    assert "Alpha Méca" in second and "3 plateformes" in second


def test_anonymous_directory_is_cached_per_query_string_and_language(client, rows):
    assert "Bravo Plast" in directory(client)
    filtered = directory(client, "?department=02")
    assert "Alpha Méca" in filtered and "Bravo Plast" not in filtered
    client.cookies["django_language"] = "en"
    english = directory(client)
    assert "Alpha Méca" in english and "3 plateformes" not in english


def test_a_saved_platform_makes_the_cached_directory_stale(client, rows):
    assert "Alpha Méca" in directory(client)
    rows[0].name = "Alpha Renommée"
    rows[0].save()
    committed()
    content = directory(client)
    assert "Alpha Renommée" in content and "Alpha Méca" not in content


def test_a_deleted_platform_and_a_new_domain_make_it_stale(client, rows):
    from .factories import DomainFactory

    assert "Charlie Num" in directory(client)
    rows[2].delete()
    assert "Charlie Num" not in directory(client)
    rows[0].domains.add(DomainFactory(name="Plasturgie", slug="plasturgie"))
    content = directory(client)
    assert '<span class="tag">Plasturgie</span>' in content
    assert '<option value="plasturgie">Plasturgie</option>' in content  # the filter's list


def test_a_renamed_region_refreshes_the_filter_lists(client, rows, django_assert_num_queries):
    from members.models import Region
    from members.selectors.platforms import directory_filter_lists

    directory_filter_lists()
    with django_assert_num_queries(0):
        directory_filter_lists()
    region = Region.objects.current().get(slug="hauts-de-france")
    region.name = "Hauts-de-France (renommée)"
    region.save()
    committed()
    labels = [label for _slug, label, _values in directory_filter_lists()["region"]]
    assert "Hauts-de-France (renommée)" in labels
    assert "Hauts-de-France (renommée)" in directory(client)


def test_a_body_computed_during_an_uncommitted_write_is_not_stored(client, rows):
    """The writing window: a page computed between a write and its commit could show the
    rows before the commit, under the new generation; it is served, not stored."""
    from django.db import transaction

    from members import caches

    with transaction.atomic():
        rows[0].name = "Alpha Pendant"
        rows[0].save()
        directory(client)
    assert caches.WRITING_KEY in _cache_keys()
    committed()
    content = directory(client)
    assert "Alpha Pendant" in content


def _cache_keys():
    from django.core.cache import cache

    return {key.split(":", 2)[-1] for key in cache._cache}  # locmem in tests


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_members_never_get_the_anonymous_body(client_for, client, rows, role, platform):
    """The body the public sees is kept for the public only: a member's page has the
    correspondents and the bureau's the export buttons."""
    directory(client)
    content = directory(client_for(role))
    assert ("Exporter en CSV" in content) is (role == "bureau")
    assert "Alpha Méca" in content


@pytest.mark.parametrize("role", ["anonymous", "director", "bureau", "ministry"])
def test_directory_query_count_is_flat(client_for, rows, role, django_assert_max_num_queries):
    """Without the cache: the rows (count, page, names) and the session; the filter
    lists come from the cache."""
    from django.core.cache import cache

    from .factories import PlatformFactory

    client = client_for(role)
    directory(client)
    PlatformFactory.create_batch(3)
    committed()
    cache.delete_many([key for key in _raw_keys() if ":body:" in key])
    with django_assert_max_num_queries(3 if role == "anonymous" else 5):
        directory(client)


def _raw_keys():
    from django.core.cache import cache

    return [cache.make_key(key.split(":", 2)[-1]) for key in cache._cache]


# The filtered directory for members (no cache): many-to-manys by EXISTS --------------


@pytest.fixture
def shared_domains():
    """Platforms sharing their domains and services: each of Hauts-de-France's has
    mechanics and plastics, and two services; Vendée's have mechanics too."""
    from .factories import DomainFactory, ServiceFactory

    return {
        "mechanics": DomainFactory(name="Mécanique", slug="mecanique"),
        "plastics": DomainFactory(name="Plasturgie", slug="plasturgie"),
        "tests": ServiceFactory(name="Essais", slug="essais"),
        "training": ServiceFactory(name="Formation", slug="formation"),
    }


def add_platforms(shared, count, start=0):
    """`count` platforms in the Aisne and the Nord (two domains, two services each) and
    one in Vendée (mechanics only), with their carrying establishment."""
    from .factories import PlatformFactory, PlatformHostFactory, department

    names = []
    for index in range(start, start + count):
        platform = PlatformFactory(
            name=f"Plateforme {index:02d}", department=department("02" if index % 2 else "59")
        )
        platform.domains.add(shared["mechanics"], shared["plastics"])
        platform.services.add(shared["tests"], shared["training"])
        PlatformHostFactory(platform=platform)
        names.append(platform.name)
    other = PlatformFactory(name=f"Vendée {start}", department=department("85"))
    other.domains.add(shared["mechanics"])
    other.services.add(shared["tests"])
    committed()
    return names


FILTERED = "?region=hauts-de-france&domain=mecanique&service=essais"


def filtered_page(client, query=FILTERED):
    """The page's platform names, its count and its SQL statements."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/plateformes/" + query)
    assert response.status_code == 200
    page = response.context["page_obj"]
    return [p.name for p in page], page.paginator.count, [q["sql"] for q in queries]


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_filtered_directory_lists_each_platform_once_in_a_flat_number_of_queries(
    client_for, shared_domains, role
):
    client = client_for(role)
    names = add_platforms(shared_domains, 3)
    client.get("/plateformes/" + FILTERED)  # the session and the filter lists read
    rows, count, few = filtered_page(client)
    assert (rows, count) == (names, 3)

    names += add_platforms(shared_domains, 22, start=3)
    rows, count, many = filtered_page(client)
    second, _count, _sql = filtered_page(client, FILTERED + "&page=2")
    assert count == 25 and len(rows) == 20
    assert rows + second == sorted(names)  # each once, in order, across the pages
    assert len(many) == len(few) <= 7


def test_filtered_directory_reads_no_distinct_rows(client_for, shared_domains):
    """The domain and the service are EXISTS subqueries: no DISTINCT over the rows'
    columns, and the count counts the platforms themselves (not a DISTINCT subquery)."""
    add_platforms(shared_domains, 3)
    client = client_for("bureau")
    client.get("/plateformes/" + FILTERED)
    _rows, _count, sql = filtered_page(client)
    assert not any("DISTINCT" in text for text in sql)
    (count,) = [text for text in sql if "COUNT(" in text]
    assert count.startswith('SELECT COUNT(*) AS "__count" FROM "members_platform" WHERE')
    if connection.vendor == "postgresql":
        # The region by its departments' ids, read first: the platforms through their
        # department's index (a join on the departments read all 5,000 of them).
        assert '"members_platform"."department_id" = ANY(ARRAY(SELECT' in count
        assert 'JOIN "members_department"' not in count


def test_a_chosen_department_gives_its_region_without_a_query(client_for, shared_domains):
    """The regional correspondent's region comes from the filter lists."""
    from .factories import CorrespondentFactory, department

    add_platforms(shared_domains, 3)
    CorrespondentFactory(region=department("02").region, user__email="region@exemple.fr")
    client = client_for("director")
    client.get("/plateformes/?department=02")
    by_region = filtered_page(client)[2]
    rows, count, by_department = filtered_page(client, "?department=02&domain=mecanique")
    assert (rows, count) == (["Plateforme 01"], 1)
    assert len(by_department) == len(by_region)
    response = client.get("/plateformes/?department=02&domain=mecanique")
    assert response.context["region"] == department("02").region
    assert "region@exemple.fr" in response.content.decode()
