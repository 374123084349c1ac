"""One templated email helper: subject, text and HTML bodies from templates/email/."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def send_templated_email(
    name: str,
    to: list[str],
    context: dict | None = None,
    *,
    cc: list[str] | None = None,
    reply_to: list[str] | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    language: str = "fr",
    headers: dict | None = None,
    connection=None,
) -> int:
    """Send `templates/email/<name>_subject.txt`, `_body.txt` and `_body.html`.

    The context always has `site_url` and `association`, so that every email can
    link back to the portal. `headers`: extra headers (List-Unsubscribe...);
    `connection`: an open mail connection to share across a batch.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return 0
    ctx = {"site_url": settings.SITE_URL, "association": settings.ASSOCIATION}
    ctx.update(context or {})
    with translation.override(language):
        # Text parts through the "text" engine: no HTML escaping in plain text.
        subject = render_to_string(f"email/{name}_subject.txt", ctx, using="text")
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
        text = render_to_string(f"email/{name}_body.txt", ctx, using="text")
        html = render_to_string(f"email/{name}_body.html", ctx)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=recipients,
        cc=cc or [],
        reply_to=reply_to or [],
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    sent = message.send()
    logger.info("email %s sent to %s", name, ", ".join(recipients))
    return sent
