"""What the meeting views share: finding a meeting the user may see, the form page."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from innovalo.perms import require

from .. import perms
from ..models import Meeting


def visible_meeting(request, pk, queryset=None) -> Meeting:
    """The meeting if the user may see it; 404 otherwise (its existence stays hidden)."""
    queryset = Meeting.objects.all() if queryset is None else queryset
    # order_by(): no ORDER BY to compile for one row (first() would add the meeting ordering).
    meeting = next(iter(queryset.visible_to(request.user).filter(pk=pk).order_by()), None)
    if meeting is None or not perms.can_see_meeting(request.user, meeting):
        raise Http404
    return meeting


def managed_meeting(request, pk, queryset=None) -> Meeting:
    """The meeting if the user runs it (the bureau; a steering committee's platform's
    people); 404 if they may not see it, 403 if they see it only."""
    meeting = visible_meeting(request, pk, queryset)
    require(perms.can_manage_meeting(request.user, meeting))
    return meeting


def form_page(request, form, *, title, meeting=None, submit=None, multipart=False):
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "page_title": title,
            "meeting": meeting,
            "submit_label": submit or _("Enregistrer"),
            "multipart": multipart,
        },
    )


def confirmed(request) -> bool:
    """Destructive or irreversible actions run on a second POST that carries ``confirm=1``
    (the confirmation page's button): no JavaScript needed to be asked."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


def confirm_page(
    request,
    *,
    title,
    question,
    submit,
    meeting=None,
    details=(),
    hidden=(),
    form=None,
    cancel_url=None,
    danger=True,
):
    """The confirmation step: what will happen, a button that posts again with
    ``confirm=1`` (and `hidden` (name, value) pairs), and a way back."""
    return render(
        request,
        "meetings/confirm.html",
        {
            "page_title": title,
            "question": question,
            "details": details,
            "hidden": hidden,
            "form": form,
            "submit_label": submit,
            "meeting": meeting,
            "cancel_url": cancel_url or (meeting.get_absolute_url() if meeting else ""),
            "danger": danger,
            "action_url": request.path,
        },
    )
