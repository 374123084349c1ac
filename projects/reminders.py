"""Reminder jobs of the calls watch: followed calls' deadlines, saved searches' digests.

Both run through ``send_reminders`` (the command, and the Celery beat task every hour)
and send through the outbox (``innovalo.reminders``): each email is a ``SentReminder``
row under a unique key, committed before the email leaves, so a second run, a retried
task or a second worker sends nothing twice.

**Followed calls** (``call_deadline``). For each person following a published call,
each deadline of the call is reminded 30, 7 and 1 days before it. Only the smallest
step reached is sent: a 30-day reminder missed (the call was followed 10 days before
its deadline) is never sent once the 7-day one is due. Key: target the call, period
``"<step>j:<deadline, UTC ISO>:u<user id>"``: a deadline moved to another date is
reminded again for its new date, never twice for the same one. The sender skips an
email that no longer applies (the call archived or unfollowed, the deadline moved or
passed, a smaller step due meanwhile). Archived and proposed calls: nothing.
Queries: three per run (the deadlines due with their followers, one insert of the keys
not yet recorded, the rows to send), then the outbox's three per email (claim, read,
mark) and the sender's one read.

**Saved searches' digests** (``call_digest``). When (``selectors.alerts.searches_due``):
from 7:00 (local time), a daily search once per local day, a weekly one on Mondays when
its last digest is older than six days (a day's margin); several runs a day send one
digest. What: the calls of the search (``projects.filters.CallFilter`` on its query
string, published calls only) published in the digest's window, and those published
before it whose deadlines changed in it; the window runs from the search's watermark to
the run's time less ``SETTLE`` (ten minutes: a transaction still open when the job runs,
an import of many rows, commits its calls in the next window, never lost). Nothing new:
no email and the watermark stays. Something new: ``services.alerts.digests_record``
locks the searches (``SKIP LOCKED``: a second worker leaves them), records each one's
outbox row under the key (``call_digest``, the search, ``"<new watermark>/<previous
watermark>"``) and advances its watermark, in one transaction per batch of
``RECORD_BATCH`` searches; each email then leaves through the outbox's ``deliver``. So
a run that crashes after some emails never sends those again (their watermark moved with
their row); the rest of its batch, recorded but not sent, is sent by the outbox job
(``retry_unsent``, after two minutes; the one being sent when it crashed once its claim
is stale), each rebuilt from the two watermarks of its key; the searches not reached are
sent by the next run.

At scale (5,000 searches): the due searches are read in one query, searches with the
same query string are filtered once, the calls of every digest are read once, each
distinct email is rendered once (``DigestEmails``), the run shares one SMTP connection
and does not wait for each commit to reach the disk (as the survey invitations); each
digest then costs the outbox's three statements (claim, read, mark).
"""

import contextlib
import datetime
import logging
import secrets
import threading

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from innovalo.emails import send_templated_email
from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.reminders import SkipEmail, deliver, email_rule, register

from .enums import CallStatus
from .models import CallDeadline, CallFollow, SavedSearch
from .selectors import alerts as selectors
from .services import alerts as services
from .services.alerts import DIGEST_RULE

logger = logging.getLogger(__name__)

DEADLINE_RULE = "call_deadline"
# Rows inserted per statement by the jobs.
INSERT_BATCH = 1000
# Digests recorded per transaction (then sent one by one).
RECORD_BATCH = 100


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def deadline_period(step: int, due_at, user_id: int) -> str:
    return f"{step}j:{_utc(due_at)}:u{user_id}"


def parse_deadline_period(period: str) -> tuple[int, datetime.datetime, int] | None:
    try:
        step, rest = period.split("j:", 1)
        due, user = rest.rsplit(":u", 1)
        return int(step), datetime.datetime.fromisoformat(due), int(user)
    except ValueError:
        return None


def _record_keys(rule: str, keys: list[tuple[str, str]]) -> list[int]:
    """Record the outbox rows of ``keys`` (target, period) not recorded yet, in one
    statement per batch (a key already there, by an earlier run or a concurrent worker,
    is left alone), and return the ids of those still to send (new, pending or failed:
    ``deliver`` claims each, so only one worker sends it)."""
    if not keys:
        return []
    for start in range(0, len(keys), INSERT_BATCH):
        SentReminder.objects.bulk_create(
            [
                SentReminder(rule=rule, target=t, period=p)
                for t, p in keys[start : start + INSERT_BATCH]
            ],
            ignore_conflicts=True,
        )
    wanted = set(keys)
    rows = SentReminder.objects.filter(
        rule=rule,
        target__in={target for target, _period in keys},
        period__in={period for _target, period in keys},
        status__in=[EmailStatus.PENDING, EmailStatus.FAILED],
    ).values_list("pk", "target", "period")
    return sorted(pk for pk, target, period in rows if (target, period) in wanted)


# Followed calls' deadlines --------------------------------------------------------------------


