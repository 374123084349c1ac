"""Free-text answers (the bureau's): the latest of each question, or one page of one."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from .answers import NO_FILTERS, TEXT_TYPES, _answers

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


def free_texts(campaign, questions, filters=NO_FILTERS, *, limit=FREE_TEXT_LIMIT) -> dict:
    """{question id: [TextAnswer]}: the latest ``limit`` free-text answers of each text
    question (one query, a window per question). No identity when anonymous."""
    ids = [q.pk for q in questions if q.type in TEXT_TYPES]
    if not ids:
        return {}
    rows = (
        _answers(ids, filters)
        .annotate(rank=Window(RowNumber(), partition_by=F("question_id"), order_by=F("id").desc()))
        .filter(rank__lte=limit)
        .order_by("question_id", "-id")
        .values_list("question_id", "value_text", *_who(campaign))
    )
    texts = defaultdict(list)
    for row in rows:
        texts[row[0]].append(_text_answer(campaign, (*row, "", "")[:4]))
    return texts


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
