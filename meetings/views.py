"""Meeting pages: thin views that check perms.py, call a queryset or a service, render."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from innovalo.pdf import pdf_response
from innovalo.perms import require

from . import forms, perms, services
from .enums import MinutesStatus, ProposalStatus
from .filters import MeetingFilter
from .ics import feed_ics, meeting_ics
from .models import ActionItem, AgendaProposal, Attachment, CalendarFeed, Meeting
from .pdf import agenda_pdf, minutes_pdf, participants_by_attendance

User = get_user_model()


def _meeting(request, pk, queryset=None) -> Meeting:
    """The meeting if the user may see it; 404 otherwise (its existence stays hidden)."""
    queryset = Meeting.objects.all() if queryset is None else queryset
    meeting = queryset.visible_to(request.user).filter(pk=pk).first()
    if meeting is None or not perms.can_see_meeting(request.user, meeting):
        raise Http404
    return meeting


def _managed_meeting(request, pk, queryset=None) -> Meeting:
    meeting = _meeting(request, pk, queryset)
    require(perms.can_manage_meetings(request.user))
    return meeting


def _form_page(request, form, *, title, meeting=None, submit=None, multipart=False):
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


# List and detail ---------------------------------------------------------------------------


def meeting_list(request):
    queryset = Meeting.objects.visible_to(request.user).for_list(request.user)
    meeting_filter = MeetingFilter(request.GET or None, queryset=queryset)
    rows = meeting_filter.qs if meeting_filter.is_bound else queryset
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
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
    meeting = _meeting(request, pk, Meeting.objects.for_detail())
    can_manage = perms.can_manage_meetings(user)
    invitations = list(meeting.invitations.all())
    my_invitation = next((i for i in invitations if i.user_id == user.pk), None)
    versions = list(meeting.minutes_versions.all())
    visible_versions = [v for v in versions if perms.can_see_minutes(user, v)]
    published = [v for v in visible_versions if v.status == MinutesStatus.PUBLISHED]
    draft = next((v for v in visible_versions if v.status == MinutesStatus.DRAFT), None)
    actions = list(meeting.actions.all())
    for action in actions:
        action.can_update = perms.can_update_action(user, action)
    carried_over = list(
        ActionItem.objects.open()
        .filter(
            meeting__kind=meeting.kind,
            meeting__start__lt=meeting.start,
            # Only from meetings this user may see (the ministry sees few of them).
            meeting__in=Meeting.objects.visible_to(user).values("pk"),
        )
        .for_list()
    )
    for action in carried_over:
        action.can_update = perms.can_update_action(user, action)
    proposals = list(meeting.proposals.all())
    if not can_manage:
        proposals = [p for p in proposals if p.proposed_by_id == user.pk or p.status != "pending"]
    context = {
        "meeting": meeting,
        "can_manage": can_manage,
        "invitations": invitations,
        "participants": participants_by_attendance(meeting),
        "my_invitation": my_invitation,
        "rsvp_form": (
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
        ),
        "proposal_form": (forms.ProposalForm() if perms.can_propose_item(user, meeting) else None),
        "proposals": proposals,
        "current_minutes": published[0] if published else None,
        "earlier_minutes": published[1:],
        "draft_minutes": draft,
        "actions": actions,
        "carried_over": carried_over,
        "attachments": meeting.meeting_attachments,
        "approval_form": forms.ApprovalForm(meeting=meeting) if can_manage else None,
    }
    return render(request, "meetings/meeting_detail.html", context)


# Bureau: meeting, agenda, proposals ------------------------------------------------------


def meeting_create(request):
    require(perms.can_manage_meetings(request.user))
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Réunion créée : construisez son ordre du jour."))
            return redirect("agenda_edit", meeting.pk)
    return _form_page(request, form, title=_("Nouvelle réunion"))


def meeting_edit(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                meeting=Meeting.objects.get(pk=meeting.pk),
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Réunion enregistrée."))
            return redirect(meeting)
    return _form_page(request, form, title=_("Modifier la réunion"), meeting=meeting)


@require_POST
def meeting_convene(request, pk):
    meeting = _managed_meeting(request, pk)
    try:
        services.meeting_convene(meeting=meeting, actor=request.user)
        messages.success(request, _("Réunion convoquée : les invitations partent."))
    except services.MeetingError as error:
        messages.error(request, str(error))
    return redirect(meeting)


@require_POST
def meeting_mark_held(request, pk):
    meeting = _managed_meeting(request, pk)
    try:
        services.meeting_mark_held(meeting=meeting, actor=request.user)
    except services.MeetingError as error:
        messages.error(request, str(error))
    return redirect(meeting)


def agenda_edit(request, pk, item_pk=None):
    meeting = _managed_meeting(request, pk)
    item = get_object_or_404(meeting.agenda_items, pk=item_pk) if item_pk else None
    form = forms.AgendaItemForm(request.POST or None, instance=item, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_save(item=form.instance, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Point enregistré."))
            return redirect("agenda_edit", meeting.pk)
    return render(
        request,
        "meetings/agenda_edit.html",
        {"meeting": meeting, "form": form, "item": item, "items": meeting.agenda_items.all()},
    )


@require_POST
def agenda_item_delete(request, pk, item_pk):
    meeting = _managed_meeting(request, pk)
    item = get_object_or_404(meeting.agenda_items, pk=item_pk)
    services.agenda_item_delete(item=item, actor=request.user)
    messages.success(request, _("Point retiré de l'ordre du jour."))
    return redirect("agenda_edit", meeting.pk)


@require_POST
def proposal_create(request, pk):
    meeting = _meeting(request, pk)
    require(perms.can_propose_item(request.user, meeting))
    form = forms.ProposalForm(request.POST)
    if form.is_valid():
        services.proposal_submit(meeting=meeting, user=request.user, **form.cleaned_data)
        messages.success(request, _("Merci : le bureau examinera votre proposition."))
        return redirect(meeting)
    return _form_page(request, form, title=_("Proposer un point"), meeting=meeting)


def _pending_proposal(request, pk, proposal_pk):
    meeting = _managed_meeting(request, pk)
    proposal = get_object_or_404(
        AgendaProposal, pk=proposal_pk, meeting=meeting, status=ProposalStatus.PENDING
    )
    require(perms.can_decide_proposal(request.user, proposal))
    return meeting, proposal


def proposal_accept(request, pk, proposal_pk):
    meeting, proposal = _pending_proposal(request, pk, proposal_pk)
    form = forms.ProposalAcceptForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_accept(proposal=proposal, actor=request.user, **form.cleaned_data)
        except (services.MeetingError, ValidationError) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, _("La proposition rejoint l'ordre du jour."))
            return redirect(meeting)
    return _form_page(request, form, title=_("Accepter : %s") % proposal.title, meeting=meeting)


def proposal_decline(request, pk, proposal_pk):
    meeting, proposal = _pending_proposal(request, pk, proposal_pk)
    form = forms.ProposalDeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.proposal_decline(
            proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Proposition refusée."))
        return redirect(meeting)
    return _form_page(request, form, title=_("Refuser : %s") % proposal.title, meeting=meeting)


# Invitations, RSVP, attendance ---------------------------------------------------------------


def meeting_invitations(request, pk):
    meeting = _managed_meeting(request, pk)
    members_form = forms.InviteMembersForm(
        request.POST if "invite_members" in request.POST else None, meeting=meeting
    )
    guest_form = forms.GuestForm(request.POST if "invite_guest" in request.POST else None)
    if request.method == "POST":
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
            services.invite_guest(meeting=meeting, actor=request.user, **guest_form.cleaned_data)
            messages.success(request, _("Invité·e ajouté·e."))
            return redirect("meeting_invitations", meeting.pk)
    invitations = meeting.invitations.select_related("user", "platform").order_by(
        "user__last_name", "guest_name", "pk"
    )
    return render(
        request,
        "meetings/invitations.html",
        {
            "meeting": meeting,
            "members_form": members_form,
            "guest_form": guest_form,
            "invitations": invitations,
        },
    )


@require_POST
def invitation_remove(request, pk, invitation_pk):
    meeting = _managed_meeting(request, pk)
    invitation = get_object_or_404(meeting.invitations, pk=invitation_pk)
    try:
        services.invitation_remove(invitation=invitation, actor=request.user)
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%s n'est plus invité·e à cette réunion.") % invitation.display_name
        )
    return redirect("meeting_invitations", meeting.pk)


@require_POST
def meeting_rsvp(request, pk):
    meeting = _meeting(request, pk)
    invitation = meeting.invitations.filter(user=request.user).first()
    require(invitation is not None and perms.can_rsvp(request.user, invitation))
    form = forms.RsvpForm(request.POST, meeting=meeting)
    if form.is_valid():
        services.rsvp_answer(invitation=invitation, user=request.user, **form.cleaned_data)
        messages.success(request, _("Réponse enregistrée."))
        return redirect(meeting)
    return _form_page(request, form, title=_("Votre réponse"), meeting=meeting)


def meeting_attendance(request, pk):
    meeting = _managed_meeting(request, pk)
    invitations = meeting.invitations.select_related("user", "platform").order_by(
        "user__last_name", "guest_name", "pk"
    )
    form = forms.AttendanceForm(request.POST or None, invitations=invitations)
    if request.method == "POST" and form.is_valid():
        services.attendance_record(meeting=meeting, marks=form.marks(), actor=request.user)
        messages.success(request, _("Présences enregistrées."))
        return redirect(meeting)
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "form": form,
            "has_published_minutes": meeting.minutes_versions.filter(
                status=MinutesStatus.PUBLISHED
            ).exists(),
        },
    )


# Minutes --------------------------------------------------------------------------------------


def minutes_edit(request, pk):
    meeting = _managed_meeting(request, pk)
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
        minutes = services.minutes_draft(meeting=meeting, actor=request.user)
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
            if "publish" in request.POST:
                services.minutes_publish(minutes=minutes, actor=request.user)
        except services.MeetingError as error:
            messages.error(request, str(error))
            return redirect(meeting)
        if "publish" in request.POST:
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
    meeting = _managed_meeting(request, pk)
    form = forms.ApprovalForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.minutes_approve(
                minutes=form.cleaned_data["minutes"], at_meeting=meeting, actor=request.user
            )
            messages.success(request, _("Approbation enregistrée."))
        except services.MeetingError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Choisissez un compte rendu publié d'une réunion antérieure."))
    return redirect(meeting)


# Actions --------------------------------------------------------------------------------------


def action_create(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.ActionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.action_create(
            meeting=meeting,
            actor=request.user,
            title=data["title"],
            description=data["description"],
            owners=data["owners"],
            owner_names=data["owner_names"],
            due_date=data["due_date"],
            agenda_item=data["agenda_item"],
        )
        messages.success(request, _("Action enregistrée."))
        return redirect(meeting)
    return _form_page(request, form, title=_("Nouvelle action"), meeting=meeting)


def action_edit(request, action_pk):
    action = get_object_or_404(ActionItem.objects.for_list(), pk=action_pk)
    meeting = _managed_meeting(request, action.meeting_id)
    form = forms.ActionEditForm(request.POST or None, instance=action, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_update(
                action=action,
                actor=request.user,
                title=data["title"],
                description=data["description"],
                owners=data["owners"],
                owner_names=data["owner_names"],
                due_date=data["due_date"],
                agenda_item=data["agenda_item"],
                status=data["status"],
            )
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Action mise à jour."))
            return redirect(meeting)
    return _form_page(request, form, title=_("Modifier l'action"), meeting=meeting)


@require_POST
def action_status(request, action_pk):
    action = get_object_or_404(ActionItem.objects.for_list(), pk=action_pk)
    _meeting(request, action.meeting_id)
    require(perms.can_update_action(request.user, action))
    form = forms.ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_set_status(
            action=action, status=form.cleaned_data["status"], actor=request.user
        )
        messages.success(request, _("Action mise à jour."))
    next_url = request.POST.get("next")
    if next_url == "my_actions":
        return redirect("my_actions")
    return redirect(action.meeting)


def my_actions(request):
    actions = list(
        ActionItem.objects.owned_by(request.user).for_list().order_by("status", "due_date", "pk")
    )
    for action in actions:
        action.can_update = perms.can_update_action(request.user, action)
    page = Paginator(actions, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/my_actions.html",
        {"page_obj": page, "can_manage": perms.can_manage_meetings(request.user)},
    )


# Attachments -----------------------------------------------------------------------------------


def attachment_create(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.attachment_add(
            meeting=meeting,
            uploaded=data["file"],
            title=data["title"],
            kind=data["kind"],
            agenda_item=data["agenda_item"],
            actor=request.user,
        )
        messages.success(request, _("Document ajouté."))
        return redirect(meeting)
    return _form_page(
        request, form, title=_("Ajouter un document"), meeting=meeting, multipart=True
    )


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


# General assembly ------------------------------------------------------------------------------


def general_assembly(request, pk):
    meeting = _managed_meeting(request, pk)
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
        },
    )


# Documents: PDF and calendar ----------------------------------------------------------------------


def meeting_agenda_pdf(request, pk):
    meeting = _meeting(request, pk, Meeting.objects.prefetch_related("agenda_items"))
    return pdf_response(*agenda_pdf(meeting))


def meeting_minutes_pdf(request, pk):
    meeting = _meeting(request, pk, Meeting.objects.for_detail())
    versions = [v for v in meeting.minutes_versions.all() if perms.can_see_minutes(request.user, v)]
    version = request.GET.get("version")
    if version:
        versions = [v for v in versions if str(v.version) == version]
    else:
        published = [v for v in versions if v.status == MinutesStatus.PUBLISHED]
        versions = published or versions
    if not versions:
        raise Http404
    return pdf_response(*minutes_pdf(versions[0]))


def meeting_ics_view(request, pk):
    meeting = _meeting(request, pk)
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
