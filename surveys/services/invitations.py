"""Invitations of an external questionnaire's respondents: start, stop, resume, send.

**States** (``Respondent.invitation``): the bureau's *start* turns every respondent not
yet invited (and not opted out, bounced or done) *pending*; *stop* turns the pending
ones *held*; *resume* turns them pending again. The Celery task
(``surveys.tasks.send_invitations``) sends the pending ones, in batches of
``BATCH_SIZE`` over one SMTP connection per batch.

**At most once per respondent.** Each respondent is claimed in the database before
its message leaves: one short transaction marks the previous message *sent* and takes
the next pending row with ``SELECT ... FOR UPDATE SKIP LOCKED``, marking it *sending*;
the message goes out after that commit. So two workers never take the same row, a
stopped campaign stops at the next message, and a worker killed at any point leaves at
most one row *sending*: the message whose fate is unknown (the SMTP server may or may
not have it). Running the task again sends the rest and never that one; the bureau
sees it (after ``STALE_SENDING``) and may send it again, accepting a possible double.

**Never mailed**: opted-out or bounced respondents, and those who completed. An SMTP
refusal of the address marks the respondent bounced; any other SMTP error marks the
message failed (the bureau may retry it) and stops the task, which Celery retries.

Progress (sent / total, running or stopped) is read from those states by one query.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Max, Q
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from innovalo.audit import log_action
from innovalo.exceptions import ServiceError
from innovalo.tasks import enqueue

from ..enums import CampaignStatus, RespondentStatus
from ..models import Campaign, Respondent
from ..models.responses import InvitationState
from .respondents import respondent_link, respondent_opt_out_link, unsubscribe_headers

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# A message "sending" for longer than this belongs to a worker that died mid-send.
STALE_SENDING = datetime.timedelta(minutes=10)
# Running, but nothing sent for this long: the worker may be gone (offer to relaunch).
IDLE = datetime.timedelta(minutes=2)
NEVER_MAILED = (RespondentStatus.OPTED_OUT, RespondentStatus.BOUNCED, RespondentStatus.COMPLETED)
MAILABLE = ~Q(status__in=NEVER_MAILED)
TEMPLATE = "email/survey_invitation"
CLAIMED_FIELDS = ("campaign_id", "email", "organisation", "language", "token_salt", "token_hash")


def _check_campaign(campaign):
    if not campaign.is_external:
        raise ServiceError(_("Seul un questionnaire externe envoie des invitations."))
    if not accepting(campaign):
        raise ServiceError(_("Les invitations partent pendant que la campagne est ouverte."))


def accepting(campaign) -> bool:
    """The campaign takes answers: its link works, its invitations may leave."""
    return campaign.status == CampaignStatus.OPEN and timezone.localdate() <= campaign.closes_on


def _locked_campaign(campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _request(campaign, actor, action, message) -> int:
    """Respondents not invited yet (or held) become pending; the task is enqueued."""
    from ..tasks import send_invitations

    locked = _locked_campaign(campaign)
    _check_campaign(locked)
    waiting = Respondent.objects.filter(
        campaign=locked, invitation__in=(InvitationState.NONE, InvitationState.HELD)
    )
    waiting.exclude(MAILABLE).update(invitation=InvitationState.SKIPPED)
    count = waiting.filter(MAILABLE).update(invitation=InvitationState.PENDING, invitation_error="")
    pending = Respondent.objects.filter(campaign=locked, invitation=InvitationState.PENDING)
    if not count and not pending.exists():
        raise ServiceError(_("Aucun répondant à inviter."))
    log_action(locked, action, actor=actor, message=message % {"count": count})
    enqueue(send_invitations, locked.pk)
    return count


@transaction.atomic
def invitations_start(*, campaign, actor) -> int:
    """Invite every respondent not invited yet; returns how many became pending."""
    return _request(
        campaign, actor, "surveys.invitations_started", _("Envoi des invitations (%(count)s)")
    )


@transaction.atomic
def invitations_resume(*, campaign, actor) -> int:
    """Send what was stopped (and respondents added since); relaunch a task either way
    (a worker gone: what is pending is sent, never what is *sending*)."""
    return _request(
        campaign, actor, "surveys.invitations_resumed", _("Reprise des invitations (%(count)s)")
    )


@transaction.atomic
def invitations_stop(*, campaign, actor) -> int:
    """Pending invitations are held: the task stops before its next message."""
    locked = _locked_campaign(campaign)
    count = Respondent.objects.filter(campaign=locked, invitation=InvitationState.PENDING).update(
        invitation=InvitationState.HELD
    )
    if not count:
        raise ServiceError(_("Aucun envoi en cours."))
    log_action(
        locked,
        "surveys.invitations_stopped",
        actor=actor,
        message=_("Envoi des invitations arrêté (%(count)s en attente)") % {"count": count},
    )
    return count


@transaction.atomic
def invitations_retry(*, campaign, actor, now=None) -> int:
    """The bureau sends again the failed messages and those left *sending* by a worker
    that died (they may have arrived: a possible double, the bureau's choice)."""
    from ..tasks import send_invitations

    now = now or timezone.now()
    locked = _locked_campaign(campaign)
    _check_campaign(locked)
    count = (
        Respondent.objects.filter(campaign=locked)
        .filter(
            Q(invitation=InvitationState.FAILED)
            | Q(invitation=InvitationState.SENDING, invitation_claimed_at__lt=now - STALE_SENDING)
        )
        .filter(MAILABLE)
        .update(invitation=InvitationState.PENDING, invitation_error="")
    )
    if not count:
        raise ServiceError(_("Aucune invitation à renvoyer."))
    log_action(
        locked,
        "surveys.invitations_retried",
        actor=actor,
        message=_("Invitations renvoyées (échecs et envois interrompus : %(count)s)")
        % {"count": count},
    )
    enqueue(send_invitations, locked.pk)
    return count


def invitations_progress(campaign, now=None) -> dict:
    """Counts per invitation state (one query) and what they mean for the bureau."""
    now = now or timezone.now()
    states = InvitationState
    counts = Respondent.objects.filter(campaign=campaign).aggregate(
        not_requested=Count("pk", filter=Q(invitation=states.NONE) & MAILABLE),
        pending=Count("pk", filter=Q(invitation=states.PENDING)),
        held=Count("pk", filter=Q(invitation=states.HELD)),
        sending=Count("pk", filter=Q(invitation=states.SENDING)),
        stale=Count(
            "pk",
            filter=Q(invitation=states.SENDING, invitation_claimed_at__lt=now - STALE_SENDING),
        ),
        sent=Count("pk", filter=Q(invitation=states.SENT)),
        failed=Count("pk", filter=Q(invitation=states.FAILED)),
        skipped=Count("pk", filter=Q(invitation=states.SKIPPED)),
        last_sent=Max("invited_at"),
    )
    total = sum(counts[name] for name in ("pending", "held", "sending", "sent", "failed"))
    running = counts["pending"] > 0 or counts["sending"] > counts["stale"]
    last = counts["last_sent"]
    counts.update(
        total=total,
        percent=round(100 * counts["sent"] / total) if total else 0,
        running=running,
        stopped=not running and counts["held"] > 0,
        done=total > 0 and not running and not counts["held"],
        idle=running and (last is None or last < now - IDLE),
        can_start=counts["not_requested"] > 0 or counts["held"] > 0,
        can_retry=counts["stale"] > 0 or counts["failed"] > 0,
    )
    return counts


# The task's work --------------------------------------------------------------------


class _Templates:
    """The invitation's three templates, loaded once per batch."""

    def __init__(self):
        self.subject = get_template(f"{TEMPLATE}_subject.txt", using="text")
        self.text = get_template(f"{TEMPLATE}_body.txt", using="text")
        self.html = get_template(f"{TEMPLATE}_body.html")

    def message(self, campaign, respondent, connection) -> EmailMultiAlternatives:
        language = "en" if respondent.language == "en" else "fr"
        context = {
            "campaign": campaign,
            "respondent": respondent,
            "link": respondent_link(respondent),
            "opt_out_link": respondent_opt_out_link(respondent),
            "language": language,
            "site_url": settings.SITE_URL,
            "association": settings.ASSOCIATION,
        }
        with translation.override(language):
            subject = " ".join(self.subject.render(context).split())
            text = self.text.render(context)
            html = self.html.render(context)
        message = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[respondent.email],
            headers=unsubscribe_headers(respondent),
            connection=connection,
        )
        message.attach_alternative(html, "text/html")
        return message


