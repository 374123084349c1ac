"""Invitations of an external questionnaire's respondents: start, stop, resume, send.

**States** (``Respondent.invitation``): the bureau's *start* turns every respondent not
yet invited (and not opted out, bounced or done) *pending*; *stop* turns the pending
ones *held*; *resume* turns them pending again. The Celery task
(``surveys.tasks.send_invitations``) sends the pending ones, in batches of
``BATCH_SIZE`` over one SMTP connection per batch.

**At most once per respondent.** A batch of pending rows is claimed in one short
transaction (``SELECT ... FOR UPDATE SKIP LOCKED``, stamped with the claim's time), so
two workers take different rows. Then, for each message, one committed statement
marks the previous message *sent* and moves this one from *pending under this claim*
to *sending*, before it leaves. So a stopped campaign stops at the next message, a
row taken over by another worker is skipped, and a worker killed at any point leaves
at most one row *sending*: the message whose fate is unknown (the SMTP server may or
may not have it). The rest of its batch stays claimed; after ``STALE_CLAIM`` another
run takes it over (a run started meanwhile waits for that). No run ever sends a
*sending* row again; the bureau sees it (after ``STALE_SENDING``) and may send it
again, accepting a possible double.

**Never mailed**: opted-out or bounced respondents, and those who completed. An SMTP
refusal of the address marks the respondent bounced; any other SMTP error marks the
message failed (the bureau may retry it) and stops the task, which Celery retries.

Progress (sent / total, running or stopped) is read from those states by one query.
"""

import contextlib
import datetime
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from innovalo.audit import log_action
from innovalo.exceptions import ServiceError
from innovalo.tasks import enqueue

from ..enums import CampaignStatus, InvitationState, RespondentStatus
from ..models import Campaign, Respondent
from .respondents import respondent_link_token

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# A claimed batch untouched for this long belongs to a worker that died: taken over.
STALE_CLAIM = datetime.timedelta(minutes=2)
POLL_SECONDS = 0.5
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
        invitation=InvitationState.HELD, invitation_claimed_at=None
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
        .update(invitation=InvitationState.PENDING, invitation_error="", invitation_claimed_at=None)
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
        last_claim=Max("invitation_claimed_at"),
    )
    total = sum(counts[name] for name in ("pending", "held", "sending", "sent", "failed"))
    running = counts["pending"] > 0 or counts["sending"] > counts["stale"]
    activity = [moment for moment in (counts["last_sent"], counts["last_claim"]) if moment]
    last = max(activity) if activity else None
    counts.update(
        total=total,
        percent=round(100 * counts["sent"] / total) if total else 0,
        running=running,
        stopped=not running and counts["held"] > 0,
        done=total > 0 and not running and not counts["held"],
        idle=running and last is not None and last < now - IDLE,
        can_start=counts["not_requested"] > 0 or counts["held"] > 0,
        can_retry=counts["stale"] > 0 or counts["failed"] > 0,
    )
    return counts


# The task's work --------------------------------------------------------------------


class _Templates:
    """The invitation, rendered once per batch for each language (and with or without
    an organisation), with markers that each message replaces by its own values: the
    templates are not rendered ten thousand times."""

    MARKERS = {"link": "@@LINK@@", "opt_out_link": "@@OPTOUT@@", "organisation": "@@ORG@@"}

    def __init__(self, campaign):
        self.campaign = campaign
        self.subject_template = get_template(f"{TEMPLATE}_subject.txt", using="text")
        self.text_template = get_template(f"{TEMPLATE}_body.txt", using="text")
        self.html_template = get_template(f"{TEMPLATE}_body.html")
        self.rendered = {}
        self.site_url = settings.SITE_URL
        self.link_prefix = self.site_url + reverse("survey_questionnaire", args=["TOKEN"])
        self.opt_out_prefix = self.site_url + reverse("survey_opt_out", args=["TOKEN"])

    def _render(self, language, with_organisation):
        key = (language, with_organisation)
        if key not in self.rendered:
            context = {
                "campaign": self.campaign,
                "respondent": {"organisation": self.MARKERS["organisation"] * with_organisation},
                "link": self.MARKERS["link"],
                "opt_out_link": self.MARKERS["opt_out_link"],
                "language": language,
                "site_url": self.site_url,
                "association": settings.ASSOCIATION,
            }
            with translation.override(language):
                subject = " ".join(self.subject_template.render(context).split())
                self.rendered[key] = (
                    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
                    self.text_template.render(context),
                    self.html_template.render(context),
                )
        return self.rendered[key]

    def message(self, respondent, connection) -> EmailMultiAlternatives:
        language = "en" if respondent.language == "en" else "fr"
        subject, text, html = self._render(language, bool(respondent.organisation))
        token = respondent_link_token(respondent)
        link = self.link_prefix.replace("TOKEN", token)
        opt_out_link = self.opt_out_prefix.replace("TOKEN", token)
        values = {"link": link, "opt_out_link": opt_out_link}
        for name, value in values.items():
            text = text.replace(self.MARKERS[name], value)
            html = html.replace(self.MARKERS[name], value)
        text = text.replace(self.MARKERS["organisation"], respondent.organisation)
        html = html.replace(self.MARKERS["organisation"], escape(respondent.organisation))
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[respondent.email],
            headers={
                "List-Unsubscribe": f"<{opt_out_link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            connection=connection,
        )
        message.attach_alternative(html, "text/html")
        return message


