"""The alerts pages: my saved searches, create one from a filtered list, rename, pause,
delete, and the one-click unsubscribe link (no login). Every URL for every role."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from innovalo.models import AuditEntry, SentReminder
from projects.enums import Frequency
from projects.models import SavedSearch
from projects.services import alerts as services
from tests.conftest import ROLES
from tests.factories import UserFactory

from .factories import FunderFactory, SavedSearchFactory, ThemeFactory

pytestmark = pytest.mark.django_db

OWN_PAGE = {
    "anonymous": 302,
    "director": 200,
    "other_director": 404,
    "bureau": 404,
    "ministry": 404,
}


@pytest.fixture
def saved(director):
    return SavedSearchFactory(user=director, name="Numérique en Bretagne", query="q=num%C3%A9rique")


def _counts():
    return (SavedSearch.objects.count(), AuditEntry.objects.count(), SentReminder.objects.count())


def _login_redirect(response):
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# Every URL, every role -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_per_role(client_for, role, saved):
    response = client_for(role).get(reverse("saved_search_list"))
    if role == "anonymous":
        return _login_redirect(response)
    assert response.status_code == 200
    content = response.content.decode()
    assert (saved.name in content) is (role == "director")


@pytest.mark.parametrize("role", ROLES)
def test_create_page_per_role(client_for, role):
    response = client_for(role).get(reverse("saved_search_create") + "?q=hydrog%C3%A8ne")
    if role == "anonymous":
        return _login_redirect(response)
    assert response.status_code == 200
    assert "« hydrogène »" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", ["saved_search_edit", "saved_search_delete"])
def test_own_pages_per_role(client_for, role, url_name, saved):
    response = client_for(role).get(reverse(url_name, args=[saved.pk]))
    if role == "anonymous":
        return _login_redirect(response)
    assert response.status_code == OWN_PAGE[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url_name", ["saved_search_edit", "saved_search_delete", "saved_search_pause"]
)
def test_posts_on_someone_elses_alert_are_not_found(client_for, role, url_name, saved):
    data = {"name": "Piraté", "frequency": Frequency.DAILY}
    before = _counts()
    response = client_for(role).post(reverse(url_name, args=[saved.pk]), data)
    if role == "anonymous":
        _login_redirect(response)
    elif role == "director":
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    if role != "director":
        assert _counts() == before
        saved.refresh_from_db()
        assert saved.name == "Numérique en Bretagne" and not saved.paused


@pytest.mark.parametrize("role", ROLES)
def test_unsubscribe_link_per_role_without_login(client_for, role, saved):
    url = reverse("saved_search_unsubscribe", args=[services.unsubscribe_token(saved)])
    response = client_for(role).get(url)
    assert response.status_code == 200
    assert "Me désabonner" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("role", ["ministry", "bureau"])
def test_the_ministry_and_the_bureau_may_have_alerts(client_for, role, request):
    client = client_for(role)
    response = client.post(
        reverse("saved_search_create"),
        {"name": "Énergie", "frequency": Frequency.WEEKLY, "query": "q=%C3%A9nergie"},
    )
    assert response.status_code == 302
    assert SavedSearch.objects.get().user == request.getfixturevalue(role)


# My alerts -----------------------------------------------------------------------------------


def test_list_shows_filters_in_words_frequency_state_and_last_sent(client_for, director):
    theme = ThemeFactory(name="Transition énergétique", slug="energie")
    funder = FunderFactory(name="ADEME")
    SavedSearchFactory(
        user=director,
        name="Énergie ADEME",
        query=f"theme=energie&funder={funder.pk}&kind=contest&deadline_before=2026-06-30",
        frequency=Frequency.DAILY,
        last_sent_at=timezone.now(),
    )
    SavedSearchFactory(user=director, name="En pause", paused=True)
    SavedSearchFactory(user=director, name="Désabonnée", unsubscribed_at=timezone.now())
    content = client_for("director").get(reverse("saved_search_list")).content.decode()
    assert theme.name in content and "ADEME" in content
    assert "Concours d&#x27;innovation" in content or "Concours d'innovation" in content
    assert "30 juin 2026" in content
    assert "Chaque jour" in content and "Chaque semaine" in content
    assert "En pause" in content and "Désabonnée" in content and "Active" in content
    assert "Reprendre" in content and "Mettre en pause" in content
    assert f"/appels/?theme=energie&amp;funder={funder.pk}" in content


def test_list_queries_do_not_grow_with_alerts(client_for, director, django_assert_max_num_queries):
    client = client_for("director")

    def measure():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("saved_search_list")).status_code == 200
        return len(queries)

    for number in range(3):
        SavedSearchFactory(user=director, query=f"q=mot{number}&region=53&theme=t{number}")
    three = measure()
    for number in range(10):
        SavedSearchFactory(user=director, query=f"kind=contest&funder={number}")
    assert measure() == three
    # Session, user, count, the page's alerts, the filters' three choices.
    with django_assert_max_num_queries(7):
        client.get(reverse("saved_search_list"))


def test_list_is_paginated(client_for, director):
    for number in range(35):
        SavedSearchFactory(user=director, name=f"Alerte {number:02d}")
    client = client_for("director")
    first = client.get(reverse("saved_search_list")).content.decode()
    assert "Alerte 29" in first and "Alerte 30" not in first
    second = client.get(reverse("saved_search_list") + "?page=2").content.decode()
    assert "Alerte 30" in second
    assert client.get(reverse("saved_search_list") + "?page=xyz").status_code == 200


def test_get_pages_never_write(client_for, saved):
    client = client_for("director")
    before = _counts()
    token = services.unsubscribe_token(saved)
    for url in [
        reverse("saved_search_list"),
        reverse("saved_search_create") + "?q=num%C3%A9rique&theme=energie",
        reverse("saved_search_edit", args=[saved.pk]),
        reverse("saved_search_delete", args=[saved.pk]),
        reverse("saved_search_unsubscribe", args=[token]),
    ]:
        assert client.get(url).status_code == 200, url
    assert Client().get(reverse("saved_search_unsubscribe", args=[token])).status_code == 200
    assert _counts() == before
    saved.refresh_from_db()
    assert saved.unsubscribed_at is None


@pytest.mark.parametrize(
    "url_name", ["saved_search_create", "saved_search_edit", "saved_search_delete"]
)
def test_form_pages_queries(client_for, saved, url_name, django_assert_max_num_queries):
    args = [] if url_name == "saved_search_create" else [saved.pk]
    client = client_for("director")
    # Session, user, the alert (but on the new one's page), the filters' three choices.
    with django_assert_max_num_queries(5 if url_name == "saved_search_create" else 6):
        assert client.get(reverse(url_name, args=args)).status_code == 200


# Create --------------------------------------------------------------------------------------


def test_create_prefilled_from_the_list_and_created_with_a_fresh_watermark(client_for, director):
    ThemeFactory(name="Numérique", slug="numerique")
    client = client_for("director")
    url = reverse("saved_search_create") + "?page=3&theme=numerique&q=PME&sort=published&kind="
    content = client.get(url).content.decode()
    assert 'value="q=PME&amp;sort=published&amp;theme=numerique"' in content
    assert "Numérique" in content and "« PME »" in content
    assert 'value="PME · Numérique"' in content  # the name suggested
    assert "/appels/?q=PME&amp;sort=published&amp;theme=numerique" in content  # back, or change
    started = timezone.now()
    response = client.post(
        reverse("saved_search_create"),
        {
            "name": "PME du numérique",
            "frequency": Frequency.DAILY,
            "query": "theme=numerique&q=PME&sort=published&page=3",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("saved_search_list")
    saved = SavedSearch.objects.get()
    assert saved.user == director
    assert saved.query == "q=PME&sort=published&theme=numerique"
    assert saved.frequency == Frequency.DAILY
    assert saved.watermark >= started
    assert saved.last_sent_at is None
    assert AuditEntry.objects.filter(action="projects.alert_created").count() == 1


def test_create_without_filters(client_for, director):
    client = client_for("director")
    content = client.get(reverse("saved_search_create")).content.decode()
    assert "Tous les appels ouverts" in content
    response = client.post(
        reverse("saved_search_create"), {"name": "Tout", "frequency": Frequency.WEEKLY}
    )
    assert response.status_code == 302
    assert SavedSearch.objects.get().query == ""


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "", "frequency": "weekly"}, "name", "Ce champ est obligatoire"),
        ({"name": "   ", "frequency": "weekly"}, "name", "Ce champ est obligatoire"),
        ({"name": "X", "frequency": "hourly"}, "frequency", "Sélectionnez un choix valide"),
        ({"name": "X" * 200, "frequency": "weekly"}, "name", "au plus 120"),
        (
            {"name": "X", "frequency": "weekly", "query": "deadline_before=31-31"},
            None,
            "pas valides",
        ),
        ({"name": "X", "frequency": "weekly", "query": "q=" + "a" * 1200}, None, "trop longs"),
    ],
    ids=["empty", "blank", "frequency", "long-name", "bad-filters", "long-query"],
)
def test_create_bad_input_is_a_message_next_to_the_field(client_for, data, field, message):
    response = client_for("director").post(reverse("saved_search_create"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    if field:
        assert f'id="id_{field}_error"' in content
    else:
        assert 'class="form-errors"' in content
    assert SavedSearch.objects.count() == 0


def test_at_most_fifty_alerts_a_person(client_for, director):
    for number in range(services.MAX_PER_USER):
        SavedSearchFactory(user=director, name=f"A{number}")
    response = client_for("director").post(
        reverse("saved_search_create"), {"name": "Une de trop", "frequency": "weekly"}
    )
    assert response.status_code == 200
    assert "supprimez-en une" in response.content.decode()
    assert SavedSearch.objects.count() == services.MAX_PER_USER


# Edit, pause, delete -------------------------------------------------------------------------


def test_edit_renames_and_changes_frequency_keeping_the_watermark(client_for, saved):
    watermark = saved.watermark
    response = client_for("director").post(
        reverse("saved_search_edit", args=[saved.pk]),
        {"name": "Numérique partout", "frequency": Frequency.DAILY},
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.frequency, saved.watermark) == (
        "Numérique partout",
        Frequency.DAILY,
        watermark,
    )
    entry = AuditEntry.objects.get(action="projects.alert_updated")
    assert entry.actor == saved.user


def test_edit_bad_input_keeps_the_page(client_for, saved):
    response = client_for("director").post(
        reverse("saved_search_edit", args=[saved.pk]), {"name": "", "frequency": "monthly"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_name_error"' in content and 'id="id_frequency_error"' in content
    assert "Numérique en Bretagne" in content  # the title as saved
    saved.refresh_from_db()
    assert saved.name == "Numérique en Bretagne"


def test_pause_then_resume(client_for, saved):
    client = client_for("director")
    url = reverse("saved_search_pause", args=[saved.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    saved.refresh_from_db()
    assert saved.paused
    assert client.post(url).status_code == 302
    saved.refresh_from_db()
    assert not saved.paused


def test_resume_an_unsubscribed_alert(client_for, saved):
    saved.unsubscribed_at = timezone.now()
    saved.save()
    assert (
        client_for("director").post(reverse("saved_search_pause", args=[saved.pk])).status_code
        == 302
    )
    saved.refresh_from_db()
    assert saved.unsubscribed_at is None and not saved.paused


def test_delete_asks_then_deletes(client_for, saved):
    client = client_for("director")
    url = reverse("saved_search_delete", args=[saved.pk])
    content = client.get(url).content.decode()
    assert (
        "Supprimer l&#x27;alerte « Numérique en Bretagne » ?" in content
        or "Numérique en Bretagne" in content
    )
    response = client.post(url)
    assert response.status_code == 302
    assert not SavedSearch.objects.exists()
    assert AuditEntry.objects.filter(action="projects.alert_deleted").count() == 1
    assert client.post(url).status_code == 404


def test_unknown_alert_ids_are_not_found(client_for, director):
    client = client_for("director")
    for url_name in ["saved_search_edit", "saved_search_delete"]:
        assert client.get(reverse(url_name, args=[999999])).status_code == 404
    assert client.get("/appels/alertes/99999999999999999999999/modifier/").status_code == 404


# Unsubscribe ---------------------------------------------------------------------------------


def test_unsubscribe_without_login_then_nothing_more(saved):
    client = Client(enforce_csrf_checks=True)
    url = reverse("saved_search_unsubscribe", args=[services.unsubscribe_token(saved)])
    assert "Me désabonner" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert "Vous êtes désabonné" in response.content.decode()
    saved.refresh_from_db()
    first = saved.unsubscribed_at
    assert first is not None
    assert client.post(url).status_code == 200  # a second click changes nothing
    saved.refresh_from_db()
    assert saved.unsubscribed_at == first
    assert AuditEntry.objects.filter(action="projects.alert_unsubscribed").count() == 1


def test_one_click_unsubscribe_post_rfc_8058(saved):
    url = reverse("saved_search_unsubscribe", args=[services.unsubscribe_token(saved)])
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    saved.refresh_from_db()
    assert saved.unsubscribed_at is not None


def test_the_link_of_a_digest_unsubscribes(saved):
    link = services.unsubscribe_url(saved)
    assert link.startswith("http")
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    assert Client().post(path).status_code == 200
    saved.refresh_from_db()
    assert saved.unsubscribed_at is not None


@pytest.mark.parametrize(
    "token",
    ["nimportequoi", "1:abc", "1", "%s:x" % ("9" * 40)],
)
def test_a_bad_token_is_not_found(client, token, saved):
    before = _counts()
    for method in (client.get, client.post):
        response = method(reverse("saved_search_unsubscribe", args=[token]))
        assert response.status_code == 404
        assert "aucune alerte" in response.content.decode()
    assert _counts() == before


def test_a_token_of_another_salt_or_a_deleted_alert_is_not_found(client, saved):
    from django.core import signing

    forged = signing.Signer(salt="surveys.respondent").sign(str(saved.pk))
    assert client.get(reverse("saved_search_unsubscribe", args=[forged])).status_code == 404
    token = services.unsubscribe_token(saved)
    saved.delete()
    assert client.get(reverse("saved_search_unsubscribe", args=[token])).status_code == 404


def test_someone_elses_token_only_unsubscribes_that_alert(client_for, saved):
    mine = SavedSearchFactory(user=UserFactory(), name="Autre")
    client_for("director").post(
        reverse("saved_search_unsubscribe", args=[services.unsubscribe_token(mine)])
    )
    saved.refresh_from_db()
    mine.refresh_from_db()
    assert saved.unsubscribed_at is None
    assert mine.unsubscribed_at is not None


def test_normalize_query():
    assert services.normalize_query("page=2&q=&theme=b&theme=a&q=PME") == ("q=PME&theme=b&theme=a")
    assert services.normalize_query("") == ""
    assert services.normalize_query("x=%20") == ""


def test_create_service_watermark_is_now(director):
    before = timezone.now()
    saved = services.saved_search_create(
        user=director, name="N", query="q=x", frequency=Frequency.WEEKLY, actor=director
    )
    assert before <= saved.watermark <= timezone.now() + datetime.timedelta(seconds=1)