def call_deadline_reminders(now=None) -> int:
    """The job: the reminders due now of the deadlines of the calls people follow;
    returns how many emails were sent."""
    now = now or timezone.now()
    keys = [
        (f"projects.call:{call_id}", deadline_period(step, due, user_id))
        for call_id, due, user_id, step in selectors.deadline_reminders_due(now)
        if step is not None
    ]
    sent = sum(deliver(pk) for pk in _record_keys(DEADLINE_RULE, keys))
    if keys:
        logger.info("call deadlines: %s reminders due, %s sent", len(keys), sent)
    return sent


@email_rule(DEADLINE_RULE)
def send_deadline_reminder(record) -> list[str]:
    parsed = parse_deadline_period(record.period)
    _label, _sep, call_id = record.target.partition(":")
    if parsed is None or not call_id.isdigit():
        raise SkipEmail
    step, due, user_id = parsed
    now = timezone.now()
    if selectors.deadline_step(due, now) != step:  # passed, or a smaller step is due
        raise SkipEmail
    deadlines = CallDeadline.objects.filter(call=OuterRef("call"), due_at=due)
    follow = (
        CallFollow.objects.select_related("call", "user")
        .filter(call_id=int(call_id), user_id=user_id, call__status=CallStatus.PUBLISHED)
        .annotate(deadline_label=Subquery(deadlines.values("label")[:1]))
        .first()
    )
    if (
        follow is None
        or follow.deadline_label is None  # the deadline moved or was removed
        or not follow.user.is_active
        or not follow.user.email
    ):
        raise SkipEmail
    call, user = follow.call, follow.user
    send_templated_email(
        DEADLINE_RULE,
        [user.email],
        {
            "call": call,
            "user": user,
            "label": follow.deadline_label,
            "due_at": due,
            "step": step,
            "days_left": max((timezone.localdate(due) - timezone.localdate(now)).days, 0),
            "call_url": settings.SITE_URL + call.get_absolute_url(),
        },
    )
    return [user.email]


# Saved searches' digests --------------------------------------------------------------------


class _Run(threading.local):
    """What the digest job hands to the sender it calls through ``deliver``: each
    digest computed by the job (keyed by its outbox row), the calls' rows, and one SMTP
    connection for the whole run. Empty outside a run: the sender then rebuilds."""

    def __init__(self):
        self.prepared = {}
        self.calls = {}
        self.connection = None
        self.emails = None
        self.active = False


_run = _Run()


@contextlib.contextmanager
def _digest_run(calls):
    """One SMTP connection for the run, and commits that do not wait for the disk
    (PostgreSQL ``synchronous_commit = off``, as the survey invitations: a killed worker
    loses nothing, only a crash of the database server itself could forget the last
    fraction of a second and send those few digests again)."""
    quick = connection.vendor == "postgresql" and not connection.in_atomic_block
    if quick:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    _run.prepared, _run.calls, _run.connection, _run.active = {}, calls, None, True
    _run.emails = DigestEmails()
    try:
        yield _run
    finally:
        if _run.connection is not None:
            with contextlib.suppress(Exception):
                _run.connection.close()
        _run.prepared, _run.calls, _run.connection, _run.active = {}, {}, None, False
        _run.emails = None
        if quick:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def call_digests(now=None) -> int:
    """The job: each saved search due with something new gets its digest; returns how
    many were sent."""
    now = now or timezone.now()
    until = selectors.digest_until(now)
    searches = {saved.pk: saved for saved in selectors.searches_due(now)}
    if not searches:
        return 0
    digests = selectors.digests_of(searches.values(), until, now)
    if not digests:
        return 0
    listed = selectors.MAX_LISTED
    ids = {
        pk for digest in digests.values() for pk in digest.new[:listed] + digest.changed[:listed]
    }
    pending = list(digests)
    sent = 0
    with _digest_run(selectors.digest_call_rows(ids, now)) as run:
        for start in range(0, len(pending), RECORD_BATCH):
            batch = {pk: searches[pk].watermark for pk in pending[start : start + RECORD_BATCH]}
            records = services.digests_record(watermarks=batch, until=until, now=now)
            for saved_id, record in records.items():
                run.prepared[record.pk] = (searches[saved_id], digests[saved_id])
                sent += deliver(record.pk)
                run.prepared.pop(record.pk, None)
    logger.info(
        "call digests: %s due, %s with something new, %s sent", len(searches), len(digests), sent
    )
    return sent


def _rebuild(record):
    """A digest delivered outside its run (retried by the outbox): the search as it is
    now, its calls over the key's window."""
    window = services.parse_digest_period(record.period)
    _label, _sep, pk = record.target.partition(":")
    if window is None or not pk.isdigit():
        raise SkipEmail
    saved = SavedSearch.objects.active().select_related("user").filter(pk=int(pk)).first()
    if saved is None:
        raise SkipEmail
    since, until = window
    now = timezone.now()
    digest = selectors.digest_of(saved, since, until, now)
    listed = selectors.MAX_LISTED
    calls = selectors.digest_call_rows(digest.new[:listed] + digest.changed[:listed], now)
    return saved, digest, calls


