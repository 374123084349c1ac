"""The editor's services: sections changed and moved, questions moved to another
section, choices given as a whole, conditions kept after the question they name,
bounds on a campaign's reminder settings and the copy's year."""

import datetime

import pytest

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from surveys import services
from surveys.enums import CampaignStatus
from surveys.models import Campaign, Choice, Question, Section
from surveys.services.questions import question_move, section_move, section_update

from .factories import (
    CampaignFactory,
    QuestionFactory,
    ResponseFactory,
    SectionFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db
YES_NO = [("oui", "Oui"), ("non", "Non")]


@pytest.fixture
def campaign():
    return CampaignFactory(status=CampaignStatus.DRAFT)


def codes(question):
    return list(question.choices.values_list("code", "label"))


def section_titles(campaign):
    return list(campaign.sections.order_by("order", "pk").values_list("title", flat=True))


# Sections ------------------------------------------------------------------------------


def test_a_section_update_logs_what_changed(campaign, bureau):
    section = SectionFactory(campaign=campaign, title="Jeunes")
    section_update(section=section, title=" Jeunesse ", description="Étudiants", actor=bureau)
    section.refresh_from_db()
    assert (section.title, section.description) == ("Jeunesse", "Étudiants")
    entry = AuditEntry.objects.get(action="surveys.section_updated")
    assert entry.scope == f"surveys.campaign:{campaign.pk}"
    assert entry.changes["title"] == ["Jeunes", "Jeunesse"]


def test_a_section_update_without_change_writes_nothing(campaign, bureau):
    section = SectionFactory(campaign=campaign, title="Jeunes")
    section_update(section=section, title="Jeunes", description="", actor=bureau)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("title", [" ", "x" * 201])
def test_a_section_needs_a_short_title(campaign, bureau, title):
    section = SectionFactory(campaign=campaign, title="Jeunes")
    with pytest.raises(ServiceError) as error:
        section_update(section=section, title=title, actor=bureau)
    assert error.value.field == "title"


def test_a_section_update_refuses_fields_it_does_not_own(campaign, bureau):
    with pytest.raises(ServiceError, match="non modifiable"):
        section_update(section=SectionFactory(campaign=campaign), order=4, actor=bureau)


def test_a_published_campaign_sections_no_longer_change(bureau):
    section = SectionFactory(campaign__status=CampaignStatus.PUBLISHED)
    with pytest.raises(ServiceError, match="publiés"):
        section_update(section=section, title="Autre", actor=bureau)
    with pytest.raises(ServiceError, match="publiés"):
        section_move(section=section, step=1, actor=bureau)


def test_a_section_moves_up_and_down(campaign, bureau):
    a, b, c = (SectionFactory(campaign=campaign, title=title) for title in "abc")
    section_move(section=c, step=-1, actor=bureau)
    assert section_titles(campaign) == ["a", "c", "b"]
    section_move(section=a, step=1, actor=bureau)
    assert section_titles(campaign) == ["c", "a", "b"]
    assert list(campaign.sections.values_list("order", flat=True)) == [1, 2, 3]
    entries = AuditEntry.objects.filter(action="surveys.section_moved").order_by("pk")
    assert [entry.changes for entry in entries] == [{"order": [3, 2]}, {"order": [1, 2]}]


def test_a_section_at_the_top_stays_there_without_a_history_entry(campaign, bureau):
    a, b = (
        SectionFactory(campaign=campaign, title="a"),
        SectionFactory(campaign=campaign, title="b"),
    )
    section_move(section=a, step=-1, actor=bureau)
    section_move(section=b, position=99, actor=bureau)
    assert section_titles(campaign) == ["a", "b"]
    assert not AuditEntry.objects.exists()


def test_a_section_is_not_moved_before_the_question_its_conditions_name(campaign, bureau):
    first = SectionFactory(campaign=campaign, title="Innovation", order=1)
    second = SectionFactory(campaign=campaign, title="Brevets", order=2)
    innove = choice_question(first, "innove")
    QuestionFactory(
        section=second, code="brevets", show_if_question=innove, show_if_choice_code="oui"
    )
    with pytest.raises(ServiceError, match="« brevets » dépend de la réponse à « innove »"):
        section_move(section=second, step=-1, actor=bureau)
    assert section_titles(campaign) == ["Innovation", "Brevets"]


# Questions ----------------------------------------------------------------------------


def test_a_question_moves_up_and_down_in_its_section(campaign, bureau):
    section = SectionFactory(campaign=campaign)
    a, b, c = (QuestionFactory(section=section, code=code, order=n) for n, code in enumerate("abc"))
    question_move(question=a, step=1, actor=bureau)
    question_move(question=c, step=-1, actor=bureau)
    assert list(section.questions.values_list("code", flat=True)) == ["b", "c", "a"]


def test_a_question_is_not_moved_before_the_question_its_condition_names(campaign, bureau):
    section = SectionFactory(campaign=campaign)
    innove = choice_question(section, "innove", order=1)
    brevets = QuestionFactory(
        section=section, code="brevets", order=2, show_if_question=innove, show_if_choice_code="oui"
    )
    with pytest.raises(ServiceError, match="dépend") as error:
        question_move(question=brevets, step=-1, actor=bureau)
    assert error.value.field == "position"
    with pytest.raises(ServiceError, match="dépend"):
        question_move(question=innove, position=2, actor=bureau)
    assert list(section.questions.values_list("code", flat=True)) == ["innove", "brevets"]


def test_a_question_goes_to_the_end_of_another_section(campaign, bureau):
    first, second = SectionFactory(campaign=campaign), SectionFactory(campaign=campaign)
    question = QuestionFactory(section=first, code="staff")
    QuestionFactory(section=second, code="ca", order=7)
    services.question_update(question=question, section=second, actor=bureau)
    question.refresh_from_db()
    assert (question.section, question.order) == (second, 8)
    entry = AuditEntry.objects.get(action="surveys.question_updated")
    assert entry.changes == {"section": [first.title, second.title]}


def test_a_question_does_not_go_to_another_campaign_section(campaign, bureau):
    question = QuestionFactory(section=SectionFactory(campaign=campaign))
    with pytest.raises(ServiceError, match="pas dans la campagne") as error:
        services.question_update(question=question, section=SectionFactory(), actor=bureau)
    assert error.value.field == "section"


def test_a_question_does_not_go_before_the_question_its_condition_names(campaign, bureau):
    first = SectionFactory(campaign=campaign, order=1)
    second = SectionFactory(campaign=campaign, order=2)
    innove = choice_question(second, "innove", order=1)
    exporte = QuestionFactory(
        section=second, code="exporte", order=2, show_if_question=innove, show_if_choice_code="oui"
    )
    with pytest.raises(ServiceError, match="posée avant") as error:
        services.question_update(question=exporte, section=first, actor=bureau)
    assert error.value.field == "show_if_question"
    with pytest.raises(ServiceError, match="« exporte » dépend") as error:
        services.question_update(
            question=innove, section=SectionFactory(campaign=campaign, order=3), actor=bureau
        )
    assert error.value.field == "section"
    innove.refresh_from_db()
    assert innove.section == second


# Choices ------------------------------------------------------------------------------


def test_a_choice_question_is_created_with_its_choices(campaign, bureau):
    question = services.question_create(
        section=SectionFactory(campaign=campaign),
        code="innove",
        label="Innovez-vous ?",
        type="single_choice",
        choices=[(" oui ", " Oui "), ("non", "Non")],
        actor=bureau,
    )
    assert codes(question) == YES_NO


@pytest.mark.parametrize(
    ("type", "choices", "message"),
    [
        ("single_choice", [], "au moins un choix"),
        ("integer", YES_NO, "Seules les questions à choix"),
        ("single_choice", [("oui", "Oui"), ("oui", "Encore")], "Deux choix ont le code « oui »"),
        ("single_choice", [("deux mots", "Oui")], "Choix « deux mots » : le code"),
        ("single_choice", [("oui", " ")], "Choix « oui » : indiquez son libellé"),
        ("single_choice", [("oui", "x" * 301)], "au plus 300 caractères"),
        ("multiple_choice", [(f"c{n}", "C") for n in range(101)], "Au plus 100 choix"),
    ],
)
def test_bad_choices_are_refused_next_to_the_choices(campaign, bureau, type, choices, message):
    with pytest.raises(ServiceError, match=message) as error:
        services.question_create(
            section=SectionFactory(campaign=campaign),
            code="innove",
            label="Innovez-vous ?",
            type=type,
            choices=choices,
            actor=bureau,
        )
    assert error.value.field == "choices"
    assert not Question.objects.exists()


def test_choices_are_kept_relabelled_added_and_removed_in_order(campaign, bureau):
    question = choice_question(SectionFactory(campaign=campaign), "innove", ("oui", "non", "nsp"))
    kept = Choice.objects.get(question=question, code="oui")
    services.question_update(
        question=question,
        choices=[("parfois", "Parfois"), ("oui", "Oui, souvent"), ("non", "Non")],
        actor=bureau,
    )
    assert codes(question) == [("parfois", "Parfois"), ("oui", "Oui, souvent"), ("non", "Non")]
    assert Choice.objects.get(question=question, code="oui").pk == kept.pk
    entry = AuditEntry.objects.get(action="surveys.question_updated")
    assert entry.changes["choices"] == [
        ["oui | Oui", "non | Non", "nsp | Nsp"],
        ["parfois | Parfois", "oui | Oui, souvent", "non | Non"],
    ]


def test_the_same_choices_are_no_change(campaign, bureau):
    question = choice_question(SectionFactory(campaign=campaign), "innove")
    services.question_update(question=question, choices=YES_NO, actor=bureau)
    assert not AuditEntry.objects.exists()


def test_a_choice_a_condition_names_is_not_removed(campaign, bureau):
    section = SectionFactory(campaign=campaign)
    innove = choice_question(section, "innove", order=1)
    QuestionFactory(
        section=section, code="brevets", order=2, show_if_question=innove, show_if_choice_code="oui"
    )
    with pytest.raises(ServiceError, match="« brevets » dépend du choix « oui »") as error:
        services.question_update(question=innove, choices=[("non", "Non")], actor=bureau)
    assert error.value.field == "choices"
    assert codes(innove) == YES_NO


def test_a_choice_question_becomes_a_number_once_its_choices_are_removed(campaign, bureau):
    question = choice_question(SectionFactory(campaign=campaign), "innove")
    services.question_update(question=question, type="integer", choices=[], actor=bureau)
    question.refresh_from_db()
    assert (question.type, codes(question)) == ("integer", [])


def test_a_single_choice_becomes_a_multiple_choice_with_its_choices(campaign, bureau):
    question = choice_question(SectionFactory(campaign=campaign), "innove")
    services.question_update(question=question, type="multiple_choice", actor=bureau)
    question.refresh_from_db()
    assert (question.type, codes(question)) == ("multiple_choice", YES_NO)


def test_choices_no_longer_change_once_the_campaign_has_a_response(campaign, bureau):
    question = choice_question(SectionFactory(campaign=campaign), "innove")
    ResponseFactory(campaign=campaign)
    services.question_update(question=question, choices=YES_NO, label="Innovez ?", actor=bureau)
    with pytest.raises(ServiceError, match="choix ne changent plus") as error:
        services.question_update(
            question=question, choices=[("oui", "Oui !"), ("non", "Non")], actor=bureau
        )
    assert error.value.field == "choices"
    assert codes(question) == YES_NO


def test_a_new_choice_question_gets_its_choices_once_the_campaign_has_a_response(campaign, bureau):
    ResponseFactory(campaign=campaign)
    question = services.question_create(
        section=SectionFactory(campaign=campaign),
        code="exporte",
        label="Exportez-vous ?",
        type="single_choice",
        choices=YES_NO,
        actor=bureau,
    )
    assert codes(question) == YES_NO


def test_table_axes_no_longer_change_once_the_campaign_has_a_response(campaign, bureau):
    axis = [{"code": "tpe", "label": "TPE"}]
    question = QuestionFactory(
        section=SectionFactory(campaign=campaign), type="number_table", rows=axis, columns=axis
    )
    ResponseFactory(campaign=campaign)
    with pytest.raises(ServiceError, match="lignes et colonnes ne changent plus") as error:
        services.question_update(
            question=question, rows=[*axis, {"code": "pme", "label": "PME"}], actor=bureau
        )
    assert error.value.field == "rows"


def test_a_code_longer_than_its_column_is_refused(campaign, bureau):
    with pytest.raises(ServiceError, match="Au plus 50 caractères") as error:
        services.question_create(
            section=SectionFactory(campaign=campaign),
            code="c" * 51,
            label="Q",
            type="integer",
            actor=bureau,
        )
    assert error.value.field == "code"


# Campaigns ----------------------------------------------------------------------------


def campaign_values(**kwargs):
    return {
        "title": "Enquête 2026",
        "year": 2026,
        "opens_on": datetime.date(2026, 2, 15),
        "closes_on": datetime.date(2026, 4, 15),
        **kwargs,
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"year": "deux mille"}, "year"),
        ({"max_reminders": 21}, "max_reminders"),
        ({"min_days_between_reminders": 366}, "min_days_between_reminders"),
    ],
)
def test_a_campaign_with_values_beyond_its_columns_is_refused(bureau, values, field):
    with pytest.raises(ServiceError) as error:
        services.campaign_create(**campaign_values(**values), actor=bureau)
    assert error.value.field == field
    assert not Campaign.objects.exists()


