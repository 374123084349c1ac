"""One renderer per document, returning (filename, bytes)."""

from django.utils import timezone

from innovalo.pdf import render_pdf

from .selectors import minutes_participants, minutes_record


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
            # Published minutes print what was frozen at publication, never today's data.
            **minutes_record(minutes),
        },
        filename=f"compte-rendu-{start:%Y-%m-%d}-{meeting.pk}-v{minutes.version}.pdf",
    )
