"""Writes of firms' requests, platforms' and correspondents' side: routing confirmed or
changed, a routed platform accepting, declining or passing the request on, the platform
that took it marking it in progress, writing to the firm, internal notes, closing (with
the transfer level and the outcome), the bureau reopening; and the jobs' writes (closing
requests left without answer, anonymising firms' contact data).

Each function takes the acting user, locks the request (``select_for_update``), writes
in one transaction a ``RequestEvent`` (what the request's page shows) and one history
entry (``innovalo.audit.log_action``, its actions named ``request.*``). Perms are checked
by the views (``projects.perms``); these functions keep the rules:

- the first platform to accept takes the request (``taken_by``; its routing accepted, the
  others stay as they are but cannot accept any more). The request's row lock makes a
  second acceptance wait and find the request taken; the database's
  ``requestrouting_one_acceptance`` constraint guards what would get past it: both are a
  clear message, never two takers;
- when every platform it was transmitted to has declined (or passed it on), the request
  is *new* again: its region's correspondent (the bureau when there is none) routes it
  again, and is told so by email (``request_board_back_to_route``);
- a request is closed *done* only by a platform that took it, with its transfer level;
  *declined* or *without answer* with a reason. A closed request is changed by the bureau
  only (it reopens it, logged).

History messages name the request by its number, never the firm (its name is erased
with its contact data).
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Concat, Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import key_of, log_action
from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry, SentReminder
from innovalo.money import parse_amount
from innovalo.perms import is_bureau
from innovalo.reminders import schedule_email
from members.enums import TransferLevel

from ..enums import (
    CLOSED_REQUEST_STATUSES,
    OPEN_REQUEST_STATUSES,
    RequestEventKind,
    RequestStatus,
    RoutingStatus,
)
from ..models import FirmRequest, RequestEvent, RequestRouting
from . import requests as public

logger = logging.getLogger(__name__)

BACK_TO_ROUTE_RULE = "request_board_back_to_route"
MESSAGE_RULE = "request_message_platform"  # the platform wrote to the firm
TEXT_MAX_LENGTH = public.MESSAGE_MAX_LENGTH
CLOSE_STATUSES = (RequestStatus.DONE, RequestStatus.DECLINED, RequestStatus.NO_ANSWER)
ANONYMOUS_COMPANY = "Entreprise anonymisée"
ANONYMOUS_CONTACT = "Contact anonymisé"
DELETION_REASON = "À la demande de l'entreprise"
# The emails whose recipient is the firm (erased with its contact data).
FIRM_RULES = (public.RECEIVED_RULE, MESSAGE_RULE)


def _log(firm_request, verb, *, actor, message, changes=None, amount=None):
    return log_action(
        firm_request,
        f"request.{verb}",
        actor=actor,
        message=message,
        changes=changes,
        amount=amount,
    )


def _number(firm_request) -> str:
    return _("Demande n°%(pk)s") % {"pk": firm_request.pk}


def _event(firm_request, kind, *, actor=None, status="", platform=None, text="", at=None):
    return RequestEvent.objects.create(
        request=firm_request,
        kind=kind,
        status=status,
        platform=platform,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        text=text,
        created_at=at or timezone.now(),
    )


def _locked(firm_request) -> FirmRequest:
    return FirmRequest.objects.select_for_update().get(pk=firm_request.pk)


def _sync(target, source, *fields) -> None:
    """Copy what changed onto the caller's instance."""
    for name in fields:
        setattr(target, name, getattr(source, name))


def _check_open(firm_request) -> None:
    if firm_request.status not in OPEN_REQUEST_STATUSES:
        raise ServiceError(_("Cette demande est close : seul le bureau peut la rouvrir."))


def _text(text, *, field="text", required=True, label=None) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ServiceError(label or _("Ce champ est obligatoire."), field=field)
    if len(text) > TEXT_MAX_LENGTH:
        raise ServiceError(
            _("Ce texte tient en %(max)s caractères.") % {"max": TEXT_MAX_LENGTH}, field=field
        )
    return text


