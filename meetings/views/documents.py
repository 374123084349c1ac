"""Documents: attachments, the agenda and minutes as PDF, calendar files and feeds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.pdf import pdf_response
from innovalo.perms import require

from .. import forms, perms, selectors, services
from ..ics import feed_ics, meeting_ics
from ..models import Attachment, CalendarFeed, Meeting
from ..pdf import agenda_pdf, minutes_pdf
from .common import form_page, managed_meeting, visible_meeting


def attachment_create(request, pk):
    meeting = managed_meeting(request, pk)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.attachment_add(
                meeting=meeting,
                uploaded=data["file"],
                title=data["title"],
                kind=data["kind"],
                agenda_item=data["agenda_item"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Document ajouté."))
            return redirect(meeting)
    return form_page(request, form, title=_("Ajouter un document"), meeting=meeting, multipart=True)


def attachment_download(request, attachment_pk):
    attachment = get_object_or_404(Attachment.objects.select_related("meeting"), pk=attachment_pk)
    if not perms.can_download_attachment(request.user, attachment):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


def meeting_agenda_pdf(request, pk):
    meeting = visible_meeting(request, pk, Meeting.objects.prefetch_related("agenda_items"))
    return pdf_response(*agenda_pdf(meeting))


def meeting_minutes_pdf(request, pk):
    meeting = visible_meeting(request, pk, Meeting.objects.for_minutes())
    minutes = selectors.minutes_version(request.user, meeting, request.GET.get("version"))
    if minutes is None:
        raise Http404
    return pdf_response(*minutes_pdf(minutes))


def meeting_ics_view(request, pk):
    meeting = visible_meeting(request, pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reunion-{meeting.pk}.ics"'
    return response


def calendar_settings(request):
    require(perms.can_have_calendar_feed(request.user))
    if request.method == "POST":
        if "revoke" in request.POST:
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("Lien d'agenda supprimé."))
        else:
            services.calendar_feed_regenerate(user=request.user)
            messages.success(request, _("Nouveau lien d'agenda créé ; l'ancien ne marche plus."))
        return redirect("calendar_settings")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(feed.get_absolute_url()) if feed else ""
    return render(request, "meetings/calendar.html", {"feed": feed, "feed_url": feed_url})


@login_not_required
@never_cache
def meeting_feed(request, token):
    """A calendar application fetches this without a session: the secret link is the key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    meetings = Meeting.objects.visible_to(feed.user).order_by("-start", "pk")[:200]
    response = HttpResponse(feed_ics(meetings), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="innovalo-reunions.ics"'
    return response
