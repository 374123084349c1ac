"""Actions: the bureau records and corrects them; owners mark them done or reopen them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import forms, perms, selectors, services
from ..models import ActionItem
from .common import form_page, managed_meeting, visible_meeting

ACTION_FIELDS = forms.ActionForm.Meta.fields


def action_create(request, pk):
    meeting = managed_meeting(request, pk)
    form = forms.ActionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ACTION_FIELDS}
        try:
            services.action_create(meeting=meeting, actor=request.user, **data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Action enregistrée."))
            return redirect(meeting)
    return form_page(request, form, title=_("Nouvelle action"), meeting=meeting)


def action_edit(request, action_pk):
    action = get_object_or_404(ActionItem.objects.for_list(), pk=action_pk)
    meeting = visible_meeting(request, action.meeting_id)
    require(perms.can_edit_action(request.user, action))
    form = forms.ActionEditForm(request.POST or None, instance=action, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in [*ACTION_FIELDS, "status"]}
        try:
            services.action_update(action=action, actor=request.user, **data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Action mise à jour."))
            return redirect(meeting)
    return form_page(request, form, title=_("Modifier l'action"), meeting=meeting)


@require_POST
def action_status(request, action_pk):
    """Mark done or reopen (an owner, the bureau); cancel (the bureau)."""
    action = get_object_or_404(ActionItem.objects.for_list(), pk=action_pk)
    if not perms.owns_action(request.user, action):
        # Its owners know it from "my actions", even from a meeting they do not see.
        visible_meeting(request, action.meeting_id)
    form = forms.ActionStatusForm(request.POST)
    if form.is_valid():
        status = form.cleaned_data["status"]
        require(perms.can_set_action_status(request.user, action, status))
        try:
            services.action_set_status(action=action, status=status, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Action mise à jour."))
    else:
        messages.error(request, _("État inconnu."))
    if request.POST.get("next") == "my_actions":
        return redirect("my_actions")
    return redirect(action.meeting)


def my_actions(request):
    page = Paginator(selectors.my_actions(request.user), 30).get_page(request.GET.get("page"))
    page.object_list = selectors.with_action_perms(page.object_list, request.user)
    return render(
        request,
        "meetings/my_actions.html",
        {"page_obj": page},
    )
