"""Firms' requests: the reminders to the platforms and correspondents, the requests closed
without answer, the firms' contact data erased, and the emails of the platforms' side.
Jobs run through ``send_reminders`` (the command, and the Celery beat task every hour);
emails go through the outbox (``innovalo.reminders``), each a ``SentReminder`` row under
a unique key committed before the email leaves: a second run, a retried task or a second
worker sends nothing twice.

**Reminders** (job ``request_reminders``). A request transmitted to a platform (routing
*notified*) that nobody has taken:

- after 5 working days without an answer from that platform, its people (directors and
  staff) are reminded once: rule ``request_reminder_platform``, target the request,
  period ``"<routing id>:5"``;
- after 10 working days, the region's correspondent (the bureau when the region has
  none) is told once per request, with every platform still silent: rule
  ``request_reminder_correspondent``, period ``"<routing id>:10"`` of the request's first
  silent routing (a request transmitted to three platforms at once is one email; if
  that platform answers and another one stays silent, that one is a new email);
- after ``NO_ANSWER_AFTER_DAYS`` (30) calendar days with no platform notified more
  recently and none that took it, the request is closed *without answer* (a status event
  and a history entry): the platforms and the correspondent were reminded, the firm sees
  the state on its link, the figures count it, and the bureau can reopen it.

Working days are Monday to Friday (``selectors.requests.working_days_between``): the
portal has no calendar of public holidays, so a holiday counts as a working day. A
platform that answered (accepted, declined, passed), a request taken by another
platform or closed: nothing (the senders check again when they send). Queries: the
closing's four per batch, one read of the routings due, two per rule to record the keys,
then the outbox's three per email and the sender's reads.

**Personal data** (job ``request_privacy``). Requests closed more than
``REQUEST_RETENTION_DAYS`` ago (``services/requests.py``: three years), and requests
whose firm asked for its data to be deleted through its link (at once: an open one is
first closed as declined "à la demande de l'entreprise"), are anonymised by
``services.request_actions.requests_anonymise``: company, contact, email
(``anonymised-<pk>@invalid``), phone, SIRET, need and the messages exchanged with the
firm are blanked; the counts keep working. By batches of ``PRIVACY_BATCH`` requests, a
constant number of queries each; a second run finds nothing to do. (The portal's RGPD
machinery, ``innovalo/personal_data.py``, is about people with an account; firms have
none, and the requests keep their authors as user rows that it already anonymises.)

**Emails of the platforms' side** (sent from the services' transactions):
``request_message_platform`` (the event, "firm": the platform wrote to the firm, with its
private link) and ``request_board_back_to_route`` (the request, "event-<id>": every
platform declined, the correspondent routes it again).
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch
from django.utils import timezone

from innovalo.emails import send_templated_email
from innovalo.reminders import SkipEmail, deliver, email_rule, register

from .enums import CLOSED_REQUEST_STATUSES, RequestEventKind, RequestStatus, RoutingStatus
from .models import FirmRequest, RequestEvent, RequestRouting
from .reminders import _record_keys
from .selectors.requests import working_days_between
from .services import request_actions as actions
from .services import requests as public

logger = logging.getLogger(__name__)

PLATFORM_RULE = "request_reminder_platform"
CORRESPONDENT_RULE = "request_reminder_correspondent"
PLATFORM_AFTER = 5  # working days
CORRESPONDENT_AFTER = 10  # working days
NO_ANSWER_AFTER_DAYS = 30  # calendar days
CLOSE_BATCH = 500
PRIVACY_BATCH = 500


def _pk(text: str):
    return int(text) if text.isdigit() else None


def _target_pk(record):
    return _pk(record.target.partition(":")[2])


def _url(firm_request) -> str:
    return settings.SITE_URL + firm_request.get_absolute_url()


def _emails(people) -> list[str]:
    return [person.email for person in people if person.email]


# Reminders -----------------------------------------------------------------------------------


def _period(routing_id: int, days: int) -> str:
    return f"{routing_id}:{days}"


def _parse_period(period: str):
    routing, _sep, days = period.partition(":")
    return (_pk(routing), _pk(days)) if routing and days else (None, None)


def unanswered_ids(now=None) -> list[int]:
    """Routed requests nobody took whose last platform was notified more than
    NO_ANSWER_AFTER_DAYS ago (and none since)."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=NO_ANSWER_AFTER_DAYS)
    notified = RequestRouting.objects.filter(request=OuterRef("pk"), status=RoutingStatus.NOTIFIED)
    return list(
        FirmRequest.objects.filter(status=RequestStatus.ROUTED, taken_by__isnull=True)
        .filter(Exists(notified.filter(notified_at__lte=limit)))
        .exclude(Exists(notified.filter(Q(notified_at__gt=limit) | Q(notified_at__isnull=True))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def close_unanswered(now=None) -> int:
    now = now or timezone.now()
    ids = unanswered_ids(now)
    closed = 0
    for start in range(0, len(ids), CLOSE_BATCH):
        closed += actions.requests_close_unanswered(ids=ids[start : start + CLOSE_BATCH], now=now)
    if closed:
        logger.info("requests closed without answer: %s", closed)
    return closed


def reminders_due(now=None) -> dict[str, list[tuple[str, str]]]:
    """The outbox keys (target, period) due now, per rule (one query)."""
    now = now or timezone.now()
    routings = RequestRouting.objects.filter(
        status=RoutingStatus.NOTIFIED,
        notified_at__lte=now - datetime.timedelta(days=PLATFORM_AFTER),
        request__status=RequestStatus.ROUTED,
        request__taken_by__isnull=True,
    ).values_list("pk", "request_id", "notified_at")
    due = {PLATFORM_RULE: [], CORRESPONDENT_RULE: []}
    # The correspondent: one email per request, keyed by its first silent routing.
    first_silent = {}
    for routing_id, request_id, notified_at in routings:
        elapsed = working_days_between(notified_at, now)
        target = f"projects.firmrequest:{request_id}"
        if elapsed >= PLATFORM_AFTER:
            due[PLATFORM_RULE].append((target, _period(routing_id, PLATFORM_AFTER)))
        if elapsed >= CORRESPONDENT_AFTER:
            first_silent[target] = min(first_silent.get(target, routing_id), routing_id)
    due[CORRESPONDENT_RULE] = [
        (target, _period(routing_id, CORRESPONDENT_AFTER))
        for target, routing_id in sorted(first_silent.items())
    ]
    return due


@register("request_reminders")
def request_reminders(now=None) -> int:
    """The job: close what waited too long, then remind the platforms and the
    correspondents of what waits; returns how many emails were sent."""
    now = now or timezone.now()
    close_unanswered(now)
    sent = 0
    for rule, keys in reminders_due(now).items():
        sent += sum(deliver(pk) for pk in _record_keys(rule, keys))
    return sent


def _waiting_routing(record, days):
    """The request and its routing while the reminder still applies."""
    routing_id, period_days = _parse_period(record.period)
    if routing_id is None or period_days != days:
        raise SkipEmail
    routing = (
        RequestRouting.objects.select_related("platform", "request__department")
        .filter(pk=routing_id, request_id=_target_pk(record))
        .first()
    )
    if (
        routing is None
        or routing.status != RoutingStatus.NOTIFIED
        or routing.request.status != RequestStatus.ROUTED
        or routing.request.taken_by_id
        or routing.notified_at is None
    ):
        raise SkipEmail
    return routing.request, routing


@email_rule(PLATFORM_RULE)
def send_platform_reminder(record) -> list[str]:
    firm_request, routing = _waiting_routing(record, PLATFORM_AFTER)
    recipients = _emails(public.platform_people([routing.platform_id]))
    if not recipients:
        raise SkipEmail
    send_templated_email(
        PLATFORM_RULE,
        recipients,
        {
            "firm_request": firm_request,
            "routing": routing,
            "days": PLATFORM_AFTER,
            "request_url": _url(firm_request),
        },
    )
    return recipients


@email_rule(CORRESPONDENT_RULE)
def send_correspondent_reminder(record) -> list[str]:
    firm_request, routing = _waiting_routing(record, CORRESPONDENT_AFTER)
    recipients = _emails(public.region_watchers(firm_request.region_id))
    if not recipients:
        raise SkipEmail
    silent = list(
        RequestRouting.objects.filter(request=firm_request, status=RoutingStatus.NOTIFIED)
        .select_related("platform")
        .order_by("notified_at", "pk")
    )
    send_templated_email(
        CORRESPONDENT_RULE,
        recipients,
        {
            "firm_request": firm_request,
            "routing": routing,
            "silent": silent,
            "days": CORRESPONDENT_AFTER,
            "request_url": _url(firm_request),
        },
    )
    return recipients


# Emails of the platforms' side -----------------------------------------------------------------


def _firm_link(firm_request):
    """The firm's private link (derived from its salt), or None when the public pages
    are not there."""
    try:
        return public.request_link(firm_request)
    except NoReverseMatch:
        return None


@email_rule(actions.MESSAGE_RULE)
def send_platform_message(record) -> list[str]:
    event = (
        RequestEvent.objects.select_related("request", "platform", "author")
        .filter(pk=_target_pk(record), kind=RequestEventKind.MESSAGE_PLATFORM)
        .first()
    )
    if event is None or not event.text:
        raise SkipEmail
    firm_request = event.request
    if firm_request.anonymised_at or firm_request.deletion_requested_at or not firm_request.email:
        raise SkipEmail
    send_templated_email(
        actions.MESSAGE_RULE,
        [firm_request.email],
        {"firm_request": firm_request, "event": event, "link": _firm_link(firm_request)},
    )
    return [firm_request.email]


@email_rule(actions.BACK_TO_ROUTE_RULE)
def send_back_to_route(record) -> list[str]:
    firm_request = (
        FirmRequest.objects.select_related("department")
        .filter(pk=_target_pk(record), status=RequestStatus.NEW)
        .first()
    )
    if firm_request is None:
        raise SkipEmail  # routed again, or closed, meanwhile
    declined = list(
        RequestRouting.objects.filter(
            request=firm_request, status__in=(RoutingStatus.DECLINED, RoutingStatus.PASSED)
        )
        .select_related("platform")
        .order_by("pk")
    )
    recipients = _emails(public.region_watchers(firm_request.region_id))
    if not recipients:
        raise SkipEmail
    send_templated_email(
        actions.BACK_TO_ROUTE_RULE,
        recipients,
        {"firm_request": firm_request, "declined": declined, "request_url": _url(firm_request)},
    )
    return recipients


# Personal data ---------------------------------------------------------------------------------


def privacy_due(now=None):
    """Requests whose contact data must go: closed more than the retention period ago,
    or whose firm asked for it; not anonymised yet."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=public.REQUEST_RETENTION_DAYS)
    expired = Q(status__in=CLOSED_REQUEST_STATUSES) & (
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, status_changed_at__lt=cutoff)
    )
    return FirmRequest.objects.filter(anonymised_at__isnull=True).filter(
        expired | Q(deletion_requested_at__isnull=False)
    )


@register("request_privacy")
def request_privacy(now=None) -> int:
    """The job: anonymise what is due, by batches; returns how many requests."""
    now = now or timezone.now()
    due = privacy_due(now).order_by("pk")
    done = 0
    while True:
        ids = list(due.values_list("pk", flat=True)[:PRIVACY_BATCH])
        if not ids:
            break
        count = actions.requests_anonymise(ids=ids, now=now)
        if not count:  # every one locked by another worker: it does them
            break
        done += count
    return done
