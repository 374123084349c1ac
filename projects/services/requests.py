"""Writes of firms' requests, public side: a firm's request filed through the form, its
routing to platforms, the firm's messages and its request to have its data deleted.

**Filing** (``request_create``), in one transaction: the request (its region is its
department's, its consent dated), a *created* event, then its routing. Addressed to one
platform (from its profile): that platform is notified at once, the request is *routed*.
Otherwise the portal proposes platforms (``projects/routing.py``), stored as *proposed*
routings; the request stays *new* and the region's correspondent (the bureau when the
region has none) is told that a request waits for routing. The firm gets an
acknowledgement with its private link.

**Routing** (``route``, the correspondent's page): the chosen platforms' routings are
*notified* (created when needed), the other proposals *withdrawn*; each chosen platform's
people (directors and staff) are told once.

**Emails** go through the outbox (``innovalo.reminders.schedule_email``), one row per
email under a unique key (rule, target, "user-<id>" or "firm"): a second run, a retried
task or a second call sends nothing twice. Their senders are in
``projects/request_emails.py``, registered when this module is imported.

**The private link.** Like survey respondents' (``surveys/services/respondents.py``), a
request's token is *derived*: ``urlsafe-base64(HMAC-SHA256(SECRET_KEY,
"projects.request:<pk>:<salt>"))`` with a random 128-bit ``token_salt``; only its
sha256 (``token_hash``, unique) is stored. Every email carries the same link
(``request_link``); ``find_request_by_token`` finds the request back by the hash and
compares the token in constant time.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import log_action
from innovalo.enums import Role
from innovalo.exceptions import ServiceError
from innovalo.reminders import schedule_email
from members.enums import CorrespondentKind, PlatformRole

from .. import routing as matching
from ..enums import (
    CLOSED_REQUEST_STATUSES,
    RequestEventKind,
    RequestSource,
    RequestStatus,
    RequestTiming,
    RoutingStatus,
)
from ..models import FirmRequest, RequestEvent, RequestRouting

# A firm's contact data is kept this long after its request is closed (stated on the
# form; the anonymisation job imports it).
REQUEST_RETENTION_DAYS = 3 * 365
TOKEN_PREFIX = "projects.request"

# The rules of the emails (senders in projects/request_emails.py).
RECEIVED_RULE = "request_received"  # the firm's acknowledgement, with its link
TO_ROUTE_RULE = "request_to_route"  # the correspondent (or the bureau): a request waits
ROUTED_RULE = "request_routed"  # a routed platform's people
FIRM_MESSAGE_RULE = "request_message_firm"  # the firm wrote through its link

# The people of a platform told about its requests (not the accounting contact).
REQUEST_ROLES = (PlatformRole.DIRECTOR, PlatformRole.STAFF)
# The routings a platform answers or has answered (a request is "routed" to them).
ACTIVE_ROUTINGS = (RoutingStatus.NOTIFIED, RoutingStatus.ACCEPTED)
MESSAGE_MAX_LENGTH = 5000

User = get_user_model()


def new_salt() -> str:
    return secrets.token_hex(16)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derive_token(pk: int, salt: str) -> str:
    """The link token of request ``pk`` with ``salt`` (43 URL-safe characters)."""
    message = f"{TOKEN_PREFIX}:{pk}:{salt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def request_token(firm_request) -> str:
    """The token of a request's private link (the same for every email)."""
    return derive_token(firm_request.pk, firm_request.token_salt)


def request_link(firm_request) -> str:
    """The absolute URL of the firm's private page."""
    return settings.SITE_URL + reverse("request_track", args=[request_token(firm_request)])


def find_request_by_token(token: str, queryset=None):
    """The request of a private link, or None (unknown, empty or absurd token). Found by
    the token's hash, then the token itself compared in constant time."""
    if not token or len(token) > 100:
        return None
    queryset = FirmRequest.objects.all() if queryset is None else queryset
    found = queryset.filter(token_hash=hash_token(token)).first()
    if found is None or not hmac.compare_digest(request_token(found), token):
        return None
    return found


# People told ---------------------------------------------------------------------------


