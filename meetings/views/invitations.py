"""Invitations (bureau), answers (the invitee) and attendance (bureau)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import forms, perms, services
from ..enums import MeetingStatus, MinutesStatus
from .common import confirm_page, confirmed, form_page, managed_meeting, visible_meeting

User = get_user_model()


def _invitations(meeting):
    return meeting.invitations.select_related("user", "platform").order_by(
        "user__last_name", "guest_name", "pk"
    )


def _steering_invite(request, meeting, members_form):
    """A steering committee's members (and its platform's people) invited at once."""
    from members.services.steering import steering_meeting_invite

    count = steering_meeting_invite(
        meeting=meeting,
        members=list(members_form.cleaned_data["members"]),
        users=list(members_form.cleaned_data["users"]),
        actor=request.user,
    )
    messages.success(request, _("%d personne(s) invitée(s).") % count)
    return redirect("meeting_invitations", meeting.pk)


def meeting_invitations(request, pk):
    meeting = managed_meeting(request, pk)
    steering = perms.is_steering(meeting)
    members_form = (forms.SteeringInviteForm if steering else forms.InviteMembersForm)(
        request.POST if "invite_members" in request.POST else None, meeting=meeting
    )
    guest_form = forms.GuestForm(request.POST if "invite_guest" in request.POST else None)
    if request.method == "POST":
        if steering and members_form.is_bound and members_form.is_valid():
            return _steering_invite(request, meeting, members_form)
        if members_form.is_bound and members_form.is_valid():
            users = list(members_form.cleaned_data["users"])
            if members_form.cleaned_data["all_directors"]:
                users += list(
                    User.objects.filter(is_active=True, platform_memberships__isnull=False)
                    .distinct()
                    .order_by("pk")
                )
            created = services.invite_users(meeting=meeting, users=users, actor=request.user)
            messages.success(request, _("%d personne(s) invitée(s).") % len(created))
            return redirect("meeting_invitations", meeting.pk)
        if guest_form.is_bound and guest_form.is_valid():
            try:
                services.invite_guest(
                    meeting=meeting, actor=request.user, **guest_form.cleaned_data
                )
            except ServiceError as error:
                add_service_error(guest_form, error)
            else:
                messages.success(request, _("Invité·e ajouté·e."))
                return redirect("meeting_invitations", meeting.pk)
    return render(
        request,
        "meetings/invitations.html",
        {
            "meeting": meeting,
            "steering": steering,
            "members_form": members_form,
            "guest_form": guest_form,
            "invitations": _invitations(meeting),
        },
    )


@require_POST
def invitation_remove(request, pk, invitation_pk):
    meeting = managed_meeting(request, pk)
    invitation = get_object_or_404(meeting.invitations, pk=invitation_pk)
    if not confirmed(request):
        return confirm_page(
            request,
            meeting=meeting,
            title=_("Retirer une personne invitée"),
            question=_("Retirer %s des invité·es ?") % invitation.display_name,
            details=[_("Sa réponse est effacée ; vous pourrez l'inviter de nouveau.")],
            submit=_("Retirer"),
            cancel_url=reverse("meeting_invitations", args=[meeting.pk]),
        )
    try:
        services.invitation_remove(invitation=invitation, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%s n'est plus invité·e à cette réunion.") % invitation.display_name
        )
    return redirect("meeting_invitations", meeting.pk)


@require_POST
def meeting_rsvp(request, pk):
    meeting = visible_meeting(request, pk)
    invitation = meeting.invitations.filter(user=request.user).first()
    require(invitation is not None and perms.can_rsvp(request.user, invitation))
    form = forms.RsvpForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.rsvp_answer(invitation=invitation, user=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Réponse enregistrée."))
            return redirect(meeting)
    return form_page(request, form, title=_("Votre réponse"), meeting=meeting)


def meeting_attendance(request, pk):
    meeting = managed_meeting(request, pk)
    form = forms.AttendanceForm(request.POST or None, invitations=_invitations(meeting))
    # A meeting that has not begun (or was cancelled) has no attendance: no form offered.
    can_record = not meeting.is_future and meeting.status != MeetingStatus.CANCELLED
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(meeting=meeting, marks=form.marks(), actor=request.user)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Présences enregistrées."))
            return redirect(meeting)
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "form": form,
            "can_record": can_record,
            "has_published_minutes": meeting.minutes_versions.filter(
                status=MinutesStatus.PUBLISHED
            ).exists(),
        },
    )


PICKER_FIELDS = {"users", "owners"}


def people_search(request, pk):
    """The people pickers' search (htmx): the checkboxes of the people matching ``<field>_q``
    by name, email or platform, and those already ticked; the same people the form offers
    (its queryset), to those who run the meeting."""
    from innovalo.forms import _out_of_range
    from innovalo.french import search_words

    meeting = managed_meeting(request, pk)
    name = request.GET.get("field")
    if name not in PICKER_FIELDS:
        raise Http404
    if name == "users":
        form = forms.InviteMembersForm(meeting=meeting)
    else:
        action = None
        if request.GET.get("action", "").isdigit():
            action = get_object_or_404(meeting.actions, pk=request.GET["action"])
        form = forms.ActionEditForm(instance=action, meeting=meeting)
    field = form.fields[name]
    ticked = [
        value for value in request.GET.getlist(name) if value.isdigit() and not _out_of_range(value)
    ]
    query = request.GET.get(f"{name}_q", "").strip()
    if query:
        matching = search_words(
            User.objects.all(),
            query,
            [
                "first_name",
                "last_name",
                "email",
                "platform_memberships__platform__name",
                "platform_memberships__platform__acronym",
            ],
        ).values("pk")
        field.queryset = field.queryset.filter(Q(pk__in=matching) | Q(pk__in=ticked))
    html = field.widget.render_options(name, ticked, {"id": form[name].auto_id})
    return HttpResponse(html)
