"""Campaigns with answered responses, for the results, export and report tests.

Responses and answers are written directly (``Answer.set_value``, ``bulk_create``):
the services are tested elsewhere, and results tests need many responses fast.
"""

from django.utils import timezone

from members.enums import LabelStatus
from surveys.enums import CampaignKind, CampaignStatus, QuestionType, ResponseStatus
from surveys.models import Answer, Response
from tests.members.dues_factories import safe_department
from tests.members.factories import PlatformFactory

from .factories import (
    CampaignFactory,
    QuestionFactory,
    RespondentFactory,
    SectionFactory,
    choice_question,
)

TABLE_ROWS = [{"code": "tpe", "label": "TPE"}, {"code": "pme", "label": "PME"}]
TABLE_COLUMNS = [
    {"code": "industrie", "label": "Industrie"},
    {"code": "services", "label": "Services"},
]


def impact_campaign(*, status=CampaignStatus.PUBLISHED, year=2017, **kwargs):
    """A platform survey with one question of each kind that results treat apart:
    numbers (two of them ministry indicators), money, a percentage, a single and a
    multiple choice, yes/no, a scale, a number table, free text and a date."""
    campaign = CampaignFactory(
        status=status,
        year=year,
        title=f"Enquête d'impact {year}",
        opens_on=timezone.localdate().replace(year=year, month=2, day=1),
        closes_on=timezone.localdate().replace(year=year, month=4, day=15),
        **kwargs,
    )
    youth = SectionFactory(campaign=campaign, order=1, title="Jeunes")
    firms = SectionFactory(campaign=campaign, order=2, title="Entreprises")
    QuestionFactory(
        section=youth,
        code="etudiants",
        label="Étudiants impliqués",
        order=1,
        is_ministry_indicator=True,
    )
    QuestionFactory(section=youth, code="apprentis", label="Apprentis impliqués", order=2)
    QuestionFactory(
        section=firms,
        code="pme_servies",
        label="PME servies",
        order=1,
        is_ministry_indicator=True,
    )
    QuestionFactory(
        section=firms, code="ca_services", label="Chiffre d'affaires", order=2, type="money"
    )
    QuestionFactory(
        section=firms, code="part_export", label="Part à l'export", order=3, type="percentage"
    )
    choice_question(
        firms, "secteur", ("industrie", "services", "agri"), order=4, label="Secteur principal"
    )
    choice_question(
        firms,
        "prestations",
        ("essais", "prototypage", "formation"),
        order=5,
        label="Prestations",
        type=QuestionType.MULTIPLE_CHOICE,
    )
    QuestionFactory(
        section=firms,
        code="partenariat",
        label="Partenariat régional",
        order=6,
        type=QuestionType.YES_NO,
        is_ministry_indicator=True,
    )
    QuestionFactory(
        section=firms, code="satisfaction", label="Satisfaction", order=7, type=QuestionType.SCALE
    )
    QuestionFactory(
        section=firms,
        code="pme_taille",
        label="PME par taille et secteur",
        order=8,
        type=QuestionType.NUMBER_TABLE,
        rows=TABLE_ROWS,
        columns=TABLE_COLUMNS,
    )
    QuestionFactory(
        section=firms, code="commentaire", label="Commentaire", order=9, type="long_text"
    )
    QuestionFactory(section=firms, code="date_bilan", label="Date du bilan", order=10, type="date")
    return campaign


def labelled_platform(**kwargs):
    kwargs.setdefault("department", safe_department())
    kwargs.setdefault("label_status", LabelStatus.LABELLED)
    return PlatformFactory(**kwargs)


def answered(campaign, answers: dict, *, platform=None, respondent=None, status=None):
    """A response of ``platform`` (a new labelled one by default) or ``respondent``
    with ``answers`` ({code: typed value}); submitted unless ``status`` says otherwise."""
    status = status or ResponseStatus.SUBMITTED
    if respondent is None and platform is None:
        if campaign.kind == CampaignKind.EXTERNAL:
            respondent = RespondentFactory(campaign=campaign)
        else:
            platform = labelled_platform()
    response = Response.objects.create(
        campaign=campaign,
        platform=platform,
        respondent=respondent,
        status=status,
        submitted_at=timezone.now() if status == ResponseStatus.SUBMITTED else None,
    )
    questions = {question.code: question for question in campaign.questions.all()}
    rows = []
    for code, value in answers.items():
        question = questions[code]
        answer = Answer(response=response, question=question)
        answer.set_value(question.type, value)
        rows.append(answer)
    Answer.objects.bulk_create(rows)
    return response
