"""Every write of the calls watch's pages: create, update (with the deadlines), propose,
publish or refuse a proposal, archive and unarchive, follow, declare an interest.

The service contract (``innovalo.exceptions``): keyword arguments with plain data, an
``actor``, one transaction with the call row locked, ``ServiceError(message, field)`` on
refusal, one history entry (``innovalo.audit.log_action``) per change with what changed.
Perms are the views' business; the rules of the data are checked here (and by the
database's constraints).
"""

import datetime
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import labelled, log_action, snapshot
from innovalo.exceptions import ServiceError
from innovalo.reminders import schedule_email

from ..enums import Applicant, CallScope, CallStatus, FunderKind
from ..models import Call, CallDeadline, CallFollow, CallInterest, Funder

PROPOSAL_PUBLISHED_RULE = "call_proposal_published"
PROPOSAL_REFUSED_RULE = "call_proposal_refused"

logger = logging.getLogger(__name__)

CALL_FIELDS = (
    "title",
    "kind",
    "scope",
    "description",
    "eligibility",
    "applicants",
    "amount_min",
    "amount_max",
    "rate_min",
    "rate_max",
    "url",
    "application_url",
    "contact",
    "opens_on",
    "open_all_year",
)
M2M_FIELDS = ("funders", "themes", "regions")
HUNDRED = Decimal(100)


# Checks ------------------------------------------------------------------------------


def check_call(values: dict) -> None:
    """The rules of the call's constraints, said to the user, next to their field."""
    if not (values.get("title") or "").strip():
        raise ServiceError(_("Un appel a un titre."), field="title")
    low, high = values.get("amount_min"), values.get("amount_max")
    if low is not None and low < 0:
        raise ServiceError(_("Un montant est positif."), field="amount_min")
    if high is not None and high < 0:
        raise ServiceError(_("Un montant est positif."), field="amount_max")
    if low is not None and high is not None and low > high:
        raise ServiceError(_("Le montant minimum dépasse le maximum."), field="amount_max")
    for name in ("rate_min", "rate_max"):
        rate = values.get(name)
        if rate is not None and not 0 <= rate <= HUNDRED:
            raise ServiceError(_("Un taux d'aide est compris entre 0 et 100 %."), field=name)
    low, high = values.get("rate_min"), values.get("rate_max")
    if low is not None and high is not None and low > high:
        raise ServiceError(_("Le taux minimum dépasse le maximum."), field="rate_max")
    unknown = set(values.get("applicants") or ()) - set(Applicant.values)
    if unknown:
        raise ServiceError(_("Candidats inconnus : %s.") % ", ".join(sorted(unknown)), "applicants")
    if values.get("scope") == CallScope.REGIONAL and "regions" in values and not values["regions"]:
        raise ServiceError(_("Un appel régional a au moins une région."), field="regions")


def _changed(before: dict, after: dict) -> dict:
    """{field: [old, new]} by value (Decimal("5.00") == Decimal("5"), unlike audit.diff
    which compares their texts)."""
    return {name: [before.get(name), new] for name, new in after.items() if before.get(name) != new}


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


def _deadline_text(deadline) -> str:
    local = timezone.localtime(deadline.due_at)
    return f"{deadline.label} — {local:%d/%m/%Y %H:%M}"


# Funders -----------------------------------------------------------------------------


