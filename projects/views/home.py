"""The home page's panel of the calls watch: the next deadlines of the calls I follow,
how many calls close within 30 days, and my projects' next steps."""

import datetime

from django.core.cache import cache
from django.utils import timezone

from .. import perms
from ..enums import OPEN_STAGES, CallStatus
from ..models import CallDeadline, Project
from ..models.calls import CLOSING_SOON_DAYS

PANEL_ROWS = 5
# The number of calls closing within 30 days is the same for everyone: counted once in a
# while rather than on each home page.
CLOSING_KEY = "projects:home:closing_soon"
CLOSING_TIMEOUT = 10 * 60


def _closing_soon(now) -> int:
    return (
        CallDeadline.objects.filter(
            call__status=CallStatus.PUBLISHED,
            due_at__gte=now,
            due_at__lte=now + datetime.timedelta(days=CLOSING_SOON_DAYS),
        )
        .values("call")
        .distinct()
        .count()
    )


def home_calls_panel(request):
    user = request.user
    if not perms.can_read_calls(user):
        return None
    now = timezone.now()
    deadlines = list(
        CallDeadline.objects.filter(
            call__follows__user=user,
            call__status=CallStatus.PUBLISHED,
            due_at__gte=now,
        )
        .select_related("call")
        .order_by("due_at", "pk")[:PANEL_ROWS]
    )
    closing = cache.get_or_set(CLOSING_KEY, lambda: _closing_soon(now), CLOSING_TIMEOUT)
    steps = list(
        Project.objects.filter(next_step_owner=user, stage__in=OPEN_STAGES)
        .exclude(next_step="")
        .order_by("next_step_due", "pk")[:PANEL_ROWS]
    )
    if not (deadlines or closing or steps):
        return None
    return {
        "template": "projects/includes/home_calls.html",
        "deadlines": deadlines,
        "closing": closing,
        "steps": steps,
    }
