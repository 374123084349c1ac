"""A platform's transfer offer: the four levels on its edit page (saved with the profile,
in its history), shown on its public profile, and the directory's filter by level."""

import pytest
from django.urls import reverse

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from members.enums import TransferLevel
from members.models import Platform, TransferOffer
from members.services import partnerships as services

from .factories import (
    DomainFactory,
    PlatformFactory,
    department,
    edit_data,
    equip,
)

pytestmark = pytest.mark.django_db

EDIT = reverse("platform_edit", args=["innovaltech"])
PROFILE = reverse("platform_detail", args=["innovaltech"])
LEVEL_1 = "Projets tutorés de BTS et stages dans vos ateliers."
LEVEL_3 = "Expertise en usinage 5 axes et formation de vos techniciens."


def transfer_data(offers: dict) -> dict:
    """What the edit page's four levels post: {level: text} for the levels ticked."""
    data = {}
    for level in TransferLevel.values:
        data[f"transfer-{level}-shown"] = "True"
        data[f"transfer-{level}-description"] = offers.get(level) or ""
        if level in offers:
            data[f"transfer-{level}-offered"] = "on"
    return data


def post(client, platform, offers, **profile):
    return client.post(EDIT, {**edit_data(platform, **profile), **transfer_data(offers)})


def offers_of(platform) -> dict:
    return dict(platform.transfer_offers.values_list("level", "description"))


def transfer_entries(platform):
    return AuditEntry.objects.filter(
        target=f"members.platform:{platform.pk}", action="platform.transfer_offer_updated"
    )


# The edit page ---------------------------------------------------------------------------


def test_edit_page_shows_the_four_levels_with_what_is_offered(client_for, platform):
    TransferOffer.objects.create(platform=platform, level=3, description=LEVEL_3)
    content = client_for("director").get(EDIT).content.decode()
    for level in TransferLevel:
        assert f"<legend>{level.label}</legend>".replace("'", "&#x27;") in content
        assert f'name="transfer-{level.value}-offered"' in content
    assert 'name="transfer-3-offered" id="id_transfer-3-offered" checked' in content
    assert LEVEL_3 in content
    assert 'name="transfer-1-offered" id="id_transfer-1-offered">' in content


@pytest.mark.parametrize("role", ["director", "bureau"])
def test_offer_saved_with_the_profile_and_in_its_history(client_for, role, platform):
    response = post(client_for(role), platform, {1: LEVEL_1, 3: LEVEL_3})
    assert response.status_code == 302
    assert offers_of(platform) == {1: LEVEL_1, 3: LEVEL_3}
    (entry,) = transfer_entries(platform)
    assert entry.scope == f"members.platform:{platform.pk}"
    assert entry.message == "Niveaux de transfert modifiés"
    label = f"Niveau de transfert {TransferLevel.PRACTICES.label}"
    assert entry.changes[label] == [None, LEVEL_1]


def test_change_a_text_and_withdraw_a_level(client_for, platform):
    client = client_for("director")
    post(client, platform, {1: LEVEL_1, 3: LEVEL_3})
    response = post(client, platform, {1: "Nouveau texte.", 4: ""})
    assert response.status_code == 302
    assert offers_of(platform) == {1: "Nouveau texte.", 4: ""}
    entry = transfer_entries(platform).first()
    assert [LEVEL_1, "Nouveau texte."] in entry.changes.values()
    assert [LEVEL_3, None] in entry.changes.values()
    assert [None, "proposé, sans texte"] in entry.changes.values()


def test_an_unchanged_offer_writes_nothing_more(client_for, platform):
    client = client_for("director")
    post(client, platform, {2: "Alternance."})
    post(client, platform, {2: "Alternance."})
    post(client, platform, {2: "  Alternance.  "})  # spaces around: the same text
    assert transfer_entries(platform).count() == 1


def test_a_post_without_the_levels_leaves_them_as_they_are(client_for, platform):
    TransferOffer.objects.create(platform=platform, level=2, description="Alternance.")
    response = client_for("director").post(EDIT, edit_data(platform, city="Laon"))
    assert response.status_code == 302
    assert offers_of(platform) == {2: "Alternance."}
    assert not transfer_entries(platform).exists()


