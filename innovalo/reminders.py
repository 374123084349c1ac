"""Reminders and notification emails that never repeat, and the jobs that send them.

**Emails (the outbox).** Every email the portal sends on its own is a row of
``SentReminder`` keyed by (rule, target, period), unique. An app registers one
sender per rule (``@email_rule("dues_reminder")``): a function that receives the row,
loads its objects by id (``record.target_object``), sends and returns the recipients,
or raises ``SkipEmail`` when the email has no object any more (the line was paid).

- ``send_once(rule, target, period)`` (periodic jobs, outside any transaction): the row
  is committed as *pending*, claimed (one worker only: a conditional UPDATE), the email
  is sent with no transaction open during the SMTP exchange, then the row is marked
  *sent* or *failed*. A second run, a retried task or a concurrent worker finds the
  row and sends nothing.
- ``schedule_email(rule, target, period)`` (services, inside their transaction): the
  pending row is written with the change that causes it and the delivery task is
  enqueued on commit. If the broker is down the row stays pending.
- ``retry_unsent()`` (the ``outbox`` job of ``send_reminders``): sends what is pending
  for more than a few minutes (never enqueued) or failed (a bounded number of times).

**Jobs.** Every app registers its periodic jobs here (in ``<app>/reminders.py``).
``send_reminders`` (the management command and the Celery beat task) runs them all;
a job that fails is logged and reported, and never stops the others.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .audit import key_of, load
from .enums import EmailStatus
from .models import SentReminder

logger = logging.getLogger(__name__)

# An email pending for longer than this was never enqueued (broker down): resend it.
PENDING_GRACE = datetime.timedelta(minutes=2)
# A row claimed for longer than this belongs to a worker that died mid-send.
STALE_CLAIM = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 5


class SkipEmail(Exception):
    """Raised by a sender: the email has no object any more; nothing is sent."""


_SENDERS: dict[str, Callable[[SentReminder], list[str]]] = {}
_JOBS: dict[str, Callable[[], int]] = {}


def email_rule(rule: str):
    """Register the sender of a rule: ``sender(record) -> recipients``."""

    def decorator(func):
        _SENDERS[rule] = func
        return func

    return decorator


def registered_rules() -> dict[str, Callable]:
    return dict(_SENDERS)


def _record(rule, target, period, actor) -> tuple[SentReminder, bool]:
    target = key_of(target)
    period = str(period or "")
    try:
        with transaction.atomic():
            record, created = SentReminder.objects.get_or_create(
                rule=rule, target=target, period=period, defaults={"sent_by": actor}
            )
    except IntegrityError:
        # A concurrent worker inserted it between our read and our insert.
        record, created = SentReminder.objects.get(rule=rule, target=target, period=period), False
    return record, created


def already_sent(rule: str, target, period="") -> bool:
    return SentReminder.objects.filter(
        rule=rule, target=key_of(target), period=str(period)
    ).exists()


def _claim(record_id: int) -> bool:
    """One worker only moves a row to "sending" (a conditional UPDATE is atomic)."""
    now = timezone.now()
    claimable = Q(status__in=[EmailStatus.PENDING, EmailStatus.FAILED]) | Q(
        status=EmailStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        SentReminder.objects.filter(claimable, pk=record_id, attempts__lt=MAX_ATTEMPTS).update(
            status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def deliver(record_id: int) -> bool:
    """Claim a row and send its email; True when sent now."""
    if not _claim(record_id):
        return False
    record = SentReminder.objects.get(pk=record_id)
    sender = _SENDERS.get(record.rule)
    try:
        if sender is None:
            raise LookupError(f"no sender registered for rule {record.rule!r}")
        recipients = sender(record)
    except SkipEmail:
        SentReminder.objects.filter(pk=record_id).update(status=EmailStatus.SKIPPED)
        logger.info("email %s skipped (no object any more)", record)
        return False
    except Exception as error:  # noqa: BLE001 - logged, retried by the next run
        SentReminder.objects.filter(pk=record_id).update(
            status=EmailStatus.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        logger.exception("email %s failed (attempt %s)", record, record.attempts)
        return False
    recipients = [r for r in (recipients or []) if r]
    SentReminder.objects.filter(pk=record_id).update(
        status=EmailStatus.SENT if recipients else EmailStatus.SKIPPED,
        recipients=", ".join(recipients),
        sent_at=timezone.now(),
        last_error="",
    )
    if recipients:
        logger.info("email %s sent to %s", record, len(recipients))
    return bool(recipients)


def send_once(rule: str, target, period="", *, actor=None) -> bool:
    """Record the email (committed), then send it now; True when sent now.

    Call it outside any transaction (periodic jobs, tasks): the row must be committed
    before the SMTP exchange, and no lock is held during it.
    """
    record, _created = _record(rule, target, period, actor)
    if record.status in (EmailStatus.SENT, EmailStatus.SKIPPED):
        return False
    return deliver(record.pk)


def schedule_email(rule: str, target, period="", *, actor=None) -> SentReminder:
    """In a service's transaction: write the pending row, enqueue its delivery on commit."""
    from .tasks import deliver_email, enqueue

    record, created = _record(rule, target, period, actor)
    if created:
        enqueue(deliver_email, record.pk)
    return record


def retry_unsent(now=None) -> int:
    """Send what was never enqueued (broker down) or failed; returns emails sent."""
    now = now or timezone.now()
    ids = list(
        SentReminder.objects.filter(
            Q(status=EmailStatus.PENDING, created_at__lt=now - PENDING_GRACE)
            | Q(status=EmailStatus.FAILED)
            | Q(status=EmailStatus.SENDING, claimed_at__lt=now - STALE_CLAIM),
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    return sum(deliver(pk) for pk in ids)


def target_object(record: SentReminder):
    return load(record.target)


SentReminder.target_object = property(target_object)


# Periodic jobs ---------------------------------------------------------------------------


def register(name: str):
    """Register a job: a callable returning how many emails it sent."""

    def decorator(func):
        _JOBS[name] = func
        return func

    return decorator


def registered_jobs() -> dict[str, Callable[[], int]]:
    return dict(_JOBS)


@dataclass
class JobsReport:
    sent: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def run_jobs(only: list[str] | None = None) -> JobsReport:
    """Run every registered job (or those named); a failing job never stops the others."""
    report = JobsReport()
    for name, job in sorted(_JOBS.items()):
        if only and name not in only:
            continue
        try:
            report.sent[name] = job()
        except Exception as error:  # noqa: BLE001 - logged and reported
            logger.exception("reminder job %s failed", name)
            report.failed[name] = f"{type(error).__name__}: {error}"
    return report


def run_due_reminders(only: list[str] | None = None) -> dict[str, int]:
    """Emails sent per job (failed jobs are logged; see ``run_jobs`` for the report)."""
    return run_jobs(only).sent


register("outbox")(retry_unsent)
