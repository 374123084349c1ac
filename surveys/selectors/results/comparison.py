"""Your platform / the median: a platform's own answers beside the results' medians."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import FilteredRelation, Q

from members.models import Platform

from ...models import Response
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
    the results (one query: the submitted responses, each with its numbers' answers)."""
    numbers = [r for r in results.questions if r.question.type in STAT_TYPES]
    if not platforms or not numbers:
        return []
    numbered = FilteredRelation(
        "answers", condition=Q(answers__question_id__in=[r.question.pk for r in numbers])
    )
    rows = (
        Response.objects.filter(campaign=campaign, status=SUBMITTED, platform__in=platforms)
        .annotate(number=numbered)
        .values_list("platform_id", "number__question_id", "number__value_number")
    )
    own, answered = defaultdict(dict), set()
    for platform_id, question_id, value in rows:  # a row per answer, or one without
        answered.add(platform_id)
        if question_id is not None:
            own[platform_id][question_id] = value
    comparisons = []
    for platform in platforms:
        lines = []
        for result in numbers:
            style, unit = _style(result.question)
            value = own[platform.pk].get(result.question.pk)
            lines.append((result.question, Figure(value, style=style, unit=unit), result.median))
        comparisons.append(Comparison(platform, platform.pk in answered, lines))
    return comparisons
