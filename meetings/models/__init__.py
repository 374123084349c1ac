"""Meetings: agenda, invitations and attendance, minutes, actions, documents, general assembly.

One module per domain; everything is re-exported here (``from meetings.models import X``).
"""

from .actions import ActionItem, ActionItemQuerySet
from .agenda import AgendaItem, AgendaProposal
from .assembly import ElectedOfficer, Resolution
from .calendar import CalendarFeed
from .documents import ALLOWED_EXTENSIONS, MAX_ATTACHMENT_SIZE, Attachment, attachment_path
from .invitations import MeetingInvitation
from .meetings import Meeting, MeetingQuerySet
from .minutes import Minutes, MinutesApproval, MinutesItem

__all__ = [
    "ALLOWED_EXTENSIONS",
    "MAX_ATTACHMENT_SIZE",
    "ActionItem",
    "ActionItemQuerySet",
    "AgendaItem",
    "AgendaProposal",
    "Attachment",
    "CalendarFeed",
    "ElectedOfficer",
    "Meeting",
    "MeetingInvitation",
    "MeetingQuerySet",
    "Minutes",
    "MinutesApproval",
    "MinutesItem",
    "Resolution",
    "attachment_path",
]