def _set_status(firm_request, status, now, **fields) -> None:
    firm_request.status = status
    firm_request.status_changed_at = now
    for name, value in fields.items():
        setattr(firm_request, name, value)
    firm_request.save(update_fields=["status", "status_changed_at", *fields])


def _answerable(firm_request, routing) -> RequestRouting:
    """The routing, locked, while it may still be answered."""
    _check_open(firm_request)
    routing = (
        RequestRouting.objects.select_for_update()
        .select_related("platform")
        .filter(pk=routing.pk, request=firm_request)
        .first()
    )
    if routing is None:
        raise ServiceError(_("Cette orientation n'existe pas."))
    if firm_request.taken_by_id:
        raise ServiceError(_("Une autre plateforme a déjà accepté cette demande."))
    if routing.status != RoutingStatus.NOTIFIED:
        raise ServiceError(_("Cette plateforme a déjà répondu."))
    return routing


# Routing ---------------------------------------------------------------------------------


@transaction.atomic
def request_reroute(*, firm_request, platforms, actor) -> list[RequestRouting]:
    """The correspondent (or the bureau) confirms or changes the routing: the chosen
    platforms are notified through ``services.requests.route`` (each told once); those
    notified before and not chosen any more are withdrawn (they no longer see it)."""
    locked = _locked(firm_request)
    _check_open(locked)
    if locked.taken_by_id:
        raise ServiceError(_("Une plateforme a déjà pris cette demande."))
    platforms = list({p.pk: p for p in platforms or []}.values())
    if not platforms:
        raise ServiceError(_("Choisissez au moins une plateforme."), field="platforms")
    dropped = list(
        RequestRouting.objects.select_for_update()
        .select_related("platform")
        .filter(request=locked, status=RoutingStatus.NOTIFIED)
        .exclude(platform_id__in=[p.pk for p in platforms])
    )
    now = timezone.now()
    if dropped:
        RequestRouting.objects.filter(pk__in=[r.pk for r in dropped]).update(
            status=RoutingStatus.WITHDRAWN, answered_at=None
        )
        names = ", ".join(r.platform.name for r in dropped)
        _event(
            locked,
            RequestEventKind.ROUTED,
            actor=actor,
            text=_("Orientation retirée : %(platforms)s") % {"platforms": names},
            at=now,
        )
        _log(
            locked,
            "routing_withdrawn",
            actor=actor,
            message=_("%(request)s : orientation retirée (%(platforms)s)")
            % {"request": _number(locked), "platforms": names},
        )
    notified = public.route(request=locked, platforms=platforms, actor=actor)
    locked.refresh_from_db(fields=["status", "routed_at", "status_changed_at"])
    _sync(firm_request, locked, "status", "routed_at", "status_changed_at")
    return notified


# A routed platform's answer -----------------------------------------------------------------


@transaction.atomic
def request_accept(*, firm_request, routing, actor) -> FirmRequest:
    """The routing's platform takes the request (the first to accept)."""
    locked = _locked(firm_request)
    routing = _answerable(locked, routing)
    now = timezone.now()
    try:
        with transaction.atomic():
            RequestRouting.objects.filter(pk=routing.pk).update(
                status=RoutingStatus.ACCEPTED, answered_at=now
            )
    except IntegrityError as error:
        raise ServiceError(_("Une autre plateforme a déjà accepté cette demande.")) from error
    _set_status(
        locked,
        RequestStatus.ACCEPTED,
        now,
        taken_by=routing.platform,
        first_answer_at=locked.first_answer_at or now,
    )
    _event(
        locked,
        RequestEventKind.STATUS,
        actor=actor,
        status=RequestStatus.ACCEPTED,
        platform=routing.platform,
        text=_("Acceptée par %(platform)s") % {"platform": routing.platform.name},
        at=now,
    )
    _log(
        locked,
        "accepted",
        actor=actor,
        message=_("%(request)s acceptée par %(platform)s")
        % {"request": _number(locked), "platform": routing.platform.name},
        changes={_("état"): [str(RequestStatus.ROUTED.label), str(RequestStatus.ACCEPTED.label)]},
    )
    _sync(firm_request, locked, "status", "status_changed_at", "taken_by", "first_answer_at")
    firm_request.taken_by_id = locked.taken_by_id
    return firm_request


