"""Reminders that never repeat.

Every app registers its periodic reminder jobs here (in `<app>/reminders.py`).
`send_reminders` (the management command and the Celery beat task) runs them all.

A job sends each email through `send_once(key, ...)`: the key is written to
`SentReminder` (unique) in the same transaction as the sending. A second run, a
retried task or a concurrent worker finds the key and sends nothing; if sending
fails, the transaction is rolled back and the next run tries again.
"""

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SentReminder

logger = logging.getLogger(__name__)

_JOBS: dict[str, Callable[[], int]] = {}


def register(name: str):
    """Register a job: a callable returning how many emails it sent."""

    def decorator(func):
        _JOBS[name] = func
        return func

    return decorator


def registered_jobs() -> dict[str, Callable[[], int]]:
    return dict(_JOBS)


def already_sent(key: str) -> bool:
    return SentReminder.objects.filter(key=key).exists()


def send_once(key: str, *, kind: str, send: Callable[[], list[str]], actor=None) -> bool:
    """Record `key`, then call `send()` (which returns the recipients).

    Returns True when sent now, False when it had been sent before.
    """
    try:
        with transaction.atomic():
            # On PostgreSQL a concurrent insert of the same key waits here for the
            # other transaction, then fails: the reminder is sent once only.
            record = SentReminder.objects.create(key=key, kind=kind, sent_by=actor)
            recipients = send()
            record.recipients = ", ".join(recipients)
            record.sent_at = timezone.now()
            record.save(update_fields=["recipients", "sent_at"])
    except IntegrityError:
        logger.info("reminder %s already sent, skipped", key)
        return False
    logger.info("reminder %s sent to %s", key, record.recipients)
    return True


def run_due_reminders(only: list[str] | None = None) -> dict[str, int]:
    """Run every registered job (or those named); return emails sent per job."""
    results = {}
    for name, job in sorted(_JOBS.items()):
        if only and name not in only:
            continue
        results[name] = job()
    return results
