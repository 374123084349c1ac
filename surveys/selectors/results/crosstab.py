"""The cross-tabulation of two choice questions answered by the same responses."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ...enums import QuestionType
from ...models import Question
from .answers import NO_FILTERS, answer_figures
from .figures import Figure, _percent, is_secret
from .questions import options


@dataclass
class CrossRow:
    label: str
    cells: list  # [(count Figure, row percent Figure)]
    total: Figure


@dataclass
class CrossTab:
    row_question: Question
    column_question: Question
    columns: list  # labels
    rows: list  # [CrossRow]
    total: CrossRow
    n: int


def _key(question, text, number):
    """The value an answer gives to a choice question, as ``options`` keys it."""
    if question.type == QuestionType.SINGLE_CHOICE:
        return text
    return None if number is None else int(number)


def cross_tab(
    row_question, column_question, *, filters=NO_FILTERS, keep_secret=True, pairs=None
) -> CrossTab:
    """Counts and row percentages of two choice questions answered by the same
    responses (one query, or none given ``pairs``: ``AnswerFigures.cross`` of the page's
    ``answer_figures``)."""
    if pairs is None:
        figures = answer_figures(
            filters, [row_question.campaign_id], cross=(row_question.pk, column_question.pk)
        )
        pairs = figures.cross
    counts = defaultdict(int)
    for ((row_text, row_number), (column_text, column_number)), n in pairs.items():
        row_key = _key(row_question, row_text, row_number)
        counts[(row_key, _key(column_question, column_text, column_number))] += n
    row_options, column_options = options(row_question), options(column_question)
    column_totals = {
        key: sum(counts[(r, key)] for r, _l in row_options) for key, _l in column_options
    }
    grand = sum(column_totals.values())

    def line(label, values, base):
        secret = is_secret(base, keep_secret)
        cells = [
            (
                Figure(value, secret=secret, style="integer"),
                Figure(_percent(value, base), secret=secret, style="percent"),
            )
            for value in values
        ]
        return CrossRow(
            label=label, cells=cells, total=Figure(base, secret=secret, style="integer")
        )

    rows = []
    for row_key, label in row_options:
        values = [counts[(row_key, key)] for key, _l in column_options]
        rows.append(line(label, values, sum(values)))
    total = line(_("Ensemble"), [column_totals[key] for key, _l in column_options], grand)
    return CrossTab(
        row_question=row_question,
        column_question=column_question,
        columns=[label for _key_, label in column_options],
        rows=rows,
        total=total,
        n=grand,
    )
