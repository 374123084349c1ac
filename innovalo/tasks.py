"""Thin Celery tasks: load by id, call a service."""

import logging

from celery import shared_task

from .reminders import run_due_reminders

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=60)
def send_due_reminders(only=None):
    """Every reminder that is due now; idempotent (see innovalo.reminders)."""
    results = run_due_reminders(only)
    logger.info("send_due_reminders: %s", results)
    return results


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), max_retries=3)
def send_invitation_email(invitation_id, token):
    """The invitation link, once per token (the token only travels in this message)."""
    from .services import invitation_send_email

    return invitation_send_email(invitation_id, token)


@shared_task
def ping():
    """Used by the health check and tests to prove a worker answers."""
    return "pong"
