"""Reads of the bureau's respondents page: where each respondent stands (one stage
each), the counts per stage, and the filtered rows."""

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils.translation import gettext_lazy

from innovalo.french import search_words

from ..enums import InvitationState, RespondentStatus
from ..models import Respondent

_INVITED = Q(status=RespondentStatus.INVITED)
# Where a respondent stands, as the bureau filters them: each one in exactly one stage.
STAGES = {
    "not_invited": (
        gettext_lazy("Pas encore invité"),
        _INVITED & ~Q(invitation=InvitationState.SENT),
    ),
    "invited": (
        gettext_lazy("Invité"),
        _INVITED & Q(invitation=InvitationState.SENT, reminders_sent=0),
    ),
    "reminded": (
        gettext_lazy("Relancé"),
        _INVITED & Q(invitation=InvitationState.SENT, reminders_sent__gt=0),
    ),
    "started": (RespondentStatus.STARTED.label, Q(status=RespondentStatus.STARTED)),
    "completed": (RespondentStatus.COMPLETED.label, Q(status=RespondentStatus.COMPLETED)),
    "opted_out": (RespondentStatus.OPTED_OUT.label, Q(status=RespondentStatus.OPTED_OUT)),
    "bounced": (RespondentStatus.BOUNCED.label, Q(status=RespondentStatus.BOUNCED)),
}
STAGE = Case(
    *[When(condition, then=Value(key)) for key, (_label, condition) in STAGES.items()],
    default=Value("not_invited"),
    output_field=CharField(),
)


def respondent_counts(campaign) -> dict:
    """{stage: count} and "all", in one query; and the reminded ones by number of
    reminders ({n: count}, one more query)."""
    counts = Respondent.objects.filter(campaign=campaign).aggregate(
        all=Count("pk"),
        **{key: Count("pk", filter=condition) for key, (_label, condition) in STAGES.items()},
    )
    reminded = (
        Respondent.objects.filter(campaign=campaign)
        .filter(STAGES["reminded"][1])
        .order_by("reminders_sent")
        .values_list("reminders_sent")
        .annotate(count=Count("pk"))
    )
    counts["reminded_by_count"] = dict(reminded)
    return counts


def respondent_rows(campaign, *, status="", q=""):
    """The respondents of the page (a queryset with the department and the stage)."""
    rows = (
        Respondent.objects.filter(campaign=campaign)
        .select_related("department")
        .annotate(stage=STAGE)
        .order_by("email", "pk")
    )
    if status in STAGES:
        rows = rows.filter(STAGES[status][1])
    # Every word in the email or the organisation, accents and case aside.
    return search_words(rows, q, ("email", "organisation"))
