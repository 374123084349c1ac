import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from innovalo import reminders, services
from innovalo.enums import EmailStatus, Role
from innovalo.models import Invitation, SentReminder, User
from innovalo.tasks import deliver_email

pytestmark = pytest.mark.django_db


def _invite(client, bureau, django_capture_on_commit_callbacks, **data):
    client.force_login(bureau)
    payload = {"email": "nouvelle@exemple.fr", "role": Role.DIRECTOR, **data}
    if payload["role"] == Role.DIRECTOR and "platform" not in payload:
        from tests.members.factories import PlatformFactory

        payload["platform"] = PlatformFactory(name="Plateforme invitante").pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitation_list"), payload)
    return response


def _link_path(message):
    url = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _accept(client, path, password="Un-mot-de-passe-solide-2026"):
    return client.post(
        path,
        {"first_name": "Nadia", "last_name": "Rami", "password1": password, "password2": password},
    )


def test_bureau_invites_by_email(client, bureau, django_capture_on_commit_callbacks):
    response = _invite(client, bureau, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nouvelle@exemple.fr"
    assert invitation.sent_at is not None
    assert len(mail.outbox) == 1
    assert "nouvelle@exemple.fr" not in _link_path(mail.outbox[0])
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_invitation_is_accepted_once(client, bureau, django_capture_on_commit_callbacks):
    _invite(client, bureau, django_capture_on_commit_callbacks, role=Role.MINISTRY)
    path = _link_path(mail.outbox[0])
    client.logout()
    response = client.get(path)
    assert response.status_code == 200
    response = _accept(client, path)
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert user.role == Role.MINISTRY
    assert user.first_name == "Nadia"
    assert response.wsgi_request.user == user
    client.logout()
    response = _accept(client, path, password="Autre-mot-de-passe-2026")
    assert response.status_code == 410
    assert "déjà été utilisée" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Un-mot-de-passe-solide-2026")


def test_expired_invitation_is_refused(client, bureau, django_capture_on_commit_callbacks):
    _invite(client, bureau, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    client.logout()
    with freeze_time(datetime.datetime.now() + datetime.timedelta(days=15)):
        response = _accept(client, path)
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()


def test_revoked_invitation_is_refused(client, bureau, django_capture_on_commit_callbacks):
    _invite(client, bureau, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    invitation = Invitation.objects.get()
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    client.logout()
    assert _accept(client, path).status_code == 410


def test_resend_gives_a_new_link_and_kills_the_old(
    client, bureau, django_capture_on_commit_callbacks
):
    _invite(client, bureau, django_capture_on_commit_callbacks)
    old_path = _link_path(mail.outbox[0])
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation_resend", args=[invitation.pk]))
    assert len(mail.outbox) == 2
    new_path = _link_path(mail.outbox[1])
    assert new_path != old_path
    client.logout()
    assert client.get(old_path).status_code == 410
    assert _accept(client, new_path).status_code == 302


def test_bad_password_keeps_what_was_typed(client, bureau, django_capture_on_commit_callbacks):
    _invite(client, bureau, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    client.logout()
    response = client.post(
        path, {"first_name": "Nadia", "last_name": "Rami", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Nadia"' in content
    assert "ne correspondent pas" in content
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()


def test_inviting_an_existing_account_is_refused_next_to_the_field(client, bureau):
    client.force_login(bureau)
    response = client.post(
        reverse("invitation_list"), {"email": bureau.email.upper(), "role": Role.BUREAU}
    )
    assert response.status_code == 400
    assert "Un compte existe déjà" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invalid_email_gets_a_message(client, bureau):
    client.force_login(bureau)
    response = client.post(reverse("invitation_list"), {"email": "pas-un-mail", "role": "x"})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_new_invitation_replaces_pending_one(bureau):
    first = services.invitation_create(email="a@exemple.fr", role=Role.DIRECTOR, invited_by=bureau)
    services.invitation_create(email="a@exemple.fr", role=Role.DIRECTOR, invited_by=bureau)
    first.refresh_from_db()
    assert first.revoked_at is not None


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
def test_invitation_list_access(client_for, role, expected):
    response = client_for(role).get(reverse("invitation_list"))
    assert response.status_code == expected


@pytest.mark.parametrize("role", ["director", "ministry"])
def test_only_bureau_revokes(client_for, role, bureau):
    invitation = services.invitation_create(
        email="b@exemple.fr", role=Role.DIRECTOR, invited_by=bureau
    )
    response = client_for(role).post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_invitation_list_query_count(client, bureau, django_assert_max_num_queries):
    for n in range(5):
        services.invitation_create(email=f"p{n}@exemple.fr", role=Role.DIRECTOR, invited_by=bureau)
    client.force_login(bureau)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("invitation_list"))
    assert response.content.decode().count("@exemple.fr") >= 5


def test_invitation_email_task_sends_once_per_token(bureau, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            email="once@exemple.fr", role=Role.DIRECTOR, invited_by=bureau
        )
    token = re.search(r"/invitation/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert Invitation.find_by_token(token) == invitation
    record = SentReminder.objects.get(rule="invitation")
    assert record.target == f"innovalo.invitation:{invitation.pk}"
    assert record.status == EmailStatus.SENT
    # A retried task (same invitation, same token) sends nothing more.
    assert deliver_email(record.pk) is False
    assert reminders.send_once("invitation", invitation, invitation.token_salt) is False
    assert len(mail.outbox) == 1
    # A token replaced by a resend is never mailed again.
    old_salt = invitation.token_salt
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation, actor=bureau)
    assert len(mail.outbox) == 2
    new_token = re.search(r"/invitation/([^/\s]+)/", mail.outbox[1].body).group(1)
    assert new_token != token and Invitation.find_by_token(token) is None
    SentReminder.objects.filter(rule="invitation", period=old_salt).update(
        status=EmailStatus.FAILED
    )
    assert reminders.retry_unsent() == 0  # the old link is skipped, not mailed
    assert len(mail.outbox) == 2


def test_each_invitation_change_writes_one_history_entry(bureau, platform):
    from innovalo.models import AuditEntry

    invitation = services.invitation_create(
        email="hist@exemple.fr",
        role=Role.DIRECTOR,
        invited_by=bureau,
        platform=platform,
        platform_role="director",
    )
    services.invitation_resend(invitation=invitation, actor=bureau)
    services.invitation_revoke(invitation=invitation, actor=bureau)
    entries = list(AuditEntry.objects.filter(target=f"innovalo.invitation:{invitation.pk}"))
    assert [e.action for e in reversed(entries)] == [
        "invitation.created",
        "invitation.resent",
        "invitation.revoked",
    ]
    assert {e.scope for e in entries} == {f"members.platform:{platform.pk}"}
    assert entries[-1].changes["email"] == [None, "hist@exemple.fr"]
    assert all(e.actor == bureau for e in entries)


# A platform's person is invited for their platform (issue 14) -------------------------------


def test_a_director_is_invited_for_a_platform_or_refused(
    client, bureau, django_capture_on_commit_callbacks
):
    response = _invite(client, bureau, django_capture_on_commit_callbacks, platform="")
    assert response.status_code == 400
    assert "Choisissez la plateforme" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_only_a_platforms_person_gets_a_platform(
    client, bureau, platform, django_capture_on_commit_callbacks
):
    response = _invite(
        client, bureau, django_capture_on_commit_callbacks, role=Role.BUREAU, platform=platform.pk
    )
    assert response.status_code == 400
    assert "Seule une personne de plateforme" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_unknown_platform_is_an_error_next_to_the_field(
    client, bureau, django_capture_on_commit_callbacks
):
    for value in ("999999", "9" * 30, "abc"):
        response = _invite(client, bureau, django_capture_on_commit_callbacks, platform=value)
        assert response.status_code == 400
        assert response.context["form"].errors["platform"]


def test_accepting_attaches_the_platform_with_its_role(
    client, bureau, platform, django_capture_on_commit_callbacks
):
    from members.models import PlatformMembership

    response = _invite(
        client,
        bureau,
        django_capture_on_commit_callbacks,
        platform=platform.pk,
        platform_role="accounting",
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.platform, invitation.platform_role) == (platform, "accounting")
    listing = client.get(reverse("invitation_list")).content.decode()
    assert platform.get_absolute_url() in listing
    path = _link_path(mail.outbox[0])
    client.logout()
    assert _accept(client, path).status_code == 302
    user = User.objects.get(email="nouvelle@exemple.fr")
    membership = PlatformMembership.objects.get(user=user)
    assert (membership.platform, membership.role) == (platform, "accounting")
    home = client.get("/").content.decode()
    assert "Tenez à jour votre plateforme" in home
    assert platform.name in home


def test_a_ministry_invitation_attaches_no_platform(
    client, bureau, django_capture_on_commit_callbacks
):
    from members.models import PlatformMembership

    _invite(client, bureau, django_capture_on_commit_callbacks, role=Role.MINISTRY)
    invitation = Invitation.objects.get()
    assert (invitation.platform, invitation.platform_role) == (None, "")
    client.logout()
    _accept(client, _link_path(mail.outbox[0]))
    assert not PlatformMembership.objects.exists()


# The platform is a searchable picker: never every platform on the page ----------------------


def test_the_invitation_page_lists_no_platform(client, bureau, django_assert_max_num_queries):
    from tests.members.factories import PlatformFactory

    client.force_login(bureau)
    client.get(reverse("invitation_list"))
    for n in range(30):
        PlatformFactory(name=f"Plateforme de la liste {n}")
    with django_assert_max_num_queries(8):
        content = client.get(reverse("invitation_list")).content.decode()
    assert "Plateforme de la liste" not in content
    assert 'list="id_platform_list"' in content and '<datalist id="id_platform_list">' in content
    assert f'data-hx-get="{reverse("platform_picker")}"' in content


def test_a_platform_typed_by_name_without_javascript_is_the_invitations(
    client, bureau, django_capture_on_commit_callbacks
):
    from tests.members.factories import PlatformFactory

    target = PlatformFactory(name="Céramique Limoges", acronym="CERAM")
    PlatformFactory(name="Céramique Vierzon", acronym="CERV")
    response = _invite(client, bureau, django_capture_on_commit_callbacks, platform="limoges")
    assert response.status_code == 302
    assert Invitation.objects.get().platform == target


def test_an_ambiguous_platform_keeps_the_text_and_says_why(
    client, bureau, django_capture_on_commit_callbacks
):
    from tests.members.factories import PlatformFactory

    PlatformFactory(name="Céramique Limoges")
    PlatformFactory(name="Céramique Vierzon")
    response = _invite(client, bureau, django_capture_on_commit_callbacks, platform="ceramique")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Plusieurs éléments correspondent" in content and 'value="ceramique"' in content
    assert not Invitation.objects.exists()
