"""Writing, publishing and approving minutes (bureau)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError

from .. import forms, services
from ..enums import MeetingStatus, MinutesStatus
from .common import confirm_page, confirmed, managed_meeting


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
        try:
            services.minutes_update(
                minutes=minutes,
                actor=request.user,
                summary=form.cleaned_data["summary"],
                correction_note=form.cleaned_data.get("correction_note"),
                items=form.item_values(),
            )
        except ServiceError as error:
            messages.error(request, str(error))
            return redirect(meeting)
        messages.success(request, _("Brouillon enregistré."))
        if "publish" in request.POST:
            # Publishing is irreversible: the draft is saved, then confirmed on its own page.
            return redirect("minutes_publish", meeting.pk)
        return redirect("minutes_edit", meeting.pk)
    return render(
        request,
        "meetings/minutes_edit.html",
        {"meeting": meeting, "minutes": minutes, "form": form, "can_publish": can_publish(meeting)},
    )


def can_publish(meeting) -> bool:
    """Minutes are published once the meeting has begun (and was not cancelled)."""
    return not meeting.is_future and meeting.status != MeetingStatus.CANCELLED


def minutes_publish(request, pk):
    """A confirmation page (GET, or a POST without ``confirm``), then the publication."""
    meeting = managed_meeting(request, pk)
    minutes = meeting.minutes_versions.filter(status=MinutesStatus.DRAFT).first()
    if minutes is None:
        messages.error(request, _("Aucun brouillon de compte rendu à publier."))
        return redirect(meeting)
    if not can_publish(meeting):
        messages.error(
            request,
            _("Le compte rendu d'une réunion se publie une fois la réunion tenue.")
            if meeting.is_future
            else _("Cette réunion est annulée."),
        )
        return redirect("minutes_edit", meeting.pk)
    if not confirmed(request):
        return confirm_page(
            request,
            meeting=meeting,
            title=_("Publier le compte rendu"),
            question=_("Publier la version %d du compte rendu ?") % minutes.version,
            details=[
                _("Une fois publié, il ne se modifie plus : une correction crée une version."),
                _("Il fige la liste de présence, les actions, les résolutions et le bureau élu."),
                _("Les personnes qui voient la réunion pourront le lire."),
            ],
            submit=_("Publier définitivement"),
            cancel_url=reverse("minutes_edit", args=[meeting.pk]),
        )
    try:
        services.minutes_publish(minutes=minutes, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("minutes_edit", meeting.pk)
    messages.success(request, _("Compte rendu publié."))
    return redirect(meeting)


@require_POST
def minutes_approve(request, pk):
    meeting = managed_meeting(request, pk)
    form = forms.ApprovalForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, _("Choisissez un compte rendu publié d'une réunion antérieure."))
        return redirect(meeting)
    if not confirmed(request):
        approved = form.cleaned_data["minutes"]
        return confirm_page(
            request,
            meeting=meeting,
            title=_("Enregistrer une approbation"),
            question=_(
                "Enregistrer que cette réunion approuve le compte rendu « %(title)s » (v%(v)d) ?"
            )
            % {"title": approved.meeting.title, "v": approved.version},
            details=[_("Une approbation enregistrée ne se retire pas.")],
            hidden=[("minutes", approved.pk)],
            submit=_("Enregistrer l'approbation"),
            danger=False,
        )
    try:
        services.minutes_approve(
            minutes=form.cleaned_data["minutes"], at_meeting=meeting, actor=request.user
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Approbation enregistrée."))
    return redirect(meeting)
