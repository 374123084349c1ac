"""General assembly: resolutions and the elected bureau (bureau)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import forms, perms, selectors, services
from .common import managed_meeting


def general_assembly(request, pk):
    meeting = managed_meeting(request, pk)
    if perms.is_steering(meeting):  # resolutions and elections are the association's
        raise Http404
    resolution_form = forms.ResolutionForm(
        request.POST if "add_resolution" in request.POST else None
    )
    officer_form = forms.OfficerForm(request.POST if "add_officer" in request.POST else None)
    if request.method == "POST":
        if resolution_form.is_bound and resolution_form.is_valid():
            services.resolution_add(
                meeting=meeting, actor=request.user, **resolution_form.cleaned_data
            )
            messages.success(request, _("Résolution enregistrée."))
            return redirect("general_assembly", meeting.pk)
        if officer_form.is_bound and officer_form.is_valid():
            services.officer_add(meeting=meeting, actor=request.user, **officer_form.cleaned_data)
            messages.success(request, _("Membre du bureau enregistré."))
            return redirect("general_assembly", meeting.pk)
    return render(
        request,
        "meetings/general_assembly.html",
        {
            "meeting": meeting,
            "resolution_form": resolution_form,
            "officer_form": officer_form,
            "resolutions": meeting.resolutions.all(),
            "officers": meeting.officers.all(),
            "survey_results": selectors.assembly_survey_results(request.user, meeting),
        },
    )
