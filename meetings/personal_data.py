"""RGPD: what the meetings app holds about a person, and erasing it when they leave.

Registered from ``MeetingsConfig.ready`` in ``innovalo.personal_data``: the providers list a
person's invitations with their answers and attendance, actions and proposals; ``anonymise`` erases
their name and address where meetings store them outside the user row (an external
invitee's address, the participant lists frozen in published minutes, an elected officer).
"""

from django.db import transaction
from django.db.models import Q

from .models import ActionItem, AgendaProposal, ElectedOfficer, MeetingInvitation, Minutes


def _when(value):
    return value.isoformat() if value else None


def invitations(user):
    rows = (
        MeetingInvitation.objects.filter(user=user)
        .select_related("meeting", "platform")
        .order_by("meeting__start", "pk")
    )
    return "Réunions : invitations, réponses et présences", [
        {
            "réunion": row.meeting.title,
            "date": _when(row.meeting.start),
            "plateforme représentée": str(row.platform) if row.platform_id else "",
            "réponse": row.get_rsvp_display(),
            "répondu le": _when(row.rsvp_at),
            "dîner": row.dinner,
            "visite": row.visit,
            "présence": row.get_attendance_display(),
            "représenté·e par": row.represented_by,
        }
        for row in rows
    ]


def actions(user):
    rows = ActionItem.objects.owned_by(user).select_related("meeting").order_by("created_at", "pk")
    return "Réunions : actions dont je suis responsable", [
        {
            "action": row.title,
            "réunion": row.meeting.title,
            "échéance": _when(row.due_date),
            "état": row.get_status_display(),
            "terminée le": _when(row.done_at),
        }
        for row in rows
    ]


def proposals(user):
    rows = (
        AgendaProposal.objects.filter(proposed_by=user)
        .select_related("meeting")
        .order_by("created_at", "pk")
    )
    return "Réunions : points proposés", [
        {
            "réunion": row.meeting.title,
            "point": row.title,
            "précisions": row.description,
            "état": row.get_status_display(),
            "proposé le": _when(row.created_at),
        }
        for row in rows
    ]


PROVIDERS = [invitations, actions, proposals]


@transaction.atomic
def anonymise(user, old_email: str) -> None:
    """Erase the person (already renamed) from what meetings keep as text."""
    name = str(user)
    if old_email:
        MeetingInvitation.objects.filter(user__isnull=True, guest_email__iexact=old_email).update(
            guest_email="", guest_name=name, guest_organisation=""
        )
    ElectedOfficer.objects.filter(user=user).update(name=name)
    # Published minutes are never rewritten, except to erase a person who left: their
    # frozen participant lists name them, found by their user id.
    # Their frozen action owners and officers too.
    mentioned = (
        Q(meeting__invitations__user=user)
        | Q(meeting__actions__owners=user)
        | Q(meeting__officers__user=user)
    )
    for minutes in Minutes.objects.filter(mentioned).distinct():
        participants = minutes.participants or {}
        changed = False
        for group in participants.values():
            for entry in group:
                if entry.get("user_id") == user.pk:
                    entry["display_name"] = name
                    changed = True
        record = minutes.record or {}
        for entry in [
            *(owner for action in record.get("actions", []) for owner in action["owners"]),
            *record.get("officers", []),
        ]:
            if entry.get("user_id") == user.pk:
                entry["name"] = name
                changed = True
        if changed:
            Minutes.objects.filter(pk=minutes.pk).update(
                participants=participants, record=minutes.record
            )
