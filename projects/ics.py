"""The deadlines of the calls I follow, as an iCalendar feed.

The feed's secret link is a signature of the user's id (``django.core.signing``, salted
"projects.call_feed"): it needs no table and never expires; it stops working when the
account is deactivated. (The meetings' feed token is a row of ``meetings.CalendarFeed``,
tied to the meetings' feed URL: not a generic token to share.)

One event per deadline: "[label] title" at the deadline's date and time, with the call's
page; its UID is the deadline's id, so that an event moves in the calendar when an
import or the bureau moves that stage's date.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .enums import CallStatus
from .models import CallDeadline

SALT = "projects.call_feed"
MAX_EVENTS = 1000


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def feed_token(user) -> str:
    return _signer().sign(str(user.pk))


def feed_path(user) -> str:
    return reverse("call_feed", args=[feed_token(user)])


def feed_user(token: str):
    """The active user whose token this is, or None (bad signature, unknown user)."""
    try:
        pk = _signer().unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return get_user_model().objects.filter(pk=int(pk), is_active=True).first()


def followed_deadlines(user):
    """The deadlines of the calls the user follows (never a proposal), by date."""
    return (
        CallDeadline.objects.filter(call__follows__user=user)
        .exclude(call__status=CallStatus.PROPOSED)
        .select_related("call")
        .only("pk", "label", "due_at", "call__id", "call__title", "call__url")
        .order_by("due_at", "pk")
    )


def _event(deadline, stamp) -> Event:
    call = deadline.call
    url = settings.SITE_URL + call.get_absolute_url()
    event = Event()
    event.add("uid", f"call-deadline-{deadline.pk}@innovalo")
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.due_at)
    event.add("summary", f"[{deadline.label}] {call.title}")
    description = [url]
    if call.url:
        description.append(call.url)
    event.add("description", "\n".join(description))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def feed_ics(deadlines) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.ASSOCIATION['name']}//Portail//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.ASSOCIATION['name']} — appels suivis")
    stamp = timezone.now()
    for deadline in deadlines:
        calendar.add_component(_event(deadline, stamp))
    return calendar.to_ical()
