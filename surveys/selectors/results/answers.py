"""The answers the results count (those of submitted responses the filters keep), the
kinds of questions, and the GROUP BYs over the answers: one per question for every
numeric statistic (count, sum, mean, min, max, median: PostgreSQL's ``percentile_cont``;
SQLite, used by ``make run`` only, takes the medians from one ordered read of the
values), one per (question, value) for the choices, one over the elements of the
multiple choices' JSON arrays and one over the cells of the number tables' JSON objects
(``jsonb_array_elements_text`` / ``jsonb_each``, or SQLite's ``json_each``).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import Aggregate, Avg, Count, FloatField, Max, Min, Q, Sum

from members.models import Platform

from ...enums import NUMBER_TYPES, QuestionType, ResponseStatus
from ...models import Answer
from .figures import _decimal

SUBMITTED = ResponseStatus.SUBMITTED

STAT_TYPES = NUMBER_TYPES  # integer, decimal, money, percentage, scale
COUNTED_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.YES_NO, QuestionType.SCALE)
CHOICE_KINDS = (*COUNTED_TYPES, QuestionType.MULTIPLE_CHOICE)
CROSS_TYPES = COUNTED_TYPES
TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
TREND_TYPES = (*NUMBER_TYPES, QuestionType.YES_NO)
NO_TOTAL = (QuestionType.PERCENTAGE, QuestionType.SCALE)  # a sum of these means nothing


# Filters and the answers they select -------------------------------------------------


@dataclass(frozen=True)
class Filters:
    region: int | None = None
    domain: int | None = None
    label_status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.region or self.domain or self.label_status)


NO_FILTERS = Filters()


def submitted_q(filters: Filters, prefix: str = "") -> Q:
    """The submitted responses the filters keep, as a Q on Response (``prefix``:
    the path from another model, e.g. ``"response__"``)."""

    def at(name):
        return prefix + name

    condition = Q(**{at("status"): SUBMITTED})
    if filters.region:
        condition &= Q(**{at("platform__department__region_id"): filters.region}) | Q(
            **{at("respondent__department__region_id"): filters.region}
        )
    if filters.domain:
        with_domain = Platform.objects.filter(domains=filters.domain).values("pk")
        condition &= Q(**{at("platform_id__in"): with_domain})
    if filters.label_status:
        condition &= Q(**{at("platform__label_status"): filters.label_status})
    return condition


def _answers(question_ids, filters: Filters):
    return Answer.objects.filter(submitted_q(filters, "response__"), question_id__in=question_ids)


class Median(Aggregate):
    """PostgreSQL's continuous median."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _vendor(queryset) -> str:
    return connections[queryset.db].vendor


def _base_stats(question_ids, filters) -> dict:
    """{question id: {n, total, mean, low, high, median, first, last}}: one query (and,
    on SQLite only, one ordered read of the numbers for the medians)."""
    if not question_ids:
        return {}
    answers = _answers(question_ids, filters).order_by()
    aggregates = {
        "n": Count("id"),
        "total": Sum("value_number"),
        "mean": Avg("value_number"),
        "low": Min("value_number"),
        "high": Max("value_number"),
        "first": Min("value_date"),
        "last": Max("value_date"),
    }
    postgres = _vendor(answers) == "postgresql"
    if postgres:
        aggregates["median"] = Median("value_number")
    rows = {row["question_id"]: row for row in answers.values("question_id").annotate(**aggregates)}
    if not postgres:
        values = defaultdict(list)
        numbers = answers.exclude(value_number=None).order_by("question_id", "value_number")
        for question_id, number in numbers.values_list("question_id", "value_number"):
            values[question_id].append(number)
        for question_id, row in rows.items():
            row["median"] = statistics.median(values[question_id]) if values[question_id] else None
    return rows


def _value_counts(question_ids, filters) -> dict:
    """{question id: {key: count}} for single choices (code), yes/no (1/0) and scales."""
    if not question_ids:
        return {}
    rows = (
        _answers(question_ids, filters)
        .order_by()
        .values("question_id", "value_text", "value_number")
        .annotate(n=Count("id"))
    )
    counts = defaultdict(dict)
    for row in rows:
        key = row["value_text"] if row["value_number"] is None else int(row["value_number"])
        counts[row["question_id"]][key] = counts[row["question_id"]].get(key, 0) + row["n"]
    return counts


CHOSEN_SQL = {
    "postgresql": (
        "SELECT a.question_id, e.code, COUNT(*) FROM {answer} a "
        "CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(a.value_json) "
        "= 'array' THEN a.value_json ELSE '[]'::jsonb END) AS e(code) "
        "WHERE a.id IN ({inner}) GROUP BY a.question_id, e.code"
    ),
    "sqlite": (
        "SELECT a.question_id, e.value, COUNT(*) FROM {answer} a, json_each(a.value_json) e "
        "WHERE json_type(a.value_json) = 'array' AND a.id IN ({inner}) "
        "GROUP BY a.question_id, e.value"
    ),
}
CELLS_SQL = {
    "postgresql": (
        "SELECT a.question_id, r.key, c.key, SUM(c.value::numeric), COUNT(*) FROM {answer} a "
        "CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(a.value_json) = 'object' "
        "THEN a.value_json ELSE '{{}}'::jsonb END) AS r "
        "CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(r.value) = 'object' "
        "THEN r.value ELSE '{{}}'::jsonb END) AS c "
        "WHERE a.id IN ({inner}) GROUP BY a.question_id, r.key, c.key"
    ),
    "sqlite": (
        "SELECT a.question_id, r.key, c.key, SUM(CAST(c.value AS REAL)), COUNT(*) "
        "FROM {answer} a, json_each(a.value_json) r, json_each(r.value) c "
        "WHERE json_type(a.value_json) = 'object' AND r.type = 'object' "
        "AND a.id IN ({inner}) GROUP BY a.question_id, r.key, c.key"
    ),
}


def _json_rows(sql: dict, question_ids, filters) -> list:
    """Run one of the JSON GROUP BYs over the selected answers (a subquery)."""
    answers = _answers(question_ids, filters).order_by().values("id")
    inner, params = answers.query.get_compiler(using=answers.db).as_sql()
    statement = sql[_vendor(answers)].format(answer=Answer._meta.db_table, inner=inner)
    with connections[answers.db].cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _chosen_counts(question_ids, filters) -> dict:
    """{question id: {choice code: count}} for multiple choices."""
    counts = defaultdict(dict)
    if question_ids:
        for question_id, code, n in _json_rows(CHOSEN_SQL, question_ids, filters):
            counts[question_id][code] = n
    return counts


def _cell_totals(question_ids, filters) -> dict:
    """{question id: {(row, column): (total, count)}} for number tables."""
    cells = defaultdict(dict)
    if question_ids:
        for question_id, row, column, total, n in _json_rows(CELLS_SQL, question_ids, filters):
            total = None if total is None else _decimal(round(total, 4))
            cells[question_id][(row, column)] = (total, n)
    return cells
