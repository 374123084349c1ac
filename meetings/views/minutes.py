"""Writing, publishing and approving minutes (bureau)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError

from .. import forms, services
from ..enums import MinutesStatus
from .common import managed_meeting


def minutes_edit(request, pk):
    meeting = managed_meeting(request, pk)
    minutes = meeting.minutes_versions.filter(status=MinutesStatus.DRAFT).first()
    if minutes is None:
        # A GET never writes: starting a draft (or a correction) is a POST.
        if request.method != "POST":
            return render(request, "meetings/minutes_start.html", {"meeting": meeting})
        if "start" not in request.POST:
            # A resubmitted (or stale) draft form, once the draft is published: it must not
            # open a new version behind the user's back.
            messages.error(
                request,
                _("Ce compte rendu est déjà publié : pour le corriger, commencez une version."),
            )
            return redirect(meeting)
        services.minutes_draft(meeting=meeting, actor=request.user)
        return redirect("minutes_edit", meeting.pk)
    form = forms.MinutesForm(request.POST or None, minutes=minutes)
    if request.method == "POST" and form.is_valid():
        publish = "publish" in request.POST
        try:
            services.minutes_update(
                minutes=minutes,
                actor=request.user,
                summary=form.cleaned_data["summary"],
                correction_note=form.cleaned_data.get("correction_note"),
                items=form.item_values(),
            )
            if publish:
                services.minutes_publish(minutes=minutes, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
            return redirect(meeting)
        if publish:
            messages.success(request, _("Compte rendu publié."))
            return redirect(meeting)
        messages.success(request, _("Brouillon enregistré."))
        return redirect("minutes_edit", meeting.pk)
    return render(
        request,
        "meetings/minutes_edit.html",
        {"meeting": meeting, "minutes": minutes, "form": form},
    )


@require_POST
def minutes_approve(request, pk):
    meeting = managed_meeting(request, pk)
    form = forms.ApprovalForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, _("Choisissez un compte rendu publié d'une réunion antérieure."))
        return redirect(meeting)
    try:
        services.minutes_approve(
            minutes=form.cleaned_data["minutes"], at_meeting=meeting, actor=request.user
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Approbation enregistrée."))
    return redirect(meeting)
