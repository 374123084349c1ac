"""Response rate, overall and per region, and the ministry indicators' totals per
region."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from innovalo.french import French
from members.models import Platform, Region

from ...charts import bar_chart
from ...enums import CampaignKind
from ...models import Response
from ..expected import expected_platforms, expected_respondents
from .answers import NO_TOTAL, STAT_TYPES, SUBMITTED, answer_figures
from .figures import Figure, _percent, is_secret
from .questions import _style


def _expected(campaign, filters):
    if campaign.kind == CampaignKind.EXTERNAL:
        expected = expected_respondents(campaign)
        if filters.region:
            expected = expected.filter(department__region_id=filters.region)
        return expected, "department__region_id"
    answered = Response.objects.filter(campaign=campaign, status=SUBMITTED).values("platform_id")
    expected = expected_platforms() | Platform.objects.filter(pk__in=answered)
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
    return dict(Region.objects.current().order_by(French("name"), "pk").values_list("pk", "name"))


@dataclass
class RegionRow:
    name: str
    expected: int
    submitted: int
    rate: Figure
    totals: list  # [Figure] per indicator

    @property
    def cells(self) -> list:
        """[Figure]: the response rate table's cells (responses, expected, rate)."""
        return [
            Figure(self.submitted, style="integer"),
            Figure(self.expected, style="integer"),
            self.rate,
        ]


def region_indicators(indicators) -> list:
    """The indicators totalled per region: numbers whose sum means something."""
    return [q for q in indicators if q.type in STAT_TYPES and q.type not in NO_TOTAL]


def expected_by_region(campaign, filters):
    """The expected respondents per region: (region id, n) rows for ``answer_figures``."""
    expected, path = _expected(campaign, filters)
    return expected.order_by().values_list(path).annotate(n=Count("pk"))


def region_rows(campaign, indicators, filters, regions: dict, keep, figures=None) -> tuple:
    """Per region: response rate and the indicators' totals; and the whole response
    rate, their sum (one query, or none given ``figures``: ``answer_figures`` with the
    ``region_indicators``, ``submitted_in`` and ``expected_by_region``). A platform survey
    expects the labelled platforms (``expected_platforms``) and any other that answered."""
    numeric = region_indicators(indicators)
    if figures is None:
        figures = answer_figures(
            filters,
            [campaign.pk],
            regional=[q.pk for q in numeric],
            submitted_in=campaign.pk,
            per_region={"expected": expected_by_region(campaign, filters)},
        )
    expected_by = figures.per_region["expected"]
    submitted_by = figures.per_region["submitted"]
    totals = figures.by_region
    names = {**regions, None: _("Région non renseignée")}
    keys = [key for key in names if expected_by.get(key) or submitted_by.get(key)]
    result = []
    styles = [_style(question) for question in numeric]
    for key in sorted(keys, key=lambda k: (k is None, names[k])):
        submitted = submitted_by.get(key, 0)
        expecting = max(expected_by.get(key, 0), submitted)
        sums = []
        for question, (style, unit) in zip(numeric, styles, strict=True):
            total, n = totals[key].get(question.pk, (None, 0))
            sums.append(Figure(total, secret=is_secret(n, keep), style=style, unit=unit))
        result.append(
            RegionRow(
                name=names[key],
                expected=expecting,
                submitted=submitted,
                rate=Figure(_percent(submitted, expecting), style="percent"),
                totals=sums,
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
