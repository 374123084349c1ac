"""Meetings as iCalendar: one .ics per meeting, and a personal feed."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .enums import MeetingStatus


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.ASSOCIATION['name']}//Portail//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.ASSOCIATION['name']} — réunions")
    return calendar


def _event(meeting) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@innovalo")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.end)
    event.add("summary", meeting.title)
    location = ", ".join(part for part in (meeting.place, meeting.address) if part)
    if location:
        event.add("location", location)
    description = [meeting.description] if meeting.description else []
    if meeting.video_url:
        description.append(f"Visioconférence : {meeting.video_url}")
    url = settings.SITE_URL + meeting.get_absolute_url()
    description.append(url)
    event.add("description", "\n".join(description))
    event.add("url", url)
    status = {MeetingStatus.DRAFT: "TENTATIVE", MeetingStatus.CANCELLED: "CANCELLED"}
    event.add("status", status.get(meeting.status, "CONFIRMED"))
    return event


def meeting_ics(meeting) -> bytes:
    calendar = _calendar()
    calendar.add_component(_event(meeting))
    return calendar.to_ical()


def feed_ics(meetings) -> bytes:
    calendar = _calendar()
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()
