"""Security findings of issue 8 about accounts, emails and requests (each with its test)."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse

from innovalo.emails import send_templated_email
from innovalo.enums import Role

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _fail_login(client, email, ip):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": "mauvais"},
        HTTP_X_FORWARDED_FOR=ip,
    )


def _login(client, email, ip):
    return client.post(
        reverse("account_login"), {"login": email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=ip
    )


# 1. Login rate limits behind the reverse proxy ------------------------------------------


def test_behind_the_proxy_one_client_failing_does_not_lock_out_the_others(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="victime@exemple.fr")
    for n in range(8):
        _fail_login(client, f"inconnu{n}@exemple.fr", "203.0.113.7")
    from django.test import Client

    other = Client()
    response = _login(other, "victime@exemple.fr", "198.51.100.20")
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_behind_the_proxy_the_failing_client_is_limited(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="victime@exemple.fr")
    for n in range(8):
        _fail_login(client, f"inconnu{n}@exemple.fr", "203.0.113.7")
    response = _login(client, "victime@exemple.fr", "203.0.113.7")
    assert not response.wsgi_request.user.is_authenticated


def test_the_per_account_limit_holds_whatever_the_address(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="cible@exemple.fr")
    for n in range(6):
        _fail_login(client, "cible@exemple.fr", f"203.0.113.{n + 1}")
    response = _login(client, "cible@exemple.fr", "198.51.100.20")
    assert not response.wsgi_request.user.is_authenticated


# 2. Addresses are managed by the bureau; invited addresses are verified -------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_self_service_address_page(client, director, method):
    client.force_login(director)
    response = getattr(client, method)(
        "/accounts/email/", {"email": "autre@exemple.fr", "action_add": "1"}
    )
    assert response.status_code == 404
    assert not EmailAddress.objects.filter(email="autre@exemple.fr").exists()


def test_every_account_has_its_address_verified_and_primary():
    user = UserFactory(email="nouveau@exemple.fr")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("nouveau@exemple.fr", True, True)
    user.email = "change@exemple.fr"
    user.save()
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("change@exemple.fr", True)
    ]


def test_an_invited_person_can_activate_a_second_factor(client, bureau):
    from innovalo import services

    invitation = services.invitation_create(
        email="mfa@exemple.fr", role=Role.DIRECTOR, invited_by=bureau
    )
    user = services.invitation_accept(
        token=invitation.token, password="Un-mot-de-passe-2026", first_name="A", last_name="B"
    )
    client.post(reverse("account_login"), {"login": user.email, "password": "Un-mot-de-passe-2026"})
    _activate_totp(client, "Un-mot-de-passe-2026")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_a_second_factor_after_a_password_reset(client):
    user = UserFactory(email="oubli@exemple.fr")
    client.post(reverse("account_reset_password"), {"email": "oubli@exemple.fr"})
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", mail.outbox[0].body)
    path = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    client.post(form_url, {"password1": "Nouveau-mdp-2026!", "password2": "Nouveau-mdp-2026!"})
    client.post(reverse("account_login"), {"login": user.email, "password": "Nouveau-mdp-2026!"})
    _activate_totp(client, "Nouveau-mdp-2026!")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _activate_totp(client, password):
    url = reverse("mfa_activate_totp")
    response = client.get(url)
    if response.status_code == 302:  # allauth asks for the password again first
        client.post(response["Location"], {"password": password})
        response = client.get(url)
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    import time

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(url, {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]


# 8. Password reset and plain-text emails -------------------------------------------------


def test_password_reset_of_an_unknown_address_sends_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_plain_text_emails_are_not_html_escaped(settings, tmp_path):
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "probe_subject.txt").write_text("Enquête d'impact {{ name }}")
    (tmp_path / "email" / "probe_body.txt").write_text("Bonjour {{ name }} & co <3")
    (tmp_path / "email" / "probe_body.html").write_text("<p>{{ name }}</p>")
    settings.TEMPLATES = [
        {**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES
    ]
    send_templated_email("probe", ["a@exemple.fr"], {"name": 'L\'Atelier "Bois"'})
    message = mail.outbox[0]
    assert message.subject.endswith("Enquête d'impact L'Atelier \"Bois\"")
    assert message.body == 'Bonjour L\'Atelier "Bois" & co <3'
    assert "L&#x27;Atelier" in message.alternatives[0][0]  # HTML stays escaped


def test_every_text_email_template_renders_without_escapes():
    """No text template of the portal escapes on its own (e.g. with |escape)."""
    from pathlib import Path

    from django.conf import settings

    for path in (Path(settings.BASE_DIR) / "templates" / "email").glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert "|escape" not in text and "force_escape" not in text, path.name
