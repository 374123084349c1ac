"""Year over year: the earlier campaigns to compare with, and a question's headline
figure (total, median or share of "yes") per year, with its line chart."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ...charts import line_chart, table_rows
from ...enums import CampaignStatus, QuestionType
from ...models import Campaign, Question
from .answers import NO_TOTAL
from .figures import Figure, _percent, is_secret
from .questions import _style


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

    @property
    def heads(self) -> list:
        """The table's heads after the year's, over ``rows``' cells."""
        if self.yes_no:
            return [_("Réponses"), _("Part de « oui »")]
        return [_("Réponses"), *([_("Total")] if self.has_total else []), _("Médiane")]

    @property
    def body(self) -> str:
        """The ``<tr>`` of ``rows``."""
        return table_rows(self.rows)

    @property
    def rows(self) -> list:
        """[(year, [Figure])]: each year's cells under the table's heads (responses,
        then the share of "yes", or the total if any and the median)."""
        yes_no, has_total = self.yes_no, self.has_total
        rows = []
        for point in self.points:
            cells = [Figure(point.n, style="integer")]
            if yes_no:
                cells.append(point.share)
            else:
                cells += [point.total, point.median] if has_total else [point.median]
            rows.append((str(point.year), cells))
        return rows


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
