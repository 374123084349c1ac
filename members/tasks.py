"""Thin Celery tasks of the members app: load by id, call a service.

Enqueued on commit with `innovalo.tasks.enqueue`; the retry policy is
`innovalo.tasks.PortalTask`'s. Dues emails go through the outbox's own task
(`innovalo.tasks.deliver_email`).
"""

import logging

from innovalo.exceptions import ServiceError
from innovalo.tasks import portal_task

logger = logging.getLogger(__name__)


@portal_task
def dues_issue_certificate(line_id):
    """The certificate of a line that became paid (issued once; a rerun finds it)."""
    from .enums import DuesStatus
    from .models import DuesLine
    from .services.dues import dues_issue_certificate as issue

    line = DuesLine.objects.filter(pk=line_id).first()
    if line is None or line.status != DuesStatus.PAID:
        logger.info("dues_issue_certificate: line %s not paid (any more)", line_id)
        return None
    try:
        document = issue(line)
    except ServiceError as error:
        logger.info("dues_issue_certificate: line %s: %s", line_id, error)
        return None
    return document.number
