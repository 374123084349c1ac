"""General assembly: resolutions and the election of the bureau (reports are documents)."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..models import ElectedOfficer, Meeting, Resolution
from .common import log_meeting


@transaction.atomic
def resolution_add(
    *, meeting: Meeting, text, votes_for, votes_against, abstentions, actor
) -> Resolution:
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    number = (meeting.resolutions.aggregate(m=Max("order"))["m"] or 0) + 1
    resolution = Resolution.objects.create(
        meeting=meeting,
        order=number,
        text=text,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    log_meeting(
        resolution,
        "resolution_added",
        meeting=meeting,
        actor=actor,
        message=_("Résolution n°%(n)d enregistrée (%(result)s)")
        % {"n": number, "result": _("adoptée") if resolution.adopted else _("rejetée")},
        changes={
            "pour": [None, votes_for],
            "contre": [None, votes_against],
            "abstentions": [None, abstentions],
        },
    )
    return resolution


@transaction.atomic
def officer_add(*, meeting: Meeting, position, name, actor, user=None) -> ElectedOfficer:
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    number = (meeting.officers.aggregate(m=Max("order"))["m"] or 0) + 1
    officer = ElectedOfficer.objects.create(
        meeting=meeting, position=position, name=name, user=user, order=number
    )
    log_meeting(
        officer,
        "officer_elected",
        meeting=meeting,
        actor=actor,
        message=_("Élu·e au bureau : %(position)s, %(name)s")
        % {"position": position, "name": name},
    )
    return officer
