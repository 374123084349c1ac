"""The meetings list's rows written in Python (issue 15): twenty rows of dates, times,
labels and counts were most of the list's rendering time once every page is full, as a
federation's are."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from innovalo.french import long_date
from innovalo.rows import escape, url_maker

from ..enums import MeetingKind, MeetingStatus
from .meetings import hm, localday

register = template.Library()


def _row(meeting, now, labels) -> str:
    upcoming = meeting.end >= now
    start = timezone.localtime(meeting.start)
    when = f'{long_date(start)}<br><span class="muted">{hm(meeting.start)}</span>'
    if localday(meeting.end) != localday(meeting.start):
        end = long_date(timezone.localtime(meeting.end))
        when += f'<br><span class="muted">{labels["until"]} {end}</span>'
    url = labels["url"](meeting.pk)
    badge = f' <span class="badge badge-open">{labels["upcoming"]}</span>' if upcoming else ""
    answer = labels["answers"].get(meeting.my_rsvp, "")
    status = escape(meeting.status)
    opening = '<tr class="upcoming">' if upcoming else "<tr>"
    return (
        f"\n    {opening}\n"
        f'      <td class="nowrap">{when}</td>\n'
        f'      <td><a href="{url}">{escape(meeting.title)}</a>{badge}</td>\n'
        f"      <td>{labels['kinds'].get(meeting.kind, escape(meeting.kind))}</td>\n"
        f"      <td>{escape(meeting.place)}</td>\n"
        f'      <td><span class="badge badge-{status}">'
        f"{labels['statuses'].get(meeting.status, status)}</span></td>\n"
        f'      <td class="num">{meeting.registered_count} / {meeting.invited_count}</td>\n'
        f"      <td>{answer}</td>\n"
        "    </tr>"
    )


@register.simple_tag
def meeting_rows(meetings, now):
    """Each meeting of the list's page as its <tr>, or one saying there is none."""
    if not meetings:
        return mark_safe(f'<tr><td colspan="7">{escape(gettext("Aucune réunion."))}</td></tr>')
    labels = {
        "until": escape(gettext("au")),
        "upcoming": escape(gettext("à venir")),
        "answers": {
            "yes": escape(gettext("Inscrit·e")),
            "no": escape(gettext("Ne viendra pas")),
            "pending": escape(gettext("À répondre")),
        },
        "kinds": {kind.value: escape(kind.label) for kind in MeetingKind},
        "statuses": {status.value: escape(status.label) for status in MeetingStatus},
        "url": url_maker("meeting_detail"),
    }
    return mark_safe("".join(_row(meeting, now, labels) for meeting in meetings))
