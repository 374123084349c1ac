import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_by_email_and_password(client):
    user = UserFactory(email="Jeanne.Martin@exemple.fr")
    response = client.post(
        reverse("account_login"), {"login": "jeanne.martin@exemple.fr", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == user


def test_login_with_wrong_password_shows_error_and_keeps_email(client):
    UserFactory(email="jeanne@exemple.fr")
    response = client.post(
        reverse("account_login"), {"login": "jeanne@exemple.fr", "password": "mauvais"}
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    content = response.content.decode()
    assert 'value="jeanne@exemple.fr"' in content
    assert "incorrect" in content


def test_login_page_is_french(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()
    assert "Se connecter" in response.content.decode()


def test_logout(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_no_open_signup(client):
    response = client.get("/accounts/signup/")
    assert "inscription" in response.content.decode().lower()
    assert response.status_code == 200
    response = client.post(
        "/accounts/signup/",
        {
            "email": "intrus@exemple.fr",
            "password1": "Xq9!zz-long-pw",
            "password2": "Xq9!zz-long-pw",
        },
    )
    from innovalo.models import User

    assert not User.objects.filter(email="intrus@exemple.fr").exists()


def test_password_reset_sends_an_email_with_a_working_link(client):
    user = UserFactory(email="oubli@exemple.fr")
    response = client.post(reverse("account_reset_password"), {"email": "oubli@exemple.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["oubli@exemple.fr"]
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    response = client.post(
        form_url, {"password1": "Nouveau-mdp-2026!", "password2": "Nouveau-mdp-2026!"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nouveau-mdp-2026!")


def test_password_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302
    # allauth sends an "unknown account" notice or nothing, never a link.
    assert all("/reset/key/" not in m.body for m in mail.outbox)


def test_failed_logins_are_rate_limited(client):
    UserFactory(email="cible@exemple.fr")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "cible@exemple.fr", "password": "non"})
    response = client.post(
        reverse("account_login"), {"login": "cible@exemple.fr", "password": PASSWORD}
    )
    assert not response.wsgi_request.user.is_authenticated
    assert response.status_code in (200, 429)


def test_password_change_requires_login(client):
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_totp_setup_page_for_any_user(client):
    client.post(reverse("account_login"), {"login": UserFactory().email, "password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:  # allauth asks for the password again first
        client.post(response["Location"], {"password": PASSWORD})
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "otpauth" in response.content.decode() or "secret" in response.content.decode().lower()
