"""The agenda (bureau) and the proposals (invited members, decided by the bureau)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import forms, perms, selectors, services
from ..enums import ProposalStatus
from ..models import AgendaProposal
from .common import confirm_page, confirmed, form_page, managed_meeting, visible_meeting


def agenda_edit(request, pk, item_pk=None):
    meeting = managed_meeting(request, pk)
    item = get_object_or_404(meeting.agenda_items, pk=item_pk) if item_pk else None
    form = forms.AgendaItemForm(request.POST or None, instance=item, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                services.agenda_item_create(
                    meeting=meeting, actor=request.user, **form.cleaned_data
                )
            else:
                services.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Point enregistré."))
            return redirect("agenda_edit", meeting.pk)
    return render(
        request,
        "meetings/agenda_edit.html",
        {
            "meeting": meeting,
            "form": form,
            "item": item,
            "items": selectors.agenda_items(meeting),
        },
    )


@require_POST
def agenda_item_delete(request, pk, item_pk):
    meeting = managed_meeting(request, pk)
    item = get_object_or_404(meeting.agenda_items, pk=item_pk)
    if not confirmed(request):
        return confirm_page(
            request,
            meeting=meeting,
            title=_("Retirer un point de l'ordre du jour"),
            question=_("Retirer « %s » de l'ordre du jour ?") % item.title,
            submit=_("Retirer le point"),
            cancel_url=reverse("agenda_edit", args=[meeting.pk]),
        )
    services.agenda_item_delete(item=item, actor=request.user)
    messages.success(request, _("Point retiré de l'ordre du jour."))
    return redirect("agenda_edit", meeting.pk)


@require_POST
def proposal_create(request, pk):
    meeting = visible_meeting(request, pk)
    require(perms.can_propose_item(request.user, meeting))
    form = forms.ProposalForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_submit(meeting=meeting, user=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Merci : le bureau examinera votre proposition."))
            return redirect(meeting)
    return form_page(request, form, title=_("Proposer un point"), meeting=meeting)


def _pending_proposal(request, pk, proposal_pk):
    meeting = managed_meeting(request, pk)
    proposal = get_object_or_404(
        AgendaProposal, pk=proposal_pk, meeting=meeting, status=ProposalStatus.PENDING
    )
    proposal.meeting = meeting
    require(perms.can_decide_proposal(request.user, proposal))
    return meeting, proposal


def proposal_accept(request, pk, proposal_pk):
    meeting, proposal = _pending_proposal(request, pk, proposal_pk)
    form = forms.ProposalAcceptForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_accept(proposal=proposal, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("La proposition rejoint l'ordre du jour."))
            return redirect(meeting)
    return form_page(request, form, title=_("Accepter : %s") % proposal.title, meeting=meeting)


def proposal_decline(request, pk, proposal_pk):
    meeting, proposal = _pending_proposal(request, pk, proposal_pk)
    form = forms.ProposalDeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_decline(
                proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Proposition refusée."))
            return redirect(meeting)
    return form_page(request, form, title=_("Refuser : %s") % proposal.title, meeting=meeting)