def _claim_batch(campaign_id, size, now) -> list:
    """Pending respondents that no live worker has claimed, locked (SKIP LOCKED: two
    workers take different rows) and stamped with this claim's time."""
    with transaction.atomic():
        rows = list(
            Respondent.objects.select_for_update(skip_locked=True)
            .filter(campaign_id=campaign_id, invitation=InvitationState.PENDING)
            .filter(
                Q(invitation_claimed_at__isnull=True)
                | Q(invitation_claimed_at__lt=now - STALE_CLAIM)
            )
            .filter(MAILABLE)
            .order_by("pk")
            .only(*CLAIMED_FIELDS)[:size]
        )
        if rows:
            Respondent.objects.filter(pk__in=[row.pk for row in rows]).update(
                invitation_claimed_at=now
            )
    return rows


def _step_sql() -> str:
    """One statement per message, outside any transaction (so committed at once): the
    message just sent becomes *sent*, the next one *sending* if it is still pending
    under this claim (not stopped, not taken over by another worker)."""
    table = Respondent._meta.db_table
    quote = connection.ops.quote_name
    pk, state = quote("id"), quote("invitation")
    invited, claimed = quote("invited_at"), quote("invitation_claimed_at")
    return (
        f"UPDATE {quote(table)} SET "
        f"{state} = CASE WHEN {pk} = %s THEN %s ELSE %s END, "
        f"{invited} = CASE WHEN {pk} = %s THEN %s ELSE {invited} END "
        f"WHERE ({pk} = %s AND {state} = %s) "
        f"OR ({pk} = %s AND {state} = %s AND {claimed} = %s)"
    )


def _step(sql, sent, current, claim, now) -> bool:
    """Mark ``sent`` (or None) sent and take ``current`` (or None); True when
    ``current`` is ours to send now."""
    sent_pk = sent.pk if sent is not None else None
    current_pk = current.pk if current is not None else None
    ops = connection.ops
    stamp, claim = ops.adapt_datetimefield_value(now), ops.adapt_datetimefield_value(claim)
    params = [sent_pk, InvitationState.SENT, InvitationState.SENDING, sent_pk, stamp]
    params += [sent_pk, InvitationState.SENDING]
    params += [current_pk, InvitationState.PENDING, claim]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        changed = cursor.rowcount
    if current is None:
        return False
    if changed == (2 if sent is not None else 1):
        return True
    return Respondent.objects.filter(pk=current.pk, invitation=InvitationState.SENDING).exists()


def _mark_failed(respondent, error, *, bounced=False):
    Respondent.objects.filter(pk=respondent.pk).update(
        invitation=InvitationState.FAILED,
        invitation_error=f"{type(error).__name__}: {error}"[:300],
    )
    if bounced:  # the server refused the address: never mailed again
        Respondent.objects.filter(pk=respondent.pk, status=RespondentStatus.INVITED).update(
            status=RespondentStatus.BOUNCED
        )


def _send_batch(campaign, templates, batch_size) -> tuple[int, int]:
    """Up to ``batch_size`` invitations over one SMTP connection; (sent, claimed).
    A server that cannot be reached gives its claim back: nothing is marked."""
    claim = timezone.now()
    batch = _claim_batch(campaign.pk, batch_size, claim)
    if not batch:
        return 0, 0
    smtp = get_connection()
    try:
        smtp.open()
    except Exception:
        _release(batch, claim)
        raise
    sql = _step_sql()
    try:
        sent, previous = 0, None
        for respondent in batch:
            ours = _step(sql, previous, respondent, claim, timezone.now())
            previous = None
            if not ours:  # stopped, or taken over by another worker
                continue
            try:
                smtp.send_messages([templates.message(respondent, smtp)])
            except smtplib.SMTPRecipientsRefused as error:
                _mark_failed(respondent, error, bounced=True)
                logger.warning("invitation to respondent %s refused: %s", respondent.pk, error)
                continue
            except Exception as error:
                _mark_failed(respondent, error)
                raise
            # Not marked here on a BaseException (a worker being killed): the message
            # stays "sending", which is what a SIGKILL would leave.
            previous = respondent
            sent += 1
        if previous is not None:
            _step(sql, previous, None, claim, timezone.now())
        return sent, len(batch)
    except Exception:
        _release(batch, claim)  # what was not attempted goes back to the pending pool
        raise
    finally:
        smtp.close()


