"""Response rate, overall and per region, and the ministry indicators' totals per
region."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from members.models import Platform, Region

from ...charts import bar_chart
from ...enums import CampaignKind
from ...models import Response
from ..expected import expected_platforms, expected_respondents
from .answers import NO_TOTAL, STAT_TYPES, SUBMITTED, _answers, submitted_q
from .figures import Figure, _percent, is_secret
from .questions import _style


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
