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


@portal_task
def dues_call_year(year, actor_id=None):
    """The call of a year, confirmed by the bureau: lines created and called, each
    call email written to the outbox under its unique key (rule, line) in the same
    transaction, then delivered (one task each, claimed so that it leaves once). A
    second run, a double click or a retry finds the lines called and the emails
    recorded: nothing is sent twice."""
    from innovalo.models import User

    from .services.dues import dues_call_year as call

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        result = call(year=year, actor=actor)
    except ServiceError as error:
        logger.warning("dues_call_year %s: %s", year, error)
        return None
    logger.info(
        "dues_call_year %s: %s created, %s called", year, result.created, len(result.called)
    )
    return len(result.called)
