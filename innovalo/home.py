"""What the home page shows. Each app adds a panel through HOME_PANELS."""

from django.conf import settings
from django.utils import timezone

# Functions (request) -> dict | None; a dict is a panel: {"template": ..., **context}.
HOME_PANELS = []


def rsvp_panel(request):
    """The next convened meeting the user is invited to and has not answered yet: a
    link to the answer form (one query; nothing when every invitation has an answer)."""
    user = request.user
    if not user.is_authenticated:
        return None
    from meetings.enums import MeetingStatus, RsvpStatus
    from meetings.models import MeetingInvitation

    invitation = (
        MeetingInvitation.objects.filter(
            user=user,
            rsvp=RsvpStatus.PENDING,
            meeting__status=MeetingStatus.CONVENED,
            meeting__end__gte=timezone.now(),
        )
        .select_related("meeting")
        .only("meeting__title", "meeting__start", "meeting__end", "meeting__place")
        .order_by("meeting__start", "pk")
        .first()
    )
    if invitation is None:
        return None
    return {"template": "innovalo/includes/home_rsvp.html", "meeting": invitation.meeting}


def home_context(request):
    panels = []
    for panel in [rsvp_panel, *HOME_PANELS]:
        data = panel(request)
        if data:
            panels.append(data)
    user = request.user
    # A director not attached to a platform yet is told whom to ask (the ids are those
    # the members' panels read, cached on the user: no query of its own).
    from members.perms import platform_ids

    has_platforms = user.is_authenticated and (not user.is_director or bool(platform_ids(user)))
    return {
        "panels": panels,
        "association": settings.ASSOCIATION,
        "has_platforms": has_platforms,
    }
