"""The bureau's section and question forms: add, edit, move, delete. Every service
error comes back next to its field, with what was typed."""

import html

import pytest
from django.urls import reverse

from innovalo.models import AuditEntry
from surveys.enums import CampaignStatus
from surveys.models import Question, Section

from .editor_factories import draft_campaign
from .factories import QuestionFactory, ResponseFactory, SectionFactory, choice_question
from .test_editor_campaign_forms import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_client(client_for):
    return client_for("bureau")


@pytest.fixture
def campaign():
    return draft_campaign()


@pytest.fixture
def section(campaign):
    return SectionFactory(campaign=campaign, title="Entreprises", order=1)


def question_data(section, **changes):
    return {
        "section": str(section.pk) if section else "",
        "code": "pme-servies",
        "label": "PME servies",
        "help_text": "",
        "type": "integer",
        "unit": "",
        "min_value": "",
        "max_value": "",
        "condition": "",
        "choices": "",
        "rows": "",
        "columns": "",
        **changes,
    }


def text(response) -> str:
    return html.unescape(response.content.decode())


def create_url(campaign):
    return reverse("survey_question_create", args=[campaign.pk])


def edit_url(question):
    return reverse("survey_question_edit", args=[question.campaign_id, question.pk])


# Sections -------------------------------------------------------------------------------


def test_the_bureau_adds_and_edits_a_section(bureau_client, campaign):
    url = reverse("survey_section_create", args=[campaign.pk])
    response = bureau_client.post(url, {"title": "Jeunes", "description": "Étudiants"})
    section = Section.objects.get()
    assert response["Location"].endswith(f"#section-{section.pk}")
    edit = reverse("survey_section_edit", args=[campaign.pk, section.pk])
    assert 'value="Jeunes"' in bureau_client.get(edit).content.decode()
    bureau_client.post(edit, {"title": "Jeunesse", "description": ""})
    section.refresh_from_db()
    assert (section.title, section.description) == ("Jeunesse", "")


def test_a_section_without_title_is_refused_and_its_description_kept(bureau_client, campaign):
    url = reverse("survey_section_create", args=[campaign.pk])
    response = bureau_client.post(url, {"title": "  ", "description": "Gardée"})
    assert error_of(response, "title")
    assert "Gardée" in response.content.decode()
    assert not Section.objects.exists()


def test_sections_move_up_and_down(bureau_client, campaign):
    _a, b = (
        SectionFactory(campaign=campaign, title="a"),
        SectionFactory(campaign=campaign, title="b"),
    )
    bureau_client.post(
        reverse("survey_section_move", args=[campaign.pk, b.pk]), {"direction": "up"}
    )
    assert list(campaign.sections.order_by("order").values_list("title", flat=True)) == ["b", "a"]
    response = bureau_client.post(
        reverse("survey_section_move", args=[campaign.pk, b.pk]),
        {"direction": "sideways"},
        follow=True,
    )
    assert "Déplacement inconnu" in response.content.decode()


def test_a_section_move_that_breaks_a_condition_says_why(bureau_client, campaign, section):
    innove = choice_question(section, "innove")
    later = SectionFactory(campaign=campaign, title="Brevets", order=2)
    QuestionFactory(
        section=later, code="brevets", show_if_question=innove, show_if_choice_code="oui"
    )
    response = bureau_client.post(
        reverse("survey_section_move", args=[campaign.pk, later.pk]),
        {"direction": "up"},
        follow=True,
    )
    assert "« brevets » dépend de la réponse à « innove »" in response.content.decode()


# Adding questions -----------------------------------------------------------------------


def test_the_create_page_preselects_the_section_asked_for(bureau_client, campaign, section):
    other = SectionFactory(campaign=campaign, title="Jeunes", order=2)
    content = bureau_client.get(create_url(campaign), {"section": other.pk}).content.decode()
    assert f'<option value="{other.pk}" selected>' in content
    garbage = bureau_client.get(create_url(campaign), {"section": "9" * 30})
    assert garbage.status_code == 200