def _claim_next(campaign_id, sent, now):
    """In one transaction: the message just sent is marked sent, and the next pending
    respondent (mailable, not locked by another worker) is claimed as sending."""
    with transaction.atomic():
        if sent is not None:
            Respondent.objects.filter(pk=sent.pk, invitation=InvitationState.SENDING).update(
                invitation=InvitationState.SENT, invited_at=now, invitation_error=""
            )
        respondent = (
            Respondent.objects.select_for_update(skip_locked=True)
            .filter(campaign_id=campaign_id, invitation=InvitationState.PENDING)
            .filter(MAILABLE)
            .order_by("pk")
            .only(*CLAIMED_FIELDS)
            .first()
        )
        if respondent is not None:
            Respondent.objects.filter(pk=respondent.pk).update(
                invitation=InvitationState.SENDING, invitation_claimed_at=now
            )
    return respondent


def _mark_sent(respondent):
    Respondent.objects.filter(pk=respondent.pk, invitation=InvitationState.SENDING).update(
        invitation=InvitationState.SENT, invited_at=timezone.now(), invitation_error=""
    )


def _mark_failed(respondent, error, *, bounced=False):
    Respondent.objects.filter(pk=respondent.pk).update(
        invitation=InvitationState.FAILED,
        invitation_error=f"{type(error).__name__}: {error}"[:300],
    )
    if bounced:  # the server refused the address: never mailed again
        Respondent.objects.filter(pk=respondent.pk, status=RespondentStatus.INVITED).update(
            status=RespondentStatus.BOUNCED
        )


