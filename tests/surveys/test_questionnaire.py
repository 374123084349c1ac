"""The questionnaire renderer: values as typed and as read, and a POST read back."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from surveys.enums import QuestionType
from surveys.questionnaire import display_text, load_questionnaire, raw_text

from .factories import CampaignFactory, QuestionFactory, SectionFactory, choice_question

pytestmark = pytest.mark.django_db

TABLE = {
    "rows": [{"code": "tpe", "label": "TPE"}, {"code": "pme", "label": "PME"}],
    "columns": [{"code": "industrie", "label": "Industrie"}, {"code": "btp", "label": "BTP"}],
}


def test_a_number_table_reads_cell_by_cell_in_the_questions_order():
    question = QuestionFactory(type=QuestionType.NUMBER_TABLE, **TABLE)
    value = {"pme": {"btp": Decimal(2)}, "tpe": {"btp": Decimal(1), "industrie": Decimal("1500")}}
    assert display_text(question, value).split("\n") == [
        "TPE — Industrie : 1\xa0500",
        "TPE — BTP : 1",
        "PME — BTP : 2",
        "Total : 1\xa0503",
    ]
    assert display_text(question, value, brief=True) == "total 1\xa0503"


def test_numbers_are_typed_without_grouping_and_read_with_it():
    money = QuestionFactory(type=QuestionType.MONEY)
    assert raw_text(money, Decimal("12000.50")) == "12000,5"
    assert display_text(money, Decimal("12000.50")) == "12\xa0000,5 €"
    hours = QuestionFactory(type=QuestionType.DECIMAL, unit="heures")
    assert display_text(hours, Decimal("7.0000")) == "7 heures"


def test_a_post_is_read_for_the_questions_it_showed_only():
    campaign = CampaignFactory()
    section = SectionFactory(campaign=campaign)
    QuestionFactory(section=section, code="etudiants")
    choice_question(
        section, "partenariats", codes=("region", "cci"), type=QuestionType.MULTIPLE_CHOICE
    )
    QuestionFactory(section=section, code="tableau", type=QuestionType.NUMBER_TABLE, **TABLE)
    QuestionFactory(section=section, code="absente")
    data = QueryDict(mutable=True)
    data.setlist("shown", ["etudiants", "partenariats", "tableau"])
    data["q-etudiants"] = "12"
    data["q-tableau-tpe-btp"] = "3"
    data["q-absente"] = "9"  # not shown: ignored
    answers = load_questionnaire(campaign).parse(data)
    assert answers == {
        "etudiants": "12",
        "partenariats": [],  # shown, nothing ticked: no answer
        "tableau": {"tpe": {"industrie": "", "btp": "3"}, "pme": {"industrie": "", "btp": ""}},
    }


def test_loading_a_questionnaire_takes_three_queries(django_assert_num_queries):
    campaign = CampaignFactory()
    for n in range(3):
        section = SectionFactory(campaign=campaign)
        parent = choice_question(section, f"choix{n}")
        QuestionFactory(section=section, show_if_question=parent, show_if_choice_code="oui")
    with django_assert_num_queries(3):
        questionnaire = load_questionnaire(campaign)
        sections = questionnaire.sections(values={})
    assert sum(len(view.fields) for view in sections) == 6
    assert [field.visible for field in sections[0].fields] == [True, False]