class DigestEmails:
    """The digests' emails, each distinct one rendered once: searches with the same
    filters, frequency and calls get the same text but for the person's name, the
    alert's name and its unsubscribe link, which replace markers in it (as the survey
    invitations). A run renders its templates a few dozen times, not five thousand."""

    TEMPLATE = f"email/{DIGEST_RULE}"

    def __init__(self):
        tag = secrets.token_hex(4)
        self.markers = {name: f"@@{tag}-{name}@@" for name in ("person", "alert", "unsubscribe")}
        self.subject = get_template(f"{self.TEMPLATE}_subject.txt", using="text")
        self.text = get_template(f"{self.TEMPLATE}_body.txt", using="text")
        self.html = get_template(f"{self.TEMPLATE}_body.html")
        self.rendered = {}
        self.site = settings.SITE_URL
        self.alerts_url = self.site + reverse("saved_search_list")

    def _render(self, saved, digest, calls):
        listed = selectors.MAX_LISTED
        new, changed = tuple(digest.new[:listed]), tuple(digest.changed[:listed])
        key = (saved.query, saved.frequency, new, len(digest.new), changed, len(digest.changed))
        if key not in self.rendered:
            marks = self.markers
            context = {
                "saved": {"name": marks["alert"], "frequency": saved.frequency},
                "user": {"get_short_name": marks["person"]},
                "new_calls": [calls[pk] for pk in new if pk in calls],
                "new_count": len(digest.new),
                "changed_calls": [calls[pk] for pk in changed if pk in calls],
                "changed_count": len(digest.changed),
                "list_url": self.site + saved.get_absolute_url(),
                "alerts_url": self.alerts_url,
                "unsubscribe_url": marks["unsubscribe"],
                "site_url": self.site,
                "association": settings.ASSOCIATION,
            }
            with translation.override("fr"):
                self.rendered[key] = (
                    self.subject.render(context),
                    self.text.render(context),
                    self.html.render(context),
                )
        return self.rendered[key]

    def _fill(self, text, values, html=False):
        for name, value in values.items():
            text = text.replace(self.markers[name], escape(value) if html else value)
        return text

    def message(self, saved, digest, calls, connection=None) -> EmailMultiAlternatives:
        subject, text, html = self._render(saved, digest, calls)
        unsubscribe = services.unsubscribe_url(saved)
        values = {
            "person": saved.user.get_short_name(),
            "alert": saved.name,
            "unsubscribe": unsubscribe,
        }
        subject = " ".join(self._fill(subject, values).split())  # one line, whatever the name
        message = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body=self._fill(text, values),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[saved.user.email],
            headers=services.unsubscribe_headers(unsubscribe),
            connection=connection,
        )
        message.attach_alternative(self._fill(html, values, html=True), "text/html")
        return message


def _send(message) -> None:
    """Through the run's connection (opened once), or a connection of its own."""
    if not _run.active:
        message.send()
        return
    if _run.connection is None:
        smtp = get_connection()
        smtp.open()
        _run.connection = smtp
    message.connection = _run.connection
    try:
        message.send()
    except Exception:
        # A broken connection: the next digest opens another one.
        with contextlib.suppress(Exception):
            _run.connection.close()
        _run.connection = None
        raise


@email_rule(DIGEST_RULE)
def send_digest(record) -> list[str]:
    prepared = _run.prepared.get(record.pk)
    if prepared is not None:
        (saved, digest), calls, emails = prepared, _run.calls, _run.emails
    else:
        (saved, digest, calls), emails = _rebuild(record), DigestEmails()
    user = saved.user
    if not digest or not user.is_active or not user.email:
        raise SkipEmail
    _send(emails.message(saved, digest, calls))
    return [user.email]


register("call_deadlines")(call_deadline_reminders)
register("call_digests")(call_digests)


# Proposals -----------------------------------------------------------------------------


def _proposal_email(record, name) -> list[str]:
    """The proposer of a call learns that the bureau published or refused it."""
    from innovalo.audit import load
    from innovalo.emails import send_templated_email

    call = load(record.target)
    proposer = getattr(call, "proposed_by", None)
    expected = CallStatus.PUBLISHED if name == "call_proposal_published" else CallStatus.REFUSED
    if call is None or proposer is None or not proposer.email or call.status != expected:
        raise SkipEmail
    send_templated_email(
        name,
        [proposer.email],
        {
            "call": call,
            "person": proposer,
            "call_url": settings.SITE_URL + call.get_absolute_url(),
        },
    )
    return [proposer.email]


@email_rule("call_proposal_published")
def send_proposal_published(record) -> list[str]:
    return _proposal_email(record, "call_proposal_published")


@email_rule("call_proposal_refused")
def send_proposal_refused(record) -> list[str]:
    return _proposal_email(record, "call_proposal_refused")
