"""The results of a campaign: figures per question, response rate, regions, year over
year, cross-tabulation, free text and "your platform / national median" (the rows of
the export are ``selectors.exports``).

Every figure is computed in SQL over the answers of **submitted** responses, in a fixed
number of queries whatever the number of responses (``answers``: the GROUP BYs).
Earlier campaigns' questions with the same codes go into the same queries, so the year
over year costs nothing more.

**Statistical secrecy** (``figures``): for viewers who must keep it (everyone but the
bureau), a figure drawn from fewer than ``SECRECY_MIN`` responses is a ``Figure`` marked
secret, printed "secret" and never carrying its value to a page, a chart or a PDF.

Modules: ``figures`` (formatting, secrecy), ``answers`` (filters, question kinds, the
GROUP BYs), ``questions`` (one question's results), ``trends`` (year over year),
``regions`` (response rate and totals per region), ``page`` (``campaign_results``: the
whole page), ``crosstab``, ``texts`` (free text) and ``comparison`` (your platform /
the median). The names below are the package's interface.
"""

from .answers import (
    CHOICE_KINDS,
    COUNTED_TYPES,
    CROSS_TYPES,
    NO_FILTERS,
    NO_TOTAL,
    STAT_TYPES,
    SUBMITTED,
    TEXT_TYPES,
    TREND_TYPES,
    Filters,
    submitted_q,
)
from .comparison import Comparison, platform_comparison
from .crosstab import CrossRow, CrossTab, cross_tab
from .figures import SECRECY_MIN, SECRET_TEXT, Figure, format_figure, is_secret
from .page import REGION_COLUMNS, Results, campaign_results
from .questions import (
    ChoiceRow,
    QuestionResult,
    TableResult,
    load_questions,
    options,
    question_kind,
)
from .regions import Participation, RegionRow, region_chart, region_names, region_rows
from .texts import FREE_TEXT_LIMIT, FREE_TEXT_PAGE, TextAnswer, free_text_page, free_texts
from .trends import Trend, TrendPoint, earlier_campaigns

__all__ = [
    "CHOICE_KINDS",
    "COUNTED_TYPES",
    "CROSS_TYPES",
    "FREE_TEXT_LIMIT",
    "FREE_TEXT_PAGE",
    "NO_FILTERS",
    "NO_TOTAL",
    "REGION_COLUMNS",
    "SECRECY_MIN",
    "SECRET_TEXT",
    "STAT_TYPES",
    "SUBMITTED",
    "TEXT_TYPES",
    "TREND_TYPES",
    "ChoiceRow",
    "Comparison",
    "CrossRow",
    "CrossTab",
    "Figure",
    "Filters",
    "Participation",
    "QuestionResult",
    "RegionRow",
    "Results",
    "TableResult",
    "TextAnswer",
    "Trend",
    "TrendPoint",
    "campaign_results",
    "cross_tab",
    "earlier_campaigns",
    "format_figure",
    "free_text_page",
    "free_texts",
    "is_secret",
    "load_questions",
    "options",
    "platform_comparison",
    "question_kind",
    "region_chart",
    "region_names",
    "region_rows",
    "submitted_q",
]
