"""The results of a campaign: figures per question, response rate, regions, year over
year, cross-tabulation, free text and "your platform / national median" (the rows of
the export are ``selectors.exports``).

Every figure is computed in SQL over the answers of **submitted** responses, in a fixed
number of queries whatever the number of responses: one GROUP BY question for every
numeric statistic (count, sum, mean, min, max, median: PostgreSQL's
``percentile_cont``; SQLite, used by ``make run`` only, takes the medians from one
ordered read of the values), one GROUP BY (question, value) for the choices, one over
the elements of the multiple choices' JSON arrays and one over the cells of the number
tables' JSON objects (``jsonb_array_elements_text`` / ``jsonb_each``, or SQLite's
``json_each``). Earlier campaigns' questions with the same codes go into the same
queries, so the year over year costs nothing more.

**Statistical secrecy**: for viewers who must keep it (everyone but the bureau), a
figure drawn from fewer than ``SECRECY_MIN`` responses is a ``Figure`` marked secret,
printed "secret" and never carrying its value to a page, a chart or a PDF.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Max,
    Min,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovalo.templatetags.innovalo import euros
from members.models import Platform, Region

from ..charts import bar_chart, line_chart
from ..enums import (
    NUMBER_TYPES,
    CampaignKind,
    CampaignStatus,
    QuestionType,
    ResponseStatus,
)
from ..models import Answer, Campaign, Question, Response
from .expected import expected_platforms, expected_respondents

SECRECY_MIN = 3
FREE_TEXT_LIMIT = 10
FREE_TEXT_PAGE = 50
SUBMITTED = ResponseStatus.SUBMITTED

STAT_TYPES = NUMBER_TYPES  # integer, decimal, money, percentage, scale
COUNTED_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.YES_NO, QuestionType.SCALE)
CHOICE_KINDS = (*COUNTED_TYPES, QuestionType.MULTIPLE_CHOICE)
CROSS_TYPES = COUNTED_TYPES
TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
TREND_TYPES = (*NUMBER_TYPES, QuestionType.YES_NO)
NO_TOTAL = (QuestionType.PERCENTAGE, QuestionType.SCALE)  # a sum of these means nothing
SECRET_TEXT = gettext_lazy("secret")
REGION_COLUMNS = 3  # indicators per table of totals by region


# Figures ---------------------------------------------------------------------------


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_figure(value, style="number", unit="") -> str:
    """A figure as a French reader reads it: 1 234,5 · 4,8 % · 1 234,50 € · 03/04/2026."""
    if style == "date":
        return date_format(value, "SHORT_DATE_FORMAT")
    if style == "money":
        return euros(value)
    most = {"integer": 0, "percent": 1}.get(style, 2)
    number = _decimal(value).quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
    places = max(0, -number.normalize().as_tuple().exponent)
    text = number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
    if style == "percent":
        return f"{text}\u00a0%"
    return f"{text}\u00a0{unit}" if unit else text


@dataclass(frozen=True)
class Figure:
    """A number (or date) to print, or "secret": a secret figure's value is dropped."""

    value: object = None
    secret: bool = False
    style: str = "number"
    unit: str = ""

    def __post_init__(self):
        if self.secret:
            object.__setattr__(self, "value", None)

    def __str__(self):
        if self.secret:
            return str(SECRET_TEXT)
        if self.value is None:
            return "—"
        return format_figure(self.value, self.style, self.unit)

    @property
    def shown(self):
        """What a chart draws: the value, or None (secret or missing)."""
        return None if self.secret else self.value


def is_secret(n, keep_secret) -> bool:
    """Drawn from fewer than SECRECY_MIN responses (and some), for a viewer who keeps secrecy."""
    return bool(keep_secret and 0 < (n or 0) < SECRECY_MIN)


def _percent(count, base) -> Decimal | None:
    if not base:
        return None
    return Decimal(count) * 100 / Decimal(base)


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


# Questions ---------------------------------------------------------------------------


def load_questions(campaign) -> list:
    """The campaign's questions in their order, with sections and choices (two queries)."""
    return list(campaign.questions.select_related("section").prefetch_related("choices"))


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


