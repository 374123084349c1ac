"""Questionnaires for the editor's tests: sections of questions of every kind the
overview shows (choices, a condition, bounds, a number table)."""

from surveys.enums import CampaignStatus, QuestionType

from .factories import CampaignFactory, ChoiceFactory, QuestionFactory, SectionFactory

AXIS = [{"code": "tpe", "label": "TPE"}, {"code": "pme", "label": "PME"}]


def build_questionnaire(campaign, sections=3, choices=3, start=0):
    """``sections`` sections, each with a choice question (``choices`` choices), a
    number that depends on it, a bounded decimal indicator and a number table."""
    built = []
    for index in range(start, start + sections):
        section = SectionFactory(campaign=campaign, order=index + 1, title=f"Section {index}")
        choice = QuestionFactory(
            section=section, order=1, code=f"choix-{index}", type=QuestionType.SINGLE_CHOICE
        )
        for order in range(choices):
            ChoiceFactory(question=choice, order=order, code=f"c{order}", label=f"Choix {order}")
        QuestionFactory(
            section=section,
            order=2,
            code=f"si-{index}",
            show_if_question=choice,
            show_if_choice_code="c0",
        )
        QuestionFactory(
            section=section,
            order=3,
            code=f"heures-{index}",
            type=QuestionType.DECIMAL,
            unit="heures",
            min_value=0,
            max_value=1000,
            is_ministry_indicator=True,
            required=True,
        )
        QuestionFactory(
            section=section,
            order=4,
            code=f"tableau-{index}",
            type=QuestionType.NUMBER_TABLE,
            rows=AXIS,
            columns=AXIS,
        )
        built.append(section)
    return built


def draft_campaign(**kwargs):
    return CampaignFactory(status=CampaignStatus.DRAFT, **kwargs)
