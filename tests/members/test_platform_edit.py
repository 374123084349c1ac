"""Editing a platform's profile: saving, history, review date, refusals, errors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from freezegun import freeze_time

from innovalo.models import AuditEntry
from members.enums import HostRole, LabelStatus, PlatformRole
from members.models import Platform, PlatformHost

from .factories import (
    DomainFactory,
    EquipmentFactory,
    EstablishmentFactory,
    PlatformHostFactory,
    ServiceFactory,
    department,
    edit_data,
    equip,
)

pytestmark = pytest.mark.django_db

URL = reverse("platform_edit", args=["innovaltech"])


@pytest.fixture
def equipped(platform):
    return equip(platform)


def test_director_saves_profile_sets_reviewed_at_and_history(client_for, equipped, director):
    digital = DomainFactory(name="Numérique")
    with freeze_time("2026-03-02 10:00"):
        response = client_for("director").post(
            URL,
            edit_data(
                equipped,
                description="Nouvelle présentation",
                phone="03 23 11 22 33",
                domains=[digital.pk],
            ),
        )
    assert response.status_code == 302
    assert response["Location"] == equipped.get_absolute_url()
    equipped.refresh_from_db()
    assert equipped.description == "Nouvelle présentation"
    assert equipped.phone == "03 23 11 22 33"
    assert list(equipped.domains.all()) == [digital]
    assert equipped.reviewed_at == datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
    entry = AuditEntry.objects.get()  # one entry for the whole page
    assert (entry.action, entry.actor, entry.target) == (
        "platform.updated",
        director,
        f"members.platform:{equipped.pk}",
    )
    assert entry.changes == {
        "description": ["", "Nouvelle présentation"],
        "phone": ["", "03 23 11 22 33"],
        "domains": [[], ["Numérique"]],
    }


def test_saving_without_changes_still_marks_reviewed(client_for, equipped, director):
    assert equipped.reviewed_at is None
    versions = equipped.history.count()
    client_for("director").post(URL, edit_data(equipped))
    equipped.refresh_from_db()
    assert equipped.reviewed_at is not None
    assert timezone.now() - equipped.reviewed_at < datetime.timedelta(minutes=1)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.changes) == ("platform.reviewed", director, {})
    assert equipped.history.count() == versions  # one history: no simple-history version


def test_equipment_and_hosts_added_changed_and_deleted_on_same_page(client_for, equipped):
    tour = equipped.equipment.get()
    host = equipped.hosts.get()
    lycee = EstablishmentFactory(name="Lycée Pierre de La Ramée")
    data = edit_data(equipped)
    data.update(
        {
            "equipment-0-name": "Tour 5 axes DMG",
            "equipment-TOTAL_FORMS": 2,
            "equipment-1-name": "Scanner 3D",
            "equipment-1-description": "Numérisation de pièces",
            "hosts-0-DELETE": "on",
            "hosts-TOTAL_FORMS": 2,
            "hosts-1-establishment": lycee.pk,
            "hosts-1-role": HostRole.PARTNER,
        }
    )
    response = client_for("bureau").post(URL, data)
    assert response.status_code == 302
    assert sorted(equipped.equipment.values_list("name", flat=True)) == [
        "Scanner 3D",
        "Tour 5 axes DMG",
    ]
    assert not PlatformHost.objects.filter(pk=host.pk).exists()
    assert list(equipped.hosts.values_list("establishment__name", "role")) == [
        ("Lycée Pierre de La Ramée", HostRole.PARTNER)
    ]
    scanner = equipped.equipment.get(name="Scanner 3D")
    new_host = equipped.hosts.get()
    entry = AuditEntry.objects.get()
    assert entry.changes == {
        f"equipment:{tour.pk}": ["Tour 5 axes", "Tour 5 axes DMG"],
        f"equipment:{scanner.pk}": [None, "Scanner 3D — Numérisation de pièces"],
        f"hosts:{host.pk}": [str(host), None],
        f"hosts:{new_host.pk}": [None, str(new_host)],
    }


def test_bureau_may_change_label_director_may_not(client_for, equipped):
    data = edit_data(equipped, label_status=LabelStatus.EXPIRED)
    del data["is_member"]
    client_for("director").post(URL, data)
    equipped.refresh_from_db()
    assert equipped.label_status == LabelStatus.LABELLED
    assert equipped.is_member is True
    client_for("bureau").post(URL, data)
    equipped.refresh_from_db()
    assert equipped.label_status == LabelStatus.EXPIRED
    assert equipped.is_member is False


@pytest.mark.parametrize("role", ["other_director", "ministry"])
def test_refused_edit_changes_nothing(client_for, role, equipped, other_platform):
    response = client_for(role).post(URL, edit_data(equipped, name="Piratée"))
    assert response.status_code == 403
    equipped.refresh_from_db()
    assert equipped.name == "InnovalTech"
    assert equipped.reviewed_at is None


def test_anonymous_post_goes_to_login(client, equipped):
    response = client.post(URL, edit_data(equipped, name="Piratée"))
    assert response.status_code == 302
    assert Platform.objects.get(pk=equipped.pk).name == "InnovalTech"


def test_invalid_edit_keeps_input_and_shows_errors_next_to_fields(client_for, equipped):
    data = edit_data(
        equipped,
        name="",
        description="Texte à ne pas perdre",
        siret="123",
        website="pas une url",
    )
    data["equipment-TOTAL_FORMS"] = 2
    data["equipment-1-name"] = ""
    data["equipment-1-description"] = "Description sans nom"
    response = client_for("director").post(URL, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Texte à ne pas perdre" in content
    assert "Description sans nom" in content
    assert 'id="id_siret_error"' in content
    assert "Un SIRET compte 14 chiffres (les espaces sont acceptés) : 3 saisis." in content
    assert 'id="id_name_error"' in content
    assert 'id="id_equipment-1-name_error"' in content
    equipped.refresh_from_db()
    assert equipped.description == "" and equipped.reviewed_at is None


def test_siret_typed_with_spaces_is_kept_as_its_digits(client_for, equipped):
    response = client_for("director").post(URL, edit_data(equipped, siret="197 500 010 00016"))
    assert response.status_code == 302
    equipped.refresh_from_db()
    assert equipped.siret == "19750001000016"


def test_siret_with_a_wrong_key_is_refused_next_to_the_field(client_for, equipped):
    response = client_for("director").post(
        URL, edit_data(equipped, siret="19750001000017", description="Gardée")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_siret_error"' in content and "clé de contrôle" in content
    assert "Gardée" in content and 'value="19750001000017"' in content
    equipped.refresh_from_db()
    assert equipped.siret == ""


@pytest.fixture
def many_rows(equipped):
    for _ in range(4):
        EquipmentFactory(platform=equipped)
        PlatformHostFactory(platform=equipped, role=HostRole.PARTNER)
        equipped.services.add(ServiceFactory())
        equipped.domains.add(DomainFactory())
    return equipped


@pytest.mark.parametrize("role", ["director", "bureau"])
def test_edit_page_query_count_does_not_grow(
    client_for, role, equipped, django_assert_max_num_queries
):
    client = client_for(role)
    with django_assert_max_num_queries(7):  # the director's memberships: one more
        client.get(URL)
    for _ in range(4):
        EquipmentFactory(platform=equipped)
        PlatformHostFactory(platform=equipped, role=HostRole.PARTNER)
        equipped.services.add(ServiceFactory())
    with django_assert_max_num_queries(7) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count('name="hosts-4-establishment"') == 1
    # Lists are read with plain queries: a server-side cursor costs three round trips.
    assert not any("DECLARE" in query["sql"] for query in queries.captured_queries)


def test_edit_page_reads_its_three_lists_in_one_query(equipped):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.selectors.platforms import profile_lists

    digital = DomainFactory(name="Numérique")
    agri = DomainFactory(name="Agroalimentaire")
    equipped.domains.add(digital)
    tests = ServiceFactory(name="Essais")
    with CaptureQueriesContext(connection) as queries:
        lists = profile_lists(equipped)
    assert len(queries) == 1
    domains, chosen_domains = lists["domains"]
    assert [name for _pk, name in domains] == sorted(name for _pk, name in domains)
    assert (agri.pk, "Agroalimentaire") in domains and digital.pk in chosen_domains
    assert agri.pk not in chosen_domains
    assert (tests.pk, "Essais") in lists["services"][0]
    assert tests.pk not in lists["services"][1]
    assert set(lists) == {"domains", "services", "campuses"}


def test_failing_post_query_count_does_not_grow(
    client_for, many_rows, django_assert_max_num_queries
):
    data = edit_data(many_rows, name="")  # refused: the page comes back with the rows
    client = client_for("director")
    with django_assert_max_num_queries(15):
        response = client.post(URL, data)
    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()


def test_saving_many_rows_query_count(client_for, many_rows, django_assert_max_num_queries):
    data = edit_data(many_rows, city="Laon")
    data["equipment-0-name"] = "Renommée"
    client = client_for("director")
    with django_assert_max_num_queries(25):
        response = client.post(URL, data)
    assert response.status_code == 302


def test_a_row_of_another_platform_is_refused(client_for, equipped, other_platform):
    foreign = EquipmentFactory(platform=other_platform, name="À l'autre")
    data = edit_data(equipped)
    data["equipment-0-id"] = foreign.pk
    data["equipment-0-name"] = "Volée"
    response = client_for("director").post(URL, data)
    assert response.status_code == 200
    assert "pas celui de la plateforme" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.name == "À l'autre" and foreign.platform == other_platform
    assert not AuditEntry.objects.exists()


def test_bad_management_data_is_an_error_not_a_500(client_for, equipped):
    data = edit_data(equipped)
    data["hosts-TOTAL_FORMS"] = "beaucoup"
    data["equipment-0-id"] = "99999999999999999999999"
    response = client_for("director").post(URL, data)
    assert response.status_code == 200
    equipped.refresh_from_db()
    assert equipped.reviewed_at is None


def test_department_change_moves_platform_to_region(client_for, equipped):
    client_for("bureau").post(URL, edit_data(equipped, department=department("85").pk))
    equipped.refresh_from_db()
    assert equipped.region.name == "Pays de la Loire"


def test_control_characters_are_refused_next_to_the_field(client_for, equipped):
    data = edit_data(equipped, description="Texte\x01collé", city="Laon")
    data["equipment-0-name"] = "Tour\x0b5 axes"
    response = client_for("director").post(URL, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_description_error"' in content
    assert 'id="id_equipment-0-name_error"' in content
    assert "caractère invisible non autorisé" in content
    equipped.refresh_from_db()
    assert equipped.city == "Saint-Quentin" and equipped.reviewed_at is None


def test_same_establishment_twice_is_explained_in_french(client_for, equipped):
    lycee = EstablishmentFactory(name="Lycée Condorcet")
    data = edit_data(equipped)
    data.update(
        {
            "hosts-0-establishment": lycee.pk,
            "hosts-TOTAL_FORMS": 2,
            "hosts-1-establishment": lycee.pk,
            "hosts-1-role": HostRole.PARTNER,
        }
    )
    response = client_for("director").post(URL, data)
    assert response.status_code == 200
    assert "Un même établissement ne peut être lié qu&#x27;une fois" in response.content.decode()
    assert not equipped.hosts.filter(establishment=lycee).exists()


def test_a_person_of_several_platforms_edits_each_and_no_other(
    client, director, platform, other_platform
):
    from .factories import MembershipFactory, PlatformFactory

    second = PlatformFactory(name="Seconde", slug="seconde")
    MembershipFactory(platform=second, user=director, role=PlatformRole.STAFF)
    client.force_login(director)
    for slug in ["innovaltech", "seconde"]:
        assert client.get(reverse("platform_edit", args=[slug])).status_code == 200
    assert client.get(reverse("platform_edit", args=["plasti-vendee"])).status_code == 403
    response = client.post(
        reverse("platform_edit", args=["seconde"]), edit_data(second, city="Laon")
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.city == "Laon"


# One more row on the edit page (htmx) ------------------------------------------


def row_url(kind, total):
    return reverse("platform_edit_row", args=["innovaltech", kind]) + f"?{kind}-TOTAL_FORMS={total}"


@pytest.mark.parametrize("kind", ["equipment", "hosts"])
def test_add_row_gives_the_next_blank_row_and_raises_the_count(
    client_for, kind, equipped, django_assert_max_num_queries
):
    client = client_for("director")
    with django_assert_max_num_queries(8):
        response = client.get(row_url(kind, 3))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'name="{kind}-3-' in content and f'name="{kind}-2-' not in content
    assert f'name="{kind}-TOTAL_FORMS" value="4"' in content and "hx-swap-oob" in content


def test_rows_added_on_the_page_are_saved_with_it(client_for, equipped):
    client = client_for("director")
    page = client.get(URL).content.decode()
    assert reverse("platform_edit_row", args=["innovaltech", "equipment"]) in page
    data = edit_data(equipped)
    data["equipment-TOTAL_FORMS"] = 4  # the one saved, two blank, one added
    data["equipment-3-name"] = "Presse à injecter"
    assert client.post(URL, data).status_code == 302
    assert equipped.equipment.filter(name="Presse à injecter").exists()


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("other_director", row_url("equipment", 2), 403),
        ("ministry", row_url("equipment", 2), 403),
        ("director", row_url("campuses", 2), 404),
        ("director", row_url("equipment", "abc"), 400),
        ("director", row_url("equipment", 100000), 400),
        ("director", reverse("platform_edit_row", args=["innovaltech", "hosts"]), 400),
    ],
)
def test_add_row_refusals_and_bad_counts(client_for, role, url, status, equipped, other_platform):
    assert client_for(role).get(url).status_code == status


def test_add_row_sends_anonymous_visitors_to_login(client, equipped):
    response = client.get(row_url("equipment", 2))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The edit page's speed: widgets built in Python (see test_platform_pages) ----------


def test_edit_page_renders_its_selects_once_not_per_option(client_for, many_rows):
    from django.forms.renderers import DjangoTemplates

    client = client_for("director")
    original = DjangoTemplates.render
    templates = []

    def counting(self, template_name, context, request=None):
        templates.append(template_name)
        return original(self, template_name, context, request)

    DjangoTemplates.render = counting
    try:
        assert client.get(URL).status_code == 200
    finally:
        DjangoTemplates.render = original
    assert templates == []  # every widget of the page is built in Python


# Host establishments: typed and picked among a few matches, never all listed ----------


def test_edit_page_lists_no_establishment_but_its_hosts(client_for, equipped):
    for n in range(30):
        EstablishmentFactory(name=f"Lycée de la liste {n}")
    host = equipped.hosts.select_related("establishment").get()
    content = client_for("director").get(URL).content.decode()
    assert "Lycée de la liste" not in content
    label = escape(str(host.establishment))
    assert f'value="{label}"' in content
    assert f'<datalist id="id_hosts-0-establishment_list"><option value="{label}">' in content
    assert f'data-hx-get="{reverse("establishment_picker")}"' in content
    assert '<select name="hosts-0-establishment"' not in content


def test_edit_page_queries_do_not_grow_with_establishments(
    client_for, equipped, django_assert_max_num_queries
):
    client = client_for("bureau")
    client.get(URL)
    for n in range(30):
        EstablishmentFactory(name=f"Lycée {n}")
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


def test_a_host_typed_by_name_without_javascript_is_saved(client_for, equipped):
    lycee = EstablishmentFactory(name="Lycée Pierre de La Ramée", city="Saint-Quentin")
    EstablishmentFactory(name="Lycée Condorcet", city="Saint-Quentin")
    data = edit_data(equipped)
    data.update(
        {
            "hosts-TOTAL_FORMS": 3,
            "hosts-1-establishment": "ramee saint-quentin",
            "hosts-1-role": HostRole.PARTNER,
            "hosts-2-establishment": "Lycée Condorcet (Saint-Quentin)",
            "hosts-2-role": HostRole.PARTNER,
        }
    )
    assert client_for("director").post(URL, data).status_code == 302
    assert set(equipped.hosts.values_list("establishment__name", flat=True)) >= {
        lycee.name,
        "Lycée Condorcet",
    }


def test_an_ambiguous_host_is_a_message_next_to_the_field_keeping_the_text(client_for, equipped):
    EstablishmentFactory(name="Lycée Condorcet", city="Laon")
    EstablishmentFactory(name="Lycée Condorcet", city="Paris")
    data = edit_data(equipped)
    data.update(
        {
            "hosts-TOTAL_FORMS": 2,
            "hosts-1-establishment": "condorcet",
            "hosts-1-role": HostRole.PARTNER,
        }
    )
    response = client_for("director").post(URL, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_hosts-1-establishment_error"' in content
    assert "Plusieurs éléments correspondent" in content
    assert 'value="condorcet"' in content


def test_saving_unchanged_hosts_as_the_browser_posts_them_reads_no_establishment(
    client_for, many_rows, django_assert_max_num_queries
):
    """The page posts each saved host by its label: read back without a query each."""
    data = edit_data(many_rows, city="Laon")
    for index, host in enumerate(
        many_rows.hosts.select_related("establishment").order_by("role", "pk")
    ):
        data[f"hosts-{index}-establishment"] = str(host.establishment)
    before = list(many_rows.hosts.values_list("pk", "establishment_id", "role").order_by("pk"))
    client = client_for("director")
    with django_assert_max_num_queries(25) as queries:
        assert client.post(URL, data).status_code == 302
    assert not any(
        query["sql"].startswith('SELECT "members_establishment"')
        for query in queries.captured_queries
    )
    assert (
        list(many_rows.hosts.values_list("pk", "establishment_id", "role").order_by("pk")) == before
    )


def test_an_added_host_row_is_a_picker_with_its_own_list(client_for, equipped):
    content = client_for("director").get(row_url("hosts", 3)).content.decode()
    assert 'name="hosts-3-establishment"' in content
    assert 'list="id_hosts-3-establishment_list"' in content
    assert '<datalist id="id_hosts-3-establishment_list"></datalist>' in content
