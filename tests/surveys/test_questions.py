"""Questionnaire services: sections, questions, their order, choices and conditions;
what is fixed once a campaign has a response."""

from decimal import Decimal

import pytest

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignStatus
from surveys.models import Question

from .factories import (
    CampaignFactory,
    ChoiceFactory,
    ResponseFactory,
    SectionFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db
TABLE = {"rows": [{"code": "tpe", "label": "TPE"}], "columns": [{"code": "a", "label": "A"}]}


def create(section, bureau, **kwargs):
    values = {"code": "etudiants", "label": "Étudiants accueillis", "type": "integer"}
    return services.question_create(section=section, **{**values, **kwargs}, actor=bureau)


@pytest.fixture
def section():
    return SectionFactory(campaign__status=CampaignStatus.DRAFT)


def test_sections_are_added_at_the_end(bureau):
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    first = services.section_create(campaign=campaign, title="Jeunes", actor=bureau)
    second = services.section_create(campaign=campaign, title="Entreprises", actor=bureau)
    assert (first.order, second.order) == (1, 2)
    assert AuditEntry.objects.filter(scope=f"surveys.campaign:{campaign.pk}").count() == 2


def test_a_section_needs_a_title(bureau):
    with pytest.raises(ServiceError) as error:
        services.section_create(campaign=CampaignFactory(), title=" ", actor=bureau)
    assert error.value.field == "title"


def test_questions_are_added_at_the_end_of_their_section(section, bureau):
    first = create(section, bureau)
    second = create(section, bureau, code="apprentis", label="Apprentis")
    assert (first.order, second.order) == (1, 2)
    assert first.campaign == section.campaign
    assert AuditEntry.objects.filter(action="surveys.question_created").count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "deux mots"}, "code"),
        ({"code": "é"}, "code"),
        ({"code": ""}, "code"),
        ({"label": " "}, "label"),
        ({"type": "couleur"}, "type"),
        ({"min_value": 10, "max_value": 5}, "max_value"),
        ({"type": "short_text", "min_value": 1}, "min_value"),
        ({"type": "number_table"}, "rows"),
        ({"type": "number_table", "rows": TABLE["rows"], "columns": [{"label": "A"}]}, "columns"),
        (
            {"type": "number_table", "rows": TABLE["rows"] * 2, "columns": TABLE["columns"]},
            "rows",
        ),
        ({"rows": TABLE["rows"]}, "rows"),
        ({"show_if_choice_code": "oui"}, "show_if_question"),
        ({"min_value": "beaucoup"}, "min_value"),
        ({"max_value": "1e9"}, "max_value"),
    ],
)
def test_a_question_with_bad_values_is_refused(section, bureau, values, field):
    with pytest.raises(ServiceError) as error:
        create(section, bureau, **values)
    assert error.value.field == field
    assert not Question.objects.exists()


def test_a_code_is_unique_in_the_campaign(section, bureau):
    create(section, bureau)
    other = SectionFactory(campaign=section.campaign)
    with pytest.raises(ServiceError, match="déjà utilisé") as error:
        create(other, bureau)
    assert error.value.field == "code"


def test_a_number_table_has_rows_and_columns(section, bureau):
    question = create(section, bureau, type="number_table", **TABLE)
    assert question.rows == TABLE["rows"]


def test_a_condition_on_an_earlier_choice(section, bureau):
    innove = choice_question(section, "innove", order=1)
    question = create(section, bureau, show_if_question=innove, show_if_choice_code="oui")
    assert question.show_if_question == innove


@pytest.mark.parametrize(
    ("parent_kwargs", "choice", "field"),
    [
        ({"type": "integer"}, "oui", "show_if_question"),
        ({}, "peut-etre", "show_if_choice_code"),
    ],
)
def test_a_condition_names_a_choice_question_and_one_of_its_choices(
    section, bureau, parent_kwargs, choice, field
):
    parent = choice_question(section, "innove", **parent_kwargs)
    with pytest.raises(ServiceError) as error:
        create(section, bureau, show_if_question=parent, show_if_choice_code=choice)
    assert error.value.field == field


def test_a_condition_on_another_campaign_or_a_later_question_is_refused(section, bureau):
    elsewhere = choice_question(SectionFactory(), "innove")
    with pytest.raises(ServiceError, match="question à choix de la campagne"):
        create(section, bureau, show_if_question=elsewhere, show_if_choice_code="oui")
    question = create(section, bureau)
    later = choice_question(section, "exporte", order=5)
    with pytest.raises(ServiceError, match="posée avant"):
        services.question_update(
            question=question, show_if_question=later, show_if_choice_code="oui", actor=bureau
        )


def test_a_question_update_logs_what_changed(section, bureau):
    question = create(section, bureau)
    services.question_update(question=question, label="Étudiants", max_value=500, actor=bureau)
    question.refresh_from_db()
    assert (question.label, question.max_value) == ("Étudiants", 500)
    entry = AuditEntry.objects.get(action="surveys.question_updated")
    assert entry.changes["label"] == ["Étudiants accueillis", "Étudiants"]