def funder_create(*, name: str, kind: str, website: str = "", actor) -> Funder:
    """A new funder (the bureau, from the call form). The same name twice is refused."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Un financeur a un nom."), field="new_funder_name")
    if kind not in FunderKind.values:
        raise ServiceError(_("Choisissez la nature du financeur."), field="new_funder_kind")
    if Funder.objects.filter(name__iexact=name).exists():
        raise ServiceError(
            _("Ce financeur existe déjà : choisissez-le dans la liste."), field="new_funder_name"
        )
    try:
        with transaction.atomic():
            funder = Funder.objects.create(name=name, kind=kind, website=website or "")
    except IntegrityError:
        raise ServiceError(
            _("Ce financeur existe déjà : choisissez-le dans la liste."), field="new_funder_name"
        ) from None
    log_action(funder, "projects.funder_created", actor=actor, message=_("Financeur créé"))
    return funder


# Create, update ----------------------------------------------------------------------


def _split(fields: dict) -> tuple[dict, dict]:
    unknown = set(fields) - set(CALL_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"unknown call fields: {sorted(unknown)}")
    plain = {name: value for name, value in fields.items() if name in CALL_FIELDS}
    related = {name: list(value) for name, value in fields.items() if name in M2M_FIELDS}
    return plain, related


def _set_related(call, related: dict, *, new=False) -> dict:
    changes = {}
    for name, wanted in related.items():
        manager = getattr(call, name)
        old = {} if new else {obj.pk: obj for obj in manager.all()}
        new_objs = {obj.pk: obj for obj in wanted}
        if old.keys() == new_objs.keys():
            continue
        removed = [obj for pk, obj in old.items() if pk not in new_objs]
        added = [obj for pk, obj in new_objs.items() if pk not in old]
        if removed:
            manager.remove(*removed)
        if added:
            manager.add(*added)
        changes[name] = [sorted(map(str, old.values())), sorted(map(str, new_objs.values()))]
    return changes


def _deadline_rows(call, rows, *, new=False) -> tuple[dict, bool]:
    """Apply the deadline rows: {"id": pk or None, "label", "due_at", "delete": bool}.
    Rows not given stay. Returns (changes, whether a date changed)."""
    existing = {} if new else {d.pk: d for d in call.deadlines.all()}
    changes, moved = {}, False
    for row in rows:
        pk = row.get("id")
        deadline = None
        if pk:
            deadline = existing.pop(pk, None)
            if deadline is None:
                raise ServiceError(_("Cette date n'est pas celle de l'appel : rechargez la page."))
        if row.get("delete"):
            if deadline is not None:
                changes[_("date limite %s") % deadline.pk] = [_deadline_text(deadline), None]
                deadline.delete()
                moved = True
            continue
        due_at = row.get("due_at")
        if due_at is None:
            raise ServiceError(_("Chaque date limite a une date."), field="deadlines")
        label = (row.get("label") or "").strip() or str(
            CallDeadline._meta.get_field("label").default
        )
        old = _deadline_text(deadline) if deadline is not None else None
        if deadline is not None and _minute(deadline.due_at) == _minute(due_at):
            due_at = deadline.due_at  # the form's minute: the seconds of an import stay
        if deadline is not None and deadline.due_at != due_at:
            moved = True
        if deadline is None:
            deadline = CallDeadline(call=call)
            moved = True
        deadline.label, deadline.due_at = label[:120], due_at
        if _deadline_text(deadline) == old:
            continue
        deadline.save()
        changes[_("date limite %s") % deadline.pk] = [old, _deadline_text(deadline)]
    return changes, moved


def _with_new_funder(related: dict, new_funder: dict | None, actor) -> dict:
    """The funder typed in the form, created and added to the call's funders."""
    if new_funder:
        funder = funder_create(**new_funder, actor=actor)
        related["funders"] = [*related.get("funders", ()), funder]
    return related


@transaction.atomic
def _create(*, fields, deadlines, actor, status, action, message, new_funder=None) -> Call:
    plain, related = _split(fields)
    related = _with_new_funder(related, new_funder, actor)
    check_call({**plain, **related})
    now = timezone.now()
    call = Call(**plain, status=status, created_at=now, updated_at=now)
    if status == CallStatus.PUBLISHED:
        call.published_at = now
    else:
        call.proposed_by = actor
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError as error:
        raise ServiceError(_("Cet appel ne respecte pas les règles : %s") % error) from None
    _set_related(call, related, new=True)
    _deadline_rows(call, deadlines, new=True)
    log_action(call, action, actor=actor, message=message)
    logger.info("call %s %s by %s", call.pk, action, getattr(actor, "pk", None))
    return call