def _back_to_route_if_nobody(locked, actor, now) -> bool:
    """Every platform declined or passed: the request is new again, for its
    correspondent (told by email)."""
    pending = RequestRouting.objects.filter(
        request=locked, status__in=(RoutingStatus.NOTIFIED, RoutingStatus.ACCEPTED)
    ).exists()
    if pending or locked.status != RequestStatus.ROUTED:
        return False
    _set_status(locked, RequestStatus.NEW, now)
    event = _event(
        locked,
        RequestEventKind.STATUS,
        actor=actor,
        status=RequestStatus.NEW,
        text=_("Toutes les plateformes sollicitées ont décliné : la demande est à orienter."),
        at=now,
    )
    schedule_email(BACK_TO_ROUTE_RULE, locked, f"event-{event.pk}")
    return True


@transaction.atomic
def request_decline(*, firm_request, routing, reason, actor) -> FirmRequest:
    """The routing's platform declines, with its reason."""
    reason = _text(reason, field="reason", label=_("Dites pourquoi vous déclinez."))
    locked = _locked(firm_request)
    routing = _answerable(locked, routing)
    now = timezone.now()
    RequestRouting.objects.filter(pk=routing.pk).update(
        status=RoutingStatus.DECLINED, reason=reason, answered_at=now
    )
    _event(
        locked,
        RequestEventKind.ROUTED,
        actor=actor,
        platform=routing.platform,
        text=_("%(platform)s décline : %(reason)s")
        % {"platform": routing.platform.name, "reason": reason},
        at=now,
    )
    _back_to_route_if_nobody(locked, actor, now)
    _log(
        locked,
        "declined_by_platform",
        actor=actor,
        message=_("%(request)s déclinée par %(platform)s")
        % {"request": _number(locked), "platform": routing.platform.name},
        changes={_("motif"): [None, reason]},
    )
    _sync(firm_request, locked, "status", "status_changed_at")
    return firm_request


@transaction.atomic
def request_pass(*, firm_request, routing, platform, reason, actor) -> RequestRouting:
    """The routing's platform passes the request to another platform, with its reason:
    its routing is *passed*, the other platform notified (``route``)."""
    reason = _text(reason, field="reason", label=_("Dites pourquoi vous passez la demande."))
    if platform is None:
        raise ServiceError(_("Choisissez la plateforme."), field="platform")
    locked = _locked(firm_request)
    routing = _answerable(locked, routing)
    if platform.pk == routing.platform_id:
        raise ServiceError(_("Choisissez une autre plateforme que la vôtre."), field="platform")
    existing = RequestRouting.objects.filter(request=locked, platform=platform).first()
    if existing is not None and existing.status not in (
        RoutingStatus.PROPOSED,
        RoutingStatus.WITHDRAWN,
    ):
        raise ServiceError(
            _("%(platform)s a déjà reçu cette demande.") % {"platform": platform.name},
            field="platform",
        )
    now = timezone.now()
    RequestRouting.objects.filter(pk=routing.pk).update(
        status=RoutingStatus.PASSED, reason=reason, passed_to=platform, answered_at=now
    )
    _event(
        locked,
        RequestEventKind.ROUTED,
        actor=actor,
        platform=routing.platform,
        text=_("%(platform)s passe la demande à %(other)s : %(reason)s")
        % {"platform": routing.platform.name, "other": platform.name, "reason": reason},
        at=now,
    )
    _log(
        locked,
        "passed",
        actor=actor,
        message=_("%(request)s passée par %(platform)s à %(other)s")
        % {"request": _number(locked), "platform": routing.platform.name, "other": platform.name},
        changes={_("motif"): [None, reason]},
    )
    notified = public.route(request=locked, platforms=[platform], actor=actor)
    return notified[0] if notified else None


