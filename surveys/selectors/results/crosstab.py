"""The cross-tabulation of two choice questions answered by the same responses."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from ...enums import QuestionType
from ...models import Answer, Question
from .answers import NO_FILTERS, submitted_q
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


def _key_column(question) -> str:
    return "value_text" if question.type == QuestionType.SINGLE_CHOICE else "value_number"


def _key(value):
    if value is None or isinstance(value, str):
        return value
    return int(value)


def cross_tab(row_question, column_question, *, filters=NO_FILTERS, keep_secret=True) -> CrossTab:
    """Counts and row percentages of two choice questions answered by the same
    responses (one query: the answers to the first joined to those to the second)."""
    pairs = (
        Answer.objects.filter(
            submitted_q(filters, "response__"),
            question_id=row_question.pk,
            response__answers__question_id=column_question.pk,
        )
        .order_by()
        .values_list(
            _key_column(row_question), f"response__answers__{_key_column(column_question)}"
        )
        .annotate(n=Count("id"))
    )
    counts = defaultdict(int)
    for row_key, column_key, n in pairs:
        counts[(_key(row_key), _key(column_key))] += n
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
