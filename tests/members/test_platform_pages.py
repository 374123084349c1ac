"""Who sees which platform page, and what each page shows."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from innovalo.models import AuditEntry, Invitation
from members.enums import CorrespondentKind, HostRole, PlatformRole
from members.models import Platform, PlatformMembership
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
    edit_data,
    equip,
)

pytestmark = pytest.mark.django_db

URL = reverse("platform_edit", args=["innovaltech"])


@pytest.fixture
def equipped(platform):
    return equip(platform)


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
        ("director", True, True, False, True),
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
    platform.siret = "12345678200010"
    platform.save()
    content = (
        client_for(role).get(reverse("platform_detail", args=["innovaltech"])).content.decode()
    )
    assert ("12345678200010" in content) is sees_billing


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
@pytest.mark.parametrize("url_name", ["platform_invite"])
def test_invite_is_for_the_bureau(client_for, role, status, url_name, platform):
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


# History (the bureau): the audit log, then the versions archived before it -------


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
    assert "Ville : Saint-Quentin → Saint-Quentin-Nord" in content
    assert "Domaines : — → Domaine" in content
    assert "Fiche modifiée" in content


def test_history_page_names_rows_and_keeps_older_versions_below(client_for, equipped, bureau):
    with freeze_time("2026-01-10"):  # before the audit log: simple-history versions
        Platform.objects.get(pk=equipped.pk).save()
        equipped.domains.add(DomainFactory(name="Robotique"))
        moved = Platform.objects.get(pk=equipped.pk)
        moved.department = department("60")
        moved.save()
    with freeze_time("2026-02-10"):
        data = edit_data(equipped, acronym="IVT2")
        data["equipment-0-name"] = "Tour 5 axes DMG"
        client_for("bureau").post(URL, data)
    with freeze_time("2026-02-11"):  # an edit in the admin, after: not an archived version
        Platform.objects.get(pk=equipped.pk).save()
    response = client_for("bureau").get(reverse("platform_history", args=["innovaltech"]))
    content = response.content.decode()
    fields, row = (
        "Sigle : IVT → IVT2",
        "Équipement « Tour 5 axes DMG » : Tour 5 axes → Tour 5 axes DMG",
    )
    assert fields in content and row in content
    assert content.index(fields) < content.index(row)  # in the order of the edit page
    assert "Avant le journal" in content and "10 janvier 2026" in content
    assert "<del>—</del> → <ins>Robotique</ins>" in content
    assert "<del>Aisne</del> → <ins>Oise</ins>" in content
    archived = [entry["record"].history_date.date() for entry in response.context["versions"]]
    assert datetime.date(2026, 1, 10) in archived
    assert datetime.date(2026, 2, 11) not in archived


def test_history_page_shows_the_platform_invitations(client_for, platform, bureau):
    client_for("bureau").post(
        reverse("platform_invite", args=["innovaltech"]),
        {"email": "anne@exemple.fr", "platform_role": PlatformRole.STAFF},
    )
    content = (
        client_for("bureau").get(reverse("platform_history", args=["innovaltech"])).content.decode()
    )
    assert "Invitation de anne@exemple.fr" in content


def test_history_query_count_does_not_grow(
    client_for, equipped, bureau, django_assert_max_num_queries
):
    client = client_for("bureau")
    url = reverse("platform_history", args=["innovaltech"])
    for index in range(3):
        client.post(URL, edit_data(equipped, city=f"Ville {index}"))
    with django_assert_max_num_queries(15):  # with the archived versions' queries
        client.get(url)
    for index in range(6):
        client.post(URL, edit_data(equipped, city=f"Autre {index}", domains=[DomainFactory().pk]))
        EquipmentFactory(platform=equipped)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["entries"]) == 9


def test_history_shows_where_a_long_text_changed(client_for, equipped):
    long_text = "Une présentation très longue de la plateforme et de ses moyens. " * 4
    Platform.objects.filter(pk=equipped.pk).update(description=long_text)
    equipped.refresh_from_db()
    client_for("director").post(URL, edit_data(equipped, description=long_text + "Fin ajoutée."))
    content = (
        client_for("bureau").get(reverse("platform_history", args=["innovaltech"])).content.decode()
    )
    assert "Fin ajoutée." in content


# Invitation from the platform page ------------------------------------------


def test_bureau_invites_director_for_platform(
    client_for, platform, bureau, mailoutbox, django_capture_on_commit_callbacks
):  # through innovalo.services.invitation_create
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
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("invitation.created", bureau)


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
    assert 'id="id_email_error">Un compte existe déjà' in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["director", "other_director", "ministry"])
def test_invite_refused_to_non_bureau(client_for, role, platform, other_platform):
    response = client_for(role).post(
        reverse("platform_invite", args=["innovaltech"]),
        {"email": "x@exemple.fr", "platform_role": PlatformRole.DIRECTOR},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


# The edit page's speed: widgets built in Python, the same HTML as Django's templates ----


def _renders(form):
    """Every field's label and widget, as the page prints them."""
    return [(str(field.label_tag()), str(field)) for field in form]


def test_quick_renderer_writes_what_django_templates_write(equipped, bureau):
    from django import forms
    from django.forms.renderers import DjangoTemplates

    from members.filters.platforms import PlatformFilter
    from members.forms.platforms import (
        EquipmentFormSet,
        HostFormSet,
        PlatformForm,
        PlatformImportForm,
        PlatformInviteForm,
    )
    from members.models import Platform as PlatformModel
    from members.selectors import platforms as selectors

    DomainFactory(name="Sécurité & <sûreté>")
    equipped.description = 'Texte "cité" & <balise>\nsur deux lignes'
    equipped.label_granted_on = datetime.date(2026, 1, 2)
    equipped.save()
    bad = {"name": "", "website": "pas une url", "domains": ["999"], "is_member": "on"}

    class Radios(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A & b"), ("b", "B")], widget=forms.RadioSelect)
        grouped = forms.ChoiceField(choices=[("Groupe", [("x", "X")]), ("y", "Y")])

    def forms_with(renderer):
        equipment_rows, host_rows = selectors.edit_rows(equipped)
        hosts = HostFormSet(
            prefix="hosts",
            initial=host_rows,
            form_kwargs={"known": [row["establishment"] for row in host_rows]},
        )
        equipment = EquipmentFormSet(prefix="equipment", initial=equipment_rows)
        for formset in (hosts, equipment):
            if renderer is not None:
                formset.renderer = formset.form_renderer = renderer
        directory = PlatformFilter({"q": "<b>", "sort": "x"}, queryset=PlatformModel.objects.all())
        directory.form.renderer = renderer or directory.form.renderer
        fresh = PlatformModel.objects.get(pk=equipped.pk)  # a bound form changes its instance
        return [
            PlatformForm(instance=fresh, bureau=True, renderer=renderer),
            PlatformForm(
                bad, instance=PlatformModel.objects.get(pk=fresh.pk), bureau=True, renderer=renderer
            ),
            *hosts.forms,
            *equipment.forms,
            hosts.management_form,
            PlatformInviteForm(renderer=renderer),
            PlatformImportForm(renderer=renderer),
            Radios({"choice": "b"}, renderer=renderer),
            directory.form,
        ]

    quick = [_renders(form) for form in forms_with(None)]
    django = [_renders(form) for form in forms_with(DjangoTemplates())]
    assert quick == django
    assert any("&lt;sûreté&gt;" in widget for form in quick for _label, widget in form)
