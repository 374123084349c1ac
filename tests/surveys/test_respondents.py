"""External respondents: token links (only a hash stored) and one-click opt-out."""

import pytest

from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import RespondentStatus
from surveys.models import Respondent
from surveys.models.responses import hash_token

from .factories import RespondentFactory

pytestmark = pytest.mark.django_db


def test_a_token_carries_at_least_128_bits_and_only_its_hash_is_stored():
    respondent = RespondentFactory()
    token = services.respondent_token_create(respondent=respondent)
    assert len(token) >= 22  # 128 bits in URL-safe base64
    stored = Respondent.objects.get(pk=respondent.pk).token_hash
    assert stored == hash_token(token) != token
    assert token not in stored


def test_a_token_finds_its_respondent():
    respondent = RespondentFactory()
    token = services.respondent_token_create(respondent=respondent)
    assert Respondent.find_by_token(token) == respondent


@pytest.mark.parametrize("token", ["", "inconnu", "x" * 5000])
def test_an_unknown_token_finds_nobody(token):
    services.respondent_token_create(respondent=RespondentFactory())
    assert Respondent.find_by_token(token) is None


def test_a_new_token_replaces_the_old_link():
    respondent = RespondentFactory()
    old = services.respondent_token_create(respondent=respondent)
    new = services.respondent_token_create(respondent=respondent)
    assert old != new
    assert Respondent.find_by_token(old) is None
    assert Respondent.find_by_token(new) == respondent


def test_an_opt_out_takes_one_click_and_a_second_changes_nothing():
    respondent = RespondentFactory()
    services.respondent_opt_out(respondent=respondent)
    first = Respondent.objects.get(pk=respondent.pk)
    assert first.status == RespondentStatus.OPTED_OUT
    services.respondent_opt_out(respondent=respondent)
    assert Respondent.objects.get(pk=respondent.pk).opted_out_at == first.opted_out_at
    assert AuditEntry.objects.filter(action="surveys.respondent_opted_out").count() == 1


# Derived links ---------------------------------------------------------------------


def test_every_email_carries_the_same_link_until_the_salt_changes():
    from surveys.services.respondents import respondent_link_token

    respondent = RespondentFactory()
    token = services.respondent_token_create(respondent=respondent)
    again = Respondent.objects.get(pk=respondent.pk)
    assert respondent_link_token(again) == respondent_link_token(again) == token
    services.respondent_token_create(respondent=again)
    assert respondent_link_token(again) != token
    assert Respondent.find_by_token(token) is None


def test_a_link_is_an_hmac_of_the_id_and_salt_under_the_site_key(settings):
    import base64
    import hashlib
    import hmac

    from surveys.services.respondents import derive_token

    respondent = RespondentFactory()
    token = services.respondent_token_create(respondent=respondent)
    message = f"surveys.respondent:{respondent.pk}:{respondent.token_salt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    assert token == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert token == derive_token(respondent.pk, respondent.token_salt)
    assert len(respondent.token_salt) == 32  # 128 random bits


def test_a_respondent_without_a_salt_gets_one_when_its_link_is_first_needed():
    from surveys.services.respondents import respondent_link_token

    respondent = RespondentFactory(token_salt="")
    token = respondent_link_token(respondent)
    assert Respondent.find_by_token(token) == respondent
    assert Respondent.objects.get(pk=respondent.pk).token_salt


def test_after_a_key_change_the_next_email_carries_a_working_link(settings):
    from surveys.services.respondents import respondent_link_token

    respondent = RespondentFactory()
    services.respondent_token_create(respondent=respondent)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    reloaded = Respondent.objects.get(pk=respondent.pk)
    token = respondent_link_token(reloaded)
    assert Respondent.find_by_token(token) == respondent


def test_absolute_links_use_the_site_url(settings):
    settings.SITE_URL = "https://portail.innovalo.fr"
    respondent = RespondentFactory()
    token = services.respondent_token_create(respondent=respondent)
    assert services.respondent_link(respondent) == f"https://portail.innovalo.fr/q/{token}/"
    assert services.respondent_opt_out_link(respondent).endswith(f"/q/{token}/desinscription/")
