import json

import pytest
from django.urls import reverse

from innovalo.models import SentReminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["director", "other_director", "bureau", "ministry"]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_logged_in_sees_their_own_data(client_for, role, request):
    user = request.getfixturevalue(role)
    response = client_for(role).get(reverse("my_data"))
    assert response.status_code == 200
    assert user.email in response.content.decode()


def test_anonymous_is_sent_to_login_for_my_data(client):
    response = client.get(reverse("my_data"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_my_data_downloads_as_json(client, director):
    SentReminder.objects.create(
        rule="platform_review", target="members.platform:1", recipients=director.email
    )
    client.force_login(director)
    response = client.get(reverse("my_data") + "?format=json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["Compte"][0]["e-mail"] == director.email
    assert data["E-mails envoyés par le portail"][0]["type"] == "Revue de la fiche de la plateforme"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("director", 403),
        ("other_director", 403),
        ("bureau", 200),
        ("ministry", 403),
    ],
)
def test_people_list_access(client_for, role, expected):
    assert client_for(role).get(reverse("people_list")).status_code == expected


def test_people_list_query_count(client, bureau, django_assert_max_num_queries):
    UserFactory.create_batch(6)
    client.force_login(bureau)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("people_list"), {"q": "exemple"})
    assert response.status_code == 200


def test_bureau_anonymises_a_person_who_leaves(client, bureau, director):
    client.force_login(bureau)
    response = client.post(reverse("user_anonymise", args=[director.pk]))
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.email == f"anonyme-{director.pk}@anonyme.invalid"
    assert str(director) == "Personne anonymisée"
    assert not director.is_active and not director.has_usable_password()


@pytest.mark.parametrize("role", ["director", "ministry"])
def test_only_the_bureau_anonymises(client_for, role, other_director):
    response = client_for(role).post(reverse("user_anonymise", args=[other_director.pk]))
    assert response.status_code == 403
    other_director.refresh_from_db()
    assert other_director.is_active


def test_my_data_lists_my_platforms(client, director, platform):
    client.force_login(director)
    data = json.loads(client.get(reverse("my_data") + "?format=json").content)
    assert data["Plateformes"][0]["plateforme"].startswith("InnovalTech")


def test_my_emails_are_found_by_exact_address_not_substring(client, director):
    mine = f"x@y.fr, {director.email}, z@y.fr"
    SentReminder.objects.create(rule="mine", target="a:1", recipients=mine)
    SentReminder.objects.create(rule="alone", target="a:2", recipients=director.email)
    SentReminder.objects.create(rule="not_mine", target="a:3", recipients="jo" + director.email)
    SentReminder.objects.create(rule="not_mine2", target="a:4", recipients=director.email + ".org")
    client.force_login(director)
    data = json.loads(client.get(reverse("my_data") + "?format=json").content)
    assert sorted(row["type"] for row in data["E-mails envoyés par le portail"]) == [
        "alone",
        "mine",
    ]


def test_anonymising_erases_the_address_from_the_outbox_and_the_history(bureau, director):
    from innovalo.audit import log_action
    from innovalo.models import AuditEntry
    from innovalo.personal_data import user_anonymise

    old = director.email
    SentReminder.objects.create(rule="r", target="a:1", recipients=f"x@y.fr, {old}")
    log_action(
        "members.duesline:1", "dues.reminder", actor=bureau, message=f"E-mail envoyé à {old}"
    )
    log_action(
        "meetings.meeting:1", "meeting.invited", actor=bureau, changes={"email": [None, old]}
    )
    user_anonymise(user=director, actor=bureau)
    director.refresh_from_db()
    assert SentReminder.objects.get().recipients == f"x@y.fr, {director.email}"
    assert not AuditEntry.objects.filter(message__icontains=old).exists()
    assert not AuditEntry.objects.filter(changes__icontains=old).exists()
    assert AuditEntry.objects.filter(message__icontains=director.email).count() == 1
    entry = AuditEntry.objects.get(action="user.anonymised")
    assert entry.actor == bureau and entry.target == f"innovalo.user:{director.pk}"
    assert old not in entry.object_repr