# The platform that took it -----------------------------------------------------------------


def _check_taken(locked) -> None:
    _check_open(locked)
    if not locked.taken_by_id:
        raise ServiceError(_("Aucune plateforme n'a encore accepté cette demande."))


@transaction.atomic
def request_start(*, firm_request, actor) -> FirmRequest:
    """Accepted → in progress."""
    locked = _locked(firm_request)
    _check_taken(locked)
    if locked.status != RequestStatus.ACCEPTED:
        raise ServiceError(_("Cette demande est déjà en cours."))
    now = timezone.now()
    _set_status(locked, RequestStatus.IN_PROGRESS, now)
    _event(
        locked,
        RequestEventKind.STATUS,
        actor=actor,
        status=RequestStatus.IN_PROGRESS,
        platform=locked.taken_by,
        at=now,
    )
    _log(
        locked,
        "in_progress",
        actor=actor,
        message=_("%(request)s en cours") % {"request": _number(locked)},
        changes={
            _("état"): [str(RequestStatus.ACCEPTED.label), str(RequestStatus.IN_PROGRESS.label)]
        },
    )
    _sync(firm_request, locked, "status", "status_changed_at")
    return firm_request


@transaction.atomic
def request_message(*, firm_request, text, actor) -> RequestEvent:
    """The platform that took the request writes to the firm: a *message_platform* event,
    and an email to the firm with its private link (once)."""
    text = _text(text, label=_("Écrivez votre message."))
    locked = _locked(firm_request)
    _check_taken(locked)
    if locked.anonymised_at or locked.deletion_requested_at:
        raise ServiceError(_("L'entreprise a demandé l'effacement de ses données."))
    event = _event(
        locked,
        RequestEventKind.MESSAGE_PLATFORM,
        actor=actor,
        platform=locked.taken_by,
        text=text,
    )
    schedule_email(MESSAGE_RULE, event, "firm")
    _log(
        locked,
        "platform_message",
        actor=actor,
        message=_("%(request)s : message à l'entreprise") % {"request": _number(locked)},
    )
    return event


@transaction.atomic
def request_note(*, firm_request, text, actor) -> RequestEvent:
    """An internal note: never shown to the firm."""
    text = _text(text, label=_("Écrivez la note."))
    locked = _locked(firm_request)
    if locked.status in CLOSED_REQUEST_STATUSES and not is_bureau(actor):
        _check_open(locked)
    event = _event(locked, RequestEventKind.NOTE, actor=actor, text=text)
    _log(
        locked,
        "note",
        actor=actor,
        message=_("%(request)s : note interne") % {"request": _number(locked)},
    )
    return event


# Closing and reopening ----------------------------------------------------------------------


def _clean_amount(amount):
    """None, or a positive (or zero) amount read by the one parser."""
    if amount in (None, ""):
        return None
    return parse_amount(amount, field="amount_invoiced", allow_zero=True)


