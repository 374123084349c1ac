"""The reminder of an agreement's end, through the outbox (``innovalo.reminders``).

The periodic job ``agreement_reminders`` (run by ``send_reminders`` and Celery beat)
writes to a platform's people (directors and staff) 90 days, then 30 days, before one of
its agreements ends: rule ``agreement_ending``, target the agreement, period
``"<end date>:<90|30>"``. Each step once per end date: an agreement prolonged (a new
end date) is reminded again; when both steps are due (an agreement entered 20 days
before its end), only the nearer one, 30, is sent. Nothing for open-ended agreements or
ended ones.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from innovalo.audit import key_of
from innovalo.emails import send_templated_email
from innovalo.models import SentReminder
from innovalo.reminders import SkipEmail, email_rule, register, send_once

from .enums import PlatformRole
from .models import Agreement
from .selectors.partnerships import agreements_to_remind

RULE = "agreement_ending"
STEPS = (30, 90)  # days before the end, nearest first
RECIPIENT_ROLES = (PlatformRole.DIRECTOR, PlatformRole.STAFF)


def step_due(days_left: int) -> int | None:
    """The nearest step an agreement ending in `days_left` days is due for."""
    return next((step for step in STEPS if 0 <= days_left <= step), None)


def period_of(ends_on, step: int) -> str:
    return f"{ends_on.isoformat()}:{step}"


@email_rule(RULE)
def send_agreement_ending(record) -> list[str]:
    """To the platform's active directors and staff, while the agreement still ends on
    the date of the row (moved or ended: nothing)."""
    _label, _sep, pk = record.target.partition(":")
    agreement = (
        Agreement.objects.select_related("platform").filter(pk=int(pk)).first()
        if pk.isdigit()
        else None
    )
    ends_on, _sep, step = record.period.partition(":")
    today = timezone.localdate()
    if (
        agreement is None
        or agreement.ends_on is None
        or agreement.ends_on.isoformat() != ends_on
        or agreement.ends_on < today
        or not step.isdigit()
    ):
        raise SkipEmail
    platform = agreement.platform
    recipients = sorted(platform.people_emails(*RECIPIENT_ROLES))
    if not recipients:
        raise SkipEmail
    send_templated_email(
        RULE,
        recipients,
        {
            "agreement": agreement,
            "platform": platform,
            "step": int(step),
            "days_left": (agreement.ends_on - today).days,
            "agreements_url": settings.SITE_URL + reverse("agreement_list", args=[platform.slug]),
            "edit_url": settings.SITE_URL
            + reverse("agreement_edit", args=[platform.slug, agreement.pk]),
        },
    )
    return recipients


@register("agreement_reminders")
def agreement_reminders(today=None) -> int:
    """Remind the agreements that end within 90 days of the nearest step they are due
    for, once per end date and step. Returns how many emails were sent."""
    today = today or timezone.localdate()
    due = []
    for pk, ends_on in agreements_to_remind(today, days=max(STEPS)):
        step = step_due((ends_on - today).days)
        if step is not None:
            due.append((key_of(Agreement(pk=pk)), period_of(ends_on, step)))
    if not due:
        return 0
    # Rows already written (sent, skipped, or left to the outbox's retries): one query.
    known = set(
        SentReminder.objects.filter(rule=RULE, target__in=[target for target, _p in due])
        .values_list("target", "period")
        .order_by()
    )
    return sum(
        send_once(RULE, target, period) for target, period in due if (target, period) not in known
    )
