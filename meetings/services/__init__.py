"""Every write of the meetings app, one module per domain, each inside a transaction.

Services take plain arguments, check invariants, raise ``innovalo.exceptions.ServiceError``
and write one history entry (``innovalo.audit.log_action``) per change a user cares about,
scoped to the meeting's page. Perms are checked by the views (``meetings.perms``).
"""

from .actions import action_create, action_set_status, action_update
from .agenda import (
    agenda_item_create,
    agenda_item_delete,
    agenda_item_update,
    proposal_accept,
    proposal_decline,
    proposal_submit,
)
from .assembly import officer_add, resolution_add
from .common import ServiceError
from .documents import (
    attachment_add,
    attachment_check,
    calendar_feed_regenerate,
    calendar_feed_revoke,
)
from .emails import action_reminders, meeting_eve_reminders
from .invitations import (
    attendance_record,
    invitation_remove,
    invite_guest,
    invite_users,
    rsvp_answer,
)
from .meetings import (
    meeting_cancel,
    meeting_convene,
    meeting_create,
    meeting_mark_held,
    meeting_update,
)
from .minutes import minutes_approve, minutes_draft, minutes_publish, minutes_update

__all__ = [
    "ServiceError",
    "action_create",
    "action_reminders",
    "action_set_status",
    "action_update",
    "agenda_item_create",
    "agenda_item_delete",
    "agenda_item_update",
    "attachment_add",
    "attachment_check",
    "attendance_record",
    "calendar_feed_regenerate",
    "calendar_feed_revoke",
    "invitation_remove",
    "invite_guest",
    "invite_users",
    "meeting_cancel",
    "meeting_convene",
    "meeting_create",
    "meeting_eve_reminders",
    "meeting_mark_held",
    "meeting_update",
    "minutes_approve",
    "minutes_draft",
    "minutes_publish",
    "minutes_update",
    "officer_add",
    "proposal_accept",
    "proposal_decline",
    "proposal_submit",
    "resolution_add",
    "rsvp_answer",
]
