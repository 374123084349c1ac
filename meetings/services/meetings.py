"""Meetings: create, edit, convene, mark held."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from innovalo.audit import diff, log_action, snapshot

from ..enums import MeetingStatus
from ..models import Meeting
from .common import ServiceError, check_begun, labelled
from .emails import schedule_convocations

logger = logging.getLogger(__name__)

MEETING_FIELDS = [
    "kind",
    "title",
    "description",
    "start",
    "end",
    "place",
    "address",
    "video_url",
    "proposals_open",
    "has_dinner",
    "has_visit",
]


def check_dates(start, end) -> None:
    """The rule of the `meeting_end_after_start` constraint, said to the user."""
    if start and end and end < start:
        raise ServiceError(_("La fin doit suivre le début."), field="end")


def _check_agenda_fits(meeting: Meeting) -> None:
    """New dates must keep every agenda item on a day of the meeting."""
    days = set(meeting.days)
    stranded = sorted(set(meeting.agenda_items.values_list("day", flat=True)) - days)
    if stranded:
        raise ServiceError(
            _(
                "Des points de l'ordre du jour sont prévus hors de ces dates (%s) : "
                "déplacez-les d'abord."
            )
            % ", ".join(date_format(day, "j F Y") for day in stranded),
            field="end",
        )


@transaction.atomic
def meeting_create(*, actor, **fields) -> Meeting:
    unknown = set(fields) - set(MEETING_FIELDS) - {"organiser", "status"}
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    check_dates(fields.get("start"), fields.get("end"))
    fields.setdefault("organiser", actor)
    meeting = Meeting.objects.create(**fields)
    log_action(meeting, "meetings.meeting_created", actor=actor, message=_("Réunion créée"))
    logger.info("meeting %s created by %s", meeting.pk, actor)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, **fields) -> Meeting:
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = snapshot(meeting, fields)
    for name, value in fields.items():
        setattr(meeting, name, value)
    check_dates(meeting.start, meeting.end)
    _check_agenda_fits(meeting)
    changes = labelled(Meeting, diff(before, snapshot(meeting, fields)))
    if not changes:
        return meeting
    meeting.save()
    log_action(
        meeting,
        "meetings.meeting_updated",
        actor=actor,
        message=_("Réunion modifiée"),
        changes=changes,
    )
    logger.info("meeting %s updated by %s", meeting.pk, actor)
    return meeting


@transaction.atomic
def meeting_convene(*, meeting: Meeting, actor) -> Meeting:
    """Draft -> convened; one convocation per invitee, in the outbox with this change."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.DRAFT:
        raise ServiceError(_("Seule une réunion en préparation peut être convoquée."))
    meeting.status = MeetingStatus.CONVENED
    meeting.convened_at = timezone.now()
    meeting.save(update_fields=["status", "convened_at", "updated_at"])
    count = schedule_convocations(meeting.invitations.all(), actor=actor)
    log_action(
        meeting,
        "meetings.meeting_convened",
        actor=actor,
        message=_("Réunion convoquée (%d convocation(s))") % count,
    )
    logger.info("meeting %s convened by %s", meeting.pk, actor)
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.CONVENED:
        raise ServiceError(_("Seule une réunion convoquée peut être marquée comme tenue."))
    check_begun(meeting, _("Une réunion à venir ne peut pas être marquée comme tenue."))
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status", "updated_at"])
    log_action(meeting, "meetings.meeting_held", actor=actor, message=_("Réunion tenue"))
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str = "") -> Meeting:
    """A meeting in preparation or convened that will not take place. Irreversible: the
    meeting stays (its history, its invitations) with the status "cancelled"."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.CONVENED):
        raise ServiceError(_("Seule une réunion en préparation ou convoquée peut être annulée."))
    if not meeting.is_future:
        raise ServiceError(_("Une réunion commencée ou passée ne s'annule plus."))
    old, reason = meeting.status, reason.strip()
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    log_action(
        meeting,
        "meetings.meeting_cancelled",
        actor=actor,
        message=_("Réunion annulée : %s") % reason if reason else _("Réunion annulée"),
        changes=labelled(Meeting, {"status": [old, MeetingStatus.CANCELLED]}),
    )
    logger.info("meeting %s cancelled by %s", meeting.pk, actor)
    return meeting
