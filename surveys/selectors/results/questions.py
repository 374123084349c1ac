"""One question's results: statistics of a number, counts and shares of the choices,
the totals of a number table, first and last dates, and the chart beside them."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from ...charts import bar_chart, table_rows
from ...enums import QuestionType
from ...models import Choice, Question
from .answers import CHOICE_KINDS, COUNTED_TYPES, NO_TOTAL, STAT_TYPES, TEXT_TYPES
from .figures import Figure, _percent, is_secret


def load_questions(campaign) -> list:
    """The campaign's questions in their order, with sections and, as ``choice_options``,
    their choices' (code, label) (two queries: a ``prefetch_related`` built a queryset
    per question)."""
    questions = list(campaign.questions.select_related("section"))
    choices = defaultdict(list)
    rows = (
        Choice.objects.filter(question__campaign=campaign)
        .order_by("question_id", "order", "pk")
        .values_list("question_id", "code", "label")
    )
    for question_id, code, label in rows:
        choices[question_id].append((code, label))
    for question in questions:
        question.choice_options = choices[question.pk]
    return questions


def question_kind(question) -> str:
    if question.type in CHOICE_KINDS:
        return "choice"
    if question.type in STAT_TYPES:
        return "number"
    if question.type == QuestionType.NUMBER_TABLE:
        return "table"
    if question.type == QuestionType.DATE:
        return "date"
    return "text"


def options(question) -> list:
    """[(key, label)] of a choice-like question, keys as ``_value_counts`` gives them."""
    if question.type == QuestionType.YES_NO:
        return [(1, _("Oui")), (0, _("Non"))]
    if question.type == QuestionType.SCALE:
        return [(n, str(n)) for n in range(1, 6)]
    if hasattr(question, "choice_options"):  # from load_questions
        return list(question.choice_options)
    return [(choice.code, choice.label) for choice in question.choices.all()]


def _style(question) -> tuple[str, str]:
    if question.type == QuestionType.MONEY:
        return "money", ""
    if question.type == QuestionType.PERCENTAGE:
        return "percent", ""
    return "number", question.unit if question.type == QuestionType.DECIMAL else ""


@dataclass
class ChoiceRow:
    label: str
    count: Figure
    percent: Figure


@dataclass
class TableResult:
    columns: list  # labels
    rows: list  # [(label, [Figure per column], row total Figure)]
    totals: list  # [Figure per column]
    total: Figure

    @property
    def body(self) -> str:
        """The rows' ``<tr>``: each cell, then the row's total."""
        return table_rows((label, [*cells, total]) for label, cells, total in self.rows)


@dataclass
class QuestionResult:
    question: Question
    kind: str
    n: int
    secret: bool
    stats: list = field(default_factory=list)  # [(label, Figure)]
    choices: list = field(default_factory=list)  # [ChoiceRow]
    table: TableResult | None = None
    chart: str = ""
    median: Figure | None = None
    texts: list = field(default_factory=list)  # [TextAnswer]: the bureau's free text
    previous: tuple | None = None  # (year, Figure): the headline figure a year before

    @property
    def choice_body(self) -> str:
        """The choices' ``<tr>``: count and share."""
        return table_rows((row.label, [row.count, row.percent]) for row in self.choices)

    @property
    def stat_labels(self) -> list:
        return [label for label, _figure in self.stats]

    @property
    def stat_figures(self) -> list:
        return [figure for _label, figure in self.stats]

    @property
    def multiple(self) -> bool:
        return self.question.type == QuestionType.MULTIPLE_CHOICE

    @property
    def headline(self):
        """(label, Figure): the one figure a key figure shows, or None."""
        kind = self.question.type
        if kind == QuestionType.YES_NO and self.choices:
            return _("Oui"), self.choices[0].percent
        if kind in NO_TOTAL and self.median is not None:
            return _("Médiane"), self.median
        if kind in STAT_TYPES and len(self.stats) > 1:
            return self.stats[1]  # the total
        if self.table is not None:
            return _("Total"), self.table.total
        if self.choices:  # the most frequent choice, and its share
            top = max(self.choices, key=lambda row: row.count.value or 0)
            return top.label, top.percent
        return None


