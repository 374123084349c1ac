"""The answers the results count (those of submitted responses the filters keep), the
kinds of questions, and the GROUP BYs over the answers: one per question for every
numeric statistic (count, sum, mean, min, max, median: PostgreSQL's ``percentile_cont``;
SQLite, used by ``make run`` only, takes the medians from one ordered read of the
values), one per (question, value) for the choices, one over the elements of the
multiple choices' JSON arrays and one over the cells of the number tables' JSON objects
(``jsonb_array_elements_text`` / ``jsonb_each``, or SQLite's ``json_each``).
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Q
from django.db.models.functions import Coalesce

from members.models import Platform

from ...enums import NUMBER_TYPES, QuestionType, ResponseStatus
from ...models import Answer, Response
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


def _vendor(queryset) -> str:
    return connections[queryset.db].vendor


# The figures: one statement --------------------------------------------------------------
#
# The submitted responses the filters keep are read once (the CTE ``responses``, with
# their region), their answers once (``picked``), then each kind of figure is a GROUP BY
# over them, all in one UNION ALL of rows shaped as COLUMNS (``kind`` says which).

COLUMNS = (
    "kind",
    "question",
    "key",  # text: a choice's code, a multiple choice's code, a table's row, a free text
    "sub",  # text: a table's column, a crossed choice's code, who wrote a free text
    "key_number",  # a counted answer's number (yes/no, scale)
    "sub_number",  # a crossed answer's number
    "n",  # a count, or a free text's rank (1: the latest)
    "total",
    "mean",
    "low",
    "high",
    "median",
    "first",
    "last",
    "region",
)
NULLS = {
    "question": "CAST(NULL AS bigint)",
    "n": "CAST(NULL AS bigint)",
    "key": "CAST(NULL AS text)",
    "sub": "CAST(NULL AS text)",
    "key_number": "CAST(NULL AS numeric)",
    "sub_number": "CAST(NULL AS numeric)",
    "total": "CAST(NULL AS numeric)",
    "mean": "CAST(NULL AS numeric)",
    "low": "CAST(NULL AS numeric)",
    "high": "CAST(NULL AS numeric)",
    "median": "CAST(NULL AS double precision)",
    "first": "CAST(NULL AS date)",
    "last": "CAST(NULL AS date)",
    "region": "CAST(NULL AS bigint)",
}
MEDIAN_SQL = {
    "postgresql": "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY p.number)",
    "sqlite": NULLS["median"],  # read apart: ``_sqlite_medians``
}
CHOSEN_FROM = {
    "postgresql": (
        "picked p CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN "
        "jsonb_typeof(p.json) = 'array' THEN p.json ELSE '[]'::jsonb END) AS e(code)",
        "e.code",
        "",
    ),
    "sqlite": ("picked p, json_each(p.json) e", "e.value", "json_type(p.json) = 'array' AND "),
}
CELLS_FROM = {
    "postgresql": (
        "picked p CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(p.json) = 'object' "
        "THEN p.json ELSE '{}'::jsonb END) AS r "
        "CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(r.value) = 'object' "
        "THEN r.value ELSE '{}'::jsonb END) AS c",
        "SUM(c.value::numeric)",
        "",
    ),
    "sqlite": (
        "picked p, json_each(p.json) r, json_each(r.value) c",
        "SUM(CAST(c.value AS REAL))",
        "json_type(p.json) = 'object' AND r.type = 'object' AND ",
    ),
}
REGION = Coalesce("platform__department__region_id", "respondent__department__region_id")
# Who wrote a free text: the platform, else the respondent's organisation.
WHO = "COALESCE(NULLIF(r.platform_name, ''), NULLIF(r.organisation, ''), '')"


def _row(kind, values: dict, source: str, where="", group="") -> str:
    """One GROUP BY of the UNION: ``values`` {column: SQL}, NULL for the others."""
    select = ", ".join(
        f"'{kind}'" if column == "kind" else values.get(column, NULLS[column]) for column in COLUMNS
    )
    return f"SELECT {select} FROM {source}" + (f" WHERE {where}" if where else "") + group


def _among(ids, column="p.question") -> tuple[str, list]:
    return f"{column} IN (" + ", ".join(["%s"] * len(ids)) + ")", list(ids)


@dataclass
class AnswerFigures:
    """What ``answer_figures`` read, by kind of figure."""

    stats: dict = field(default_factory=dict)  # {question: {n, total, mean, ..., median}}
    counts: dict = field(default_factory=lambda: defaultdict(dict))  # {question: {key: n}}
    chosen: dict = field(default_factory=lambda: defaultdict(dict))  # {question: {code: n}}
    cells: dict = field(default_factory=lambda: defaultdict(dict))  # {q: {(r, c): (total, n)}}
    by_region: dict = field(default_factory=lambda: defaultdict(dict))  # {region: {q: (t, n)}}
    per_region: dict = field(default_factory=lambda: defaultdict(dict))  # {name: {region: n}}
    texts: dict = field(default_factory=lambda: defaultdict(list))  # {q: [(rank, text, who)]}
    cross: dict = field(default_factory=lambda: defaultdict(int))  # {((t, n), (t, n)): n}


def _decimal_or_none(value):
    return None if value is None else _decimal(value)


def _date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _compiled(queryset) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def answer_figures(
    filters,
    campaigns,
    *,
    stats=(),
    counted=(),
    multiple=(),
    tables=(),
    regional=(),
    texts=(),
    text_limit=0,
    text_who=False,
    cross=None,
    submitted_in=None,
    per_region=None,
) -> AnswerFigures:
    """Every figure over the answers of the submitted responses to ``campaigns`` (ids)
    that the filters keep, in one statement: ``stats`` (questions: count, sum, mean,
    min, max, median, first and last date), ``counted`` (single choices, yes/no and
    scales: answers per value), ``multiple`` (answers per chosen code), ``tables``
    (number tables: sum and count per cell), ``regional`` (sum and count per region),
    ``texts`` (the latest ``text_limit`` answers of each, with who wrote them if
    ``text_who``), ``cross`` ((row question, column question): answers per pair of
    values in the same response), ``submitted_in`` (a campaign: its responses per
    region, in ``per_region["submitted"]``) and ``per_region`` ({name: a queryset of
    (region id, n) rows}). SQLite, used by ``make run`` only, reads the numbers once
    more for the medians."""
    figures = AnswerFigures()
    crossed = list(cross or ())
    per_region = per_region or {}
    if not any([stats, counted, multiple, tables, regional, texts, crossed, per_region]) and (
        submitted_in is None
    ):
        return figures
    responses = Response.objects.filter(submitted_q(filters), campaign_id__in=campaigns)
    columns, names = ["pk", "campaign_id", REGION], "id, campaign, region"
    if text_who:
        columns += ["platform__name", "respondent__organisation"]
        names += ", platform_name, organisation"
    sql, params = _compiled(responses.order_by().values_list(*columns))
    vendor, db = _vendor(responses), responses.db
    # Every answer of these responses: each GROUP BY keeps its own questions. (A filter
    # on the questions here made PostgreSQL, without statistics, read the questions'
    # index once per response.)
    ctes = [
        f"responses ({names}) AS ({sql})",
        "picked (id, response, question, number, text, date, json, region"
        + (", who" if text_who else "")
        + ") AS (SELECT a.id, a.response_id, a.question_id, a.value_number, a.value_text, "
        + "a.value_date, a.value_json, r.region"
        + (f", {WHO}" if text_who else "")
        + f" FROM {Answer._meta.db_table} a INNER JOIN responses r ON a.response_id = r.id)",
    ]
    for name, queryset in per_region.items():
        sql, count_params = _compiled(queryset)
        ctes.append(f"{name} (region, n) AS ({sql})")
        params += count_params
    rows = []

    def add(kind, ids, values, source="picked p", condition="", group=""):
        where, among = _among(ids)
        rows.append(_row(kind, values, source, condition + where, group))
        params.extend(among)

    if stats:
        values = {
            "question": "p.question",
            "n": "COUNT(*)",
            "total": "SUM(p.number)",
            "mean": "AVG(p.number)",
            "low": "MIN(p.number)",
            "high": "MAX(p.number)",
            "median": MEDIAN_SQL[vendor],
            "first": "MIN(p.date)",
            "last": "MAX(p.date)",
        }
        add("s", stats, values, group=" GROUP BY p.question")
    if counted:
        values = {"question": "p.question", "key": "p.text", "key_number": "p.number"}
        values["n"] = "COUNT(*)"
        add("v", counted, values, group=" GROUP BY p.question, p.text, p.number")
    if multiple:
        source, code, condition = CHOSEN_FROM[vendor]
        values = {"question": "p.question", "key": code, "n": "COUNT(*)"}
        add("m", multiple, values, source, condition, f" GROUP BY p.question, {code}")
    if tables:
        source, total, condition = CELLS_FROM[vendor]
        values = {"question": "p.question", "key": "r.key", "sub": "c.key", "n": "COUNT(*)"}
        values["total"] = total
        add("c", tables, values, source, condition, " GROUP BY p.question, r.key, c.key")
    if regional:
        values = {"question": "p.question", "n": "COUNT(*)", "total": "SUM(p.number)"}
        values["region"] = "p.region"
        add("r", regional, values, group=" GROUP BY p.question, p.region")
    if texts:
        where, among = _among(texts)
        ranked = (
            "(SELECT p.question, p.text, "
            + ("p.who" if text_who else "''")
            + " AS who, ROW_NUMBER() OVER (PARTITION BY p.question ORDER BY p.id DESC) "
            + f"AS rank FROM picked p WHERE {where}) t"
        )
        values = {"question": "t.question", "key": "t.text", "sub": "t.who", "n": "t.rank"}
        rows.append(_row("t", values, ranked, "t.rank <= %s"))
        params.extend([*among, text_limit])
    if crossed:
        # Each response's answers to the two questions side by side (one answer per
        # question and response), then the pairs counted. (A join of ``picked`` to
        # itself was a nested loop for PostgreSQL without statistics.)
        row_question, column_question = crossed
        pairs = (
            "(SELECT MAX(CASE WHEN p.question = %s THEN p.text END) AS row_text, "
            "MAX(CASE WHEN p.question = %s THEN p.number END) AS row_number, "
            "MAX(CASE WHEN p.question = %s THEN p.text END) AS column_text, "
            "MAX(CASE WHEN p.question = %s THEN p.number END) AS column_number "
            "FROM picked p WHERE p.question IN (%s, %s) GROUP BY p.response "
            "HAVING COUNT(CASE WHEN p.question = %s THEN 1 END) > 0 "
            "AND COUNT(CASE WHEN p.question = %s THEN 1 END) > 0) x"
        )
        params.extend([row_question, row_question, column_question, column_question])
        params.extend([row_question, column_question, row_question, column_question])
        values = {"key": "x.row_text", "key_number": "x.row_number", "sub": "x.column_text"}
        values.update(sub_number="x.column_number", n="COUNT(*)")
        group = " GROUP BY x.row_text, x.row_number, x.column_text, x.column_number"
        rows.append(_row("x", values, pairs, group=group))
    if submitted_in is not None:
        values, group = {"n": "COUNT(*)", "region": "r.region"}, " GROUP BY r.region"
        rows.append(_row("submitted", values, "responses r", "r.campaign = %s", group))
        params.append(submitted_in)
    for name in per_region:
        rows.append(_row(name, {"n": f"{name}.n", "region": f"{name}.region"}, name))
    statement = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(rows)
    with connections[db].cursor() as cursor:
        cursor.execute(statement, params)
        result = cursor.fetchall()
    for row in result:
        _read(figures, dict(zip(COLUMNS, row, strict=True)))
    for answers in figures.texts.values():
        answers.sort()
    if stats and vendor != "postgresql":
        _sqlite_medians(figures, _answers(stats, filters))
    return figures


def _key(text, number):
    """A choice's key as ``options`` gives it: a yes/no or a scale's number, else the code."""
    return text if number is None else int(number)


def _read(figures, row):
    kind, question, n = row["kind"], row["question"], row["n"]
    if kind == "s":
        figures.stats[question] = {
            "n": n,
            **{name: _decimal_or_none(row[name]) for name in ("total", "mean", "low", "high")},
            "median": row["median"],
            "first": _date(row["first"]),
            "last": _date(row["last"]),
        }
    elif kind == "v":
        key = _key(row["key"], row["key_number"])
        figures.counts[question][key] = figures.counts[question].get(key, 0) + n
    elif kind == "m":
        figures.chosen[question][row["key"]] = n
    elif kind == "c":
        total = None if row["total"] is None else _decimal(round(row["total"], 4))
        figures.cells[question][(row["key"], row["sub"])] = (total, n)
    elif kind == "r":
        figures.by_region[row["region"]][question] = (_decimal_or_none(row["total"]), n)
    elif kind == "t":
        figures.texts[question].append((n, row["key"], row["sub"]))
    elif kind == "x":
        pair = ((row["key"], row["key_number"]), (row["sub"], row["sub_number"]))
        figures.cross[pair] += n
    else:
        figures.per_region[kind][row["region"]] = n


def _sqlite_medians(figures, answers):
    values = defaultdict(list)
    numbers = answers.exclude(value_number=None).order_by("question_id", "value_number")
    for question_id, number in numbers.values_list("question_id", "value_number"):
        values[question_id].append(number)
    for question_id, row in figures.stats.items():
        row["median"] = statistics.median(values[question_id]) if values[question_id] else None