# Earlier campaigns (year over year) ----------------------------------------------------


def earlier_campaigns(campaign, *, visible=None) -> list:
    """One campaign per earlier year to compare with, oldest first (one query): the
    campaigns this one was copied from (``copied_from``, followed back), and for the
    other years the latest closed or published campaign of the same kind. ``visible``
    (campaign -> bool) drops those the viewer may not see."""
    candidates = list(
        Campaign.objects.filter(kind=campaign.kind, year__lt=campaign.year)
        .only("pk", "title", "year", "kind", "status", "copied_from_id")
        .order_by("-year", "-pk")
    )
    by_pk = {candidate.pk: candidate for candidate in candidates}
    chosen, seen, current = {}, set(), campaign
    while current.copied_from_id in by_pk and current.copied_from_id not in seen:
        seen.add(current.copied_from_id)
        current = by_pk[current.copied_from_id]
        chosen.setdefault(current.year, current)
    for candidate in candidates:
        if candidate.status in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED):
            chosen.setdefault(candidate.year, candidate)
    kept = [c for c in chosen.values() if visible is None or visible(c)]
    return sorted(kept, key=lambda c: c.year)


@dataclass
class TrendPoint:
    year: int
    campaign: Campaign
    n: int
    total: Figure
    median: Figure
    share: Figure  # yes/no: the share of "yes"


@dataclass
class Trend:
    question: Question
    points: list
    chart: str
    measure: str = "total"  # the figure charted: "total", "median" or "share"

    @property
    def yes_no(self) -> bool:
        return self.question.type == QuestionType.YES_NO

    @property
    def has_total(self) -> bool:
        return self.question.type not in (*NO_TOTAL, QuestionType.YES_NO)


def _trend(question, series, base, keep) -> Trend:
    style, unit = _style(question)
    points = []
    for campaign, question_id in series:
        row = base.get(question_id, {})
        n = row.get("n", 0)
        secret = is_secret(n, keep)
        share = _percent(row.get("total") or 0, n) if question.type == QuestionType.YES_NO else None
        points.append(
            TrendPoint(
                year=campaign.year,
                campaign=campaign,
                n=n,
                total=Figure(row.get("total"), secret=secret, style=style, unit=unit),
                median=Figure(row.get("median"), secret=secret, style=style, unit=unit),
                share=Figure(share, secret=secret, style="percent"),
            )
        )
    trend = Trend(question=question, points=points, chart="")
    if trend.yes_no:
        measure, title = "share", _("%(label)s : part de « oui » par année")
    elif trend.has_total:
        measure, title = "total", _("%(label)s : total par année")
    else:
        measure, title = "median", _("%(label)s : médiane par année")
    trend.measure = measure
    trend.chart = line_chart(
        title % {"label": question.label},
        [
            (point.year, getattr(point, measure).shown, str(getattr(point, measure)))
            for point in points
        ],
        maximum=100 if measure == "share" or question.type == QuestionType.PERCENTAGE else None,
    )
    return trend


# Response rate and regions -------------------------------------------------------------


def _expected(campaign, filters):
    if campaign.kind == CampaignKind.EXTERNAL:
        expected = expected_respondents(campaign)
        if filters.region:
            expected = expected.filter(department__region_id=filters.region)
        return expected, "department__region_id"
    answered = Response.objects.filter(campaign=campaign, status=SUBMITTED).values("platform_id")
    expected = Platform.objects.filter(
        Q(pk__in=expected_platforms().values("pk")) | Q(pk__in=answered)
    )
    if filters.region:
        expected = expected.filter(department__region_id=filters.region)
    if filters.domain:
        expected = expected.filter(pk__in=Platform.objects.filter(domains=filters.domain))
    if filters.label_status:
        expected = expected.filter(label_status=filters.label_status)
    return expected, "department__region_id"


@dataclass
class Participation:
    submitted: int
    expected: int

    @property
    def rate(self) -> Figure:
        return Figure(_percent(self.submitted, self.expected), style="percent")


