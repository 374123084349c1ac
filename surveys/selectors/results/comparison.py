"""Your platform / the median: a platform's own answers beside the results' medians."""

from collections import defaultdict
from dataclasses import dataclass

from members.models import Platform

from ...models import Answer, Response
from .answers import STAT_TYPES, SUBMITTED
from .figures import Figure
from .page import Results
from .questions import _style


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
