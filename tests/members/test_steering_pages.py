# ruff: noqa: F811  (the shared fixtures are imported, then asked for by name)
"""A platform's steering committee pages: who sees and does what, the members' forms and
their refusals, the history, the query counts, GETs that never write."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from innovalo.models import AuditEntry, SentReminder
from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import Meeting
from members.enums import College
from members.models import SteeringMember
from tests.factories import UserFactory
from tests.meetings.factories import InvitationFactory, MeetingFactory

from .test_steering_support import (  # noqa: F401  (fixtures)
    STEERING_ROLES,
    SteeringMemberFactory,
    committee,
    committee_member,
)

pytestmark = pytest.mark.django_db

SEEN = {
    "anonymous": 302,
    "director": 200,
    "other_director": 403,
    "bureau": 200,
    "ministry": 403,
    "committee_member": 200,
}
MANAGED = {**SEEN, "committee_member": 403}


def _urls(platform, member):
    slug = platform.slug
    return {
        "steering_committee": reverse("steering_committee", args=[slug]),
        "steering_history": reverse("steering_history", args=[slug]),
        "steering_member_add": reverse("steering_member_add", args=[slug]),
        "steering_member_edit": reverse("steering_member_edit", args=[slug, member.pk]),
        "steering_meeting_create": reverse("steering_meeting_create", args=[slug]),
    }


def _steering_meeting(platform, **kwargs):
    return MeetingFactory(
        kind=MeetingKind.STEERING_COMMITTEE,
        platform=platform,
        title=kwargs.pop("title", f"Comité de {platform.name}"),
        **kwargs,
    )


# Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "steering_committee",
        "steering_history",
        "steering_member_add",
        "steering_member_edit",
        "steering_meeting_create",
    ],
)
@pytest.mark.parametrize("role", STEERING_ROLES)
def test_every_committee_page_per_role(client_for, role, url_name, platform, committee):
    url = _urls(platform, committee[1])[url_name]
    response = client_for(role).get(url)
    expected = (SEEN if url_name == "steering_committee" else MANAGED)[role]
    assert response.status_code == expected, (url_name, role)
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", STEERING_ROLES)
def test_removing_a_member_per_role(client_for, role, platform, committee):
    member = committee[2]
    url = reverse("steering_member_remove", args=[platform.slug, member.pk])
    assert client_for(role).get(url).status_code == (302 if role == "anonymous" else 405)
    response = client_for(role).post(url)
    assert response.status_code == {**MANAGED, "director": 302, "bureau": 302}[role]
    removed = not SteeringMember.objects.filter(pk=member.pk).exists()
    assert removed is (role in ("director", "bureau"))


@pytest.mark.parametrize("role", STEERING_ROLES)
def test_adding_a_member_per_role(client_for, role, platform, committee):
    response = client_for(role).post(
        reverse("steering_member_add", args=[platform.slug]),
        {"name": "Nouvelle Venue", "organisation": "Région", "college": College.TERRITORY},
    )
    assert response.status_code == {**MANAGED, "director": 302, "bureau": 302}[role]
    added = SteeringMember.objects.filter(name="Nouvelle Venue").exists()
    assert added is (role in ("director", "bureau"))


@pytest.mark.parametrize("role", STEERING_ROLES)
def test_creating_a_meeting_per_role(client_for, role, platform, committee):
    response = client_for(role).post(
        reverse("steering_meeting_create", args=[platform.slug]),
        {"title": "Comité de printemps", "start": "2031-04-02T14:00", "end": "2031-04-02T17:00"},
    )
    assert response.status_code == {**MANAGED, "director": 302, "bureau": 302}[role]
    created = Meeting.objects.filter(title="Comité de printemps").exists()
    assert created is (role in ("director", "bureau"))


def test_an_unknown_platform_is_a_404(client_for):
    response = client_for("bureau").get(reverse("steering_committee", args=["nulle-part"]))
    assert response.status_code == 404


def test_a_member_of_another_platform_is_a_404(client_for, platform, other_platform, committee):
    theirs = SteeringMemberFactory(platform=other_platform)
    client = client_for("director")
    edit = reverse("steering_member_edit", args=[platform.slug, theirs.pk])
    remove = reverse("steering_member_remove", args=[platform.slug, theirs.pk])
    assert client.get(edit).status_code == 404
    assert client.post(remove).status_code == 404
    assert SteeringMember.objects.filter(pk=theirs.pk).exists()
    # Through its own platform's address, the other platform's page refuses.
    own = reverse("steering_member_edit", args=[other_platform.slug, theirs.pk])
    assert client.get(own).status_code == 403


def test_a_director_of_another_platform_sitting_on_the_committee_sees_it(
    client_for, platform, other_director, committee
):
    SteeringMemberFactory(platform=platform, user=other_director, name="")
    assert (
        client_for("other_director")
        .get(reverse("steering_committee", args=[platform.slug]))
        .status_code
        == 200
    )
    add = reverse("steering_member_add", args=[platform.slug])
    assert client_for("other_director").get(add).status_code == 403


def test_the_ministry_sitting_on_a_committee_sees_it_but_never_manages(
    client_for, platform, ministry
):
    SteeringMemberFactory(platform=platform, user=ministry, name="")
    client = client_for("ministry")
    assert client.get(reverse("steering_committee", args=[platform.slug])).status_code == 200
    assert client.get(reverse("steering_member_add", args=[platform.slug])).status_code == 403


# What the page shows ----------------------------------------------------------------------------


def test_the_page_lists_members_by_college(client_for, platform, committee):
    content = (
        client_for("director")
        .get(reverse("steering_committee", args=[platform.slug]))
        .content.decode()
    )
    for label in ("Économie", "Territoire", "Formation", "Recherche"):
        assert label in content
    assert "Colette Comité" in content and "CCI de l&#x27;Aisne" in content
    assert "Présidente" in content
    assert "Jean Territoire" in content and "Communauté d&#x27;agglomération" in content
    assert "Personne dans ce collège." in content  # training is empty
    # A person of the portal is linked to their account's address.
    assert 'href="mailto:membre-comite@exemple.fr"' in content
    assert content.index("Colette Comité") < content.index("Jean Territoire")


@pytest.mark.parametrize("role", ["director", "bureau", "committee_member"])
def test_outside_addresses_and_forms_are_for_those_who_run_it(
    client_for, role, platform, committee
):
    content = (
        client_for(role).get(reverse("steering_committee", args=[platform.slug])).content.decode()
    )
    runs = role != "committee_member"
    assert ("jean.territoire@exemple.fr" in content) is runs
    assert (reverse("steering_member_add", args=[platform.slug]) in content) is runs
    assert ("Nouvelle réunion du comité" in content) is runs
    assert ("Historique du comité" in content) is runs


def test_the_page_lists_upcoming_and_past_meetings_drafts_for_those_who_run_it(
    client_for, platform, committee
):
    now = timezone.now()
    _steering_meeting(platform, title="Comité à venir")
    _steering_meeting(
        platform,
        title="Comité passé",
        start=now - datetime.timedelta(days=90),
        end=now - datetime.timedelta(days=90, hours=-2),
        status=MeetingStatus.HELD,
    )
    _steering_meeting(platform, title="Comité en préparation", status=MeetingStatus.DRAFT)
    url = reverse("steering_committee", args=[platform.slug])
    content = client_for("director").get(url).content.decode()
    assert (
        content.index("Comité à venir") < content.index("Passées") < content.index("Comité passé")
    )
    assert "Comité en préparation" in content
    member_view = client_for("committee_member").get(url).content.decode()
    assert "Comité à venir" in member_view and "Comité passé" in member_view
    assert "Comité en préparation" not in member_view


def test_another_platforms_committee_meetings_are_not_listed(
    client_for, platform, other_platform, committee
):
    _steering_meeting(other_platform, title="Comité de Plasti Vendée")
    content = (
        client_for("bureau")
        .get(reverse("steering_committee", args=[platform.slug]))
        .content.decode()
    )
    assert "Comité de Plasti Vendée" not in content


# Members: add, edit, remove, and their refusals --------------------------------------------------


def test_director_adds_a_person_of_the_portal_by_email(client_for, platform, director):
    person = UserFactory(email="elu@exemple.fr", first_name="Élise", last_name="Élue")
    response = client_for("director").post(
        reverse("steering_member_add", args=[platform.slug]),
        {
            "user_email": "  ELU@exemple.fr ",
            "organisation": "Conseil régional",
            "college": College.TERRITORY,
            "role": "Vice-présidente",
        },
    )
    assert response.status_code == 302
    member = SteeringMember.objects.get(platform=platform)
    assert (member.user, member.name, member.college) == (person, "", College.TERRITORY)
    entry = AuditEntry.objects.get(action="members.steering_member_added")
    assert entry.actor == director and entry.scope == f"members.platform:{platform.pk}"
    page = client_for("director").get(reverse("steering_committee", args=[platform.slug]))
    assert "Élise Élue" in page.content.decode()
    assert "Membre du comité ajouté : Élise Élue (Territoire)" in page.content.decode()


def test_director_adds_an_outside_name(client_for, platform):
    response = client_for("director").post(
        reverse("steering_member_add", args=[platform.slug]),
        {
            "name": "Paul Formation",
            "organisation": "Lycée Condorcet",
            "email": "Paul@Exemple.fr",
            "college": College.TRAINING,
        },
    )
    assert response.status_code == 302
    member = SteeringMember.objects.get(platform=platform)
    assert (member.user, member.name, member.email) == (None, "Paul Formation", "paul@exemple.fr")


REFUSALS = [
    (
        {"user_email": "personne@nulle-part.fr", "college": "economy"},
        "user_email",
        "Aucun compte actif du portail",
    ),
    ({"college": "economy"}, "name", "Donnez l&#x27;adresse d&#x27;une personne du portail"),
    ({"name": "Sans organisme", "college": "economy"}, "organisation", "Indiquez l&#x27;organisme"),
    ({"name": "Sans collège", "organisation": "X"}, "college", "Ce champ est obligatoire"),
    ({"name": "Collège inconnu", "organisation": "X", "college": "sport"}, "college", "valide"),
    (
        {
            "name": "Adresse invalide",
            "organisation": "X",
            "email": "pas-une-adresse",
            "college": "economy",
        },
        "email",
        "adresse de courriel valide",
    ),
    ({"name": "N" * 201, "organisation": "X", "college": "economy"}, "name", "200 caractères"),
]


@pytest.mark.parametrize("data,field,message", REFUSALS)
def test_a_refused_member_is_a_message_next_to_its_field(
    client_for, platform, data, field, message
):
    response = client_for("director").post(
        reverse("steering_member_add", args=[platform.slug]), data
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content and message in content
    assert not SteeringMember.objects.exists()
    for value in data.values():
        if len(value) < 100 and "@" not in value:
            assert value in content or value in ("economy", "sport")  # typed values kept


def test_a_person_of_the_portal_and_an_outside_name_at_once_is_refused(client_for, platform):
    UserFactory(email="elu@exemple.fr")
    response = client_for("director").post(
        reverse("steering_member_add", args=[platform.slug]),
        {
            "user_email": "elu@exemple.fr",
            "name": "Un autre",
            "organisation": "X",
            "college": "economy",
        },
    )
    assert response.status_code == 200
    assert "pas les deux à la fois" in response.content.decode()
    assert not SteeringMember.objects.exists()


def test_a_person_already_on_the_committee_is_refused(client_for, platform, committee):
    response = client_for("director").post(
        reverse("steering_member_add", args=[platform.slug]),
        {"user_email": "membre-comite@exemple.fr", "college": "research"},
    )
    assert response.status_code == 200
    assert "Cette personne siège déjà au comité." in response.content.decode()
    assert SteeringMember.objects.filter(platform=platform).count() == 3


def test_an_outside_address_that_is_an_account_is_refused(client_for, platform, committee):
    response = client_for("director").post(
        reverse("steering_member_add", args=[platform.slug]),
        {
            "name": "Colette bis",
            "organisation": "X",
            "email": "membre-comite@exemple.fr",
            "college": "economy",
        },
    )
    assert response.status_code == 200
    assert "celle d&#x27;un compte du portail" in response.content.decode()


def test_a_deactivated_account_cannot_be_added(client_for, platform):
    UserFactory(email="parti@exemple.fr", is_active=False)
    response = client_for("director").post(
        reverse("steering_member_add", args=[platform.slug]),
        {"user_email": "parti@exemple.fr", "college": "economy"},
    )
    assert response.status_code == 200
    assert not SteeringMember.objects.exists()


def test_editing_a_member_logs_what_changed(client_for, platform, committee, director):
    member = committee[1]
    url = reverse("steering_member_edit", args=[platform.slug, member.pk])
    form = client_for("director").get(url).content.decode()
    assert 'value="Jean Territoire"' in form and 'value="jean.territoire@exemple.fr"' in form
    response = client_for("director").post(
        url,
        {
            "name": "Jean Territoire",
            "organisation": "Communauté d'agglomération",
            "email": "jean.territoire@exemple.fr",
            "college": College.ECONOMY,
            "role": "Trésorier",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.college, member.role) == (College.ECONOMY, "Trésorier")
    entry = AuditEntry.objects.get(action="members.steering_member_updated")
    assert entry.changes == {"collège": ["Territoire", "Économie"], "rôle": ["", "Trésorier"]}
    # Saving it unchanged writes nothing more.
    client_for("director").post(
        url,
        {
            "name": "Jean Territoire",
            "organisation": "Communauté d'agglomération",
            "email": "jean.territoire@exemple.fr",
            "college": College.ECONOMY,
            "role": "Trésorier",
        },
    )
    assert AuditEntry.objects.filter(action="members.steering_member_updated").count() == 1


def test_an_outside_member_becomes_a_person_of_the_portal(client_for, platform, committee):
    person = UserFactory(email="jean@exemple.fr")
    member = committee[1]
    response = client_for("bureau").post(
        reverse("steering_member_edit", args=[platform.slug, member.pk]),
        {"user_email": "jean@exemple.fr", "organisation": "Agglo", "college": "territory"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.user, member.name, member.email) == (person, "", "")


def test_editing_into_a_duplicate_is_refused(client_for, platform, committee):
    response = client_for("director").post(
        reverse("steering_member_edit", args=[platform.slug, committee[1].pk]),
        {"user_email": "membre-comite@exemple.fr", "organisation": "X", "college": "economy"},
    )
    assert response.status_code == 200
    assert "Cette personne siège déjà au comité." in response.content.decode()


def test_removing_a_member_is_in_the_history(client_for, platform, committee):
    response = client_for("director").post(
        reverse("steering_member_remove", args=[platform.slug, committee[2].pk]), follow=True
    )
    content = response.content.decode()
    assert "Rose Recherche ne siège plus au comité." in content
    assert "Membre du comité retiré : Rose Recherche (Recherche)" in content
    assert SteeringMember.objects.filter(platform=platform).count() == 2


def test_removing_a_member_twice_is_a_404(client_for, platform, committee):
    url = reverse("steering_member_remove", args=[platform.slug, committee[2].pk])
    assert client_for("director").post(url).status_code == 302
    assert client_for("director").post(url).status_code == 404


def test_the_history_page_is_paginated(client_for, platform, committee, director):
    from members.services import steering

    for n in range(35):
        steering.steering_member_add(
            platform=platform, actor=director, name=f"P{n}", organisation="O", college="economy"
        )
    url = reverse("steering_history", args=[platform.slug])
    content = client_for("director").get(url).content.decode()
    assert content.count("Membre du comité ajouté") == 30
    assert "Page 1 sur 2" in content
    page = client_for("director").get(reverse("steering_committee", args=[platform.slug]))
    assert url in page.content.decode()  # "all the history"


# The committee's meetings ------------------------------------------------------------------------


def test_new_meeting_page_never_writes_and_a_post_creates_a_draft(client_for, platform, director):
    url = reverse("steering_meeting_create", args=[platform.slug])
    page = client_for("director").get(url)
    assert "Comité de pilotage — InnovalTech" in page.content.decode()  # the suggested title
    assert 'name="kind"' not in page.content.decode()
    assert not Meeting.objects.exists() and not AuditEntry.objects.exists()
    response = client_for("director").post(
        url,
        {
            "title": "Comité de printemps",
            "start": "2031-04-02T14:00",
            "end": "2031-04-02T17:00",
            "place": "Salle du conseil",
            "kind": MeetingKind.NATIONAL,  # not a field of this form: ignored
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda_edit", args=[meeting.pk])
    assert (meeting.kind, meeting.platform, meeting.status, meeting.organiser) == (
        MeetingKind.STEERING_COMMITTEE,
        platform,
        MeetingStatus.DRAFT,
        director,
    )
    assert AuditEntry.objects.filter(action="meetings.meeting_created").count() == 1


def test_new_meeting_with_its_end_before_its_start_keeps_what_was_typed(client_for, platform):
    response = client_for("director").post(
        reverse("steering_meeting_create", args=[platform.slug]),
        {"title": "À l'envers", "start": "2031-04-02T14:00", "end": "2031-04-02T10:00"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "La fin doit suivre le début." in content and "À l&#x27;envers" in content
    assert not Meeting.objects.exists()


# Queries, GETs, hostile input ---------------------------------------------------------------------


def _fill(platform, count):
    colleges = College.values
    for n in range(count):
        if n % 3 == 0:
            SteeringMemberFactory(
                platform=platform, user=UserFactory(), name="", college=colleges[n % 4]
            )
        else:
            SteeringMemberFactory(platform=platform, college=colleges[n % 4], role=f"Rôle {n}")
    now = timezone.now()
    for n in range(3):
        meeting = _steering_meeting(platform, title=f"Comité à venir {n}")
        InvitationFactory(meeting=meeting)
        _steering_meeting(
            platform,
            title=f"Comité passé {n}",
            start=now - datetime.timedelta(days=30 * (n + 1)),
            end=now - datetime.timedelta(days=30 * (n + 1), hours=-2),
            status=MeetingStatus.HELD,
        )


# Session, user, platform, the perms' memberships (and committee seats), the members with
# their accounts, the upcoming meetings, the past ones (count, page), the history.
COMMITTEE_PAGE_QUERIES = {"director": 9, "bureau": 8, "committee_member": 9}


@pytest.mark.parametrize("members", [3, 12])
@pytest.mark.parametrize("role", ["director", "bureau", "committee_member"])
def test_committee_page_query_count(
    client_for, role, members, platform, committee_member, director, django_assert_max_num_queries
):
    SteeringMemberFactory(platform=platform, user=committee_member, name="")
    _fill(platform, members - 1)
    from members.services import steering

    for n in range(12):
        steering.steering_member_update(
            member=SteeringMember.objects.filter(platform=platform).first(),
            actor=director,
            role=f"Rôle modifié {n}",
        )
    client = client_for(role)
    with django_assert_max_num_queries(COMMITTEE_PAGE_QUERIES[role]):
        response = client.get(reverse("steering_committee", args=[platform.slug]))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"{members} membres" in content
    assert content.count("Comité à venir") == 3 and content.count("Comité passé") == 3


@pytest.mark.parametrize(
    "url_name,limit",
    [
        ("steering_history", 5),
        ("steering_member_add", 4),
        ("steering_member_edit", 5),
        ("steering_meeting_create", 4),
    ],
)
def test_form_pages_query_count(
    client_for, url_name, limit, platform, committee, django_assert_max_num_queries
):
    _fill(platform, 12)
    url = _urls(platform, committee[0])[url_name]
    client = client_for("director")
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


def _counts():
    return (
        SteeringMember.objects.count(),
        Meeting.objects.count(),
        AuditEntry.objects.count(),
        SentReminder.objects.count(),
    )


@pytest.mark.parametrize("role", STEERING_ROLES)
def test_a_get_never_writes(client_for, role, platform, committee):
    _fill(platform, 4)
    before = _counts()
    client = client_for(role)
    for url in _urls(platform, committee[1]).values():
        client.get(url)
    client.get(reverse("steering_member_remove", args=[platform.slug, committee[1].pk]))
    assert _counts() == before


HUGE = "9" * 30


@pytest.mark.parametrize(
    "data",
    [
        {"user_email": "\x00@exemple.fr", "college": "economy"},
        {"name": "Nul\x00", "organisation": "X", "college": "economy"},
        {"name": "X", "organisation": "O" * 5000, "college": "economy" * 50},
        {"name": ["a", "b"], "organisation": ["x"], "college": ["economy", "research"]},
        {"user_email": "a" * 300 + "@exemple.fr", "college": "economy"},
        {"name": "<script>alert(1)</script>", "organisation": "X", "college": "economy"},
    ],
)
def test_hostile_member_input_is_never_a_500(client_for, platform, committee, data):
    client = client_for("director")
    for url in (
        reverse("steering_member_add", args=[platform.slug]),
        reverse("steering_member_edit", args=[platform.slug, committee[1].pk]),
    ):
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400)  # 400: a NUL, refused by the middleware
        assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"title": "T", "start": "2031-13-45T99:99", "end": "demain"},
        {"title": "\x00", "start": "2031-04-02T14:00", "end": "2031-04-02T17:00"},
        {"title": "T" * 500, "start": "2031-04-02T14:00", "end": "2031-04-02T17:00"},
        {
            "title": "T",
            "start": "2031-04-02T14:00",
            "end": "2031-04-02T17:00",
            "video_url": "javascript:alert(1)",
        },
        {"title": "T", "start": "99999-04-02T14:00", "end": "2031-04-02T17:00"},
    ],
)
def test_hostile_meeting_input_is_never_a_500(client_for, platform, data):
    response = client_for("director").post(
        reverse("steering_meeting_create", args=[platform.slug]), data
    )
    assert response.status_code in (200, 400)  # 400: a NUL, refused by the middleware
    assert not Meeting.objects.exists()


def test_huge_or_odd_ids_are_404s(client_for, platform, committee):
    client = client_for("director")
    for pk in (HUGE, "0", "-1", "1.5", "abc"):
        url = f"/plateformes/{platform.slug}/comite/membres/{pk}/modifier/"
        assert client.get(url).status_code == 404
        url = f"/plateformes/{platform.slug}/comite/membres/{pk}/retirer/"
        assert client.post(url).status_code == 404
    assert client.get(f"/plateformes/{'x' * 300}/comite/").status_code == 404
    assert (
        client.get(reverse("steering_committee", args=[platform.slug]), {"page": HUGE}).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("role", "linked"),
    [("director", True), ("bureau", True), ("other_director", False), ("ministry", False)],
)
def test_the_profile_links_the_committee_for_those_who_run_it(client_for, platform, role, linked):
    page = client_for(role).get(reverse("platform_detail", args=[platform.slug])).content
    assert (reverse("steering_committee", args=[platform.slug]).encode() in page) is linked