def region_names() -> dict:
    """{region id: name} of the current regions (one query)."""
    return dict(Region.objects.current().order_by("name").values_list("pk", "name"))


@dataclass
class RegionRow:
    name: str
    expected: int
    submitted: int
    rate: Figure
    totals: list  # [Figure] per indicator


def region_rows(campaign, indicators, filters, regions: dict, keep) -> tuple:
    """Per region: response rate and the indicators' totals; and the whole response
    rate, their sum (three queries). A platform survey expects the labelled platforms
    (``expected_platforms``) and any other that answered."""
    expected, path = _expected(campaign, filters)
    expected_by = dict(expected.order_by().values_list(path).annotate(n=Count("pk")))
    region = Coalesce("platform__department__region_id", "respondent__department__region_id")
    submitted_by = dict(
        Response.objects.filter(submitted_q(filters), campaign=campaign)
        .order_by()
        .values_list(region)
        .annotate(n=Count("pk"))
    )
    totals = defaultdict(dict)
    numeric = [q for q in indicators if q.type in STAT_TYPES and q.type not in NO_TOTAL]
    if numeric:
        rows = (
            _answers([q.pk for q in numeric], filters)
            .order_by()
            .values_list(
                "question_id",
                Coalesce(
                    "response__platform__department__region_id",
                    "response__respondent__department__region_id",
                ),
            )
            .annotate(total=Sum("value_number"), n=Count("id"))
        )
        for question_id, region_id, total, n in rows:
            totals[region_id][question_id] = (total, n)
    names = {**regions, None: _("Région non renseignée")}
    keys = [key for key in names if expected_by.get(key) or submitted_by.get(key)]
    result = []
    for key in sorted(keys, key=lambda k: (k is None, names[k])):
        submitted = submitted_by.get(key, 0)
        expecting = max(expected_by.get(key, 0), submitted)
        figures = []
        for question in numeric:
            total, n = totals[key].get(question.pk, (None, 0))
            style, unit = _style(question)
            figures.append(Figure(total, secret=is_secret(n, keep), style=style, unit=unit))
        result.append(
            RegionRow(
                name=names[key],
                expected=expecting,
                submitted=submitted,
                rate=Figure(_percent(submitted, expecting), style="percent"),
                totals=figures,
            )
        )
    submitted = sum(submitted_by.values())
    whole = Participation(submitted, max(sum(expected_by.values()), submitted))
    return result, whole


def region_chart(rows) -> str:
    return bar_chart(
        _("Taux de réponse par région"),
        [(row.name, row.rate.value, str(row.rate)) for row in rows],
        maximum=100,
    )


# The whole page ----------------------------------------------------------------------


@dataclass
class Results:
    campaign: Campaign
    questions: list  # [QuestionResult]
    sections: list  # [(section, [QuestionResult])]
    trends: list  # [Trend]
    earlier: list  # [Campaign]
    participation: Participation
    regions: list  # [RegionRow]
    region_indicators: list  # [Question] (the columns of the regions' totals)
    region_chart: str
    filters: Filters
    keep_secret: bool

    @property
    def region_groups(self) -> list:
        """The indicators' totals by region, REGION_COLUMNS indicators a table (a page is
        not wide enough for all): [(questions, [(region name, [Figure])])]."""
        size, groups = REGION_COLUMNS, []
        for start in range(0, len(self.region_indicators), size):
            questions = self.region_indicators[start : start + size]
            rows = [(row.name, row.totals[start : start + size]) for row in self.regions]
            groups.append((questions, rows))
        return groups

    @property
    def key_figures(self) -> list:
        return [result for result in self.questions if result.question.is_ministry_indicator]

    @property
    def by_pk(self) -> dict:
        return {result.question.pk: result for result in self.questions}


