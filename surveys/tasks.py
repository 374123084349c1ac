"""The surveys app's Celery tasks: thin, they load by id and call a service."""

from innovalo.tasks import portal_task


@portal_task
def send_invitations(campaign_id):
    """Send the campaign's pending invitations (idempotent: at most once each).
    ``PortalTask`` retries it on SMTP and connection errors."""
    from .services.invitations import invitations_send

    return invitations_send(campaign_id=campaign_id)