def test_without_a_section_the_create_page_asks_for_one(bureau_client, campaign):
    content = bureau_client.get(create_url(campaign)).content.decode()
    assert "ajoutez d&#x27;abord une section" in content or "ajoutez d'abord une section" in content
    assert reverse("survey_section_create", args=[campaign.pk]) in content


def test_the_bureau_adds_a_bounded_number(bureau_client, campaign, section):
    data = question_data(section, min_value="0", max_value="1 000,5", required="on")
    response = bureau_client.post(create_url(campaign), data)
    question = Question.objects.get()
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert (question.code, question.required, question.max_value) == ("pme-servies", True, 1000.5)


def test_the_bureau_adds_a_choice_question_with_its_choices(bureau_client, campaign, section):
    data = question_data(
        section, type="single_choice", choices="oui | Oui\r\n\r\nnon | Non, jamais"
    )
    bureau_client.post(create_url(campaign), data)
    question = Question.objects.get()
    assert list(question.choices.values_list("code", "label")) == [
        ("oui", "Oui"),
        ("non", "Non, jamais"),
    ]


def test_the_bureau_adds_a_number_table(bureau_client, campaign, section):
    data = question_data(
        section, type="number_table", rows="tpe | TPE\npme | PME", columns="industrie | Industrie"
    )
    bureau_client.post(create_url(campaign), data)
    question = Question.objects.get()
    assert question.rows == [{"code": "tpe", "label": "TPE"}, {"code": "pme", "label": "PME"}]
    assert question.columns == [{"code": "industrie", "label": "Industrie"}]


def test_the_bureau_adds_a_question_shown_for_one_answer(bureau_client, campaign, section):
    innove = choice_question(section, "innove", order=1)
    content = bureau_client.get(create_url(campaign)).content.decode()
    assert f'value="{innove.pk}:oui"' in content
    data = question_data(section, condition=f"{innove.pk}:oui")
    bureau_client.post(create_url(campaign), data)
    question = Question.objects.get(code="pme-servies")
    assert (question.show_if_question, question.show_if_choice_code) == (innove, "oui")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "deux mots"}, "code", "lettres, de chiffres"),
        ({"label": "  "}, "label", "Ce champ est obligatoire"),
        ({"type": "couleur"}, "type", "Sélectionnez un choix valide"),
        ({"min_value": "beaucoup"}, "min_value", "Indiquez un nombre"),
        ({"min_value": "10", "max_value": "5"}, "max_value", "ne peut dépasser"),
        ({"type": "short_text", "min_value": "1"}, "min_value", "Seules les questions chiffrées"),
        ({"type": "single_choice"}, "choices", "au moins un choix"),
        ({"type": "single_choice", "choices": "oui Oui"}, "choices", "Ligne 1 : écrivez"),
        ({"type": "single_choice", "choices": "deux mots | Oui"}, "choices", "Choix « deux mots »"),
        ({"type": "single_choice", "choices": "a | A\na | B"}, "choices", "Deux choix"),
        ({"choices": "oui | Oui"}, "choices", "Seules les questions à choix"),
        ({"type": "number_table", "rows": "tpe | TPE"}, "columns", "des lignes et des colonnes"),
        ({"rows": "tpe | TPE"}, "rows", "Seuls les tableaux"),
        ({"section": "9" * 30}, "section", "Sélectionnez un choix valide"),
        ({"condition": "1:oui"}, "condition", "Sélectionnez un choix valide"),
    ],
)
def test_bad_question_input_is_shown_next_to_its_field_and_kept(
    bureau_client, campaign, section, changes, field, message
):
    data = {**question_data(section, help_text="Aide gardée"), **changes}
    response = bureau_client.post(create_url(campaign), data)
    assert response.status_code == 200
    assert message in error_of(response, field).replace("&#x27;", "'")
    content = response.content.decode()
    assert "Aide gardée" in content
    for name in ("choices", "rows"):
        if name in changes:
            assert changes[name].split("\n")[0].replace("'", "&#x27;") in content
    assert not Question.objects.exists()