@transaction.atomic
def request_close(
    *,
    firm_request,
    status,
    actor,
    transfer_level=None,
    outcome="",
    amount_invoiced=None,
    follow_up_project=None,
    reason="",
) -> FirmRequest:
    """Close the request: *done* (taken by a platform; transfer level and outcome
    required, amount invoiced and follow-up project optional), or *declined* / *without
    answer* with a reason."""
    if status not in CLOSE_STATUSES:
        raise ServiceError(_("Choisissez comment la demande se termine."), field="status")
    locked = _locked(firm_request)
    _check_open(locked)
    fields = {"closed_at": timezone.now()}
    now = fields["closed_at"]
    if status == RequestStatus.DONE:
        if not locked.taken_by_id:
            raise ServiceError(
                _("Une demande non acceptée ne peut être terminée : déclinez-la."), field="status"
            )
        if transfer_level in (None, "") or int(transfer_level) not in TransferLevel.values:
            raise ServiceError(_("Choisissez le niveau de transfert."), field="transfer_level")
        fields.update(
            transfer_level=int(transfer_level),
            outcome=_text(outcome, field="outcome", label=_("Décrivez le service rendu.")),
            amount_invoiced=_clean_amount(amount_invoiced),
            follow_up_project=follow_up_project,
        )
        text = fields["outcome"]
    else:
        text = _text(reason, field="reason", label=_("Indiquez la raison."))
    before = locked.status
    _set_status(locked, status, now, **fields)
    _event(
        locked,
        RequestEventKind.STATUS,
        actor=actor,
        status=status,
        platform=locked.taken_by,
        text=text,
        at=now,
    )
    changes = {_("état"): [str(RequestStatus(before).label), str(RequestStatus(status).label)]}
    if status == RequestStatus.DONE:
        changes[_("niveau de transfert")] = [
            None,
            str(TransferLevel(fields["transfer_level"]).label),
        ]
    _log(
        locked,
        "closed",
        actor=actor,
        message=_("%(request)s close : %(status)s")
        % {"request": _number(locked), "status": RequestStatus(status).label},
        changes=changes,
        amount=fields.get("amount_invoiced"),
    )
    _sync(firm_request, locked, "status", "status_changed_at", *fields)
    return firm_request


@transaction.atomic
def request_reopen(*, firm_request, actor, reason="") -> FirmRequest:
    """The bureau reopens a closed request: in progress when a platform had taken it,
    else routed (a platform still notified) or new."""
    if not is_bureau(actor):
        raise ServiceError(_("Seul le bureau rouvre une demande close."))
    reason = _text(reason, field="reason", required=False)
    locked = _locked(firm_request)
    if locked.status not in CLOSED_REQUEST_STATUSES:
        raise ServiceError(_("Cette demande n'est pas close."))
    if locked.anonymised_at:
        raise ServiceError(_("Les données de cette demande ont été effacées."))
    before = locked.status
    if locked.taken_by_id:
        status = RequestStatus.IN_PROGRESS
    elif RequestRouting.objects.filter(request=locked, status=RoutingStatus.NOTIFIED).exists():
        status = RequestStatus.ROUTED
    else:
        status = RequestStatus.NEW
    now = timezone.now()
    _set_status(locked, status, now, closed_at=None)
    _event(
        locked,
        RequestEventKind.STATUS,
        actor=actor,
        status=status,
        text=reason or _("Rouverte par le bureau"),
        at=now,
    )
    _log(
        locked,
        "reopened",
        actor=actor,
        message=_("%(request)s rouverte") % {"request": _number(locked)},
        changes={_("état"): [str(RequestStatus(before).label), str(RequestStatus(status).label)]},
    )
    _sync(firm_request, locked, "status", "status_changed_at", "closed_at")
    return firm_request


# The jobs' writes ----------------------------------------------------------------------------


def _audit_rows(requests, action, message) -> list[AuditEntry]:
    return [
        AuditEntry(
            action=action,
            target=key_of(r),
            scope=key_of(r),
            object_repr=str(r)[:255],
            message=str(message % {"request": _number(r)})[:255],
            changes={},
        )
        for r in requests
    ]


