"""Who is expected to answer a campaign: the one definition of a response rate's
denominator, used by the answering pages, the tracking page, reminders and results.

- A platform survey expects every labelled platform (label granted or in renewal),
  member or not: the label is what the ministry asks the survey of.
- An external questionnaire expects its respondents, except those who opted out or
  whose address bounced before answering.
"""

from django.db.models import Q

from members.enums import LabelStatus
from members.models import Platform

from ..enums import RespondentStatus, ResponseStatus
from ..models import Respondent

EXPECTED_LABELS = (LabelStatus.LABELLED, LabelStatus.RENEWAL)


# Respondents who opted out or bounced without answering are not waited for.
NOT_EXPECTED = Q(status__in=[RespondentStatus.OPTED_OUT, RespondentStatus.BOUNCED]) & ~Q(
    response__status=ResponseStatus.SUBMITTED
)


def expected_platforms():
    """The platforms a platform survey expects an answer from (a queryset)."""
    return Platform.objects.filter(label_status__in=EXPECTED_LABELS)


def expected_respondents(campaign):
    """The respondents an external questionnaire expects an answer from."""
    return Respondent.objects.filter(campaign=campaign).exclude(NOT_EXPECTED)
