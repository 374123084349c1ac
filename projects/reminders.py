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
no email and the watermark stays. Something new: ``services.alerts.digest_record`` locks
the search (``SKIP LOCKED``: a second worker leaves it), records the outbox row under the
key (``call_digest``, the search, ``"<new watermark>/<previous watermark>"``) and
advances the watermark in one transaction; the email leaves after the commit through
the outbox's ``deliver``. So a run that crashes after some emails never sends those
again (their watermark moved with their row); the digest being sent when it crashed is
sent by the outbox job (``retry_unsent``) once its claim is stale, rebuilt from the two
watermarks of its key; the searches not reached are sent by the next run.

At scale (5,000 searches): the due searches are read in one query, searches with the
same query string are filtered once, the calls of every digest are read once, the run
shares one SMTP connection and does not wait for each commit to reach the disk (as the
survey invitations); each digest then costs its transaction (lock, insert, update) and
the outbox's three statements.
"""

import contextlib
import datetime
import logging
import threading

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

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
    try:
        yield _run
    finally:
        if _run.connection is not None:
            with contextlib.suppress(Exception):
                _run.connection.close()
        _run.prepared, _run.calls, _run.connection, _run.active = {}, {}, None, False
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
    sent = 0
    with _digest_run(selectors.digest_call_rows(ids, now)) as run:
        for saved_id, digest in digests.items():
            saved = searches[saved_id]
            record = services.digest_record(
                saved_id=saved_id, since=saved.watermark, until=until, now=now
            )
            if record is None:  # done meanwhile by another run, paused, unsubscribed
                continue
            run.prepared[record.pk] = (saved, digest)
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


def _send(name, to, context, headers):
    """Through the run's connection (opened once), or a connection of its own."""
    if not _run.active:
        return send_templated_email(name, to, context, headers=headers)
    if _run.connection is None:
        smtp = get_connection()
        smtp.open()
        _run.connection = smtp
    try:
        return send_templated_email(name, to, context, headers=headers, connection=_run.connection)
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
        (saved, digest), calls = prepared, _run.calls
    else:
        saved, digest, calls = _rebuild(record)
    user = saved.user
    if not digest or not user.is_active or not user.email:
        raise SkipEmail
    listed = selectors.MAX_LISTED
    new_calls = [calls[pk] for pk in digest.new[:listed] if pk in calls]
    changed_calls = [calls[pk] for pk in digest.changed[:listed] if pk in calls]
    site = settings.SITE_URL
    unsubscribe = services.unsubscribe_url(saved)
    _send(
        DIGEST_RULE,
        [user.email],
        {
            "saved": saved,
            "user": user,
            "new_calls": new_calls,
            "new_count": len(digest.new),
            "changed_calls": changed_calls,
            "changed_count": len(digest.changed),
            "list_url": site + saved.get_absolute_url(),
            "alerts_url": site + reverse("saved_search_list"),
            "unsubscribe_url": unsubscribe,
        },
        services.unsubscribe_headers(unsubscribe),
    )
    return [user.email]


register("call_deadlines")(call_deadline_reminders)
register("call_digests")(call_digests)