def test_a_used_code_is_refused_next_to_the_code(bureau_client, campaign, section):
    QuestionFactory(section=section, code="pme-servies")
    response = bureau_client.post(create_url(campaign), question_data(section, label="Autre"))
    assert "déjà utilisé" in error_of(response, "code")
    assert "Autre" in response.content.decode()


def test_a_condition_on_a_later_question_is_refused_next_to_the_condition(
    bureau_client, campaign, section
):
    later = SectionFactory(campaign=campaign, order=2)
    exporte = choice_question(later, "exporte")
    data = question_data(section, condition=f"{exporte.pk}:oui")
    response = bureau_client.post(create_url(campaign), data)
    assert "posée avant" in error_of(response, "condition").replace("&#x27;", "'")


def test_a_new_question_after_the_first_response_is_optional(bureau_client, campaign, section):
    ResponseFactory(campaign=campaign)
    response = bureau_client.post(create_url(campaign), question_data(section, required="on"))
    assert "facultative" in error_of(response, "required")
    bureau_client.post(create_url(campaign), question_data(section))
    assert Question.objects.get().required is False


# Editing questions ----------------------------------------------------------------------


def test_the_edit_page_shows_the_question_as_typed(bureau_client, section):
    question = choice_question(section, "innove", min_value=None)
    integer = QuestionFactory(section=section, code="heures", min_value=10, max_value=12.5)
    content = bureau_client.get(edit_url(question)).content.decode()
    assert "oui | Oui\nnon | Non" in content
    assert 'name="code"' in content and "disabled" in content.split('name="code"')[1][:200]
    integer_page = bureau_client.get(edit_url(integer)).content.decode()
    assert 'value="10"' in integer_page and 'value="12,5"' in integer_page


def test_the_bureau_edits_a_question_and_its_choices(bureau_client, section):
    question = choice_question(section, "innove")
    data = question_data(
        section,
        code="ignored",
        label="Innovez-vous ?",
        type="multiple_choice",
        choices="oui | Oui\nnon | Non\nnsp | Ne sait pas",
    )
    response = bureau_client.post(edit_url(question), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.code, question.label, question.type) == (
        "innove",
        "Innovez-vous ?",
        "multiple_choice",
    )
    assert question.choices.count() == 3


def test_a_question_moves_to_another_section_through_its_form(bureau_client, campaign, section):
    question = QuestionFactory(section=section, code="heures", label="Heures")
    other = SectionFactory(campaign=campaign, order=2)
    bureau_client.post(edit_url(question), question_data(other, label="Heures"))
    question.refresh_from_db()
    assert question.section == other


class TestOnceTheCampaignHasResponses:
    @pytest.fixture
    def question(self, section):
        question = choice_question(section, "innove")
        ResponseFactory(campaign=section.campaign)
        return question

    def test_type_and_choices_are_shown_disabled_with_why(self, bureau_client, question):
        content = bureau_client.get(edit_url(question)).content.decode()
        assert "le type, les choix, les lignes et les colonnes ne changent plus" in content
        for name in ("type", "choices", "rows", "columns"):
            assert "disabled" in content.split(f'name="{name}"')[1][:120], name

    def test_the_wording_changes_and_the_locked_fields_are_ignored(
        self, bureau_client, section, question
    ):
        data = question_data(section, label="Innovez ?", type="integer", choices="x | X")
        assert bureau_client.post(edit_url(question), data).status_code == 302
        question.refresh_from_db()
        assert (question.label, question.type) == ("Innovez ?", "single_choice")
        assert list(question.choices.values_list("code", flat=True)) == ["oui", "non"]

    def test_it_cannot_become_required(self, bureau_client, section, question):
        data = question_data(section, label="Innovez-vous ?", required="on")
        response = bureau_client.post(edit_url(question), data)
        assert "ne peut devenir obligatoire" in error_of(response, "required")
        assert "Innovez-vous ?" in response.content.decode()

    def test_it_is_not_deleted(self, bureau_client, question):
        url = reverse("survey_question_delete", args=[question.campaign_id, question.pk])
        assert "aucune question n'est supprimée" in text(bureau_client.get(url))
        response = bureau_client.post(url, follow=True)
        assert "aucune question n'est supprimée" in text(response)
        assert Question.objects.filter(pk=question.pk).exists()


