"""Response services: drafts (never losing valid input, refused on a stale version),
submission with conditions and bounds, reopening, last year's answers."""

import datetime

import pytest
from freezegun import freeze_time

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignKind, CampaignStatus, ResponseStatus
from surveys.models import Answer, Response

from .factories import (
    CampaignFactory,
    QuestionFactory,
    RespondentFactory,
    ResponseFactory,
    SectionFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    campaign = CampaignFactory()
    section = SectionFactory(campaign=campaign)
    innove = choice_question(section, "innove", order=1, required=True)
    QuestionFactory(
        section=section,
        code="brevets",
        order=2,
        required=True,
        min_value=0,
        max_value=50,
        show_if_question=innove,
        show_if_choice_code="oui",
    )
    QuestionFactory(section=section, code="etudiants", order=3, max_value=1000)
    QuestionFactory(section=section, code="commentaire", order=4, type="long_text")
    return campaign


@pytest.fixture
def response(campaign):
    return ResponseFactory(campaign=campaign)


def values(response):
    return {
        answer.question.code: answer.value
        for answer in Answer.objects.filter(response=response).select_related("question")
    }


def save(response, actor, expected_version=None, **answers):
    version = response.version if expected_version is None else expected_version
    return services.response_save_draft(
        response=response, answers=answers, expected_version=version, actor=actor
    )


class TestStart:
    def test_a_platform_response_is_created_once(self, campaign, director):
        platform = ResponseFactory.build().platform
        platform.save()
        first = services.response_start(campaign=campaign, platform=platform, actor=director)
        again = services.response_start(campaign=campaign, platform=platform, actor=director)
        assert first == again
        assert first.status == ResponseStatus.NOT_STARTED

    def test_an_external_questionnaire_takes_respondents_only(self, response, director):
        respondent = RespondentFactory()
        started = services.response_start(campaign=respondent.campaign, respondent=respondent)
        assert started.respondent == respondent
        with pytest.raises(ServiceError, match="genre de réponse"):
            services.response_start(campaign=respondent.campaign, platform=response.platform)
        with pytest.raises(ServiceError, match="genre de réponse"):
            services.response_start(campaign=response.campaign, respondent=respondent)

    def test_a_respondent_answers_only_their_campaign(self):
        respondent = RespondentFactory()
        other = CampaignFactory(kind=CampaignKind.EXTERNAL)
        with pytest.raises(ServiceError, match="pas invité"):
            services.response_start(campaign=other, respondent=respondent)

    def test_a_campaign_not_open_takes_no_new_response(self, response):
        campaign = CampaignFactory(status=CampaignStatus.DRAFT)
        with pytest.raises(ServiceError, match="n'accepte pas"):
            services.response_start(campaign=campaign, platform=response.platform)

    def test_a_response_has_exactly_one_owner(self, campaign):
        with pytest.raises(ServiceError, match="plateforme ou d'un répondant"):
            services.response_start(campaign=campaign)


class TestDraft:
    def test_valid_answers_are_saved_and_the_version_grows(self, response, director):
        errors = save(response, director, innove="oui", brevets="3", commentaire="Bien")
        assert errors == {}
        assert values(response) == {"innove": "oui", "brevets": 3, "commentaire": "Bien"}
        response.refresh_from_db()
        assert (response.status, response.version) == (ResponseStatus.DRAFT, 1)

    def test_an_invalid_answer_does_not_lose_the_valid_ones(self, response, director):
        errors = save(response, director, innove="oui", brevets="soixante", etudiants="2000")
        assert set(errors) == {"brevets", "etudiants"}
        assert "au plus 1" in errors["etudiants"]
        assert values(response) == {"innove": "oui"}

    def test_an_unknown_code_is_reported(self, response, director):
        assert "inconnue" in save(response, director, couleur="bleu")["couleur"]

    def test_the_history_keeps_old_and_new_values(self, response, director):
        save(response, director, etudiants="10")
        save(response, director, etudiants="12")
        entry = AuditEntry.objects.filter(action="surveys.response_saved").order_by("pk").last()
        assert entry.changes == {"etudiants": [10, 12]}
        assert entry.actor == director

    def test_an_anonymous_campaign_history_keeps_no_values(self, response, director):
        response.campaign.anonymous = True
        response.campaign.save()
        save(response, director, etudiants="10")
        entry = AuditEntry.objects.get(action="surveys.response_saved")
        assert entry.changes == {"etudiants": ["", ""]}

    def test_an_emptied_answer_is_removed(self, response, director):
        save(response, director, etudiants="10")
        save(response, director, etudiants="")
        assert values(response) == {}

    def test_nothing_changed_writes_nothing(self, response, director):
        save(response, director, etudiants="10")
        save(response, director, etudiants="10", commentaire="")
        response.refresh_from_db()
        assert response.version == 1
        assert AuditEntry.objects.filter(action="surveys.response_saved").count() == 1

    def test_a_save_on_a_stale_version_is_refused_and_saves_nothing(self, response, director):
        first = Response.objects.get(pk=response.pk)
        second = Response.objects.get(pk=response.pk)
        save(first, director, expected_version=0, etudiants="10")
        with pytest.raises(ServiceError, match="Quelqu'un d'autre a modifié"):
            save(second, director, expected_version=0, etudiants="99", commentaire="Écrasé")
        assert values(response) == {"etudiants": 10}

    def test_a_closed_campaign_takes_no_answer(self, response, director):
        response.campaign.status = CampaignStatus.CLOSED
        response.campaign.save()
        with pytest.raises(ServiceError, match="n'accepte plus"):
            save(response, director, etudiants="10")

    def test_no_answer_after_the_closing_date(self, response, director):
        after = response.campaign.closes_on + datetime.timedelta(days=1)
        with freeze_time(after), pytest.raises(ServiceError, match="n'accepte plus"):
            save(response, director, etudiants="10")

    def test_a_submitted_response_keeps_its_required_answers(self, response, director):
        save(response, director, innove="non", etudiants="10")
        services.response_submit(response=response, actor=director)
        errors = save(response, director, innove="", etudiants="12")
        assert "obligatoire" in errors["innove"]
        assert values(response) == {"innove": "non", "etudiants": 12}
        response.refresh_from_db()
        assert response.status == ResponseStatus.SUBMITTED

    def test_a_respondent_starts_by_saving(self, director):
        respondent = RespondentFactory()
        QuestionFactory(section__campaign=respondent.campaign, code="salaries")
        response = services.response_start(campaign=respondent.campaign, respondent=respondent)
        save(response, None, salaries="12")
        respondent.refresh_from_db()
        assert respondent.status == "started"

    def test_a_draft_takes_a_constant_number_of_queries(
        self, response, director, django_assert_max_num_queries
    ):
        save(response, director, etudiants="1")
        with django_assert_max_num_queries(14):
            save(response, director, innove="oui", brevets="2", etudiants="3", commentaire="x")


class TestSubmit:
    def test_a_complete_response_is_submitted(self, response, director):
        save(response, director, innove="oui", brevets="3")
        services.response_submit(response=response, actor=director)
        response.refresh_from_db()
        assert response.status == ResponseStatus.SUBMITTED
        assert (response.submitted_by, response.version) == (director, 2)
        assert response.submitted_at is not None
        assert AuditEntry.objects.filter(action="surveys.response_submitted").count() == 1

    def test_a_missing_required_answer_is_refused_on_its_question(self, response, director):
        with pytest.raises(ServiceError, match="obligatoire") as error:
            services.response_submit(response=response, actor=director)
        assert error.value.field == "innove"
        assert services.response_check(response) == {"innove": "Cette réponse est obligatoire."}

    def test_a_question_shown_by_its_condition_is_required(self, response, director):
        save(response, director, innove="oui")
        with pytest.raises(ServiceError) as error:
            services.response_submit(response=response, actor=director)
        assert error.value.field == "brevets"

    def test_a_question_hidden_by_its_condition_is_not_required(self, response, director):
        save(response, director, innove="non")
        services.response_submit(response=response, actor=director)
        assert Response.objects.get(pk=response.pk).status == ResponseStatus.SUBMITTED

    def test_answers_hidden_by_their_condition_are_dropped_on_submission(self, response, director):
        save(response, director, innove="oui", brevets="3")
        save(response, director, innove="non")
        services.response_submit(response=response, actor=director)
        assert values(response) == {"innove": "non"}
        entry = AuditEntry.objects.get(action="surveys.response_submitted")
        assert entry.changes == {"brevets": [3, None]}

    def test_answers_outside_bounds_changed_since_are_refused(self, response, director):
        save(response, director, innove="non", etudiants="900")
        QuestionFactory._meta.model.objects.filter(code="etudiants").update(max_value=500)
        with pytest.raises(ServiceError, match="au plus 500") as error:
            services.response_submit(response=response, actor=director)
        assert error.value.field == "etudiants"

    def test_a_platform_submits_again_until_the_closing_date(self, response, director, bureau):
        save(response, director, innove="non")
        services.response_submit(response=response, actor=director)
        save(response, director, etudiants="5")
        services.response_submit(response=response, actor=bureau)
        response.refresh_from_db()
        assert response.submitted_by == bureau
        entries = AuditEntry.objects.filter(action="surveys.response_submitted").order_by("pk")
        assert [entry.message for entry in entries] == [
            "Réponse envoyée",
            "Réponse envoyée à nouveau",
        ]

    def test_a_stale_submission_is_refused(self, response, director):
        save(response, director, innove="non")
        with pytest.raises(ServiceError, match="Quelqu'un d'autre"):
            services.response_submit(response=response, expected_version=0, actor=director)

    def test_a_respondent_submits_once(self):
        respondent = RespondentFactory()
        QuestionFactory(section__campaign=respondent.campaign, code="salaries")
        response = services.response_start(campaign=respondent.campaign, respondent=respondent)
        save(response, None, salaries="3")
        services.response_submit(response=response, actor=None)
        respondent.refresh_from_db()
        assert respondent.status == "completed"
        with pytest.raises(ServiceError, match="déjà été reçue"):
            services.response_submit(response=response, actor=None)
        with pytest.raises(ServiceError, match="déjà été reçue"):
            save(response, None, salaries="4")


class TestReopen:
    def test_the_bureau_reopens_a_submitted_response(self, response, director, bureau):
        save(response, director, innove="non")
        services.response_submit(response=response, actor=director)
        services.response_reopen(response=response, actor=bureau)
        response.refresh_from_db()
        assert response.status == ResponseStatus.DRAFT
        assert AuditEntry.objects.get(action="surveys.response_reopened").actor == bureau

    def test_only_a_submitted_response_is_reopened(self, response, bureau):
        with pytest.raises(ServiceError, match="Seule une réponse envoyée"):
            services.response_reopen(response=response, actor=bureau)

    def test_a_published_campaign_response_is_not_reopened(self, response, director, bureau):
        save(response, director, innove="non")
        services.response_submit(response=response, actor=director)
        response.campaign.status = CampaignStatus.PUBLISHED
        response.campaign.save()
        with pytest.raises(ServiceError, match="publiés"):
            services.response_reopen(response=response, actor=bureau)


class TestLastYear:
    @pytest.fixture
    def this_year(self, campaign, response, director, bureau):
        campaign.status = CampaignStatus.CLOSED
        campaign.save()
        Answer.objects.bulk_create(
            [
                answer(response, "innove", value_text="oui"),
                answer(response, "brevets", value_number=4),
                answer(response, "etudiants", value_number=800),
                answer(response, "commentaire", value_text="L'an dernier"),
            ]
        )
        copy = services.campaign_copy(campaign=campaign, year=campaign.year + 1, actor=bureau)
        copy.questions.filter(code="etudiants").update(max_value=500)
        copy.questions.filter(code="commentaire").update(type="short_text")
        copy.status = CampaignStatus.OPEN
        copy.closes_on = datetime.date.today() + datetime.timedelta(days=5)
        copy.opens_on = datetime.date.today() - datetime.timedelta(days=5)
        copy.save()
        return ResponseFactory(campaign=copy, platform=response.platform)

    def test_last_year_answers_fill_the_unanswered_questions(self, this_year, director):
        save(this_year, director, innove="non")
        copied = services.response_take_over_last_year(response=this_year, actor=director)
        # innove was answered; etudiants breaks this year's maximum; commentaire changed type.
        assert copied == 1
        assert values(this_year) == {"innove": "non", "brevets": 4}
        assert AuditEntry.objects.filter(action="surveys.response_taken_over").count() == 1

    def test_without_last_year_response_nothing_is_taken_over(self, response, director):
        with pytest.raises(ServiceError, match="Aucune réponse de l'an dernier"):
            services.response_take_over_last_year(response=response, actor=director)


def answer(response, code, **stored):
    return Answer(response=response, question=response.campaign.questions.get(code=code), **stored)


def test_a_question_under_a_hidden_question_is_hidden(campaign):
    innove = campaign.questions.get(code="innove")
    exporte = choice_question(
        innove.section, "exporte", order=5, show_if_question=innove, show_if_choice_code="oui"
    )
    deeper = QuestionFactory(
        section=innove.section, code="pays", show_if_question=exporte, show_if_choice_code="oui"
    )
    assert deeper.is_visible({"innove": "oui", "exporte": "oui"})
    assert not deeper.is_visible({"innove": "non", "exporte": "oui"})
    assert not deeper.is_visible({"innove": "oui", "exporte": "non"})
    assert deeper.is_visible({"innove": ["non", "oui"], "exporte": ["oui"]})
