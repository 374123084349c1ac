"""Tracking (bureau): response rate, non-respondents, reminders by hand.

Thin views: they check ``perms.can_track`` (403 otherwise; anonymous visitors go to
the login page), read ``selectors.tracking`` (a constant number of queries whatever
the number of responses) or call ``services.reminders``. A GET never writes.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError
from innovalo.perms import require

from .. import perms
from ..forms.tracking import RemindForm, TrackingFilterForm
from ..models import Campaign
from ..selectors import tracking as selectors
from ..services import reminders as services

# The query string of the list a reminder by hand goes back to.
KEPT_PARAMETERS = ("region", "status", "page")


def _schedule(campaign, today):
    """The campaign's reminder days as [(days, date, past)], for the page."""
    return [
        {
            "days": days,
            "date": campaign.closes_on - datetime.timedelta(days=days),
            "past": campaign.closes_on - datetime.timedelta(days=days) < today,
        }
        for days in services.reminder_days(campaign)
    ]


def tracking(request, pk):
    """Who answered and who did not: the rate in total and by region, then a page of
    the non-respondents (or of a status) with their last activity and reminders."""
    require(perms.can_track(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    today = timezone.localdate()
    form = TrackingFilterForm(request.GET or None, regions=selectors.region_choices())
    filters = form.filters()
    summary, regions = selectors.cached_tracking_summary(campaign)
    chosen = {"region": filters["region"], "status": filters["status"]}
    page = selectors.tracking_page(
        campaign,
        **chosen,
        number=request.GET.get("page"),
        count=selectors.count_from_summary(campaign, regions, **chosen),
        regions=regions,
    )
    context = {
        "campaign": campaign,
        "summary": summary,
        "regions": regions,
        "form": form,
        "status": filters["status"],
        "page_obj": page,
        "can_remind": services.reminders_open(campaign, today),
        "schedule": _schedule(campaign, today),
        "today": today,
    }
    return render(request, "surveys/tracking.html", context)


def _report_messages(request, report):
    if report.reminded:
        messages.success(
            request,
            ngettext("%(count)s relance envoyée.", "%(count)s relances envoyées.", report.reminded)
            % {"count": report.reminded},
        )
    if report.skipped_count:
        reasons = ", ".join(f"{count} : {label}" for label, count in report.reasons())
        messages.warning(
            request,
            ngettext(
                "%(count)s ligne non relancée (%(reasons)s).",
                "%(count)s lignes non relancées (%(reasons)s).",
                report.skipped_count,
            )
            % {"count": report.skipped_count, "reasons": reasons},
        )


@require_POST
def remind_by_hand(request, pk):
    """Remind the ticked platforms or respondents within the campaign's limits, then
    go back to the list, which says how many were reminded and why others were not."""
    require(perms.can_track(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    form = RemindForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("targets", []):
            messages.error(request, error)
    else:
        try:
            report = services.survey_remind_by_hand(
                campaign=campaign, pks=form.cleaned_data["targets"], actor=request.user
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            _report_messages(request, report)
    kept = {
        key: request.GET[key][:20]
        for key in KEPT_PARAMETERS
        if request.GET.get(key, "").isascii() and request.GET.get(key, "").isalnum()
    }
    url = reverse("survey_tracking", args=[campaign.pk])
    return redirect(f"{url}?{urlencode(kept)}" if kept else url)
