"""Who may do what with meetings. Plain functions, used by views, templates and tests.

Visibility (the same rule as `Meeting.objects.visible_to`):
- the bureau sees every meeting, drafts included;
- a draft (not yet convened) is the bureau's only;
- a bureau meeting is the bureau's only (hidden: 404 for everyone else);
- directors (members) see every other meeting once convened: national meetings, general
  assemblies, working groups, external meetings;
- the ministry sees a non-bureau meeting only when it is invited to it (we chose "when invited"
  rather than "all national meetings": the liaison follows what the association asks her to,
  and the list stays short). The ministry is read-only: it never proposes, writes minutes or
  uploads; it may answer its own invitation (RSVP), which changes nothing but its own presence,
  and mark done (or reopen) an action assigned to it.

A platform's steering committee meetings (kind `steering_committee`, issue 11) are the
platform's, not the association's:
- they are run (created, edited, convened, their agenda, invitations, attendance, minutes,
  actions and documents) by the platform's people and the bureau: `can_manage_meeting`;
- they are seen by the bureau, the platform's people (drafts included), and, once convened,
  by the committee's members who have an account (invited or not) and whoever is invited;
  never by other directors nor by the ministry unless one of those applies.
The association's own meetings (bureau, national, general assembly, working group,
external) keep their rules: the bureau runs them.

Proposals and actions (the README's rules): members invited to a meeting propose agenda items
(and the bureau); an action's owner marks it done or reopens it; only the bureau edits or
cancels an action. A meeting's history (who changed what) is the bureau's: it names invitees
removed, answers and attendance of everyone, drafts of the minutes. For a steering committee
meeting, "the bureau" in these rules reads "those who run it" (`can_manage_meeting`).
"""

from innovalo.perms import is_bureau, is_director, is_ministry
from members.perms import is_platform_person_id, sits_on_steering_committee

from .enums import ActionStatus, MeetingKind, MeetingStatus


def _invited(user, meeting) -> bool:
    cache = getattr(user, "_meeting_invitation_ids", None)
    if cache is None:
        cache = set(user.meeting_invitations.order_by().values_list("meeting_id", flat=True))
        user._meeting_invitation_ids = cache
    return meeting.pk in cache


def is_steering(meeting) -> bool:
    return meeting.kind == MeetingKind.STEERING_COMMITTEE


def _runs_steering(user, meeting) -> bool:
    """One of the people of the platform holding this steering committee meeting."""
    return bool(
        is_steering(meeting)
        and not is_ministry(user)
        and is_platform_person_id(user, meeting.platform_id)
    )


def can_manage_meetings(user) -> bool:
    """Create the association's meetings (the list's "new meeting"): the bureau."""
    return is_bureau(user)


def can_manage_meeting(user, meeting) -> bool:
    """Edit this meeting, its agenda, invitations, attendance, minutes, actions, documents:
    the bureau; for a steering committee meeting, also its platform's people."""
    return is_bureau(user) or _runs_steering(user, meeting)


def can_see_meeting(user, meeting) -> bool:
    if is_bureau(user):
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    if is_steering(meeting):
        if _runs_steering(user, meeting):
            return True
        return meeting.status != MeetingStatus.DRAFT and (
            sits_on_steering_committee(user, meeting.platform_id) or _invited(user, meeting)
        )
    if meeting.kind == MeetingKind.BUREAU or meeting.status == MeetingStatus.DRAFT:
        return False
    if is_director(user):
        return True
    if is_ministry(user):
        return _invited(user, meeting)
    return False


def can_propose_item(user, meeting, *, invited=None) -> bool:
    """Members invited to an upcoming meeting whose proposals are open, and the bureau.

    `invited`: whether `user` is invited, when the caller already knows (saves a query)."""
    if is_steering(meeting):
        # Those who run it, and the invited (committee members, guests with an account).
        if not can_manage_meeting(user, meeting):
            if invited is None:
                invited = user.is_authenticated and _invited(user, meeting)
            if not invited or is_ministry(user):
                return False
    else:
        if invited is None:
            invited = is_director(user) and _invited(user, meeting)
        if not (is_bureau(user) or (is_director(user) and invited)):
            return False
    return bool(
        can_see_meeting(user, meeting)
        and meeting.proposals_open
        and not meeting.is_past
        and meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED)
    )


def can_decide_proposal(user, proposal) -> bool:
    return can_manage_meeting(user, proposal.meeting)


def can_rsvp(user, invitation) -> bool:
    """Only the invitee answers, before the meeting, once it is convened."""
    meeting = invitation.meeting
    return bool(
        user.is_authenticated
        and invitation.user_id == user.pk
        and meeting.status == MeetingStatus.CONVENED
        and not meeting.is_past
    )


def can_see_minutes(user, minutes) -> bool:
    """Published minutes for those who see the meeting; drafts for those who run it."""
    if can_manage_meeting(user, minutes.meeting):
        return True
    return minutes.is_published and can_see_meeting(user, minutes.meeting)


def can_download_attachment(user, attachment) -> bool:
    return can_see_meeting(user, attachment.meeting)


def owns_action(user, action) -> bool:
    """One of the action's owners (uses the prefetched owners). The read-only ministry too:
    an action assigned to it, it marks done and reopens (and nothing else)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return any(owner.pk == user.pk for owner in action.owners.all())


def _runs_action_meeting(user, action) -> bool:
    """The bureau, or the people running the (steering committee) meeting of the action."""
    return is_bureau(user) or (action is not None and _runs_steering(user, action.meeting))


def can_edit_action(user, action=None) -> bool:
    """Correct an action (what, owners, due date) or cancel it: the bureau; a steering
    committee's actions, also its platform's people."""
    return _runs_action_meeting(user, action)


def can_mark_action_done(user, action) -> bool:
    return action.status == ActionStatus.OPEN and (
        _runs_action_meeting(user, action) or owns_action(user, action)
    )


def can_reopen_action(user, action) -> bool:
    """An owner reopens an action marked done; those who run the meeting also reopen a
    cancelled one."""
    if _runs_action_meeting(user, action):
        return action.status != ActionStatus.OPEN
    return action.status == ActionStatus.DONE and owns_action(user, action)


def can_set_action_status(user, action, status) -> bool:
    if status == ActionStatus.DONE:
        return can_mark_action_done(user, action)
    if status == ActionStatus.OPEN:
        return can_reopen_action(user, action)
    return can_edit_action(user, action)


def can_see_meeting_history(user, meeting) -> bool:
    return can_manage_meeting(user, meeting) and can_see_meeting(user, meeting)


def can_have_calendar_feed(user) -> bool:
    return bool(user.is_authenticated and user.is_active)
