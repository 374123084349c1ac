"""The rules that always hold are database constraints."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from surveys.enums import ResponseStatus
from surveys.models import Answer, Response

from .factories import (
    CampaignFactory,
    ChoiceFactory,
    QuestionFactory,
    RespondentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_a_campaign_closes_after_it_opens():
    day = datetime.date(2026, 4, 15)
    refused(lambda: CampaignFactory(opens_on=day, closes_on=day))


def test_a_question_code_is_unique_in_its_campaign():
    question = QuestionFactory(code="etudiants")
    refused(lambda: QuestionFactory(section=question.section, code="etudiants"))


def test_the_same_code_is_allowed_in_another_campaign():
    QuestionFactory(code="etudiants")
    assert QuestionFactory(code="etudiants").pk


def test_a_question_minimum_does_not_exceed_its_maximum():
    refused(lambda: QuestionFactory(min_value=10, max_value=5))


def test_a_condition_names_a_question_and_a_choice():
    parent = QuestionFactory(type="single_choice")
    refused(lambda: QuestionFactory(section=parent.section, show_if_question=parent))
    refused(lambda: QuestionFactory(section=parent.section, show_if_choice_code="oui"))


def test_a_choice_code_is_unique_per_question():
    choice = ChoiceFactory(code="oui")
    refused(lambda: ChoiceFactory(question=choice.question, code="oui"))


def test_a_response_belongs_to_a_platform_or_a_respondent_not_both():
    response = ResponseFactory()
    respondent = RespondentFactory(campaign=response.campaign)
    refused(lambda: Response.objects.create(campaign=response.campaign))
    refused(
        lambda: Response.objects.create(
            campaign=response.campaign, platform=response.platform, respondent=respondent
        )
    )


def test_one_response_per_platform_and_campaign():
    response = ResponseFactory()
    refused(lambda: ResponseFactory(campaign=response.campaign, platform=response.platform))


def test_one_response_per_respondent():
    respondent = RespondentFactory()
    Response.objects.create(campaign=respondent.campaign, respondent=respondent)
    refused(lambda: Response.objects.create(campaign=respondent.campaign, respondent=respondent))


def test_a_submitted_response_has_a_submission_date():
    refused(lambda: ResponseFactory(status=ResponseStatus.SUBMITTED))


def test_one_answer_per_question_and_response():
    response = ResponseFactory()
    question = QuestionFactory(section__campaign=response.campaign)
    Answer.objects.create(response=response, question=question, value_number=1)
    refused(lambda: Answer.objects.create(response=response, question=question, value_number=2))


def test_a_respondent_email_is_unique_in_a_campaign_whatever_its_case():
    respondent = RespondentFactory(email="contact@pme.fr")
    refused(lambda: RespondentFactory(campaign=respondent.campaign, email="Contact@PME.fr"))
