"""Everything the results page and the national report show, in a fixed number of
queries (earlier campaigns' questions with the same codes go into the same GROUP BYs, so
the year over year costs nothing more)."""

from collections import defaultdict
from dataclasses import dataclass

from ...charts import table_rows
from ...enums import QuestionType
from ...models import Campaign, Question
from .answers import COUNTED_TYPES, NO_FILTERS, TREND_TYPES, Filters, answer_figures
from .crosstab import CrossTab, cross_tab
from .questions import _question_result, load_questions
from .regions import (
    Participation,
    expected_by_region,
    region_chart,
    region_indicators,
    region_names,
    region_rows,
)
from .texts import free_texts, text_query
from .trends import _trend, earlier_campaigns

REGION_COLUMNS = 3  # indicators per table of totals by region


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
    cross: CrossTab | None = None  # the two questions crossed, if asked

    @property
    def region_groups(self) -> list:
        """The indicators' totals by region, REGION_COLUMNS indicators a table (a page is
        not wide enough for all): [(question labels, the ``<tr>`` of the regions)]."""
        size, groups = REGION_COLUMNS, []
        for start in range(0, len(self.region_indicators), size):
            labels = [q.label for q in self.region_indicators[start : start + size]]
            rows = [(row.name, row.totals[start : start + size]) for row in self.regions]
            groups.append((labels, table_rows(rows)))
        return groups

    @property
    def region_body(self) -> str:
        """The ``<tr>`` of the response rate per region: responses, expected, rate."""
        return table_rows((row.name, row.cells) for row in self.regions)

    @property
    def key_figures(self) -> list:
        return [result for result in self.questions if result.question.is_ministry_indicator]

    @property
    def by_pk(self) -> dict:
        return {result.question.pk: result for result in self.questions}


def campaign_results(
    campaign,
    *,
    filters=NO_FILTERS,
    keep_secret=True,
    visible=None,
    questions=None,
    regions=None,
    cross=None,
    free_text=False,
) -> Results:
    """Everything the results page and the national report show, in a fixed number of
    queries. ``visible`` (campaign -> bool) says which earlier campaigns the viewer may
    compare with; ``regions`` ({id: name}) saves reading them again; ``cross`` (two
    choice questions) adds their cross-tabulation and ``free_text`` each text question's
    latest answers (the bureau's), both read with the other figures."""
    questions = load_questions(campaign) if questions is None else questions
    regions = region_names() if regions is None else regions
    earlier = earlier_campaigns(campaign, visible=visible)
    trend_codes = {q.code: q for q in questions if q.type in TREND_TYPES}
    earlier_questions = []  # [(id, campaign id, code)] of the same type
    if earlier and trend_codes:
        rows = Question.objects.filter(campaign__in=earlier, code__in=trend_codes).order_by()
        rows = rows.values_list("pk", "campaign_id", "code", "type")
        earlier_questions = [row[:3] for row in rows if row[3] == trend_codes[row[2]].type]

    indicators = region_indicators([q for q in questions if q.is_ministry_indicator])
    figures = answer_figures(
        filters,
        [campaign.pk, *{campaign_id for _pk, campaign_id, _code in earlier_questions}],
        stats=[q.pk for q in questions] + [pk for pk, _campaign, _code in earlier_questions],
        counted=[q.pk for q in questions if q.type in COUNTED_TYPES],
        multiple=[q.pk for q in questions if q.type == QuestionType.MULTIPLE_CHOICE],
        tables=[q.pk for q in questions if q.type == QuestionType.NUMBER_TABLE],
        regional=[q.pk for q in indicators],
        cross=None if cross is None else (cross[0].pk, cross[1].pk),
        submitted_in=campaign.pk,
        per_region={"expected": expected_by_region(campaign, filters)},
        **(text_query(campaign, questions) if free_text else {}),
    )
    base, counts, chosen, cells = figures.stats, figures.counts, figures.chosen, figures.cells
    results = [_question_result(q, base, counts, chosen, cells, keep_secret) for q in questions]
    if free_text:
        texts = free_texts(campaign, questions, figures=figures)
        for result in results:
            result.texts = texts.get(result.question.pk, [])

    sections = []
    for result in results:
        section = result.question.section
        if not sections or sections[-1][0].pk != section.pk:
            sections.append((section, []))
        sections[-1][1].append(result)

    by_campaign = {c.pk: c for c in earlier}
    series = defaultdict(list)
    for pk, campaign_id, code in earlier_questions:
        series[code].append((by_campaign[campaign_id], pk))
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

    rows, whole = region_rows(campaign, indicators, filters, regions, keep_secret, figures)
    return Results(
        campaign=campaign,
        questions=results,
        sections=sections,
        trends=trends,
        earlier=earlier,
        participation=whole,
        regions=rows,
        region_indicators=indicators,
        region_chart=region_chart(rows) if rows else "",
        filters=filters,
        keep_secret=keep_secret,
        cross=None
        if cross is None
        else cross_tab(*cross, keep_secret=keep_secret, pairs=figures.cross),
    )
