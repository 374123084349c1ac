"""Free-text answers (the bureau's): the latest of each question, or one page of one."""

from dataclasses import dataclass

from django.core.paginator import Paginator

from .answers import NO_FILTERS, TEXT_TYPES, _answers, answer_figures

FREE_TEXT_LIMIT = 10
FREE_TEXT_PAGE = 50


@dataclass
class TextAnswer:
    text: str
    who: str


def _who(campaign) -> list:
    if campaign.anonymous:
        return []
    return ["response__platform__name", "response__respondent__organisation"]


def _text_answer(campaign, row) -> TextAnswer:
    who = "" if campaign.anonymous else (row[2] or row[3] or "")
    return TextAnswer(text=row[1], who=who)


def free_texts(
    campaign, questions, filters=NO_FILTERS, *, limit=FREE_TEXT_LIMIT, figures=None
) -> dict:
    """{question id: [TextAnswer]}: the latest ``limit`` free-text answers of each text
    question (one query, a window per question, or none given ``figures``: the page's
    ``answer_figures`` with ``text_query``). No identity when anonymous."""
    if figures is None:
        query = text_query(campaign, questions, limit)
        if not query["texts"]:
            return {}
        figures = answer_figures(filters, [campaign.pk], **query)
    return {
        question_id: [TextAnswer(text=text, who=who or "") for _rank, text, who in rows]
        for question_id, rows in figures.texts.items()
    }


def text_query(campaign, questions, limit=FREE_TEXT_LIMIT) -> dict:
    """The arguments of ``answer_figures`` that read the latest free texts."""
    return {
        "texts": [q.pk for q in questions if q.type in TEXT_TYPES],
        "text_limit": limit,
        "text_who": not campaign.anonymous,
    }


def free_text_page(campaign, question, page_number, filters=NO_FILTERS):
    """One page of a text question's answers (a count and one query)."""
    rows = (
        _answers([question.pk], filters)
        .order_by("-id")
        .values_list("question_id", "value_text", *_who(campaign))
    )
    page = Paginator(rows, FREE_TEXT_PAGE).get_page(page_number)
    page.object_list = [_text_answer(campaign, (*row, "", "")[:4]) for row in page.object_list]
    return page
