"""One renderer per document, returning (filename, bytes)."""

from django.utils import timezone

from innovalo.pdf import render_pdf

from .enums import Attendance


def _agenda_days(meeting):
    """[(day, [items])], in the agenda's order."""
    days = {day: [] for day in meeting.days}
    for item in meeting.agenda_items.all():
        days.setdefault(item.day, []).append(item)
    return [(day, items) for day, items in days.items() if items]


def agenda_pdf(meeting) -> tuple[str, bytes]:
    start = timezone.localtime(meeting.start)
    return render_pdf(
        "pdf/meeting_agenda.html",
        {
            "meeting": meeting,
            "agenda_days": _agenda_days(meeting),
            "start": start,
            "end": timezone.localtime(meeting.end),
        },
        filename=f"ordre-du-jour-{start:%Y-%m-%d}-{meeting.pk}.pdf",
    )


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


def minutes_pdf(minutes) -> tuple[str, bytes]:
    meeting = minutes.meeting
    start = timezone.localtime(meeting.start)
    return render_pdf(
        "pdf/meeting_minutes.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "start": start,
            "end": timezone.localtime(meeting.end),
            "participants": minutes_participants(minutes),
            "actions": list(meeting.actions.all()),
        },
        filename=f"compte-rendu-{start:%Y-%m-%d}-{meeting.pk}-v{minutes.version}.pdf",
    )