def _number_result(result, row, keep):
    question = result.question
    style, unit = _style(question)

    def figure(value):
        return Figure(value, secret=result.secret, style=style, unit=unit)

    result.median = figure(row.get("median"))
    stats = [(_("Réponses"), Figure(result.n, style="integer"))]
    if question.type not in NO_TOTAL:
        stats.append((_("Total"), figure(row.get("total"))))
    stats += [
        (_("Moyenne"), figure(row.get("mean"))),
        (_("Médiane"), result.median),
    ]
    if question.type != QuestionType.SCALE:
        # A minimum or a maximum is one response's answer: secret whenever secrecy is kept.
        stats += [
            (_("Minimum"), Figure(row.get("low"), secret=keep, style=style, unit=unit)),
            (_("Maximum"), Figure(row.get("high"), secret=keep, style=style, unit=unit)),
        ]
    result.stats = stats


def _choice_result(result, counts):
    question = result.question
    known = options(question)
    keys = {key for key, _label in known}
    known += [(key, str(key)) for key in counts if key not in keys and key not in (None, "")]
    for key, label in known:
        count = counts.get(key, 0)
        result.choices.append(
            ChoiceRow(
                label=label,
                count=Figure(count, secret=result.secret, style="integer"),
                percent=Figure(_percent(count, result.n), secret=result.secret, style="percent"),
            )
        )
    if result.n and not result.secret:
        result.chart = bar_chart(
            _("%(label)s : part des réponses") % {"label": question.label},
            [(row.label, row.percent.shown, str(row.percent)) for row in result.choices],
            maximum=100,
        )


def _table_result(result, cells, keep):
    """Cell totals, and row and column totals summed from them. A row (column) total
    counts as drawn from as many responses as its most answered cell: at least that
    many responses contribute to it, so secrecy never shows one drawn from fewer."""
    question = result.question
    rows, columns = question.rows, question.columns
    table_rows = []
    column_totals = defaultdict(Decimal)
    column_counts = defaultdict(int)
    for row in rows:
        figures, row_total, row_count = [], Decimal(0), 0
        for column in columns:
            total, n = cells.get((row["code"], column["code"]), (None, 0))
            figures.append(Figure(total, secret=is_secret(n, keep), style="number"))
            row_total += total or 0
            row_count = max(row_count, n)
            column_totals[column["code"]] += total or 0
            column_counts[column["code"]] = max(column_counts[column["code"]], n)
        table_rows.append(
            (
                row["label"],
                figures,
                Figure(row_total if row_count else None, secret=is_secret(row_count, keep)),
            )
        )
    totals = [
        Figure(
            column_totals[column["code"]] if column_counts[column["code"]] else None,
            secret=is_secret(column_counts[column["code"]], keep),
        )
        for column in columns
    ]
    grand = sum(column_totals.values(), Decimal(0))
    result.table = TableResult(
        columns=[column["label"] for column in columns],
        rows=table_rows,
        totals=totals,
        total=Figure(grand if result.n else None, secret=result.secret),
    )
    if result.n and not result.secret:
        result.chart = bar_chart(
            _("%(label)s : total par ligne") % {"label": question.label},
            [(label, total.shown, str(total)) for label, _cells, total in table_rows],
        )


def _question_result(question, base, counts, chosen, cells, keep) -> QuestionResult:
    row = base.get(question.pk, {})
    n = row.get("n", 0)
    result = QuestionResult(
        question=question, kind=question_kind(question), n=n, secret=is_secret(n, keep)
    )
    if question.type in STAT_TYPES:
        _number_result(result, row, keep)
    if question.type in COUNTED_TYPES:
        _choice_result(result, counts.get(question.pk, {}))
    elif question.type == QuestionType.MULTIPLE_CHOICE:
        _choice_result(result, chosen.get(question.pk, {}))
    elif question.type == QuestionType.NUMBER_TABLE:
        _table_result(result, cells.get(question.pk, {}), keep)
    elif question.type == QuestionType.DATE:
        result.stats = [
            (_("Réponses"), Figure(n, style="integer")),
            (_("Première date"), Figure(row.get("first"), secret=result.secret, style="date")),
            (_("Dernière date"), Figure(row.get("last"), secret=result.secret, style="date")),
        ]
    elif question.type in TEXT_TYPES:
        result.stats = [(_("Réponses"), Figure(n, style="integer"))]
    return result