def requests_close_unanswered(*, ids, now=None) -> int:
    """Close as *without answer* these routed requests nobody took (the job says which);
    in one transaction, a constant number of queries. Returns how many were closed."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            FirmRequest.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=RequestStatus.ROUTED, taken_by__isnull=True)
            .order_by("pk")
        )
        if not rows:
            return 0
        FirmRequest.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=RequestStatus.NO_ANSWER, status_changed_at=now, closed_at=now
        )
        text = _("Aucune plateforme n'a répondu : demande close sans réponse.")
        RequestEvent.objects.bulk_create(
            RequestEvent(
                request=r,
                kind=RequestEventKind.STATUS,
                status=RequestStatus.NO_ANSWER,
                text=text,
                created_at=now,
            )
            for r in rows
        )
        AuditEntry.objects.bulk_create(
            _audit_rows(rows, "request.closed_no_answer", _("%(request)s close sans réponse"))
        )
    return len(rows)


def requests_anonymise(*, ids, now=None) -> int:
    """Erase the contact data of these requests (the job says which) in one transaction
    and a constant number of queries: the open ones (their firm asked) are first closed
    as declined "at the firm's request"; then the company, contact, email (an address
    that cannot receive mail), phone, SIRET, need and the messages exchanged with the
    firm are blanked, the address is erased from the emails sent to the firm, the
    company's name from the history. Domains, region, dates, states, transfer level and
    amounts stay: the counts keep working. Returns how many were anonymised."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            FirmRequest.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, anonymised_at__isnull=True)
            .order_by("pk")
        )
        if not rows:
            return 0
        pks = [r.pk for r in rows]
        still_open = [r for r in rows if r.status in OPEN_REQUEST_STATUSES]
        if still_open:
            FirmRequest.objects.filter(pk__in=[r.pk for r in still_open]).update(
                status=RequestStatus.DECLINED, status_changed_at=now, closed_at=now
            )
            RequestEvent.objects.bulk_create(
                RequestEvent(
                    request=r,
                    kind=RequestEventKind.STATUS,
                    status=RequestStatus.DECLINED,
                    platform_id=r.taken_by_id,
                    text=DELETION_REASON,
                    created_at=now,
                )
                for r in still_open
            )
        keys = {key_of(r): r for r in rows}
        message_ids = list(
            RequestEvent.objects.filter(
                request_id__in=pks, kind=RequestEventKind.MESSAGE_PLATFORM
            ).values_list("pk", flat=True)
        )
        firm_targets = list(keys) + [f"projects.requestevent:{pk}" for pk in message_ids]
        # The firm's address in the emails sent to it: each request's own.
        addresses = {r.email: f"anonymised-{r.pk}@invalid" for r in rows if r.email}
        if addresses:
            SentReminder.objects.filter(
                rule__in=FIRM_RULES, target__in=firm_targets, recipients__in=list(addresses)
            ).update(
                recipients=Case(
                    *[When(recipients=old, then=Value(new)) for old, new in addresses.items()],
                    default=F("recipients"),
                    output_field=SentReminder._meta.get_field("recipients"),
                )
            )
        # The company's name in the history of each request.
        message_field = AuditEntry._meta.get_field("message")
        renames = [
            When(
                Q(target=key) | Q(scope=key),
                then=Replace(
                    F("message"),
                    Value(r.company_name),
                    Value(ANONYMOUS_COMPANY),
                    output_field=message_field,
                ),
            )
            for key, r in keys.items()
            if r.company_name
        ]
        AuditEntry.objects.filter(Q(target__in=list(keys)) | Q(scope__in=list(keys))).update(
            object_repr=Value(ANONYMOUS_COMPANY),
            message=Case(*renames, default=F("message"), output_field=message_field)
            if renames
            else F("message"),
        )
        RequestEvent.objects.filter(
            request_id__in=pks,
            kind__in=(RequestEventKind.MESSAGE_FIRM, RequestEventKind.MESSAGE_PLATFORM),
        ).update(text="")
        FirmRequest.objects.filter(pk__in=pks).update(
            company_name=Value(ANONYMOUS_COMPANY),
            contact_name=Value(ANONYMOUS_CONTACT),
            email=Concat(
                Value("anonymised-"),
                Cast("pk", output_field=CharField()),
                Value("@invalid"),
                output_field=CharField(),
            ),
            phone="",
            siret="",
            need="",
            anonymised_at=now,
        )
        AuditEntry.objects.bulk_create(
            _audit_rows(
                [
                    FirmRequest(pk=r.pk, company_name=ANONYMOUS_COMPANY, created_at=r.created_at)
                    for r in rows
                ],
                "request.anonymised",
                _("%(request)s : données de contact effacées"),
            )
        )
    logger.info("requests anonymised: %s", len(rows))
    return len(rows)
