"""Reads of the meetings app that are more than one queryset method."""

from innovalo.audit import entries_for

from . import perms
from .enums import Attendance, MinutesStatus, ProposalStatus
from .models import ActionItem, Meeting

HISTORY_ON_PAGE = 10


def participants_by_attendance(meeting) -> dict:
    groups = {"present": [], "excused": [], "absent": [], "represented": []}
    for invitation in meeting.invitations.all():
        if invitation.attendance == Attendance.PRESENT:
            groups["present"].append(invitation)
        elif invitation.attendance == Attendance.EXCUSED:
            groups["excused"].append(invitation)
        elif invitation.attendance == Attendance.REPRESENTED:
            groups["represented"].append(invitation)
        elif invitation.attendance == Attendance.ABSENT:
            groups["absent"].append(invitation)
    return groups


def participants_snapshot(meeting) -> dict:
    """The participant lists as plain data, frozen into minutes when they are published."""
    return {
        group: [
            {
                "display_name": invitation.display_name,
                "organisation": invitation.organisation,
                "represented_by": invitation.represented_by,
                # Lets anonymisation find a person's name in frozen lists.
                "user_id": invitation.user_id,
            }
            for invitation in invitations
        ]
        for group, invitations in participants_by_attendance(meeting).items()
    }


def minutes_participants(minutes) -> dict:
    """Published minutes keep the lists of their publication; a draft shows today's."""
    if minutes.participants is not None:
        return minutes.participants
    return participants_by_attendance(minutes.meeting)


def with_action_perms(actions, user) -> list[ActionItem]:
    """The actions (owners prefetched), each told what `user` may do with it."""
    actions = list(actions)
    for action in actions:
        action.can_mark_done = perms.can_mark_action_done(user, action)
        action.can_reopen = perms.can_reopen_action(user, action)
        action.can_edit = perms.can_edit_action(user, action)
    return actions


def carried_over_actions(user, meeting: Meeting) -> list[ActionItem]:
    """Open actions of earlier meetings of the same kind, from meetings `user` may see."""
    actions = (
        ActionItem.objects.open()
        .filter(
            meeting__kind=meeting.kind,
            meeting__start__lt=meeting.start,
            meeting__in=Meeting.objects.visible_to(user).values("pk"),
        )
        .for_list()
    )
    return with_action_perms(actions, user)


def meeting_history(meeting: Meeting, limit=None):
    return entries_for(meeting, limit)


def meeting_page(user, meeting: Meeting) -> dict:
    """What the meeting page shows `user`; `meeting` comes from ``Meeting.objects.for_detail()``."""
    can_manage = perms.can_manage_meetings(user)
    invitations = list(meeting.invitations.all())
    versions = [v for v in meeting.minutes_versions.all() if perms.can_see_minutes(user, v)]
    published = [v for v in versions if v.status == MinutesStatus.PUBLISHED]
    proposals = list(meeting.proposals.all())
    if not can_manage:
        proposals = [
            p
            for p in proposals
            if p.proposed_by_id == user.pk or p.status != ProposalStatus.PENDING
        ]
    history = None
    if perms.can_see_meeting_history(user, meeting):
        history = list(meeting_history(meeting, HISTORY_ON_PAGE + 1))
    return {
        "can_manage": can_manage,
        "invitations": invitations,
        "participants": participants_by_attendance(meeting),
        "my_invitation": next((i for i in invitations if i.user_id == user.pk), None),
        "proposals": proposals,
        "current_minutes": published[0] if published else None,
        "earlier_minutes": published[1:],
        "draft_minutes": next((v for v in versions if v.status == MinutesStatus.DRAFT), None),
        "actions": with_action_perms(meeting.actions.all(), user),
        "carried_over": carried_over_actions(user, meeting),
        "attachments": meeting.meeting_attachments,
        "history": history[:HISTORY_ON_PAGE] if history is not None else None,
        "history_more": history is not None and len(history) > HISTORY_ON_PAGE,
    }


def minutes_version(user, meeting: Meeting, version=None):
    """The minutes `user` may read: the asked version, else the latest published (else the
    draft, for the bureau); None if there is none."""
    versions = [v for v in meeting.minutes_versions.all() if perms.can_see_minutes(user, v)]
    if version:
        versions = [v for v in versions if str(v.version) == version]
    else:
        versions = [v for v in versions if v.status == MinutesStatus.PUBLISHED] or versions
    return versions[0] if versions else None


def my_actions(user) -> list[ActionItem]:
    actions = ActionItem.objects.owned_by(user).for_list().order_by("status", "due_date", "pk")
    return with_action_perms(actions, user)


def home_actions(user, limit=10) -> list[ActionItem]:
    """The user's open actions for the home page (nothing for visitors)."""
    if not user.is_authenticated:
        return []
    return list(ActionItem.objects.open().owned_by(user).for_list()[:limit])
