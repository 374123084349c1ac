"""Dues emails through the outbox (`innovalo.reminders`): the call, reminders, the digest.

Rules (one `SentReminder` row per rule, target and period, written before sending):

- `dues_call`: target the line, no period; scheduled in the call's transaction.
- `dues_reminder`: target the line, period the reminder step's pk — changing a
  step's days never sends that step again to a line that had it.
- `dues_reminder_manual`: target the line, period the date (one a day).
- `dues_digest`: target `DIGEST_TARGET`, period the ISO week. It lists the payments
  recorded since the previous digest was claimed (a watermark), never one twice.

Senders load the line by id and re-check under its row lock that it still owes
money (else `SkipEmail`), then send with no lock held, the notice attached.
"""

import datetime
import logging
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.emails import send_templated_email
from innovalo.enums import EmailStatus
from innovalo.exceptions import ServiceError
from innovalo.models import SentReminder
from innovalo.reminders import SkipEmail, already_sent, email_rule, send_once

from ...enums import DuesStatus
from ...models import DuesLine, DuesReminderStep
from ...selectors import dues as selectors
from .documents import NOTICE_STATES, dues_issue_notice

logger = logging.getLogger(__name__)

DIGEST_TARGET = "members.duesrate:0"
LINE_RULES = selectors.LINE_RULES


def _line(record, *, states) -> DuesLine:
    """The record's line, re-read under its row lock: SkipEmail unless in `states`."""
    line = record.target_object
    if not isinstance(line, DuesLine):
        raise SkipEmail
    with transaction.atomic():
        line = DuesLine.objects.select_for_update().filter(pk=line.pk).first()
        if line is None or line.status not in states:
            raise SkipEmail
    return DuesLine.objects.select_related("platform").get(pk=line.pk)


# A batch of emails (the job's reminders): the recipients read for all its lines in one
# query and one open mail connection, instead of a query and an SMTP session per email.
_batch: ContextVar[dict | None] = ContextVar("dues_email_batch", default=None)


def _send_line_email(name, line, *, extra=None) -> list[str]:
    try:
        notice = dues_issue_notice(line)
    except ServiceError:
        raise SkipEmail from None
    batch = _batch.get() or {}
    recipients = batch.get("recipients", {}).get(line.platform_id)
    if recipients is None:
        recipients = selectors.dues_recipients(line.platform)
    if not recipients:
        logger.warning("dues line %s: no director or accounting contact to email", line.pk)
        return []
    context = {
        "line": line,
        "platform": line.platform,
        "notice": notice,
        "line_url": settings.SITE_URL + reverse("platform_dues", args=[line.platform.slug]),
        **(extra or {}),
    }
    smtp = batch.get("connection")
    try:
        send_templated_email(
            name,
            recipients,
            context,
            attachments=[(notice.filename, notice.served_content(), "application/pdf")],
            connection=smtp,
        )
    except Exception:
        if smtp is not None:  # the next email of the batch opens a fresh session
            smtp.close()
        raise
    return recipients


@email_rule("dues_call")
def send_call(record) -> list[str]:
    """The call: the notice to the director and the accounting contact."""
    return _send_line_email("dues_call", _line(record, states=NOTICE_STATES))


@email_rule("dues_reminder")
def send_reminder(record) -> list[str]:
    line = _line(record, states=(DuesStatus.CALLED, DuesStatus.PARTLY_PAID))
    step_id = int(record.period) if record.period.isdigit() else None
    step = DuesReminderStep.objects.filter(pk=step_id).first() if step_id else None
    return _send_line_email("dues_reminder", line, extra={"step": step})


@email_rule("dues_reminder_manual")
def send_manual_reminder(record) -> list[str]:
    line = _line(record, states=(DuesStatus.CALLED, DuesStatus.PARTLY_PAID))
    return _send_line_email("dues_reminder", line, extra={"manual": True})


def dues_send_manual_reminder(line: DuesLine, *, actor, today=None) -> bool:
    """A reminder sent by hand by the bureau (one per line and day); True when sent."""
    today = today or timezone.localdate()
    line = DuesLine.objects.select_related("platform").get(pk=line.pk)
    if not line.is_unpaid:
        raise ServiceError(_("Seule une cotisation appelée et non soldée peut être relancée."))
    if not selectors.dues_recipients(line.platform):
        raise ServiceError(_("Cette plateforme n'a ni directeur ni contact comptable."))
    return send_once("dues_reminder_manual", line, today.isoformat(), actor=actor)


def dues_send_due_reminders(today=None) -> int:
    """The reminders due now (job `dues_reminders`); returns the emails sent."""
    due = selectors.due_reminders(today)
    if not due:
        return 0
    recipients = selectors.dues_recipients_by_platform({line.platform_id for line, _ in due})
    count = 0
    with get_connection() as smtp:
        token = _batch.set({"recipients": recipients, "connection": smtp})
        try:
            for line, step in due:
                if line.platform_id not in recipients:
                    continue  # not recorded: sent once the platform has someone to write to
                count += send_once("dues_reminder", line, step.pk)
        finally:
            _batch.reset(token)
    return count


# The weekly digest ---------------------------------------------------------------------


def _week(day) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def dues_weekly_digest(today=None) -> int:
    """Once per ISO week (first run from Monday on): who paid, who is late."""
    today = today or timezone.localdate()
    week = _week(today)
    if already_sent("dues_digest", DIGEST_TARGET, week) or not selectors.bureau_emails():
        return 0
    return int(send_once("dues_digest", DIGEST_TARGET, week))


@email_rule("dues_digest")
def send_digest(record) -> list[str]:
    recipients = selectors.bureau_emails()
    if not recipients:
        raise SkipEmail
    until = record.claimed_at or timezone.now()
    previous = (
        SentReminder.objects.filter(
            rule="dues_digest", target=DIGEST_TARGET, status=EmailStatus.SENT
        )
        .exclude(pk=record.pk)
        .filter(claimed_at__lt=until)
        .order_by("-claimed_at")
        .first()
    )
    since = previous.claimed_at if previous else until - datetime.timedelta(days=7)
    today = timezone.localdate(until)
    late_totals = selectors.dues_late_totals(today)
    context = {
        "payments": selectors.payments_recorded_between(since, until),
        "late": selectors.late_lines(today),
        "late_count": late_totals["count"],
        "late_total": late_totals["balance"],
        "summary": selectors.dues_year_summary(today.year),
        "week": record.period,
        "since": timezone.localtime(since),
        "board_url": settings.SITE_URL + reverse("dues_board"),
    }
    send_templated_email("dues_digest", recipients, context)
    return recipients