def campaign_results(
    campaign, *, filters=NO_FILTERS, keep_secret=True, visible=None, questions=None, regions=None
) -> Results:
    """Everything the results page and the national report show, in a fixed number of
    queries. ``visible`` (campaign -> bool) says which earlier campaigns the viewer may
    compare with; ``regions`` ({id: name}) saves reading them again."""
    questions = load_questions(campaign) if questions is None else questions
    regions = region_names() if regions is None else regions
    earlier = earlier_campaigns(campaign, visible=visible)
    trend_codes = {q.code: q for q in questions if q.type in TREND_TYPES}
    earlier_questions = []
    if earlier and trend_codes:
        earlier_questions = list(
            Question.objects.filter(campaign__in=earlier, code__in=trend_codes).only(
                "pk", "campaign_id", "code", "type"
            )
        )
    earlier_questions = [q for q in earlier_questions if q.type == trend_codes[q.code].type]

    ids = [q.pk for q in questions]
    base = _base_stats(ids + [q.pk for q in earlier_questions], filters)
    counts = _value_counts([q.pk for q in questions if q.type in COUNTED_TYPES], filters)
    chosen = _chosen_counts(
        [q.pk for q in questions if q.type == QuestionType.MULTIPLE_CHOICE], filters
    )
    cells = _cell_totals([q.pk for q in questions if q.type == QuestionType.NUMBER_TABLE], filters)
    results = [_question_result(q, base, counts, chosen, cells, keep_secret) for q in questions]

    sections = []
    for result in results:
        section = result.question.section
        if not sections or sections[-1][0].pk != section.pk:
            sections.append((section, []))
        sections[-1][1].append(result)

    by_campaign = {c.pk: c for c in earlier}
    series = defaultdict(list)
    for question in earlier_questions:
        series[question.code].append((by_campaign[question.campaign_id], question.pk))
    trends = []
    for code, question in trend_codes.items():
        points = sorted(series.get(code, []), key=lambda item: item[0].year)
        points.append((campaign, question.pk))
        # Compared only when some earlier year and this one have answers.
        if len(points) > 1 and any(base.get(pk, {}).get("n") for _c, pk in points[:-1]):
            trends.append(_trend(question, points, base, keep_secret))
    by_pk = {result.question.pk: result for result in results}
    for trend in trends:
        before = trend.points[-2]
        by_pk[trend.question.pk].previous = (before.year, getattr(before, trend.measure))

    indicators = [q for q in questions if q.is_ministry_indicator]
    rows, whole = region_rows(campaign, indicators, filters, regions, keep_secret)
    return Results(
        campaign=campaign,
        questions=results,
        sections=sections,
        trends=trends,
        earlier=earlier,
        participation=whole,
        regions=rows,
        region_indicators=[
            q for q in indicators if q.type in STAT_TYPES and q.type not in NO_TOTAL
        ],
        region_chart=region_chart(rows) if rows else "",
        filters=filters,
        keep_secret=keep_secret,
    )


# Cross-tabulation ----------------------------------------------------------------------


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


# Free text and "your platform" -----------------------------------------------------------


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


@dataclass
class Comparison:
    platform: Platform
    submitted: bool
    rows: list  # [(question, own Figure, median Figure)]


def platform_comparison(campaign, platforms, results: Results) -> list:
    """For each platform: its own answer to each number question beside the median of
    the results (one query)."""
    numbers = [r for r in results.questions if r.question.type in STAT_TYPES]
    if not platforms or not numbers:
        return []
    own = defaultdict(dict)
    rows = Answer.objects.filter(
        response__campaign=campaign,
        response__status=SUBMITTED,
        response__platform__in=platforms,
        question_id__in=[r.question.pk for r in numbers],
    ).values_list("response__platform_id", "question_id", "value_number")
    for platform_id, question_id, value in rows:
        own[platform_id][question_id] = value
    answered = set(
        Response.objects.filter(
            campaign=campaign, status=SUBMITTED, platform__in=platforms
        ).values_list("platform_id", flat=True)
    )
    comparisons = []
    for platform in platforms:
        lines = []
        for result in numbers:
            style, unit = _style(result.question)
            value = own[platform.pk].get(result.question.pk)
            lines.append((result.question, Figure(value, style=style, unit=unit), result.median))
        comparisons.append(Comparison(platform, platform.pk in answered, lines))
    return comparisons
