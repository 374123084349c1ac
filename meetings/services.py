"""Every write of the meetings app, each inside a transaction."""

import datetime
import logging
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from innovalo.emails import send_templated_email
from innovalo.reminders import send_once

from .enums import (
    ActionStatus,
    Attendance,
    MeetingStatus,
    MinutesStatus,
    ProposalStatus,
    RsvpStatus,
)
from .models import (
    ALLOWED_EXTENSIONS,
    MAX_ATTACHMENT_SIZE,
    ActionItem,
    AgendaItem,
    AgendaProposal,
    Attachment,
    CalendarFeed,
    ElectedOfficer,
    Meeting,
    MeetingInvitation,
    Minutes,
    MinutesApproval,
    MinutesItem,
    Resolution,
)

logger = logging.getLogger(__name__)


class MeetingError(Exception):
    """A refused operation, with a message for the user."""


def _url(path: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + path


# Meetings ---------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, actor, **fields) -> Meeting:
    fields.setdefault("organiser", actor)
    meeting = Meeting(**fields)
    meeting.full_clean()
    meeting.save()
    logger.info("meeting %s created by %s", meeting.pk, actor)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, **fields) -> Meeting:
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    if meeting.pk:
        # New dates must keep every agenda item on a day of the meeting.
        days = set(meeting.days)
        stranded = sorted(set(meeting.agenda_items.values_list("day", flat=True)) - days)
        if stranded:
            raise ValidationError(
                {
                    "end": _(
                        "Des points de l'ordre du jour sont prévus hors de ces dates (%s) : "
                        "déplacez-les d'abord."
                    )
                    % ", ".join(date_format(day, "j F Y") for day in stranded)
                }
            )
    meeting.save()
    logger.info("meeting %s updated by %s", meeting.pk, actor)
    return meeting


