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