def test_a_published_campaign_question_edit_is_refused_above_the_form(bureau_client):
    section = SectionFactory(campaign__status=CampaignStatus.PUBLISHED)
    question = QuestionFactory(section=section, label="Ancienne")
    response = bureau_client.post(edit_url(question), question_data(section, label="Nouvelle"))
    assert "Les résultats sont publiés" in response.content.decode()
    question.refresh_from_db()
    assert question.label == "Ancienne"


# Moving and deleting --------------------------------------------------------------------


def codes(section):
    return list(section.questions.order_by("order").values_list("code", flat=True))


def test_questions_move_up_down_and_to_a_position(bureau_client, section):
    a, b, c = (QuestionFactory(section=section, code=code, order=n) for n, code in enumerate("abc"))
    move = reverse("survey_question_move", args=[section.campaign_id, c.pk])
    bureau_client.post(move, {"direction": "up"})
    assert codes(section) == ["a", "c", "b"]
    bureau_client.post(move, {"position": "1"})
    assert codes(section) == ["c", "a", "b"]
    bureau_client.post(
        reverse("survey_question_move", args=[section.campaign_id, a.pk]), {"direction": "down"}
    )
    assert codes(section) == ["c", "b", "a"]


@pytest.mark.parametrize(
    "data", [{}, {"direction": "sideways"}, {"position": "-1"}, {"position": "9" * 30}]
)
def test_a_bad_move_says_so(bureau_client, section, data):
    question = QuestionFactory(section=section)
    response = bureau_client.post(
        reverse("survey_question_move", args=[section.campaign_id, question.pk]), data, follow=True
    )
    assert "Déplacement inconnu" in response.content.decode()


def test_a_move_before_the_question_a_condition_names_says_why(bureau_client, section):
    innove = choice_question(section, "innove", order=1)
    brevets = QuestionFactory(
        section=section, code="brevets", order=2, show_if_question=innove, show_if_choice_code="oui"
    )
    url = reverse("survey_question_move", args=[section.campaign_id, brevets.pk])
    response = bureau_client.post(url, {"direction": "up"}, follow=True)
    assert "« brevets » dépend de la réponse à « innove »" in response.content.decode()
    assert codes(section) == ["innove", "brevets"]


def test_a_question_is_deleted_after_a_confirmation_page(bureau_client, section):
    question = QuestionFactory(section=section, code="heures")
    url = reverse("survey_question_delete", args=[section.campaign_id, question.pk])
    assert "Supprimer définitivement" in bureau_client.get(url).content.decode()
    assert Question.objects.exists()
    response = bureau_client.post(url)
    assert response["Location"].endswith("#questionnaire")
    assert not Question.objects.exists()
    assert AuditEntry.objects.filter(action="surveys.question_deleted").exists()


def test_a_question_others_depend_on_lists_them_instead_of_deleting(bureau_client, section):
    innove = choice_question(section, "innove", order=1)
    QuestionFactory(
        section=section, code="brevets", order=2, show_if_question=innove, show_if_choice_code="oui"
    )
    url = reverse("survey_question_delete", args=[section.campaign_id, innove.pk])
    content = bureau_client.get(url).content.decode()
    assert "brevets" in content
    assert "Supprimer définitivement" not in content
    response = bureau_client.post(url, follow=True)
    assert "dépendent de celle-ci" in response.content.decode()
    assert Question.objects.count() == 2