def test_a_question_update_refuses_fields_it_does_not_own(section, bureau):
    with pytest.raises(ServiceError, match="non modifiable"):
        services.question_update(question=create(section, bureau), code="autre", actor=bureau)


def test_a_choice_question_keeps_its_type_while_it_has_choices(section, bureau):
    question = choice_question(section, "innove")
    with pytest.raises(ServiceError, match="Retirez d'abord les choix"):
        services.question_update(question=question, type="integer", actor=bureau)


class TestOnceACampaignHasAResponse:
    @pytest.fixture
    def question(self, section):
        question = choice_question(section, "innove")
        ResponseFactory(campaign=section.campaign)
        return question

    def test_wording_and_help_still_change(self, question, bureau):
        services.question_update(
            question=question, label="Innovez-vous ?", help_text="Produit ou procédé", actor=bureau
        )
        question.refresh_from_db()
        assert question.label == "Innovez-vous ?"

    def test_the_type_no_longer_changes(self, question, bureau):
        with pytest.raises(ServiceError, match="type de la question") as error:
            services.question_update(question=question, type="multiple_choice", actor=bureau)
        assert error.value.field == "type"

    def test_no_choice_is_added(self, question, bureau):
        with pytest.raises(ServiceError, match="choix ne changent plus"):
            services.choice_create(question=question, code="parfois", label="Parfois", actor=bureau)

    def test_a_question_cannot_become_required(self, question, bureau):
        with pytest.raises(ServiceError, match="obligatoire"):
            services.question_update(question=question, required=True, actor=bureau)

    def test_a_new_question_may_only_be_optional(self, question, bureau):
        with pytest.raises(ServiceError, match="facultative"):
            create(question.section, bureau, required=True)
        assert create(question.section, bureau).required is False

    def test_no_question_is_deleted(self, question, bureau):
        with pytest.raises(ServiceError, match="aucune question n'est supprimée"):
            services.question_delete(question=question, actor=bureau)
        assert Question.objects.filter(pk=question.pk).exists()


def test_a_question_without_responses_is_deleted(section, bureau):
    question = create(section, bureau)
    services.question_delete(question=question, actor=bureau)
    assert not Question.objects.exists()
    assert AuditEntry.objects.filter(action="surveys.question_deleted").exists()


def test_a_question_others_depend_on_is_not_deleted(section, bureau):
    parent = choice_question(section, "innove", order=1)
    create(section, bureau, show_if_question=parent, show_if_choice_code="oui")
    with pytest.raises(ServiceError, match="dépendent"):
        services.question_delete(question=parent, actor=bureau)


def test_a_published_campaign_questionnaire_no_longer_changes(bureau):
    section = SectionFactory(campaign__status=CampaignStatus.PUBLISHED)
    with pytest.raises(ServiceError, match="publiés"):
        create(section, bureau)


def test_moving_a_question_renumbers_its_section(section, bureau):
    a, b, c = (create(section, bureau, code=code, label=code) for code in ("a", "b", "c"))
    services.question_move(question=c, position=1, actor=bureau)
    assert list(section.questions.values_list("code", flat=True)) == ["c", "a", "b"]
    assert list(section.questions.values_list("order", flat=True)) == [1, 2, 3]
    entry = AuditEntry.objects.get(action="surveys.question_moved")
    assert entry.changes == {"order": [3, 1]}


def test_moving_a_question_beyond_the_end_puts_it_last(section, bureau):
    a, b = (create(section, bureau, code=code, label=code) for code in ("a", "b"))
    services.question_move(question=a, position=99, actor=bureau)
    assert list(section.questions.values_list("code", flat=True)) == ["b", "a"]


def test_choices_are_added_in_order(section, bureau):
    question = create(section, bureau, type="single_choice")
    services.choice_create(question=question, code="oui", label="Oui", actor=bureau)
    services.choice_create(question=question, code="non", label="Non", actor=bureau)
    assert list(question.choices.values_list("code", "order")) == [("oui", 1), ("non", 2)]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"code": "oui"}, "existe déjà"),
        ({"code": "deux mots"}, "lettres"),
        ({"label": " "}, "libellé"),
    ],
)
def test_a_bad_choice_is_refused(section, bureau, values, message):
    question = ChoiceFactory(code="oui", question__section=section).question
    with pytest.raises(ServiceError, match=message):
        services.choice_create(
            question=question, **{"code": "non", "label": "Non", **values}, actor=bureau
        )


def test_only_choice_questions_have_choices(section, bureau):
    with pytest.raises(ServiceError, match="questions à choix"):
        services.choice_create(question=create(section, bureau), code="a", label="A", actor=bureau)


def test_bounds_are_read_as_numbers(section, bureau):
    question = create(section, bureau, min_value="0", max_value="12,5")
    question.refresh_from_db()
    assert (question.min_value, question.max_value) == (0, Decimal("12.5"))


def test_the_same_bound_written_otherwise_is_no_change(section, bureau):
    question = create(section, bureau, max_value=10)
    services.question_update(question=question, max_value="10,00", actor=bureau)
    assert not AuditEntry.objects.filter(action="surveys.question_updated").exists()
