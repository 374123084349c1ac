"""The agenda: items, and the proposals members make for it."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import diff, snapshot

from ..enums import MeetingStatus, ProposalStatus
from ..models import AgendaItem, AgendaProposal, Meeting
from .common import ServiceError, labelled, log_meeting

ITEM_FIELDS = [
    "day",
    "start_time",
    "end_time",
    "title",
    "description",
    "presenters",
    "kind",
    "room",
    "order",
    "survey_campaign",
]


def _check_item(meeting: Meeting, day, start_time, end_time) -> None:
    """The agenda item constraints, said to the user, and its day within the meeting."""
    if day not in meeting.days:
        raise ServiceError(_("Ce jour n'est pas un jour de la réunion."), field="day")
    if end_time and not start_time:
        raise ServiceError(_("Une heure de fin demande une heure de début."), field="end_time")
    if start_time and end_time and end_time < start_time:
        raise ServiceError(_("L'heure de fin doit suivre l'heure de début."), field="end_time")


def _next_order(meeting: Meeting) -> int:
    return (meeting.agenda_items.aggregate(m=Max("order"))["m"] or 0) + 1


def _add_item(meeting: Meeting, **fields) -> AgendaItem:
    _check_item(meeting, fields.get("day"), fields.get("start_time"), fields.get("end_time"))
    if not fields.get("order"):
        fields["order"] = _next_order(meeting)
    return AgendaItem.objects.create(meeting=meeting, **fields)


@transaction.atomic
def agenda_item_create(*, meeting: Meeting, actor, **fields) -> AgendaItem:
    item = _add_item(meeting, **fields)
    log_meeting(
        item,
        "agenda_item_added",
        meeting=meeting,
        actor=actor,
        message=_("Point ajouté à l'ordre du jour : %s") % item.title,
    )
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, actor, **fields) -> AgendaItem:
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    before = snapshot(item, fields)
    for name, value in fields.items():
        setattr(item, name, value)
    if not item.order:
        item.order = before.get("order") or _next_order(item.meeting)
    _check_item(item.meeting, item.day, item.start_time, item.end_time)
    changes = labelled(AgendaItem, diff(before, snapshot(item, fields)))
    if changes:
        item.save()
        log_meeting(
            item,
            "agenda_item_updated",
            meeting=item.meeting,
            actor=actor,
            message=_("Point modifié : %s") % item.title,
            changes=changes,
        )
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, actor) -> None:
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    log_meeting(
        item,
        "agenda_item_removed",
        meeting=item.meeting,
        actor=actor,
        message=_("Point retiré de l'ordre du jour : %s") % item.title,
    )
    item.delete()


def _check_proposals_open(meeting: Meeting) -> None:
    if not (
        meeting.proposals_open
        and not meeting.is_past
        and meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED)
    ):
        raise ServiceError(_("Les propositions sont fermées pour cette réunion."))


@transaction.atomic
def proposal_submit(*, meeting: Meeting, user, title: str, description: str = "") -> AgendaProposal:
    _check_proposals_open(meeting)
    proposal = AgendaProposal.objects.create(
        meeting=meeting, proposed_by=user, title=title, description=description
    )
    log_meeting(
        proposal,
        "proposal_submitted",
        meeting=meeting,
        actor=user,
        message=_("Point proposé : %s") % title,
    )
    return proposal


def _pending(proposal: AgendaProposal) -> AgendaProposal:
    proposal = (
        AgendaProposal.objects.select_for_update()
        .select_related("meeting", "proposed_by")
        .get(pk=proposal.pk)
    )
    if proposal.status != ProposalStatus.PENDING:
        raise ServiceError(_("Cette proposition a déjà été traitée."))
    return proposal


@transaction.atomic
def proposal_accept(
    *, proposal: AgendaProposal, actor, day=None, start_time=None, end_time=None, room=""
) -> AgendaItem:
    """The proposal joins the agenda."""
    proposal = _pending(proposal)
    meeting = proposal.meeting
    item = _add_item(
        meeting,
        day=day or meeting.days[0],
        start_time=start_time,
        end_time=end_time,
        title=proposal.title,
        description=proposal.description,
        presenters=str(proposal.proposed_by),
        room=room,
    )
    proposal.status = ProposalStatus.ACCEPTED
    proposal.agenda_item = item
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    log_meeting(
        proposal,
        "proposal_accepted",
        meeting=meeting,
        actor=actor,
        message=_("Proposition acceptée : %s") % proposal.title,
    )
    return item


@transaction.atomic
def proposal_decline(*, proposal: AgendaProposal, actor, reason: str) -> AgendaProposal:
    proposal = _pending(proposal)
    if not reason.strip():
        raise ServiceError(_("Un refus doit être motivé."), field="reason")
    proposal.status = ProposalStatus.DECLINED
    proposal.decline_reason = reason.strip()
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    log_meeting(
        proposal,
        "proposal_declined",
        meeting=proposal.meeting,
        actor=actor,
        message=_("Proposition refusée : %s") % proposal.title,
        changes=labelled(AgendaProposal, {"decline_reason": ["", proposal.decline_reason]}),
    )
    return proposal
