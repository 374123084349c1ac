"""Meeting pages: thin views that check perms.py, call a selector or a service, render.

One module per domain, re-exported here for ``meetings/urls.py``.
"""

from .actions import action_create, action_edit, action_status, my_actions
from .agenda import (
    agenda_edit,
    agenda_item_delete,
    proposal_accept,
    proposal_create,
    proposal_decline,
)
from .assembly import general_assembly
from .documents import (
    attachment_create,
    attachment_download,
    calendar_settings,
    meeting_agenda_pdf,
    meeting_feed,
    meeting_ics_view,
    meeting_minutes_pdf,
)
from .invitations import (
    invitation_remove,
    meeting_attendance,
    meeting_invitations,
    meeting_rsvp,
    people_search,
)
from .meetings import (
    meeting_cancel,
    meeting_convene,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_history,
    meeting_list,
    meeting_mark_held,
)
from .minutes import minutes_approve, minutes_edit, minutes_publish

__all__ = [
    "action_create",
    "action_edit",
    "action_status",
    "agenda_edit",
    "agenda_item_delete",
    "attachment_create",
    "attachment_download",
    "calendar_settings",
    "general_assembly",
    "invitation_remove",
    "meeting_agenda_pdf",
    "meeting_attendance",
    "meeting_cancel",
    "meeting_convene",
    "meeting_create",
    "meeting_detail",
    "meeting_edit",
    "meeting_feed",
    "meeting_history",
    "meeting_ics_view",
    "meeting_invitations",
    "meeting_list",
    "meeting_mark_held",
    "meeting_minutes_pdf",
    "meeting_rsvp",
    "minutes_approve",
    "minutes_edit",
    "minutes_publish",
    "my_actions",
    "people_search",
    "proposal_accept",
    "proposal_create",
    "proposal_decline",
]