def call_create(*, fields: dict, deadlines=(), new_funder=None, actor) -> Call:
    """A published call (the bureau). ``fields``: CALL_FIELDS and the m2m lists;
    ``deadlines``: rows {"label", "due_at"}; ``new_funder``: {"name", "kind",
    "website"} of a funder to create and add, in the same transaction."""
    return _create(
        fields=fields,
        deadlines=deadlines,
        new_funder=new_funder,
        actor=actor,
        status=CallStatus.PUBLISHED,
        action="projects.call_created",
        message=_("Appel créé et publié"),
    )


def call_propose(*, fields: dict, deadlines=(), actor) -> Call:
    """A member proposes a call: it waits for the bureau (status PROPOSED)."""
    return _create(
        fields=fields,
        deadlines=deadlines,
        actor=actor,
        status=CallStatus.PROPOSED,
        action="projects.call_proposed",
        message=_("Appel proposé, en attente du bureau"),
    )


def _locked(call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


@transaction.atomic
def call_update(*, call: Call, fields: dict, deadlines=(), new_funder=None, actor) -> Call:
    """Change a call and its deadlines (rows {"id", "label", "due_at", "delete"}; rows
    not given stay). A deadline added, moved or removed sets ``dates_changed_at``."""
    plain, related = _split(fields)
    related = _with_new_funder(related, new_funder, actor)
    call = _locked(call)
    before = snapshot(call, plain)
    for name, value in plain.items():
        setattr(call, name, value)
    merged = {**snapshot(call, CALL_FIELDS), **related}
    if "regions" not in related and call.scope == CallScope.REGIONAL:
        merged["regions"] = list(call.regions.all())
    check_call(merged)
    changes = labelled(Call, _changed(before, plain))
    changes |= labelled(Call, _set_related(call, related))
    deadline_changes, moved = _deadline_rows(call, deadlines)
    changes |= deadline_changes
    if not changes:
        return call
    now = timezone.now()
    call.updated_at = now
    if moved:
        call.dates_changed_at = now
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError as error:
        raise ServiceError(_("Cet appel ne respecte pas les règles : %s") % error) from None
    log_action(
        call, "projects.call_updated", actor=actor, message=_("Appel modifié"), changes=changes
    )
    logger.info("call %s updated by %s", call.pk, getattr(actor, "pk", None))
    return call


# Status ------------------------------------------------------------------------------


def _set_status(call, status, *, actor, action, message, allowed_from, refusal, extra=None):
    call = _locked(call)
    if call.status not in allowed_from:
        raise ServiceError(refusal)
    old = call.status
    call.status = status
    call.updated_at = timezone.now()
    for name, value in (extra or {}).items():
        setattr(call, name, value)
    call.save(update_fields=["status", "updated_at", *(extra or {})])
    log_action(
        call,
        action,
        actor=actor,
        message=message,
        changes=labelled(Call, {"status": [old, status]}),
    )
    logger.info("call %s %s by %s", call.pk, action, getattr(actor, "pk", None))
    return call


@transaction.atomic
def call_archive(*, call: Call, actor) -> Call:
    return _set_status(
        call,
        CallStatus.ARCHIVED,
        actor=actor,
        action="projects.call_archived",
        message=_("Appel archivé"),
        allowed_from=(CallStatus.PUBLISHED,),
        refusal=_("Seul un appel publié peut être archivé."),
    )


@transaction.atomic
def call_unarchive(*, call: Call, actor) -> Call:
    return _set_status(
        call,
        CallStatus.PUBLISHED,
        actor=actor,
        action="projects.call_unarchived",
        message=_("Appel désarchivé"),
        allowed_from=(CallStatus.ARCHIVED,),
        refusal=_("Seul un appel archivé peut être désarchivé."),
    )


@transaction.atomic
def call_publish(*, call: Call, actor) -> Call:
    """The bureau publishes a member's proposal: it enters the list (and the alerts), and
    the proposer is told (once)."""
    call = _set_status(
        call,
        CallStatus.PUBLISHED,
        actor=actor,
        action="projects.call_published",
        message=_("Proposition publiée"),
        allowed_from=(CallStatus.PROPOSED,),
        refusal=_("Cet appel n'est plus une proposition."),
        extra={"published_at": timezone.now()},
    )
    if call.proposed_by_id:
        schedule_email(PROPOSAL_PUBLISHED_RULE, call, f"user-{call.proposed_by_id}")
    return call


@transaction.atomic
def call_refuse(*, call: Call, reason: str, actor) -> Call:
    """The bureau refuses a proposal with a reason: the call stays, seen only by the
    bureau and its proposer, who is told why (once)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Donnez le motif du refus."), field="reason")
    call = _set_status(
        call,
        CallStatus.REFUSED,
        actor=actor,
        action="projects.call_refused",
        message=_("Proposition refusée : %(reason)s") % {"reason": reason},
        allowed_from=(CallStatus.PROPOSED,),
        refusal=_("Cet appel n'est plus une proposition."),
        extra={"refusal_reason": reason},
    )
    if call.proposed_by_id:
        schedule_email(PROPOSAL_REFUSED_RULE, call, f"user-{call.proposed_by_id}")
    return call


# Following and interest -------------------------------------------------------------


@transaction.atomic
def call_follow(*, call: Call, user) -> bool:
    """Follow a call (its deadlines go into the user's reminders). Idempotent: returns
    whether something changed."""
    created = _follow_insert(call, user)
    if created:
        log_action(call, "projects.call_followed", actor=user, message=_("Appel suivi"), scope=user)
    return created


def _follow_insert(call, user) -> bool:
    if CallFollow.objects.filter(call=call, user=user).exists():
        return False
    try:
        with transaction.atomic():
            CallFollow.objects.create(call=call, user=user)
    except IntegrityError:  # followed meanwhile (a double click)
        return False
    return True


@transaction.atomic
def call_unfollow(*, call: Call, user) -> bool:
    deleted, _rows = CallFollow.objects.filter(call=call, user=user).delete()
    if deleted:
        log_action(
            call, "projects.call_unfollowed", actor=user, message=_("Appel plus suivi"), scope=user
        )
    return bool(deleted)


@transaction.atomic
def interest_declare(*, call: Call, platform, note: str = "", actor) -> CallInterest:
    """ "Ma plateforme est intéressée": once per platform and call; a second declaration
    changes the note."""
    if call.status != CallStatus.PUBLISHED:
        raise ServiceError(_("On se dit intéressé par un appel publié seulement."))
    note = (note or "").strip()[:500]
    interest = CallInterest.objects.select_for_update().filter(call=call, platform=platform).first()
    if interest is not None:
        if interest.note == note:
            return interest
        old = interest.note
        interest.note = note
        interest.save(update_fields=["note"])
        log_action(
            interest,
            "projects.interest_updated",
            actor=actor,
            message=_("Intérêt de %s : note modifiée") % platform,
            changes=labelled(CallInterest, {"note": [old, note]}),
            scope=call,
        )
        return interest
    try:
        with transaction.atomic():
            interest = CallInterest.objects.create(
                call=call, platform=platform, note=note, created_by=actor
            )
    except IntegrityError:
        raise ServiceError(_("Cette plateforme s'est déjà dite intéressée.")) from None
    log_action(
        interest,
        "projects.interest_declared",
        actor=actor,
        message=_("%s est intéressée") % platform,
        changes=labelled(CallInterest, {"note": [None, note]}) if note else None,
        scope=call,
    )
    return interest


@transaction.atomic
def interest_withdraw(*, call: Call, platform, actor) -> bool:
    deleted, _rows = CallInterest.objects.filter(call=call, platform=platform).delete()
    if deleted:
        log_action(
            call,
            "projects.interest_withdrawn",
            actor=actor,
            message=_("%s n'est plus intéressée") % platform,
        )
    return bool(deleted)


def deadline_at(day: datetime.date, time: datetime.time | None) -> datetime.datetime:
    """A deadline's instant from the form's day and time (French time; noon by default)."""
    moment = datetime.datetime.combine(day, time or datetime.time(12, 0))
    return timezone.make_aware(moment, timezone.get_current_timezone())