def platform_people(platform_ids):
    """The active directors and staff of these platforms, with an email (one query)."""
    return (
        User.objects.filter(
            is_active=True,
            platform_memberships__platform_id__in=list(platform_ids),
            platform_memberships__role__in=REQUEST_ROLES,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def routing_people(routing):
    """The people of a routing's platform told about it."""
    return platform_people([routing.platform_id])


def region_watchers(region_id):
    """Who routes a region's requests: its regional correspondent(s), else the bureau."""
    correspondents = User.objects.filter(
        is_active=True,
        correspondences__kind=CorrespondentKind.REGIONAL,
        correspondences__region_id=region_id,
    ).exclude(email="")
    people = list(correspondents.distinct().order_by("pk"))
    if people:
        return people
    return list(
        User.objects.filter(is_active=True, role=Role.BUREAU).exclude(email="").order_by("pk")
    )


def message_recipients(firm_request):
    """Who reads the firm's messages: the people of the platform that took the request;
    before that, those of the platforms it was routed to; else the correspondent."""
    if firm_request.taken_by_id:
        return list(platform_people([firm_request.taken_by_id]))
    routed = RequestRouting.objects.filter(request=firm_request, status__in=ACTIVE_ROUTINGS)
    platform_ids = list(routed.values_list("platform_id", flat=True))
    people = list(platform_people(platform_ids)) if platform_ids else []
    return people or region_watchers(firm_request.region_id)


# Filing ---------------------------------------------------------------------------------


def _event(firm_request, kind, *, status="", platform=None, author=None, text="", at=None):
    return RequestEvent.objects.create(
        request=firm_request,
        kind=kind,
        status=status,
        platform=platform,
        author=author if getattr(author, "is_authenticated", False) else None,
        text=text,
        created_at=at or timezone.now(),
    )


def _notify_routings(routings, actor=None) -> int:
    """One outbox row per person of each routing's platform (sent after the commit)."""
    count = 0
    for routing in routings:
        for person in routing_people(routing):
            if actor is not None and person.pk == actor.pk:
                continue
            schedule_email(ROUTED_RULE, routing, f"user-{person.pk}")
            count += 1
    return count


def _tell_watchers(firm_request) -> int:
    people = region_watchers(firm_request.region_id)
    for person in people:
        schedule_email(TO_ROUTE_RULE, firm_request, f"user-{person.pk}")
    return len(people)


@transaction.atomic
def request_create(
    *,
    company_name: str,
    siret: str,
    contact_name: str,
    email: str,
    phone: str,
    department,
    need: str,
    domains,
    timing: str,
    source: str = RequestSource.DIRECTORY,
    platform=None,
    now=None,
) -> tuple[FirmRequest, str]:
    """File a firm's request; returns it with its private link's token (shown once, and
    mailed). ``platform``: the platform the firm addressed it to (from its profile)."""
    now = now or timezone.now()
    if timing not in RequestTiming.values:
        raise ServiceError(_("Échéance inconnue."), field="timing")
    if source not in RequestSource.values:
        source = RequestSource.DIRECTORY
    if platform is not None and platform.label_status not in matching.LABELLED:
        raise ServiceError(
            _("Cette plateforme ne reçoit pas de demandes : laissez le réseau choisir."),
            field="platform",
        )
    salt = new_salt()
    firm_request = FirmRequest.objects.create(
        company_name=company_name.strip(),
        siret=siret,
        contact_name=contact_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        department=department,
        region_id=department.region_id,
        need=need.strip(),
        timing=timing,
        source=source,
        target_platform=platform,
        consent_at=now,
        created_at=now,
        status_changed_at=now,
        token_salt=salt,
        # A placeholder until the pk is known (the token is derived from it).
        token_hash=hash_token(new_salt() + new_salt()),
    )
    token = derive_token(firm_request.pk, salt)
    firm_request.token_hash = hash_token(token)
    FirmRequest.objects.filter(pk=firm_request.pk).update(token_hash=firm_request.token_hash)
    domains = list(domains or [])
    firm_request.domains.set(domains)
    _event(firm_request, RequestEventKind.CREATED, status=RequestStatus.NEW, at=now)

    if platform is not None:
        routing = RequestRouting.objects.create(
            request=firm_request,
            platform=platform,
            status=RoutingStatus.NOTIFIED,
            created_at=now,
            notified_at=now,
        )
        _set_routed(firm_request, now)
        _event(
            firm_request,
            RequestEventKind.ROUTED,
            status=RequestStatus.ROUTED,
            platform=platform,
            text=platform.name,
            at=now,
        )
        if not _notify_routings([routing]):
            # Nobody at that platform to tell: the correspondent watches it.
            _tell_watchers(firm_request)
    else:
        proposals = matching.propose(region=department.region, domain_ids=[d.pk for d in domains])
        RequestRouting.objects.bulk_create(
            RequestRouting(
                request=firm_request,
                platform=proposal.platform,
                status=RoutingStatus.PROPOSED,
                score=proposal.score,
                created_at=now,
            )
            for proposal in proposals
        )
        _tell_watchers(firm_request)

    schedule_email(RECEIVED_RULE, firm_request, "firm")
    log_action(
        firm_request,
        "request.created",
        message=_("Demande déposée par %(company)s") % {"company": firm_request.company_name},
    )
    return firm_request, token


def _set_routed(firm_request, now):
    changes = {"routed_at": firm_request.routed_at or now}
    if firm_request.status != RequestStatus.ROUTED:
        changes.update(status=RequestStatus.ROUTED, status_changed_at=now)
    FirmRequest.objects.filter(pk=firm_request.pk).update(**changes)
    for name, value in changes.items():
        setattr(firm_request, name, value)


# Routing -------------------------------------------------------------------------------


@transaction.atomic
def route(*, request, platforms, actor, now=None) -> list[RequestRouting]:
    """Transmit the request to ``platforms`` (the correspondent confirms or changes the
    portal's proposals): their routings become *notified* (created when needed), the
    other proposals *withdrawn*; the request is *routed*. Each platform newly notified
    has its people told once. Returns the routings notified now."""
    now = now or timezone.now()
    firm_request = FirmRequest.objects.select_for_update().get(pk=request.pk)
    platforms = list({p.pk: p for p in platforms}.values())
    if not platforms:
        raise ServiceError(_("Choisissez au moins une plateforme."), field="platforms")
    if firm_request.status not in (RequestStatus.NEW, RequestStatus.ROUTED):
        raise ServiceError(_("Cette demande n'est plus à orienter."))
    if firm_request.taken_by_id:
        raise ServiceError(_("Une plateforme a déjà pris cette demande."))
    existing = {
        r.platform_id: r
        for r in RequestRouting.objects.select_for_update().filter(request=firm_request)
    }
    for platform in platforms:
        routing = existing.get(platform.pk)
        if routing is not None and routing.status in (RoutingStatus.DECLINED, RoutingStatus.PASSED):
            raise ServiceError(
                _("%(platform)s a déjà décliné cette demande.") % {"platform": platform.name},
                field="platforms",
            )
    chosen = {p.pk for p in platforms}
    notified = []
    for platform in platforms:
        routing = existing.get(platform.pk)
        if routing is None:
            routing = RequestRouting.objects.create(
                request=firm_request,
                platform=platform,
                status=RoutingStatus.NOTIFIED,
                routed_by=actor,
                created_at=now,
                notified_at=now,
            )
        elif routing.status in (RoutingStatus.PROPOSED, RoutingStatus.WITHDRAWN):
            routing.status = RoutingStatus.NOTIFIED
            routing.routed_by = actor
            routing.notified_at = now
            routing.save(update_fields=["status", "routed_by", "notified_at"])
        else:
            continue  # already notified: told already
        notified.append(routing)
    RequestRouting.objects.filter(request=firm_request, status=RoutingStatus.PROPOSED).exclude(
        platform_id__in=chosen
    ).update(status=RoutingStatus.WITHDRAWN)
    names = ", ".join(p.name for p in platforms)
    if notified:
        _set_routed(firm_request, now)
        _event(
            firm_request,
            RequestEventKind.ROUTED,
            status=RequestStatus.ROUTED,
            platform=platforms[0] if len(platforms) == 1 else None,
            author=actor,
            text=", ".join(r.platform.name for r in notified),
            at=now,
        )
        _notify_routings(notified, actor=actor)
        log_action(
            firm_request,
            "request.routed",
            actor=actor,
            message=_("Orientée vers %(platforms)s") % {"platforms": names},
        )
    request.status, request.routed_at = firm_request.status, firm_request.routed_at
    return notified


# The firm, through its private link -------------------------------------------------------


def _firm_may_write(firm_request):
    if firm_request.anonymised_at or firm_request.deletion_requested_at:
        raise ServiceError(_("Les données de cette demande sont en cours d'effacement."))


@transaction.atomic
def request_firm_message(*, request, text: str, now=None) -> RequestEvent:
    """A message of the firm (through its link): a *message_firm* event, and an email
    once per person who reads it (see ``message_recipients``)."""
    firm_request = FirmRequest.objects.select_for_update().get(pk=request.pk)
    _firm_may_write(firm_request)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Écrivez votre message."), field="text")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ServiceError(
            _("Un message tient en %(max)s caractères.") % {"max": MESSAGE_MAX_LENGTH},
            field="text",
        )
    if firm_request.status in CLOSED_REQUEST_STATUSES:
        raise ServiceError(_("Cette demande est close : écrivez-nous par une nouvelle demande."))
    event = _event(
        firm_request,
        RequestEventKind.MESSAGE_FIRM,
        platform=firm_request.taken_by,
        text=text,
        at=now,
    )
    for person in message_recipients(firm_request):
        schedule_email(FIRM_MESSAGE_RULE, event, f"user-{person.pk}")
    log_action(firm_request, "request.firm_message", message=_("Message de l'entreprise"))
    return event


@transaction.atomic
def request_deletion_ask(*, request, now=None) -> FirmRequest:
    """The firm asks for its data to be deleted: dated once; the anonymisation job
    (another module's, after ``REQUEST_RETENTION_DAYS`` or on request) erases the contact data."""
    firm_request = FirmRequest.objects.select_for_update().get(pk=request.pk)
    if firm_request.deletion_requested_at or firm_request.anonymised_at:
        return firm_request
    firm_request.deletion_requested_at = now or timezone.now()
    firm_request.save(update_fields=["deletion_requested_at"])
    log_action(
        firm_request,
        "request.deletion_requested",
        message=_("L'entreprise demande l'effacement de ses données"),
    )
    request.deletion_requested_at = firm_request.deletion_requested_at
    return firm_request


# The email senders register themselves (import at the end: they use this module).
from .. import request_emails  # noqa: E402, F401