def _release(batch, claim) -> None:
    Respondent.objects.filter(
        pk__in=[row.pk for row in batch],
        invitation=InvitationState.PENDING,
        invitation_claimed_at=claim,
    ).update(invitation_claimed_at=None)


def _claimed_elsewhere(campaign, now) -> bool:
    """Pending respondents under a claim still fresh: another worker is on them (or
    died less than ``STALE_CLAIM`` ago)."""
    return Respondent.objects.filter(
        campaign=campaign,
        invitation=InvitationState.PENDING,
        invitation_claimed_at__gte=now - STALE_CLAIM,
    ).exists()


def _wait_for_other_claims(campaign) -> None:
    """Wait until the other claims are sent or stale (then this run takes them)."""
    deadline = time.monotonic() + STALE_CLAIM.total_seconds() + 1
    while _claimed_elsewhere(campaign, timezone.now()) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)


def _hold_pending(campaign) -> None:
    Respondent.objects.filter(campaign=campaign, invitation=InvitationState.PENDING).update(
        invitation=InvitationState.HELD, invitation_claimed_at=None
    )


@contextlib.contextmanager
def _quick_commits():
    """Each message's step is its own commit: on PostgreSQL, do not wait for that
    commit to reach the disk (``synchronous_commit = off``; 2 ms a message, a third of
    the time). A killed worker loses nothing: the database has every step. Only a crash
    of the database server itself could forget the last fraction of a second of steps,
    and send those few messages again; the claims and the outbox keep their guarantees."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def invitations_send(*, campaign_id, batch_size=BATCH_SIZE) -> int:
    """Send every pending invitation of the campaign, batch after batch; returns how
    many were sent. Idempotent: a second run, or a concurrent one, sends nothing twice.
    A run that finds rows claimed by a worker killed mid-batch waits until that claim
    is stale (``STALE_CLAIM``), then sends them: a killed worker's list is finished.
    Called outside any transaction (each claim commits before its message leaves)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign.is_external:
        return 0
    with _quick_commits():
        return _send_all(campaign, _Templates(campaign), batch_size)


def _send_all(campaign, templates, batch_size) -> int:
    total = 0
    while True:
        campaign.refresh_from_db(fields=["status", "closes_on"])
        if not accepting(campaign):
            _hold_pending(campaign)
            logger.info("invitations of campaign %s held: the campaign is not open", campaign.pk)
            break
        sent, claimed = _send_batch(campaign, templates, batch_size)
        total += sent
        if claimed:
            logger.info("invitations of campaign %s: batch of %s sent", campaign.pk, sent)
            continue
        if not _claimed_elsewhere(campaign, timezone.now()):
            break
        _wait_for_other_claims(campaign)
    # Those who opted out, bounced or completed while pending are not waited for.
    Respondent.objects.filter(campaign=campaign, invitation=InvitationState.PENDING).exclude(
        MAILABLE
    ).update(invitation=InvitationState.SKIPPED)
    return total


def invitations_catch_up(now=None) -> int:
    """The periodic job: relaunch the sending of campaigns whose pending invitations
    nobody is working on (the broker was down when the bureau started, or the worker
    died and Celery gave up): no fresh claim and nothing sent for ``IDLE``. Returns how
    many campaigns were relaunched; the sending itself runs as the usual task."""
    now = now or timezone.now()
    stalled = (
        Campaign.objects.filter(
            kind="external",
            status=CampaignStatus.OPEN,
            closes_on__gte=timezone.localdate(now),
            respondents__invitation=InvitationState.PENDING,
        )
        .exclude(
            respondents__invitation=InvitationState.PENDING,
            respondents__invitation_claimed_at__gte=now - STALE_CLAIM,
        )
        .exclude(respondents__invited_at__gte=now - IDLE)
        .distinct()
        .values_list("pk", flat=True)
    )
    from ..tasks import send_invitations

    count = 0
    for campaign_id in stalled:
        logger.info("invitations of campaign %s relaunched: nobody was sending", campaign_id)
        enqueue(send_invitations, campaign_id)
        count += 1
    return count
