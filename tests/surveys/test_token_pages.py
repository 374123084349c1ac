"""The token link /q/<token>/ (anonymous): the questionnaire, drafts, one submission,
the "received" page; clear 404 pages; the one-click opt-out."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignStatus, RespondentStatus, ResponseStatus
from surveys.models import Answer, Respondent, Response
from surveys.services import invitations

from .respondent_factories import external_campaign, respondent

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return external_campaign()


@pytest.fixture
def person(campaign):
    return respondent(campaign, organisation="Fonderie Picarde")


def _url(token, name="survey_questionnaire"):
    return reverse(name, args=[token])


def _answers(**values):
    data = {"shown": ["salaries", "innove"], "version": "0"}
    data.update({f"q-{code}": value for code, value in values.items()})
    return data


def _counts():
    return (
        Response.objects.count(),
        Answer.objects.count(),
        AuditEntry.objects.count(),
        list(Respondent.objects.order_by("pk").values_list("status", "invitation")),
    )


# The questionnaire ------------------------------------------------------------------


def test_the_questionnaire_opens_without_an_account_and_a_get_writes_nothing(client, person):
    _respondent, token = person
    before = _counts()
    response = client.get(_url(token))
    assert response.status_code == 200
    content = response.content.decode()
    assert "InnovENT-E" in content
    assert 'name="q-salaries"' in content
    assert "Fonderie Picarde" in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert _counts() == before


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_the_link_works_the_same_for_a_logged_in_visitor(client_for, role, person):
    _respondent, token = person
    assert client_for(role).get(_url(token)).status_code == 200


def test_an_anonymous_campaign_never_names_the_respondent(client, campaign):
    campaign.anonymous = True
    campaign.save()
    _respondent, token = respondent(campaign, organisation="Fonderie Picarde")
    content = client.get(_url(token)).content.decode()
    assert "Fonderie Picarde" not in content
    assert "anonyme" in content


def test_the_page_has_few_queries(client, campaign, person, django_assert_max_num_queries):
    from .factories import QuestionFactory

    for number in range(5):  # more questions, the same queries
        QuestionFactory(section__campaign=campaign, code=f"extra{number}")
    _respondent, token = person
    with django_assert_max_num_queries(6):
        client.get(_url(token))


def test_a_draft_is_saved_and_shown_again(client, person):
    someone, token = person
    response = client.post(_url(token), _answers(salaries="12", innove="oui"))
    assert response.status_code == 302
    saved = Response.objects.get(respondent=someone)
    assert saved.status == ResponseStatus.DRAFT
    someone.refresh_from_db()
    assert someone.status == RespondentStatus.STARTED
    content = client.get(_url(token)).content.decode()
    assert 'value="12"' in content
    assert "Brouillon enregistré" in content


def test_an_invalid_answer_keeps_what_was_typed_and_saves_the_rest(client, person):
    someone, token = person
    response = client.post(_url(token), _answers(salaries="douze", innove="oui"))
    assert response.status_code == 400
    content = response.content.decode()
    assert 'value="douze"' in content
    assert "1 réponse est à compléter ou corriger" in content
    answers = Answer.objects.filter(response__respondent=someone)
    assert [a.question.code for a in answers] == ["innove"]


def test_a_stale_version_is_refused_and_keeps_what_was_typed(client, person):
    _someone, token = person
    client.post(_url(token), _answers(salaries="12"))
    response = client.post(_url(token), _answers(salaries="15"))  # version 0 again
    assert response.status_code == 400
    assert 'value="15"' in response.content.decode()
    assert Answer.objects.get().value == 12


def test_one_submission_then_the_link_says_it_was_received(client, person):
    someone, token = person
    data = _answers(salaries="12", innove="non")
    data["submit"] = "1"
    response = client.post(_url(token), data)
    assert response.status_code == 302
    saved = Response.objects.get(respondent=someone)
    assert saved.status == ResponseStatus.SUBMITTED
    assert saved.submitted_by is None
    someone.refresh_from_db()
    assert someone.status == RespondentStatus.COMPLETED
    page = client.get(_url(token))
    assert page.status_code == 200
    assert "bien été reçue" in page.content.decode()
    # A second submission (an old tab) changes nothing.
    data["q-salaries"] = "99"
    client.post(_url(token), data)
    assert Answer.objects.get(question__code="salaries").value == 12


def test_a_submission_missing_a_required_answer_is_refused_and_saved_as_draft(client, person):
    someone, token = person
    data = _answers(salaries="", innove="oui")
    data["submit"] = "1"
    response = client.post(_url(token), data)
    assert response.status_code == 400
    assert "pas encore envoyée" in response.content.decode()
    assert Response.objects.get(respondent=someone).status == ResponseStatus.DRAFT


def test_a_garbage_version_is_a_clear_refusal(client, person):
    _someone, token = person
    data = _answers(salaries="3")
    data["version"] = "abc"
    response = client.post(_url(token), data)
    assert response.status_code == 400
    assert "autre fenêtre" in response.content.decode()


# Clear pages instead of the questionnaire ---------------------------------------------


@pytest.mark.parametrize("token", ["inconnu", "x" * 300, "a" * 43])
def test_an_unknown_token_is_a_clear_404(client, person, token):
    response = client.get(_url(token))
    assert response.status_code == 404
    assert "ne mène à aucun questionnaire" in response.content.decode()
    assert client.get(_url(token, "survey_opt_out")).status_code == 404
    assert client.post(_url(token, "survey_opt_out")).status_code == 404


def test_a_revoked_link_is_a_clear_404(client, person):
    someone, token = person
    services.respondent_token_create(respondent=someone)
    assert client.get(_url(token)).status_code == 404


def test_an_opted_out_respondent_gets_a_clear_404(client, person):
    someone, token = person
    services.respondent_opt_out(respondent=someone)
    response = client.get(_url(token))
    assert response.status_code == 404
    assert "désinscrit" in response.content.decode()
    assert client.post(_url(token), _answers(salaries="1")).status_code == 404
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("status", "days", "text"),
    [
        (CampaignStatus.CLOSED, 0, "est clos"),
        (CampaignStatus.PUBLISHED, 0, "est clos"),
        (CampaignStatus.OPEN, -30, "est clos"),
        (CampaignStatus.DRAFT, 0, "pas encore ouvert"),
    ],
)
def test_a_campaign_not_taking_answers_is_a_clear_404(client, campaign, status, days, text):
    campaign.status = status
    if days:
        campaign.opens_on = timezone.localdate() + datetime.timedelta(days=days - 10)
        campaign.closes_on = timezone.localdate() + datetime.timedelta(days=days)
    campaign.save()
    _someone, token = respondent(campaign)
    response = client.get(_url(token))
    assert response.status_code == 404
    assert text in response.content.decode()
    assert client.post(_url(token), _answers(salaries="1")).status_code == 404
    assert not Response.objects.exists()


def test_a_received_answer_stays_received_after_the_closing(client, person, campaign):
    someone, token = person
    data = _answers(salaries="12", innove="non")
    data["submit"] = "1"
    client.post(_url(token), data)
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    assert "bien été reçue" in client.get(_url(token)).content.decode()


# Opting out ---------------------------------------------------------------------------


def test_the_opt_out_page_shows_one_button_and_a_get_writes_nothing(client, person):
    _someone, token = person
    before = _counts()
    response = client.get(_url(token, "survey_opt_out"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('type="submit"') == 1 + content.count("link-button")
    assert "Me désinscrire" in content
    assert _counts() == before


def test_the_button_opts_out_and_a_second_click_changes_nothing(client, person):
    someone, token = person
    response = client.post(_url(token, "survey_opt_out"))
    assert response.status_code == 200
    assert "Vous êtes désinscrit" in response.content.decode()
    someone.refresh_from_db()
    assert someone.status == RespondentStatus.OPTED_OUT
    client.post(_url(token, "survey_opt_out"))
    assert AuditEntry.objects.filter(action="surveys.respondent_opted_out").count() == 1
    assert "Vous êtes désinscrit" in client.get(_url(token, "survey_opt_out")).content.decode()


def test_the_one_click_post_of_a_mail_client_needs_no_csrf_token(person):
    someone, token = person
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        _url(token, "survey_opt_out"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    someone.refresh_from_db()
    assert someone.status == RespondentStatus.OPTED_OUT


def test_the_questionnaire_post_still_needs_its_csrf_token(person):
    _someone, token = person
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(_url(token), _answers(salaries="1")).status_code == 403


def test_an_opted_out_respondent_is_never_mailed_again(client, person, campaign, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    someone, token = person
    other, _token = respondent(campaign)
    client.post(_url(token, "survey_opt_out"))
    invitations.invitations_start(campaign=campaign, actor=None)
    invitations.invitations_send(campaign_id=campaign.pk)
    assert [message.to for message in mail.outbox] == [[other.email]]
    with pytest.raises(Exception, match="Aucun répondant"):
        invitations.invitations_start(campaign=campaign, actor=None)
    assert len(mail.outbox) == 1


def test_the_opt_out_link_of_the_email_opens_the_opt_out_page(client, person, settings):
    someone, token = person
    settings.SITE_URL = "https://portail.innovalo.fr"
    link = services.respondent_opt_out_link(someone)
    assert link == f"https://portail.innovalo.fr/q/{token}/desinscription/"
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200
    assert services.respondent_link(someone) == f"https://portail.innovalo.fr/q/{token}/"