def test_a_campaign_keeps_its_anonymity_once_it_has_a_response(bureau):
    campaign = CampaignFactory(anonymous=True)
    services.campaign_update(campaign=campaign, anonymous=False, actor=bureau)
    ResponseFactory(campaign=campaign)
    with pytest.raises(ServiceError, match="anonymat ne change plus") as error:
        services.campaign_update(campaign=campaign, anonymous=True, actor=bureau)
    assert error.value.field == "anonymous"
    services.campaign_update(campaign=campaign, anonymous=False, title="Autre", actor=bureau)
    campaign.refresh_from_db()
    assert (campaign.anonymous, campaign.title) == (False, "Autre")


@pytest.mark.parametrize("year", [1999, 2201, 10**30, "abc"])
def test_a_copy_to_an_implausible_year_is_refused(bureau, year):
    source = CampaignFactory(year=2025)
    with pytest.raises(ServiceError, match="pas plausible") as error:
        services.campaign_copy(campaign=source, year=year, actor=bureau)
    assert error.value.field == "year"
    assert Campaign.objects.count() == 1


def test_a_copy_of_a_long_title_fits_its_column(bureau):
    source = CampaignFactory(title="x" * 200, year=2025)
    copy = services.campaign_copy(campaign=source, year=2026, actor=bureau)
    assert copy.title.endswith(" (2026)")
    assert len(copy.title) == 200


def test_sections_are_numbered_from_one_after_a_move(campaign, bureau):
    a = services.section_create(campaign=campaign, title="a", actor=bureau)
    services.section_create(campaign=campaign, title="b", actor=bureau)
    section_move(section=a, step=1, actor=bureau)
    assert list(Section.objects.values_list("title", "order")) == [("b", 1), ("a", 2)]
