"""Who sees which platform page, and what each page shows."""

import pytest
from django.urls import reverse

from members.enums import CorrespondentKind, HostRole, PlatformRole
from tests.conftest import ROLES
from tests.factories import UserFactory

from .factories import (
    CorrespondentFactory,
    DomainFactory,
    EquipmentFactory,
    EstablishmentFactory,
    MembershipFactory,
    PlatformHostFactory,
    ServiceFactory,
    department,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_platform(platform, director):
    """The director's platform with hosts, domains, services, equipment, people."""
    director.phone = "03 23 00 00 01"
    director.save()
    mechanics = DomainFactory(name="Mécanique")
    platform.domains.add(mechanics)
    platform.services.add(ServiceFactory(name="Essais et mesures"))
    PlatformHostFactory(
        platform=platform,
        establishment=EstablishmentFactory(name="Lycée Henri-Martin", uai="0020049X"),
        role=HostRole.CARRYING,
    )
    EquipmentFactory(platform=platform, name="Imprimante 3D métal")
    MembershipFactory(
        platform=platform,
        user=UserFactory(email="compta@innovaltech.fr", first_name="Paule", last_name="Compta"),
        role=PlatformRole.ACCOUNTING,
    )
    CorrespondentFactory(
        kind=CorrespondentKind.THEMATIC,
        domain=mechanics,
        region=None,
        user=UserFactory(email="meca@exemple.fr", first_name="Jean", last_name="Ménagé"),
    )
    CorrespondentFactory(
        region=department("02").region,
        user=UserFactory(email="hdf@exemple.fr", first_name="Denise", last_name="Lefaivre"),
    )
    return platform


# Directory -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_directory_is_public(client_for, role, platform, other_platform):
    response = client_for(role).get(reverse("platform_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "InnovalTech" in content and "Plasti Vendée" in content
    assert "2 plateformes" in content
    assert platform.get_absolute_url() in content


@pytest.mark.parametrize(
    ("role", "sees_export"),
    [
        ("anonymous", False),
        ("director", False),
        ("other_director", False),
        ("bureau", True),
        ("ministry", False),
    ],
)
def test_directory_export_links_for_bureau_only(client_for, role, sees_export, platform):
    content = client_for(role).get(reverse("platform_list")).content.decode()
    assert (reverse("platform_export") in content) is sees_export
    assert (reverse("platform_import") in content) is sees_export


def test_directory_is_in_navigation_for_everyone(client):
    content = client.get("/").content.decode()
    assert f'href="{reverse("platform_list")}"' in content


# Profile ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_profile_shows_public_fields_to_everyone(client_for, role, rich_platform):
    response = client_for(role).get(reverse("platform_detail", args=["innovaltech"]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ["InnovalTech", "Mécanique", "Essais et mesures", "Lycée Henri-Martin"]:
        assert text in content
    assert "Imprimante 3D métal" in content
    assert "contact@innovaltech.fr" in content  # the platform's public contact
    assert "Hauts-de-France" in content


@pytest.mark.parametrize("role", ROLES)
def test_profile_shows_people_to_logged_in_users_only(client_for, role, rich_platform):
    content = (
        client_for(role).get(reverse("platform_detail", args=["innovaltech"])).content.decode()
    )
    private = ["directrice@exemple.fr", "03 23 00 00 01", "compta@innovaltech.fr"]
    private += ["meca@exemple.fr", "Ménagé", "hdf@exemple.fr", "Lefaivre"]
    for text in private:
        assert (text in content) is (role != "anonymous"), text


@pytest.mark.parametrize(
    ("role", "edit", "history", "invite", "dues"),
    [
        ("anonymous", False, False, False, False),
        ("director", True, False, False, True),
        ("other_director", False, False, False, False),
        ("bureau", True, True, True, True),
        ("ministry", False, False, False, False),
    ],
)
def test_profile_actions_per_role(client_for, role, edit, history, invite, dues, platform):
    content = (
        client_for(role).get(reverse("platform_detail", args=["innovaltech"])).content.decode()
    )
    assert (reverse("platform_edit", args=["innovaltech"]) in content) is edit
    assert (reverse("platform_history", args=["innovaltech"]) in content) is history
    assert (reverse("platform_invite", args=["innovaltech"]) in content) is invite
    assert (reverse("platform_dues", args=["innovaltech"]) in content) is dues


@pytest.mark.parametrize(
    ("role", "sees_billing"),
    [
        ("anonymous", False),
        ("director", True),
        ("other_director", False),
        ("bureau", True),
        ("ministry", False),
    ],
)
def test_billing_identity_for_platform_people_and_bureau(client_for, role, sees_billing, platform):
    platform.siret = "12345678900011"
    platform.save()
    content = (
        client_for(role).get(reverse("platform_detail", args=["innovaltech"])).content.decode()
    )
    assert ("12345678900011" in content) is sees_billing


def test_unknown_profile_is_404(client):
    assert client.get(reverse("platform_detail", args=["inconnue"])).status_code == 404


def test_profile_query_count_does_not_grow(
    client_for, rich_platform, django_assert_max_num_queries
):
    client = client_for("bureau")
    url = reverse("platform_detail", args=["innovaltech"])
    with django_assert_max_num_queries(17):
        client.get(url)
    for index in range(3):
        rich_platform.domains.add(DomainFactory(name=f"Domaine en plus {index}"))
        EquipmentFactory(platform=rich_platform)
        PlatformHostFactory(platform=rich_platform, role=HostRole.PARTNER)
        MembershipFactory(platform=rich_platform)
    with django_assert_max_num_queries(17):
        response = client.get(url)
    assert response.status_code == 200


# Edit, history, invite: access ----------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("director", 200),
        ("other_director", 403),
        ("bureau", 200),
        ("ministry", 403),
    ],
)
def test_edit_page_access(client_for, role, status, platform, other_platform):
    response = client_for(role).get(reverse("platform_edit", args=["innovaltech"]))
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


def test_other_director_edits_own_platform(client_for, platform, other_platform):
    response = client_for("other_director").get(reverse("platform_edit", args=["plasti-vendee"]))
    assert response.status_code == 200


def test_staff_member_of_platform_may_edit(client, platform):
    staff = UserFactory()
    MembershipFactory(platform=platform, user=staff, role=PlatformRole.STAFF)
    client.force_login(staff)
    assert client.get(reverse("platform_edit", args=["innovaltech"])).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("director", 403),
        ("other_director", 403),
        ("bureau", 200),
        ("ministry", 403),
    ],
)
@pytest.mark.parametrize("url_name", ["platform_history", "platform_invite"])
def test_history_and_invite_are_for_the_bureau(client_for, role, status, url_name, platform):
    response = client_for(role).get(reverse(url_name, args=["innovaltech"]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("director", 403),
        ("other_director", 403),
        ("bureau", 200),
        ("ministry", 403),
    ],
)
@pytest.mark.parametrize("url_name", ["platform_export", "platform_import"])
def test_export_and_import_are_for_the_bureau(client_for, role, status, url_name, platform):
    response = client_for(role).get(reverse(url_name))
    assert response.status_code == status


def test_edit_unknown_platform_is_404(client_for):
    assert client_for("bureau").get(reverse("platform_edit", args=["nope"])).status_code == 404


def test_invite_page_query_count(client_for, platform, django_assert_max_num_queries):
    client = client_for("bureau")
    with django_assert_max_num_queries(3):
        assert client.get(reverse("platform_invite", args=["innovaltech"])).status_code == 200
