"""Thin Celery tasks: load by id, call a service."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(ConnectionError, OSError),
    max_retries=3,
    retry_backoff=60,
)
def send_meeting_convocations(meeting_id: int) -> int:
    """Convocations of a convened meeting; idempotent (one key per invitee)."""
    sent = services.meeting_send_convocations(meeting_id)
    logger.info("meeting %s: %s convocation(s) sent", meeting_id, sent)
    return sent
