"""The meetings app's emails, through the outbox (``innovalo.reminders``).

One sender per rule, registered with ``@email_rule``: it loads its objects by id and
raises ``SkipEmail`` when the email is no longer relevant. Convocations are scheduled
by the services that convene or invite (in their transaction); the eve reminders and
the action reminders are sent by the periodic jobs below (``meetings/reminders.py``).
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from innovalo.emails import send_templated_email
from innovalo.reminders import SkipEmail, email_rule, schedule_email, send_once

from ..enums import ActionStatus, MeetingStatus, RsvpStatus
from ..models import ActionItem, MeetingInvitation

CONVOCATION = "meeting_convocation"
EVE = "meeting_eve"
ACTION_SOON = "action_soon"
ACTION_OVERDUE = "action_overdue"


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _meeting_day(meeting) -> str:
    return timezone.localtime(meeting.start).date().isoformat()


def _invitation(record) -> MeetingInvitation:
    """The invitation of a record, with its meeting and person; SkipEmail once it is gone."""
    _label, _sep, pk = record.target.partition(":")
    invitation = (
        MeetingInvitation.objects.select_related("meeting", "user").filter(pk=pk).first()
        if pk.isdigit()
        else None
    )
    if invitation is None or not invitation.email:
        raise SkipEmail
    return invitation


# Convocations --------------------------------------------------------------------------------


def schedule_convocations(invitations, *, actor=None) -> int:
    """In the caller's transaction: one convocation per invitation, sent after the commit."""
    count = 0
    for invitation in invitations:
        schedule_email(CONVOCATION, invitation, "", actor=actor)
        count += 1
    return count


@email_rule(CONVOCATION)
def send_convocation(record) -> list[str]:
    from ..ics import meeting_ics

    invitation = _invitation(record)
    meeting = invitation.meeting
    if meeting.status == MeetingStatus.DRAFT or meeting.is_past:
        raise SkipEmail
    address = invitation.email
    send_templated_email(
        "meeting_convocation",
        [address],
        {
            "meeting": meeting,
            "invitation": invitation,
            "agenda_items": list(meeting.agenda_items.all()),
            "meeting_url": _url(meeting.get_absolute_url()),
        },
        attachments=[(f"reunion-{meeting.pk}.ics", meeting_ics(meeting), "text/calendar")],
    )
    return [address]


# The day before ------------------------------------------------------------------------------


@email_rule(EVE)
def send_eve_reminder(record) -> list[str]:
    invitation = _invitation(record)
    meeting = invitation.meeting
    if (
        meeting.status != MeetingStatus.CONVENED
        or invitation.rsvp == RsvpStatus.NO
        or _meeting_day(meeting) != record.period  # moved to another day
    ):
        raise SkipEmail
    address = invitation.email
    send_templated_email(
        "meeting_eve",
        [address],
        {
            "meeting": meeting,
            "invitation": invitation,
            "meeting_url": _url(meeting.get_absolute_url()),
        },
    )
    return [address]


def meeting_eve_reminders(today=None) -> int:
    """The day before a convened meeting, a reminder to each invitee who did not decline."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    invitations = (
        MeetingInvitation.objects.filter(
            meeting__status=MeetingStatus.CONVENED,
            meeting__start__gte=start,
            meeting__start__lt=start + datetime.timedelta(days=1),
        )
        .exclude(rsvp=RsvpStatus.NO)
        .select_related("meeting", "user")
        .order_by("meeting_id", "pk")
    )
    return sum(
        send_once(EVE, invitation, tomorrow.isoformat())
        for invitation in invitations
        if invitation.email
    )


# Actions -------------------------------------------------------------------------------------


def _action_period(action, owner) -> str:
    """The due date is in the period: an action postponed by the bureau is reminded again
    for its new date, never twice for the same one."""
    return f"{action.due_date.isoformat()}/user-{owner.pk}"


def _send_action_reminder(record, rule) -> list[str]:
    action = ActionItem.objects.for_list().filter(pk=record.target.partition(":")[2]).first()
    due, _sep, owner = record.period.partition("/user-")
    if (
        action is None
        or action.status != ActionStatus.OPEN
        or action.due_date is None
        or action.due_date.isoformat() != due
    ):
        raise SkipEmail
    owner = next((user for user in action.owners.all() if str(user.pk) == owner), None)
    if owner is None or not owner.is_active:
        raise SkipEmail
    send_templated_email(
        rule,
        [owner.email],
        {"action": action, "owner": owner, "actions_url": _url(reverse("my_actions"))},
    )
    return [owner.email]


@email_rule(ACTION_SOON)
def send_action_soon(record) -> list[str]:
    return _send_action_reminder(record, ACTION_SOON)


@email_rule(ACTION_OVERDUE)
def send_action_overdue(record) -> list[str]:
    return _send_action_reminder(record, ACTION_OVERDUE)


def action_reminders(today=None) -> int:
    """A reminder a week before the due date, and one once overdue; one per owner each."""
    today = today or timezone.localdate()
    actions = (
        ActionItem.objects.open()
        .filter(
            due_date__isnull=False,
            due_date__lte=today + datetime.timedelta(days=7),
            owners__isnull=False,
        )
        .distinct()
        .prefetch_related("owners")
        .order_by("due_date", "pk")
    )
    sent = 0
    for action in actions:
        rule = ACTION_OVERDUE if action.due_date < today else ACTION_SOON
        for owner in action.owners.all():
            if owner.is_active:
                sent += send_once(rule, action, _action_period(action, owner))
    return sent
