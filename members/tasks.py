"""Thin Celery tasks of the members app: load by id, call a service."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=60)
def dues_send_notice(line_id, actor_id=None):
    """Issue a line's notice and email it to the platform (once per line)."""
    from innovalo.models import User

    from .models import DuesLine
    from .services.dues import dues_send_notice as send

    line = DuesLine.objects.filter(pk=line_id).select_related("platform").first()
    if line is None:
        logger.warning("dues_send_notice: line %s not found", line_id)
        return False
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    sent = send(line, actor=actor)
    logger.info("dues_send_notice: line %s sent=%s", line_id, sent)
    return sent


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=60)
def dues_send_due_reminders():
    """The dues reminders due now (also run by innovalo.tasks.send_due_reminders)."""
    from .services.dues import dues_send_due_reminders as run

    sent = run()
    logger.info("dues_send_due_reminders: %s sent", sent)
    return sent
