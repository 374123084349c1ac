"""Editing a platform's profile: saving, history, review date, refusals, errors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from innovalo.models import Invitation
from members.enums import HostRole, LabelStatus, PlatformRole
from members.models import Equipment, Platform, PlatformHost, PlatformMembership

from .factories import (
    DomainFactory,
    EquipmentFactory,
    EstablishmentFactory,
    PlatformHostFactory,
    ServiceFactory,
    department,
)

pytestmark = pytest.mark.django_db

URL = reverse("platform_edit", args=["innovaltech"])


def edit_data(platform, **overrides):
    """What the edit page posts for `platform`, unchanged unless overridden."""
    data = {
        "name": platform.name,
        "acronym": platform.acronym,
        "description": platform.description,
        "address": platform.address,
        "postal_code": platform.postal_code,
        "city": platform.city,
        "department": platform.department_id,
        "website": platform.website,
        "email": platform.email,
        "phone": platform.phone,
        "domains": [d.pk for d in platform.domains.all()],
        "services": [s.pk for s in platform.services.all()],
        "services_description": platform.services_description,
        "campuses": [c.pk for c in platform.campuses.all()],
        "billing_name": platform.billing_name,
        "billing_address": platform.billing_address,
        "siret": platform.siret,
        "chorus_service_code": platform.chorus_service_code,
        # Fields of the bureau's form only (ignored for the platform's people).
        "label_status": platform.label_status,
        "label_granted_on": platform.label_granted_on,
        "label_expires_on": platform.label_expires_on,
        "is_member": "on" if platform.is_member else None,
    }
    for prefix, rows, fields in [
        ("equipment", list(platform.equipment.all()), ["name", "description"]),
        ("hosts", list(platform.hosts.all()), ["establishment", "role"]),
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            for name in fields:
                value = getattr(row, f"{name}_id", None) or getattr(row, name)
                data[f"{prefix}-{index}-{name}"] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def equipped(platform):
    EquipmentFactory(platform=platform, name="Tour 5 axes")
    PlatformHostFactory(
        platform=platform, establishment=EstablishmentFactory(name="IUT de l'Aisne")
    )
    return platform


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
    latest = equipped.history.order_by("-history_id").first()
    assert latest.history_user == director
    assert latest.description == "Nouvelle présentation"


def test_saving_without_changes_still_marks_reviewed(client_for, equipped):
    assert equipped.reviewed_at is None
    client_for("director").post(URL, edit_data(equipped))
    equipped.refresh_from_db()
    assert equipped.reviewed_at is not None
    assert timezone.now() - equipped.reviewed_at < datetime.timedelta(minutes=1)


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
    assert Equipment.history.filter(id=tour.pk, history_type="~").exists()
    assert PlatformHost.history.filter(id=host.pk, history_type="-").exists()


def test_history_page_shows_who_when_what(client_for, equipped, director):
    with freeze_time("2026-01-21 13:15"):
        client_for("director").post(URL, edit_data(equipped, city="Saint-Quentin-Nord"))
    client_for("bureau").post(
        URL, edit_data(equipped, city="Saint-Quentin-Nord", domains=[DomainFactory().pk])
    )
    response = client_for("bureau").get(reverse("platform_history", args=["innovaltech"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert str(director) in content
    assert "21 janvier 2026" in content
    assert "Saint-Quentin-Nord" in content
    assert "Domaines" in content or "domaines" in content


def test_history_query_count_does_not_grow(
    client_for, equipped, bureau, django_assert_max_num_queries
):
    client = client_for("bureau")
    url = reverse("platform_history", args=["innovaltech"])
    for index in range(3):
        client.post(URL, edit_data(equipped, city=f"Ville {index}"))
    with django_assert_max_num_queries(16):
        client.get(url)
    for index in range(6):
        client.post(URL, edit_data(equipped, city=f"Autre {index}", domains=[DomainFactory().pk]))
        EquipmentFactory(platform=equipped)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


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
    assert "Un SIRET compte 14 chiffres." in content
    assert 'id="id_name_error"' in content
    assert 'id="id_equipment-1-name_error"' in content
    equipped.refresh_from_db()
    assert equipped.description == "" and equipped.reviewed_at is None


def test_edit_page_query_count_does_not_grow(client_for, equipped, django_assert_max_num_queries):
    client = client_for("director")
    with django_assert_max_num_queries(16):
        client.get(URL)
    for _ in range(4):
        EquipmentFactory(platform=equipped)
        PlatformHostFactory(platform=equipped, role=HostRole.PARTNER)
        equipped.services.add(ServiceFactory())
    with django_assert_max_num_queries(16):
        assert client.get(URL).status_code == 200


# Invitation from the platform page ------------------------------------------


def test_bureau_invites_director_for_platform(
    client_for, platform, bureau, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("bureau").post(
            reverse("platform_invite", args=["innovaltech"]),
            {
                "email": "Nouvelle@Exemple.fr",
                "first_name": "Anne",
                "last_name": "Neuve",
                "platform_role": PlatformRole.STAFF,
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.platform == platform
    assert invitation.platform_role == PlatformRole.STAFF
    assert invitation.invited_by == bureau
    assert invitation.email == "nouvelle@exemple.fr"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["nouvelle@exemple.fr"]


def test_accepting_platform_invitation_links_user(platform, bureau):
    from innovalo import services

    invitation = services.invitation_create(
        email="anne@exemple.fr",
        role="director",
        invited_by=bureau,
        platform=platform,
        platform_role=PlatformRole.DIRECTOR,
    )
    token, invitation.token_hash = Invitation.new_token()
    invitation.save()
    user = services.invitation_accept(token=token, password="un-mot-de-passe-solide-42")
    assert PlatformMembership.objects.filter(
        platform=platform, user=user, role=PlatformRole.DIRECTOR
    ).exists()


def test_invite_for_existing_account_shows_error(client_for, platform, director):
    response = client_for("bureau").post(
        reverse("platform_invite", args=["innovaltech"]),
        {"email": director.email, "platform_role": PlatformRole.DIRECTOR},
    )
    assert response.status_code == 200
    assert "Un compte existe déjà" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["director", "other_director", "ministry"])
def test_invite_refused_to_non_bureau(client_for, role, platform, other_platform):
    response = client_for(role).post(
        reverse("platform_invite", args=["innovaltech"]),
        {"email": "x@exemple.fr", "platform_role": PlatformRole.DIRECTOR},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


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
