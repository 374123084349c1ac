"""A platform's steering committee: its members by college, their changes, and its meetings
(held with the meetings app: a draft is created here, then the meeting's own pages).

Who: the committee's page is for the platform's people, the bureau and the committee's
members who have an account; the rest (members, meetings) for the platform's people and the
bureau (``members.perms``). Views check perms, parse, call a service, render; the page's reads
are the few functions under "Reads", one query each.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.models import AuditEntry
from innovalo.perms import require
from meetings.enums import MeetingKind

from .. import perms
from ..enums import College
from ..forms.steering import SteeringMeetingForm, SteeringMemberForm
from ..models import Platform, SteeringMember
from ..services import steering as services

HISTORY_ON_PAGE = 10
HISTORY_PAGE_SIZE = 30
PAST_MEETINGS_PAGE_SIZE = 10


# Reads ---------------------------------------------------------------------------------------


def _members_by_college(platform) -> list[tuple]:
    """[(college value, label, [members])] in the colleges' order, every college listed."""
    members = (
        SteeringMember.objects.filter(platform=platform)
        .select_related("user")
        .order_by("college", "name", "user__last_name", "user__first_name", "pk")
    )
    by_college = {value: [] for value in College.values}
    for member in members:
        by_college.setdefault(member.college, []).append(member)
    labels = dict(College.choices)
    return [(value, labels.get(value, value), rows) for value, rows in by_college.items()]


def _meetings(user, platform):
    """The committee's meetings `user` may see (drafts: those who run it), with their counts."""
    from meetings.models import Meeting

    return (
        Meeting.objects.visible_to(user)
        .filter(kind=MeetingKind.STEERING_COMMITTEE, platform=platform)
        .for_list(user)
    )


def _history(platform):
    return AuditEntry.objects.for_scope(platform).filter(
        action__startswith=services.HISTORY_ACTION_PREFIX
    )


def _platform(slug) -> Platform:
    return get_object_or_404(Platform.objects.only("name", "acronym", "slug"), slug=slug)


def _managed_platform(request, slug) -> Platform:
    platform = _platform(slug)
    require(perms.can_manage_steering_committee(request.user, platform))
    return platform


# Pages ---------------------------------------------------------------------------------------


def steering_committee(request, slug):
    platform = _platform(slug)
    user = request.user
    require(perms.can_see_steering_committee(user, platform))
    can_manage = perms.can_manage_steering_committee(user, platform)
    now = timezone.now()
    meetings = _meetings(user, platform)
    upcoming = list(meetings.filter(end__gte=now).order_by("start", "pk"))
    past = Paginator(meetings.filter(end__lt=now), PAST_MEETINGS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    history = list(_history(platform)[: HISTORY_ON_PAGE + 1]) if can_manage else None
    colleges = _members_by_college(platform)
    return render(
        request,
        "members/steering/committee.html",
        {
            "platform": platform,
            "colleges": colleges,
            "member_count": sum(len(rows) for _value, _label, rows in colleges),
            "upcoming": upcoming,
            "page_obj": past,
            "can_manage": can_manage,
            "can_see_contacts": perms.can_see_steering_member_contacts(user, platform),
            "history": history[:HISTORY_ON_PAGE] if history is not None else None,
            "history_more": history is not None and len(history) > HISTORY_ON_PAGE,
        },
    )


def steering_history(request, slug):
    platform = _managed_platform(request, slug)
    page = Paginator(_history(platform), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "members/steering/history.html", {"platform": platform, "page_obj": page}
    )


def _member_form_page(request, platform, form, member=None):
    return render(
        request,
        "members/steering/member_form.html",
        {"platform": platform, "form": form, "member": member},
    )


@require_http_methods(["GET", "POST"])
def steering_member_add(request, slug):
    platform = _managed_platform(request, slug)
    form = SteeringMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.steering_member_add(
                platform=platform, actor=request.user, **form.member_data()
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%s siège au comité.") % member)
            return redirect("steering_committee", platform.slug)
    return _member_form_page(request, platform, form)


def _member(platform, pk) -> SteeringMember:
    return get_object_or_404(
        SteeringMember.objects.select_related("user"), platform=platform, pk=pk
    )


@require_http_methods(["GET", "POST"])
def steering_member_edit(request, slug, pk):
    platform = _managed_platform(request, slug)
    member = _member(platform, pk)
    form = SteeringMemberForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.steering_member_update(member=member, actor=request.user, **form.member_data())
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Membre du comité enregistré."))
            return redirect("steering_committee", platform.slug)
    return _member_form_page(request, platform, form, member)


@require_POST
def steering_member_remove(request, slug, pk):
    platform = _managed_platform(request, slug)
    member = _member(platform, pk)
    try:
        services.steering_member_remove(member=member, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%s ne siège plus au comité.") % member)
    return redirect("steering_committee", platform.slug)


@require_http_methods(["GET", "POST"])
def steering_meeting_create(request, slug):
    """The new meeting's form; a POST creates the draft and opens its agenda."""
    platform = _managed_platform(request, slug)
    form = SteeringMeetingForm(
        request.POST or None,
        initial={"title": _("Comité de pilotage — %s") % platform.name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.steering_meeting_create(
                platform=platform, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Réunion du comité créée : construisez son ordre du jour."))
            return redirect("agenda_edit", meeting.pk)
    return render(
        request, "members/steering/meeting_form.html", {"platform": platform, "form": form}
    )
