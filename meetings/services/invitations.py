"""Invitations, answers (RSVP) and attendance."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import log_action

from ..enums import Attendance, MeetingStatus, RsvpStatus
from ..models import Meeting, MeetingInvitation
from .common import ServiceError, check_begun, labelled, log_meeting
from .emails import schedule_convocations

logger = logging.getLogger(__name__)


def _default_platform(user):
    membership = user.platform_memberships.select_related("platform").order_by("pk").first()
    return membership.platform if membership else None


@transaction.atomic
def invite_users(*, meeting: Meeting, users, actor) -> list[MeetingInvitation]:
    """Invite members (each representing their platform); already invited ones are skipped.

    Invitees added once the meeting is convened get their convocation too."""
    already = set(meeting.invitations.filter(user__isnull=False).values_list("user_id", flat=True))
    created = []
    for user in users:
        if user.pk in already:
            continue
        already.add(user.pk)
        created.append(
            MeetingInvitation.objects.create(
                meeting=meeting, user=user, platform=_default_platform(user)
            )
        )
    if not created:
        return created
    if meeting.status == MeetingStatus.CONVENED:
        schedule_convocations(created, actor=actor)
    names = ", ".join(invitation.display_name for invitation in created)
    log_meeting(
        meeting,
        "invitations_added",
        meeting=meeting,
        actor=actor,
        message=(_("%d personne(s) invitée(s) : %s") % (len(created), names))[:255],
    )
    return created


@transaction.atomic
def invite_guest(
    *, meeting: Meeting, name: str, organisation: str = "", email: str = "", actor
) -> MeetingInvitation:
    if not name.strip():
        raise ServiceError(_("Un·e invité·e extérieur·e doit avoir un nom."), field="name")
    invitation = MeetingInvitation.objects.create(
        meeting=meeting,
        guest_name=name.strip(),
        guest_organisation=organisation,
        guest_email=email,
    )
    if email and meeting.status == MeetingStatus.CONVENED:
        schedule_convocations([invitation], actor=actor)
    log_meeting(
        invitation,
        "invitation_added",
        meeting=meeting,
        actor=actor,
        message=_("Invité·e extérieur·e ajouté·e : %s") % invitation.display_name,
    )
    return invitation


@transaction.atomic
def invitation_remove(*, invitation: MeetingInvitation, actor) -> None:
    """An invitee no longer invited; refused once their attendance is recorded (the minutes
    list it)."""
    invitation = (
        MeetingInvitation.objects.select_for_update(of=("self",))
        .select_related("meeting", "user")
        .get(pk=invitation.pk)
    )
    if invitation.attendance:
        raise ServiceError(
            _("La présence de cette personne est enregistrée : elle ne peut plus être retirée.")
        )
    log_meeting(
        invitation,
        "invitation_removed",
        meeting=invitation.meeting,
        actor=actor,
        message=_("%s n'est plus invité·e") % invitation.display_name,
    )
    invitation.delete()


@transaction.atomic
def rsvp_answer(
    *, invitation: MeetingInvitation, user, rsvp: str, dinner=False, visit=False
) -> MeetingInvitation:
    invitation = (
        MeetingInvitation.objects.select_for_update()
        .select_related("meeting")
        .get(pk=invitation.pk)
    )
    meeting = invitation.meeting
    if meeting.status != MeetingStatus.CONVENED or meeting.is_past:
        raise ServiceError(_("Les réponses sont fermées pour cette réunion."))
    if rsvp not in (RsvpStatus.YES, RsvpStatus.NO):
        raise ServiceError(_("Réponse inconnue."), field="rsvp")
    before = (invitation.rsvp, invitation.dinner, invitation.visit)
    attending = rsvp == RsvpStatus.YES
    invitation.rsvp = rsvp
    invitation.dinner = bool(dinner) and attending and meeting.has_dinner
    invitation.visit = bool(visit) and attending and meeting.has_visit
    invitation.rsvp_at = timezone.now()
    invitation.save(update_fields=["rsvp", "dinner", "visit", "rsvp_at"])
    changes = {
        name: [old, new]
        for name, old, new in zip(
            ("rsvp", "dinner", "visit"),
            before,
            (invitation.rsvp, invitation.dinner, invitation.visit),
            strict=True,
        )
        if old != new
    }
    log_meeting(
        invitation,
        "rsvp_answered",
        meeting=meeting,
        actor=user,
        message=_("Réponse de %(name)s : %(rsvp)s")
        % {"name": invitation.display_name, "rsvp": invitation.get_rsvp_display()},
        changes=labelled(MeetingInvitation, changes),
    )
    return invitation


@transaction.atomic
def attendance_record(*, meeting: Meeting, marks: dict, actor) -> int:
    """marks: {invitation_id: (attendance, represented_by)}; returns how many changed."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_begun(meeting, _("Les présences se notent une fois la réunion commencée."))
    valid = set(Attendance.values)
    changes = {}
    invitations = meeting.invitations.select_for_update(of=("self",)).filter(pk__in=list(marks))
    for invitation in invitations.select_related("user"):
        status, represented_by = marks[invitation.pk]
        if status not in valid:
            raise ServiceError(_("Présence inconnue."))
        represented_by = represented_by if status == Attendance.REPRESENTED else ""
        old = (invitation.attendance, invitation.represented_by)
        if old != (status, represented_by):
            invitation.attendance = status
            invitation.represented_by = represented_by
            invitation.save(update_fields=["attendance", "represented_by"])
            changes[invitation.display_name] = [
                _attendance_label(*old),
                _attendance_label(status, represented_by),
            ]
    if meeting.status == MeetingStatus.CONVENED and meeting.is_past:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated_at"])
    if changes:
        log_action(
            meeting,
            "meetings.attendance_recorded",
            actor=actor,
            message=_("Présences enregistrées (%d)") % len(changes),
            changes=changes,
        )
    return len(changes)


def _attendance_label(status, represented_by) -> str:
    label = str(Attendance(status).label) if status in Attendance.values else status
    return f"{label} ({represented_by})" if represented_by else label
