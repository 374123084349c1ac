"""The meeting list and page, its history, and the bureau's meeting forms."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import forms, perms, selectors, services
from ..filters import MeetingFilter
from ..models import Meeting
from .common import confirm_page, confirmed, form_page, managed_meeting, visible_meeting


def meeting_list(request):
    queryset = Meeting.objects.visible_to(request.user).order_by("-start", "pk")
    meeting_filter = MeetingFilter(request.GET or None, queryset=queryset)
    rows = meeting_filter.qs if meeting_filter.is_bound else queryset
    page = selectors.meeting_list_page(request.user, rows, request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "filter": meeting_filter,
            "page_obj": page,
            "now": timezone.now(),
            "can_manage": perms.can_manage_meetings(request.user),
        },
    )


def meeting_detail(request, pk):
    user = request.user
    # The platform of a steering committee's meeting (its back link), in the same query.
    meeting = visible_meeting(request, pk, Meeting.objects.for_detail().select_related("platform"))
    context = {"meeting": meeting, **selectors.meeting_page(user, meeting)}
    my_invitation = context["my_invitation"]
    context["rsvp_form"] = (
        forms.RsvpForm(
            meeting=meeting,
            initial={
                "rsvp": my_invitation.rsvp,
                "dinner": my_invitation.dinner,
                "visit": my_invitation.visit,
            },
        )
        if my_invitation and perms.can_rsvp(user, my_invitation)
        else None
    )
    context["proposal_form"] = forms.ProposalForm() if context["can_propose"] else None
    context["approval_form"] = (
        forms.ApprovalForm(meeting=meeting, awaiting=context["awaiting_approval"])
        if context["can_manage"]
        else None
    )
    return render(request, "meetings/meeting_detail.html", context)


def meeting_history(request, pk):
    meeting = visible_meeting(request, pk)
    require(perms.can_see_meeting_history(request.user, meeting))
    page = Paginator(selectors.meeting_history(meeting), 50).get_page(request.GET.get("page"))
    return render(request, "meetings/history.html", {"meeting": meeting, "page_obj": page})


def meeting_create(request):
    require(perms.can_manage_meetings(request.user))
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Réunion créée : construisez son ordre du jour."))
            return redirect("agenda_edit", meeting.pk)
    return form_page(request, form, title=_("Nouvelle réunion"))


def meeting_edit(request, pk):
    meeting = managed_meeting(request, pk)
    form = forms.meeting_form_class(meeting)(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Réunion enregistrée."))
            return redirect(meeting)
    return form_page(request, form, title=_("Modifier la réunion"), meeting=meeting)


@require_POST
def meeting_convene(request, pk):
    meeting = managed_meeting(request, pk)
    if not confirmed(request):
        count = meeting.invitations.count()
        return confirm_page(
            request,
            meeting=meeting,
            title=_("Convoquer la réunion"),
            question=_("Convoquer « %s » ?") % meeting.title,
            details=[
                ngettext(
                    "%d convocation partira par e-mail ; elle ne peut pas être rappelée.",
                    "%d convocations partiront par e-mail ; elles ne peuvent pas être rappelées.",
                    count,
                )
                % count
            ],
            submit=_("Convoquer et envoyer les convocations"),
            danger=False,
        )
    try:
        services.meeting_convene(meeting=meeting, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Réunion convoquée : les invitations partent."))
    return redirect(meeting)


@require_POST
def meeting_mark_held(request, pk):
    meeting = managed_meeting(request, pk)
    if not confirmed(request):
        return confirm_page(
            request,
            meeting=meeting,
            title=_("Marquer la réunion comme tenue"),
            question=_("Marquer « %s » comme tenue ?") % meeting.title,
            details=[_("Les réponses des invité·es seront closes.")],
            submit=_("Marquer comme tenue"),
            danger=False,
        )
    try:
        services.meeting_mark_held(meeting=meeting, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect(meeting)


def meeting_cancel(request, pk):
    """A confirmation page (GET, or a POST without ``confirm``), then the cancellation."""
    meeting = managed_meeting(request, pk)
    form = forms.MeetingCancelForm(request.POST if confirmed(request) else None)
    if confirmed(request) and form.is_valid():
        try:
            services.meeting_cancel(
                meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Réunion annulée."))
        return redirect(meeting)
    return confirm_page(
        request,
        meeting=meeting,
        title=_("Annuler la réunion"),
        question=_("Annuler « %s » ? Cette annulation est définitive.") % meeting.title,
        details=[
            _("La réunion reste consultable, marquée « annulée », avec son historique."),
            _("Les invité·es ne peuvent plus répondre ni proposer de points."),
        ],
        form=form,
        submit=_("Annuler définitivement la réunion"),
    )