def test_a_text_without_its_level_ticked_is_a_message_and_saves_nothing(client_for, platform):
    data = {**edit_data(platform, city="Laon"), **transfer_data({})}
    data["transfer-2-description"] = "Alternance."
    response = client_for("director").post(EDIT, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_transfer-2-offered_error"' in content
    assert "Cochez ce niveau pour publier son texte" in content
    assert "Alternance." in content  # what was typed is kept
    platform.refresh_from_db()
    assert platform.city != "Laon"
    assert not TransferOffer.objects.exists()


@pytest.mark.parametrize("text", ["x" * 501, "Texte\x07invisible", "Texte\x1b[31m", "é" * 501])
def test_bad_texts_are_refused_next_to_the_text(client_for, platform, text):
    response = post(client_for("director"), platform, {1: text})
    assert response.status_code == 200
    assert 'id="id_transfer-1-description_error"' in response.content.decode()
    assert not TransferOffer.objects.exists()


def test_500_characters_are_accepted(client_for, platform):
    assert post(client_for("director"), platform, {4: "é" * 500}).status_code == 302
    assert offers_of(platform) == {4: "é" * 500}


@pytest.mark.parametrize(
    "extra",
    [
        {"transfer-1-offered": ["on", "off"]},
        {"transfer-1-shown": "peut-être"},
        {"transfer-9-offered": "on", "transfer-9-description": "Niveau inconnu"},
        {"transfer-1-description": ["a", "b"]},
    ],
)
def test_hostile_transfer_fields_are_never_a_500(client_for, platform, extra):
    data = {**edit_data(platform), **transfer_data({}), **extra}
    response = client_for("director").post(EDIT, data)
    assert response.status_code in (200, 302)
    assert TransferOffer.objects.filter(level__gt=4).count() == 0


def test_a_refused_offer_rolls_back_the_profile(client_for, platform, monkeypatch):
    def refuse(**kwargs):
        raise ServiceError("Refusé pour le test.")

    monkeypatch.setattr(services, "transfer_offer_update", refuse)
    response = post(client_for("director"), platform, {1: LEVEL_1}, city="Laon")
    assert response.status_code == 200
    assert "Refusé pour le test." in response.content.decode()
    platform.refresh_from_db()
    assert platform.city != "Laon"
    assert not AuditEntry.objects.exists()


def test_other_platforms_people_cannot_post_an_offer(client_for, platform):
    response = post(client_for("other_director"), platform, {1: LEVEL_1})
    assert response.status_code == 403
    assert not TransferOffer.objects.exists()


def test_the_history_page_shows_the_levels_changed(client_for, platform):
    post(client_for("director"), platform, {3: LEVEL_3})
    response = client_for("bureau").get(reverse("platform_history", args=["innovaltech"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Niveaux de transfert modifiés" in content
    assert "Expertise technologique et formation" in content


def test_edit_page_query_count_with_offers(client_for, platform, django_assert_max_num_queries):
    equip(platform)
    for level in TransferLevel.values:
        TransferOffer.objects.create(platform=platform, level=level, description="Texte")
    client = client_for("director")
    with django_assert_max_num_queries(7):  # the levels are read with the platform
        response = client.get(EDIT)
    assert response.status_code == 200


# The service ------------------------------------------------------------------------------


def test_service_refuses_an_unknown_level(platform, director):
    with pytest.raises(ServiceError, match="inconnu"):
        services.transfer_offer_update(platform=platform, offers={5: "x"}, actor=director)


def test_service_refuses_a_text_too_long(platform, director):
    with pytest.raises(ServiceError) as error:
        services.transfer_offer_update(platform=platform, offers={1: "x" * 501}, actor=director)
    assert error.value.field == "level_1"
    assert not TransferOffer.objects.exists()


def test_service_leaves_the_levels_not_given(platform, director):
    TransferOffer.objects.create(platform=platform, level=4, description="Recherche.")
    changes = services.transfer_offer_update(platform=platform, offers={1: LEVEL_1}, actor=director)
    assert list(changes.values()) == [[None, LEVEL_1]]
    assert offers_of(platform) == {1: LEVEL_1, 4: "Recherche."}


def test_service_without_change_writes_no_entry(platform, director):
    assert services.transfer_offer_update(platform=platform, offers={2: None}, actor=director) == {}
    assert not AuditEntry.objects.exists()


# The public profile -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "director", "other_director", "bureau", "ministry"])
def test_profile_shows_the_levels_offered_to_everyone(client_for, role, platform):
    TransferOffer.objects.create(platform=platform, level=1, description=LEVEL_1)
    TransferOffer.objects.create(platform=platform, level=3, description="")
    content = client_for(role).get(PROFILE).content.decode()
    assert "Niveaux de transfert de technologie proposés" in content
    assert LEVEL_1 in content
    assert str(TransferLevel.EXPERTISE.label) in content
    assert str(TransferLevel.WORK_STUDY.label).replace("'", "&#x27;") not in content
    assert reverse("platform_list") + "?level=3" in content


def test_profile_without_offer_says_so(client_for, platform):
    content = client_for("anonymous").get(PROFILE).content.decode()
    assert "Niveaux de transfert de technologie proposés" in content


def test_profile_query_count_does_not_grow_with_the_levels(
    client_for, platform, django_assert_max_num_queries
):
    client = client_for("anonymous")
    with django_assert_max_num_queries(8) as before:
        client.get(PROFILE)
    for level in TransferLevel.values:
        TransferOffer.objects.create(platform=platform, level=level, description="Texte")
    with django_assert_max_num_queries(len(before)):
        response = client.get(PROFILE)
    assert response.content.decode().count("Texte") >= 4


# The directory ------------------------------------------------------------------------------


@pytest.fixture
def offers():
    """Four platforms with their levels: alpha 1 and 3, bravo 3 and 4, charlie 2, delta none."""
    alpha = PlatformFactory(name="Alpha Méca", department=department("02"))
    bravo = PlatformFactory(name="Bravo Plast", department=department("85"))
    charlie = PlatformFactory(name="Charlie Num", department=department("71"))
    PlatformFactory(name="Delta Fonderie", department=department("02"))
    for platform, levels in [(alpha, [1, 3]), (bravo, [3, 4]), (charlie, [2])]:
        for level in levels:
            TransferOffer.objects.create(platform=platform, level=level, description="")
    alpha.domains.add(DomainFactory(name="Mécanique", slug="mecanique"))
    return alpha


def names(client, query=""):
    response = client.get(reverse("platform_list") + query)
    assert response.status_code == 200
    return [row["name"] for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alpha Méca", "Bravo Plast", "Charlie Num", "Delta Fonderie"]),
        ("?level=3", ["Alpha Méca", "Bravo Plast"]),
        ("?level=2", ["Charlie Num"]),
        ("?level=3&level=4", ["Alpha Méca", "Bravo Plast"]),  # bravo once
        ("?level=1&level=2", ["Alpha Méca", "Charlie Num"]),
        ("?level=1&level=2&level=3&level=4", ["Alpha Méca", "Bravo Plast", "Charlie Num"]),
        ("?level=3&region=hauts-de-france", ["Alpha Méca"]),
        ("?level=3&domain=mecanique", ["Alpha Méca"]),
        ("?level=4&sort=city", ["Bravo Plast"]),
        ("?level=3&level=3", ["Alpha Méca", "Bravo Plast"]),
    ],
)
def test_directory_filters_by_level(client, offers, query, expected):
    assert names(client, query) == expected


def test_directory_shows_the_level_checkboxes_ticked(client, offers):
    content = client.get(reverse("platform_list") + "?level=2&level=4").content.decode()
    assert 'role="group" aria-label="Niveau de transfert"' in content
    assert 'name="level" value="2" id="id_level_1" checked>' in content
    assert 'name="level" value="4" id="id_level_3" checked>' in content
    assert 'name="level" value="1" id="id_level_0"><label for="id_level_0">1 · Pratiques' in content


@pytest.mark.parametrize("query", ["?level=9", "?level=abc", "?level=", "?level=1.5"])
def test_directory_unknown_level_is_a_message(client, offers, query):
    response = client.get(reverse("platform_list") + query)
    assert response.status_code == 200
    if query != "?level=":
        assert 'class="error"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["?level=%00", "?level=" + "9" * 40, "?level=-1&level=1", "?" + "level=1&" * 500],
)
def test_directory_hostile_levels_are_never_a_500(client, offers, query):
    assert client.get(reverse("platform_list") + query).status_code in (200, 400)


def test_export_follows_the_level_filter(client_for, offers):
    response = client_for("bureau").get(reverse("platform_export") + "?level=2")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert "Charlie Num" in content.decode("utf-8-sig")
    assert "Alpha Méca" not in content.decode("utf-8-sig")


@pytest.mark.parametrize("role", ["anonymous", "bureau"])
def test_directory_query_count_with_the_level_filter_does_not_grow(
    client_for, role, offers, django_assert_max_num_queries
):
    # The directory's pin (test_directory.py): the level filter adds a subquery, no query.
    client = client_for(role)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("platform_list") + "?level=3&level=4")
    assert len(response.context["rows"]) == 2
    for index in range(15):
        platform = PlatformFactory(name=f"Autre {index}")
        for level in (3, 4):
            TransferOffer.objects.create(platform=platform, level=level)
    with django_assert_max_num_queries(7) as queries:
        response = client.get(reverse("platform_list") + "?level=3&level=4&sort=city")
    assert len(response.context["rows"]) == 17
    sql = [query["sql"] for query in queries.captured_queries]
    assert not any("DISTINCT" in text and "members_transferoffer" in text for text in sql)


def test_platforms_are_not_changed_by_the_directory(client, offers):
    before = list(Platform.objects.values_list("pk", "updated_at"))
    client.get(reverse("platform_list") + "?level=1")
    assert list(Platform.objects.values_list("pk", "updated_at")) == before