@transaction.atomic
def meeting_convene(*, meeting: Meeting, actor) -> Meeting:
    """Draft -> convened; the convocations leave once the transaction is committed."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.DRAFT:
        raise MeetingError(_("Seule une réunion en préparation peut être convoquée."))
    meeting.status = MeetingStatus.CONVENED
    meeting.convened_at = timezone.now()
    meeting.save(update_fields=["status", "convened_at", "updated_at"])
    _enqueue_convocations(meeting.pk)
    logger.info("meeting %s convened by %s", meeting.pk, actor)
    return meeting


def _enqueue_convocations(meeting_id: int) -> None:
    from .tasks import send_meeting_convocations

    transaction.on_commit(lambda: send_meeting_convocations.delay(meeting_id))


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor) -> Meeting:
    if meeting.status != MeetingStatus.CONVENED:
        raise MeetingError(_("Seule une réunion convoquée peut être marquée comme tenue."))
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


# Agenda -----------------------------------------------------------------------------------


def _check_item_day(meeting: Meeting, day) -> None:
    if day not in meeting.days:
        raise ValidationError({"day": _("Ce jour n'est pas un jour de la réunion.")})


@transaction.atomic
def agenda_item_save(*, item: AgendaItem, actor) -> AgendaItem:
    _check_item_day(item.meeting, item.day)
    if not item.pk and not item.order:
        last = item.meeting.agenda_items.aggregate(m=Max("order"))["m"] or 0
        item.order = last + 1
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, actor) -> None:
    item.delete()


@transaction.atomic
def proposal_submit(*, meeting: Meeting, user, title: str, description: str = "") -> AgendaProposal:
    from .perms import can_propose_item

    if not can_propose_item(user, meeting):
        raise MeetingError(_("Les propositions sont fermées pour cette réunion."))
    return AgendaProposal.objects.create(
        meeting=meeting, proposed_by=user, title=title, description=description
    )


@transaction.atomic
def proposal_accept(
    *, proposal: AgendaProposal, actor, day=None, start_time=None, end_time=None, room=""
) -> AgendaItem:
    """The proposal joins the agenda."""
    proposal = AgendaProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise MeetingError(_("Cette proposition a déjà été traitée."))
    meeting = proposal.meeting
    item = AgendaItem(
        meeting=meeting,
        day=day or meeting.days[0],
        start_time=start_time,
        end_time=end_time,
        title=proposal.title,
        description=proposal.description,
        presenters=str(proposal.proposed_by),
        room=room,
    )
    agenda_item_save(item=item, actor=actor)
    proposal.status = ProposalStatus.ACCEPTED
    proposal.agenda_item = item
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    return item


@transaction.atomic
def proposal_decline(*, proposal: AgendaProposal, actor, reason: str) -> AgendaProposal:
    proposal = AgendaProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise MeetingError(_("Cette proposition a déjà été traitée."))
    if not reason.strip():
        raise MeetingError(_("Un refus doit être motivé."))
    proposal.status = ProposalStatus.DECLINED
    proposal.decline_reason = reason.strip()
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    return proposal


# Invitations, RSVP, attendance -------------------------------------------------------------


def _default_platform(user):
    membership = user.platform_memberships.select_related("platform").order_by("pk").first()
    return membership.platform if membership else None


@transaction.atomic
def invite_users(*, meeting: Meeting, users, actor) -> list[MeetingInvitation]:
    """Invite members (each representing their platform); already invited ones are skipped."""
    already = set(meeting.invitations.filter(user__isnull=False).values_list("user_id", flat=True))
    created = []
    for user in users:
        if user.pk in already:
            continue
        created.append(
            MeetingInvitation.objects.create(
                meeting=meeting, user=user, platform=_default_platform(user)
            )
        )
    if created and meeting.status == MeetingStatus.CONVENED:
        _enqueue_convocations(meeting.pk)
    return created


@transaction.atomic
def invite_guest(
    *, meeting: Meeting, name: str, organisation: str = "", email: str = "", actor
) -> MeetingInvitation:
    invitation = MeetingInvitation(
        meeting=meeting, guest_name=name, guest_organisation=organisation, guest_email=email
    )
    invitation.full_clean()
    invitation.save()
    if email and meeting.status == MeetingStatus.CONVENED:
        _enqueue_convocations(meeting.pk)
    return invitation


@transaction.atomic
def invitation_remove(*, invitation: MeetingInvitation, actor) -> None:
    """An invitee no longer invited; refused once their attendance is recorded (the minutes
    list it)."""
    invitation = MeetingInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.attendance:
        raise MeetingError(
            _("La présence de cette personne est enregistrée : elle ne peut plus être retirée.")
        )
    logger.info(
        "invitation %s (%s) to meeting %s removed by %s",
        invitation.pk,
        invitation.display_name,
        invitation.meeting_id,
        actor,
    )
    invitation.delete()


@transaction.atomic
def rsvp_answer(
    *, invitation: MeetingInvitation, user, rsvp: str, dinner=False, visit=False
) -> MeetingInvitation:
    from .perms import can_rsvp

    if not can_rsvp(user, invitation):
        raise MeetingError(_("Les réponses sont fermées pour cette réunion."))
    invitation.rsvp = rsvp
    attending = rsvp == RsvpStatus.YES
    invitation.dinner = bool(dinner) and attending and invitation.meeting.has_dinner
    invitation.visit = bool(visit) and attending and invitation.meeting.has_visit
    invitation.rsvp_at = timezone.now()
    invitation.save(update_fields=["rsvp", "dinner", "visit", "rsvp_at"])
    return invitation


@transaction.atomic
def attendance_record(*, meeting: Meeting, marks: dict, actor) -> int:
    """marks: {invitation_id: (attendance, represented_by)}; returns how many changed."""
    changed = 0
    valid = set(Attendance.values)
    for invitation in meeting.invitations.select_for_update().filter(pk__in=list(marks)):
        status, represented_by = marks[invitation.pk]
        if status not in valid:
            raise MeetingError(_("Présence inconnue."))
        represented_by = represented_by if status == Attendance.REPRESENTED else ""
        if (invitation.attendance, invitation.represented_by) != (status, represented_by):
            invitation.attendance = status
            invitation.represented_by = represented_by
            invitation.save(update_fields=["attendance", "represented_by"])
            changed += 1
    if meeting.status == MeetingStatus.CONVENED and meeting.is_past:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated_at"])
    return changed


# Minutes ----------------------------------------------------------------------------------


@transaction.atomic
def minutes_draft(*, meeting: Meeting, actor, correction_note: str = "") -> Minutes:
    """The current draft, or a new one: a copy of the last published version, or one section
    per agenda item."""
    Meeting.objects.select_for_update().get(pk=meeting.pk)
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
        for item in last.items.all():
            MinutesItem.objects.create(
                minutes=minutes,
                agenda_item=item.agenda_item,
                order=item.order,
                title=item.title,
                text=item.text,
                decisions=item.decisions,
            )
    else:
        for order, agenda_item in enumerate(meeting.agenda_items.all(), start=1):
            MinutesItem.objects.create(
                minutes=minutes, agenda_item=agenda_item, order=order, title=agenda_item.title
            )
        if meeting.status in (MeetingStatus.CONVENED, MeetingStatus.HELD):
            meeting.status = MeetingStatus.MINUTES_DRAFTED
            meeting.save(update_fields=["status", "updated_at"])
    return minutes


@transaction.atomic
def minutes_update(*, minutes: Minutes, actor, summary=None, correction_note=None, items=()):
    """items: [(MinutesItem, text, decisions)]. Refused once published."""
    if Minutes.objects.filter(pk=minutes.pk, status=MinutesStatus.PUBLISHED).exists():
        raise MeetingError(_("Un compte rendu publié ne se modifie pas : créez une version."))
    if summary is not None:
        minutes.summary = summary
    if correction_note is not None:
        minutes.correction_note = correction_note
    minutes.save()
    for item, text, decisions in items:
        if item.minutes_id != minutes.pk:
            raise MeetingError(_("Ce point n'appartient pas à ce compte rendu."))
        item.text = text
        item.decisions = decisions
        item.save()
    return minutes


@transaction.atomic
def minutes_publish(*, minutes: Minutes, actor) -> Minutes:
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise MeetingError(_("Ce compte rendu est déjà publié."))
    from .pdf import participants_snapshot

    minutes.status = MinutesStatus.PUBLISHED
    # Attendance corrected later must not rewrite what these minutes said.
    minutes.participants = participants_snapshot(
        Meeting.objects.for_detail().get(pk=minutes.meeting_id)
    )
    minutes.published_at = timezone.now()
    minutes.published_by = actor
    minutes.save()
    meeting = minutes.meeting
    meeting.status = MeetingStatus.MINUTES_PUBLISHED
    meeting.save(update_fields=["status", "updated_at"])
    logger.info("minutes %s v%s published by %s", meeting.pk, minutes.version, actor)
    return minutes


@transaction.atomic
def minutes_approve(*, minutes: Minutes, at_meeting: Meeting, actor) -> MinutesApproval:
    """Record that `at_meeting` approved these (published) minutes of an earlier meeting."""
    if not minutes.is_published:
        raise MeetingError(_("Seul un compte rendu publié peut être approuvé."))
    if at_meeting.start <= minutes.meeting.start:
        raise MeetingError(_("Un compte rendu s'approuve lors d'une réunion ultérieure."))
    if MinutesApproval.objects.filter(minutes=minutes).exists():
        raise MeetingError(_("Ce compte rendu est déjà approuvé."))
    return MinutesApproval.objects.create(
        minutes=minutes, approved_at=at_meeting, recorded_by=actor
    )


# Actions ----------------------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    meeting: Meeting,
    title: str,
    actor,
    owners=(),
    owner_names: str = "",
    due_date=None,
    agenda_item=None,
    description: str = "",
) -> ActionItem:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise MeetingError(_("Ce point n'appartient pas à cette réunion."))
    if not owners and not owner_names.strip():
        raise MeetingError(_("Une action a au moins un·e responsable."))
    action = ActionItem.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        title=title,
        description=description,
        owner_names=owner_names.strip(),
        due_date=due_date,
        created_by=actor,
    )
    action.owners.set(owners)
    return action


@transaction.atomic
def action_update(
    *,
    action: ActionItem,
    actor,
    title: str,
    status: str,
    owners=(),
    owner_names: str = "",
    due_date=None,
    agenda_item=None,
    description: str = "",
) -> ActionItem:
    """The bureau corrects an action: what, owners, due date, status (cancelled included)."""
    from .perms import can_manage_meetings

    if not can_manage_meetings(actor):
        raise MeetingError(_("Vous ne pouvez pas modifier cette action."))
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    if agenda_item is not None and agenda_item.meeting_id != action.meeting_id:
        raise MeetingError(_("Ce point n'appartient pas à cette réunion."))
    if not owners and not owner_names.strip():
        raise MeetingError(_("Une action a au moins un·e responsable."))
    if status not in ActionStatus.values:
        raise MeetingError(_("État inconnu."))
    if status != action.status:
        action.done_at = timezone.now() if status == ActionStatus.DONE else None
    action.title = title
    action.description = description
    action.owner_names = owner_names.strip()
    action.due_date = due_date
    action.agenda_item = agenda_item
    action.status = status
    action.save()
    action.owners.set(owners)
    logger.info("action %s updated by %s (status %s)", action.pk, actor, status)
    return action


@transaction.atomic
def action_set_status(*, action: ActionItem, status: str, actor) -> ActionItem:
    from .perms import can_update_action

    if not can_update_action(actor, action):
        raise MeetingError(_("Vous ne pouvez pas modifier cette action."))
    if status not in ActionStatus.values:
        raise MeetingError(_("État inconnu."))
    action.status = status
    action.done_at = timezone.now() if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "done_at"])
    return action


# Attachments ------------------------------------------------------------------------------


def attachment_check(uploaded) -> str:
    """Refuse too large or unexpected files; returns the content type to store."""
    if uploaded.size > MAX_ATTACHMENT_SIZE:
        raise ValidationError(_("Le fichier dépasse 10 Mo."), code="too_large")
    ext = os.path.splitext(uploaded.name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Type de fichier refusé : PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS, PNG ou JPG."),
            code="bad_type",
        )
    declared = (getattr(uploaded, "content_type", "") or "").split(";")[0].strip()
    expected = ALLOWED_EXTENSIONS[ext]
    generic = {"", "application/octet-stream", "application/zip"}
    if declared not in generic and declared != expected:
        raise ValidationError(_("Le type du fichier ne correspond pas à son extension."))
    head = uploaded.read(8)
    uploaded.seek(0)
    signatures = {".pdf": (b"%PDF",), ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8",)}
    signatures[".jpeg"] = signatures[".jpg"]
    for office in (".pptx", ".docx", ".xlsx", ".odp", ".odt", ".ods"):
        signatures[office] = (b"PK\x03\x04",)
    if not head.startswith(signatures[ext]):
        raise ValidationError(_("Le contenu du fichier ne correspond pas à son extension."))
    return expected


@transaction.atomic
def attachment_add(
    *, meeting: Meeting, uploaded, title: str, actor, kind="document", agenda_item=None
) -> Attachment:
    content_type = attachment_check(uploaded)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise MeetingError(_("Ce point n'appartient pas à cette réunion."))
    attachment = Attachment(
        meeting=meeting,
        agenda_item=agenda_item,
        kind=kind,
        title=title or uploaded.name,
        original_name=os.path.basename(uploaded.name)[:255],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=actor,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    return attachment


# General assembly ---------------------------------------------------------------------------


@transaction.atomic
def resolution_add(*, meeting: Meeting, text, votes_for, votes_against, abstentions, actor):
    number = (meeting.resolutions.aggregate(m=Max("order"))["m"] or 0) + 1
    return Resolution.objects.create(
        meeting=meeting,
        order=number,
        text=text,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )


@transaction.atomic
def officer_add(*, meeting: Meeting, position, name, actor, user=None) -> ElectedOfficer:
    number = (meeting.officers.aggregate(m=Max("order"))["m"] or 0) + 1
    return ElectedOfficer.objects.create(
        meeting=meeting, position=position, name=name, user=user, order=number
    )


# Calendar feed ---------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_regenerate(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": CalendarFeed.new_token()}
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


# Emails -----------------------------------------------------------------------------------


def _invitation_emailable(invitation: MeetingInvitation) -> str:
    return invitation.email


def meeting_send_convocations(meeting_id: int) -> int:
    """One convocation per invitee, with the agenda and an .ics; never twice."""
    from .ics import meeting_ics

    meeting = Meeting.objects.for_detail().get(pk=meeting_id)
    if meeting.status == MeetingStatus.DRAFT:
        return 0
    ics = meeting_ics(meeting)
    url = _url(meeting.get_absolute_url())
    sent = 0
    for invitation in meeting.invitations.all():
        address = _invitation_emailable(invitation)
        if not address:
            continue

        def send(invitation=invitation, address=address):
            send_templated_email(
                "meeting_convocation",
                [address],
                {
                    "meeting": meeting,
                    "invitation": invitation,
                    "agenda_items": meeting.agenda_items.all(),
                    "meeting_url": url,
                },
                attachments=[(f"reunion-{meeting.pk}.ics", ics, "text/calendar")],
            )
            return [address]

        sent += send_once(
            f"meeting-convocation:{meeting.pk}:{invitation.pk}",
            kind="meeting_convocation",
            send=send,
        )
    return sent


def meeting_eve_reminders(today=None) -> int:
    """The day before a convened meeting, a reminder to each invitee who did not decline."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    sent = 0
    meetings = Meeting.objects.filter(
        status=MeetingStatus.CONVENED, start__gte=start, start__lt=end
    ).prefetch_related("invitations__user")
    for meeting in meetings:
        url = _url(meeting.get_absolute_url())
        for invitation in meeting.invitations.all():
            address = _invitation_emailable(invitation)
            if not address or invitation.rsvp == RsvpStatus.NO:
                continue

            def send(meeting=meeting, invitation=invitation, address=address, url=url):
                send_templated_email(
                    "meeting_eve",
                    [address],
                    {"meeting": meeting, "invitation": invitation, "meeting_url": url},
                )
                return [address]

            sent += send_once(
                f"meeting-eve:{meeting.pk}:{invitation.pk}", kind="meeting_eve", send=send
            )
    return sent


def action_reminders(today=None) -> int:
    """A reminder a week before the due date, and one once overdue; one per owner each."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=7)
    actions = (
        ActionItem.objects.open()
        .filter(due_date__isnull=False, due_date__lte=soon, owners__isnull=False)
        .distinct()
        .for_list()
    )
    url = _url(reverse("my_actions"))
    sent = 0
    for action in actions:
        overdue = action.due_date < today
        name = "action_overdue" if overdue else "action_soon"
        prefix = "action-overdue" if overdue else "action-soon"
        for owner in action.owners.all():
            if not owner.is_active:
                continue

            def send(action=action, owner=owner, name=name):
                send_templated_email(
                    name, [owner.email], {"action": action, "owner": owner, "actions_url": url}
                )
                return [owner.email]

            # The due date is part of the key: an action postponed by the bureau is reminded
            # again for its new date, never twice for the same one.
            key = f"{prefix}:{action.pk}:{action.due_date.isoformat()}:user-{owner.pk}"
            sent += send_once(key, kind=name, send=send)
    return sent
