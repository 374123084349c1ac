"""Thin Celery tasks, and the one way to enqueue them.

- ``PortalTask`` declares the retry policy once: late acknowledgement, bounded
  retries with a growing countdown on connection and SMTP errors.
- ``enqueue(task, *ids)`` waits for the commit, passes ids only (the task reloads its
  objects), and never fails the request when the broker is down: the error is
  logged, and what must not be lost (emails) is already in the outbox, sent by the
  next ``send_reminders`` run.
"""

import logging

from celery import Task, shared_task
from django.db import transaction

from .reminders import deliver, run_jobs

logger = logging.getLogger(__name__)


class PortalTask(Task):
    acks_late = True
    autoretry_for = (ConnectionError, OSError)
    max_retries = 3
    retry_backoff = 60
    retry_backoff_max = 15 * 60
    retry_jitter = True


def portal_task(*args, **kwargs):
    """``@portal_task`` = ``@shared_task(base=PortalTask)``."""
    kwargs.setdefault("base", PortalTask)
    if args and callable(args[0]):
        return shared_task(**kwargs)(args[0])
    return shared_task(*args, **kwargs)


def _publish(task, args, kwargs) -> bool:
    if task.app.conf.task_always_eager:
        task.apply(args=args, kwargs=kwargs, throw=True)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:  # noqa: BLE001 - broker down: logged, the outbox keeps the work
        logger.warning("could not enqueue %s%r: broker unreachable", task.name, args, exc_info=True)
        return False
    return True


def enqueue(task, *args, **kwargs) -> None:
    """Enqueue `task(*args, **kwargs)` once the current transaction commits."""
    transaction.on_commit(lambda: _publish(task, args, kwargs))


@portal_task
def send_due_reminders(only=None):
    """Every reminder that is due now; idempotent (see innovalo.reminders)."""
    report = run_jobs(only)
    logger.info("send_due_reminders: sent %s, failed %s", report.sent, report.failed)
    return report.sent


@portal_task
def deliver_email(record_id):
    """One email of the outbox (``SentReminder``), claimed so that it leaves once."""
    return deliver(record_id)


@shared_task
def ping():
    """Used by the health check and tests to prove a worker answers."""
    return "pong"


@portal_task
def prepare_national_report(report_id, user_id):
    """Draw and store the national report (``innovalo.dashboard.services``); a rerun
    finds it current and draws nothing."""
    from .dashboard.services import report_prepare

    report = report_prepare(report_id=report_id, user_id=user_id)
    return report.status if report else None
