"""The bureau's respondents page: who sees it, what it counts (in SQL), its filters,
its query count, and that a GET writes nothing."""

import pytest
from django.urls import reverse

from innovalo.models import AuditEntry
from surveys.enums import CampaignKind, InvitationState, RespondentStatus
from surveys.models import Respondent
from tests.conftest import ROLES

from .factories import CampaignFactory
from .respondent_factories import external_campaign, respondent

pytestmark = pytest.mark.django_db

STATUS = {"anonymous": 302, "director": 403, "other_director": 403, "bureau": 200, "ministry": 403}


@pytest.fixture
def campaign():
    campaign = external_campaign()
    sent = {"invitation": InvitationState.SENT}
    respondent(campaign, email="nouveau@pme.fr")
    respondent(campaign, email="invite@pme.fr", **sent)
    respondent(campaign, email="relance1@pme.fr", reminders_sent=1, **sent)
    respondent(campaign, email="relance2@pme.fr", reminders_sent=2, **sent)
    respondent(campaign, email="relance2b@pme.fr", reminders_sent=2, **sent)
    respondent(campaign, email="commence@pme.fr", status=RespondentStatus.STARTED, **sent)
    respondent(campaign, email="fini@pme.fr", status=RespondentStatus.COMPLETED, **sent)
    respondent(campaign, email="parti@pme.fr", status=RespondentStatus.OPTED_OUT)
    respondent(campaign, email="echec@pme.fr", status=RespondentStatus.BOUNCED)
    return campaign


def _url(campaign, **query):
    from urllib.parse import urlencode

    url = reverse("survey_respondents", args=[campaign.pk])
    return f"{url}?{urlencode(query)}" if query else url


@pytest.mark.parametrize("role", ROLES)
def test_the_respondents_page_per_role(client_for, role, campaign, platform, other_platform):
    response = client_for(role).get(_url(campaign))
    assert response.status_code == STATUS[role]
    if role == "anonymous":
        assert reverse("account_login") in response["Location"]
    if role == "bureau":
        assert "invite@pme.fr" in response.content.decode()


def test_a_platform_survey_has_no_respondents_page(client_for):
    other = CampaignFactory(kind=CampaignKind.PLATFORM_SURVEY)
    assert client_for("bureau").get(_url(other)).status_code == 404
    assert client_for("bureau").get(_url(other).replace(str(other.pk), "999999")).status_code == 404


def test_each_status_is_counted(client_for, campaign):
    content = client_for("bureau").get(_url(campaign)).content.decode()
    for label, count in [
        ("Tous", 9),
        ("Pas encore invité", 1),
        ("Invité", 1),
        ("Relancé", 3),
        ("Commencé", 1),
        ("Terminé", 1),
        ("Désinscrit", 1),
        ("Adresse en échec", 1),
    ]:
        assert f"{label} ({count})" in content, label
    assert "2 relancé(s) 2 fois" in content
    assert "1 relancé(s) 1 fois" in content


@pytest.mark.parametrize(
    ("status", "emails"),
    [
        ("not_invited", {"nouveau@pme.fr"}),
        ("invited", {"invite@pme.fr"}),
        ("reminded", {"relance1@pme.fr", "relance2@pme.fr", "relance2b@pme.fr"}),
        ("started", {"commence@pme.fr"}),
        ("completed", {"fini@pme.fr"}),
        ("opted_out", {"parti@pme.fr"}),
        ("bounced", {"echec@pme.fr"}),
    ],
)
def test_the_status_filter(client_for, campaign, status, emails):
    response = client_for("bureau").get(_url(campaign, status=status))
    shown = {row.email for row in response.context["page_obj"]}
    assert shown == emails


def test_a_search_by_email_or_organisation(client_for, campaign):
    Respondent.objects.filter(email="fini@pme.fr").update(organisation="Fonderie Picarde")
    response = client_for("bureau").get(_url(campaign, q="picarde"))
    assert [row.email for row in response.context["page_obj"]] == ["fini@pme.fr"]


def test_a_bad_filter_or_page_is_no_error(client_for, campaign):
    for query in ({"status": "explose"}, {"page": "9" * 30}, {"page": "-1"}, {"q": "x" * 500}):
        assert client_for("bureau").get(_url(campaign, **query)).status_code == 200


def test_the_list_is_paginated(client_for, campaign):
    for number in range(60):
        respondent(campaign, email=f"pme{number:03}@exemple.fr")
    response = client_for("bureau").get(_url(campaign))
    assert len(response.context["page_obj"].object_list) == 50
    assert 'rel="next"' in response.content.decode()


def test_the_query_count_does_not_grow_with_the_rows(
    client_for, campaign, django_assert_max_num_queries
):
    client = client_for("bureau")
    with django_assert_max_num_queries(8):
        client.get(_url(campaign))
    for number in range(30):
        respondent(campaign, email=f"plus{number}@exemple.fr", department_id=None)
    with django_assert_max_num_queries(8):
        client.get(_url(campaign))


def test_a_get_writes_nothing(client_for, campaign):
    def snapshot():
        rows = Respondent.objects.order_by("pk").values_list("status", "invitation", "token_hash")
        return list(rows), AuditEntry.objects.count()

    before = snapshot()
    client_for("bureau").get(_url(campaign))
    client_for("bureau").get(reverse("survey_respondent_import", args=[campaign.pk]))
    client_for("bureau").get(reverse("survey_invitations", args=[campaign.pk]))
    assert snapshot() == before


def test_an_anonymous_campaign_says_answers_are_never_shown(client_for, campaign):
    campaign.anonymous = True
    campaign.save()
    content = client_for("bureau").get(_url(campaign)).content.decode()
    assert "Campagne anonyme" in content


def test_the_page_offers_to_invite_those_not_invited_yet(client_for, campaign):
    content = client_for("bureau").get(_url(campaign)).content.decode()
    assert "Inviter 1 répondant" in content
    assert 'enctype="multipart/form-data"' in content
