"""What the meetings services share: the one error type and the history helper."""

from innovalo.audit import labelled, log_action
from innovalo.exceptions import ServiceError

__all__ = ["ServiceError", "check_begun", "labelled", "log_meeting", "same_meeting"]


def log_meeting(obj, verb: str, *, meeting, actor, message, changes=None):
    """One history entry about `obj`, shown on its meeting's page."""
    return log_action(
        obj, f"meetings.{verb}", actor=actor, message=message, changes=changes, scope=meeting
    )


def same_meeting(agenda_item, meeting, field="agenda_item") -> None:
    from django.utils.translation import gettext as _

    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ServiceError(_("Ce point n'appartient pas à cette réunion."), field=field)


def check_begun(meeting, message, field=None) -> None:
    """Refuse what only a meeting that has begun (and is not cancelled) can have:
    attendance, being held, published minutes."""
    from django.utils.translation import gettext as _

    from ..enums import MeetingStatus

    if meeting.status == MeetingStatus.CANCELLED:
        raise ServiceError(_("Cette réunion est annulée."), field=field)
    if meeting.is_future:
        raise ServiceError(message, field=field)
