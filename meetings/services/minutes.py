"""Minutes: a draft, its publication (never rewritten after), corrections, approval."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..enums import MeetingStatus, MinutesStatus
from ..models import Meeting, Minutes, MinutesApproval, MinutesItem
from .common import ServiceError, check_begun, labelled, log_meeting

logger = logging.getLogger(__name__)


@transaction.atomic
def minutes_draft(*, meeting: Meeting, actor, correction_note: str = "") -> Minutes:
    """The current draft, or a new one: a copy of the last published version (a correction,
    *amended*), or one section per agenda item."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    draft = meeting.minutes_versions.filter(status=MinutesStatus.DRAFT).first()
    if draft:
        return draft
    last = meeting.minutes_versions.order_by("-version").first()
    minutes = Minutes.objects.create(
        meeting=meeting,
        version=(last.version + 1) if last else 1,
        summary=last.summary if last else "",
        correction_note=correction_note,
        created_by=actor,
    )
    if last:
        MinutesItem.objects.bulk_create(
            MinutesItem(
                minutes=minutes,
                agenda_item_id=item.agenda_item_id,
                order=item.order,
                title=item.title,
                text=item.text,
                decisions=item.decisions,
            )
            for item in last.items.all()
        )
        verb, message = "minutes_amended", _("Correction du compte rendu commencée (v%d)")
    else:
        MinutesItem.objects.bulk_create(
            MinutesItem(
                minutes=minutes, agenda_item=agenda_item, order=order, title=agenda_item.title
            )
            for order, agenda_item in enumerate(meeting.agenda_items.all(), start=1)
        )
        if meeting.status in (MeetingStatus.CONVENED, MeetingStatus.HELD):
            meeting.status = MeetingStatus.MINUTES_DRAFTED
            meeting.save(update_fields=["status", "updated_at"])
        verb, message = "minutes_started", _("Rédaction du compte rendu commencée (v%d)")
    log_meeting(minutes, verb, meeting=meeting, actor=actor, message=message % minutes.version)
    return minutes


@transaction.atomic
def minutes_update(*, minutes: Minutes, actor, summary=None, correction_note=None, items=()):
    """items: [(item id, text, decisions)]; text and decisions saved as the draft. Refused once
    published."""
    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    if minutes.is_published:
        raise ServiceError(_("Un compte rendu publié ne se modifie pas : créez une version."))
    changes = {}
    for name, value in (("summary", summary), ("correction_note", correction_note)):
        if value is not None and value != getattr(minutes, name):
            changes.update(labelled(Minutes, {name: [getattr(minutes, name), value]}))
            setattr(minutes, name, value)
    sections = {item.pk: item for item in minutes.items.all()}
    for item_id, text, decisions in items:
        item = sections.get(getattr(item_id, "pk", item_id))
        if item is None:
            raise ServiceError(_("Ce point n'appartient pas à ce compte rendu."))
        if (item.text, item.decisions) != (text, decisions):
            if item.decisions != decisions:
                changes[f"{item.title} — décisions"] = [item.decisions, decisions]
            if item.text != text:
                changes[f"{item.title} — texte"] = [_("(texte)"), _("(texte modifié)")]
            item.text, item.decisions = text, decisions
            item.save(update_fields=["text", "decisions"])
    if changes:
        minutes.save()
        log_meeting(
            minutes,
            "minutes_saved",
            meeting=minutes.meeting,
            actor=actor,
            message=_("Brouillon du compte rendu enregistré (v%d)") % minutes.version,
            changes=changes,
        )
    return minutes


@transaction.atomic
def minutes_publish(*, minutes: Minutes, actor) -> Minutes:
    from ..selectors import minutes_record_snapshot, participants_snapshot

    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise ServiceError(_("Ce compte rendu est déjà publié."))
    check_begun(
        minutes.meeting, _("Le compte rendu d'une réunion se publie une fois la réunion tenue.")
    )
    minutes.status = MinutesStatus.PUBLISHED
    # Attendance corrected later, actions added or closed later must not rewrite what
    # these minutes said: the participants, actions, resolutions and officers are frozen.
    meeting = Meeting.objects.for_minutes().get(pk=minutes.meeting_id)
    minutes.participants = participants_snapshot(meeting)
    minutes.record = minutes_record_snapshot(meeting)
    minutes.published_at = timezone.now()
    minutes.published_by = actor
    minutes.save()
    meeting = minutes.meeting
    meeting.status = MeetingStatus.MINUTES_PUBLISHED
    meeting.save(update_fields=["status", "updated_at"])
    log_meeting(
        minutes,
        "minutes_published",
        meeting=meeting,
        actor=actor,
        message=_("Compte rendu publié (v%d)") % minutes.version,
    )
    logger.info("minutes %s v%s published by %s", meeting.pk, minutes.version, actor)
    return minutes


@transaction.atomic
def minutes_approve(*, minutes: Minutes, at_meeting: Meeting, actor) -> MinutesApproval:
    """Record that `at_meeting` approved these (published) minutes of an earlier meeting."""
    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    if not minutes.is_published:
        raise ServiceError(_("Seul un compte rendu publié peut être approuvé."), field="minutes")
    if at_meeting.start <= minutes.meeting.start:
        raise ServiceError(
            _("Un compte rendu s'approuve lors d'une réunion ultérieure."), field="minutes"
        )
    if MinutesApproval.objects.filter(minutes=minutes).exists():
        raise ServiceError(_("Ce compte rendu est déjà approuvé."), field="minutes")
    approval = MinutesApproval.objects.create(
        minutes=minutes, approved_at=at_meeting, recorded_by=actor
    )
    log_meeting(
        minutes,
        "minutes_approved",
        meeting=minutes.meeting,
        actor=actor,
        message=_("Compte rendu v%(version)d approuvé lors de « %(meeting)s »")
        % {"version": minutes.version, "meeting": at_meeting.title},
    )
    return approval