def _send_batch(campaign, templates, batch_size) -> tuple[int, bool]:
    """Up to ``batch_size`` invitations over one SMTP connection; (sent, more to do).
    The connection opens before anything is claimed: a server down claims nothing."""
    connection = get_connection()
    connection.open()
    sent, previous = 0, None
    try:
        for _index in range(batch_size):
            respondent = _claim_next(campaign.pk, previous, timezone.now())
            previous = None
            if respondent is None:
                return sent, False
            message = templates.message(campaign, respondent, connection)
            try:
                connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as error:
                _mark_failed(respondent, error, bounced=True)
                logger.warning("invitation to respondent %s refused: %s", respondent.pk, error)
                continue
            except Exception as error:
                _mark_failed(respondent, error)
                raise
            previous = respondent
            sent += 1
        if previous is not None:
            _mark_sent(previous)
            previous = None
        return sent, True
    except Exception:
        if previous is not None:  # sent, then the next claim failed (database gone)
            _mark_sent(previous)
        raise
    finally:
        connection.close()


def _hold_pending(campaign) -> None:
    Respondent.objects.filter(campaign=campaign, invitation=InvitationState.PENDING).update(
        invitation=InvitationState.HELD
    )


def invitations_send(*, campaign_id, batch_size=BATCH_SIZE) -> int:
    """Send every pending invitation of the campaign, batch after batch; returns how
    many were sent. Idempotent: a second run, or a concurrent one, sends nothing twice.
    Called outside any transaction (each claim commits before its message leaves)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign.is_external:
        return 0
    templates = _Templates()
    total = 0
    while True:
        campaign.refresh_from_db(fields=["status", "closes_on"])
        if not accepting(campaign):
            _hold_pending(campaign)
            logger.info("invitations of campaign %s held: the campaign is not open", campaign.pk)
            break
        sent, more = _send_batch(campaign, templates, batch_size)
        total += sent
        logger.info("invitations of campaign %s: batch of %s sent", campaign.pk, sent)
        if not more:
            break
    # Those who opted out, bounced or completed while pending are not waited for.
    Respondent.objects.filter(campaign=campaign, invitation=InvitationState.PENDING).exclude(
        MAILABLE
    ).update(invitation=InvitationState.SKIPPED)
    return total
