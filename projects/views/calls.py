"""The calls pages: the list with its filters, a call's page, the bureau's and the
proposer's forms, archiving, proposals to review, following and interest.

Every page needs a login (LoginRequiredMiddleware) and checks its ``projects/perms.py``
rule; a proposal stays hidden (404) from everyone but the bureau and its proposer.
Views parse, call a service or a selector, and render; a GET writes nothing.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import perms
from ..enums import CallStatus
from ..filters import CallFilter
from ..forms.calls import CallForm, DeadlineFormSet, InterestForm, RefuseForm, deadline_initial
from ..models import Call
from ..selectors import calls as selectors
from ..services import calls as services

PAGE_SIZE = 20


def url_exists(name: str, *args) -> bool:
    """Whether a page built elsewhere (alerts, exports, projects) is there yet."""
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


def visible_call(request, pk, queryset=None) -> Call:
    """The call if the user may see it; 404 otherwise (a proposal stays hidden)."""
    queryset = Call.objects.all() if queryset is None else queryset
    call = next(iter(queryset.visible_to(request.user).filter(pk=pk).order_by()), None)
    if call is None or not perms.can_see_call(request.user, call):
        raise Http404
    return call


def can_edit_call(user, call) -> bool:
    """The bureau; the member who proposed a call, while it is still a proposal."""
    if perms.can_manage_calls(user):
        return True
    return (
        call.status == CallStatus.PROPOSED
        and call.proposed_by_id is not None
        and call.proposed_by_id == user.pk
        and perms.can_propose_call(user)
    )


# List and page ---------------------------------------------------------------------


def call_list(request):
    user = request.user
    require(perms.can_read_calls(user))
    now = timezone.now()
    call_filter = CallFilter(
        request.GET, queryset=selectors.list_queryset(now), request=request, now=now
    )
    page = selectors.list_page(call_filter.qs, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "projects/calls/call_list.html",
        {
            "filter": call_filter,
            "filter_errors": bool(call_filter.errors),
            "page_obj": page,
            "calls": selectors.list_rows(page, now),
            "can_manage": perms.can_manage_calls(user),
            "can_propose": perms.can_propose_call(user),
            "alerts_enabled": perms.can_follow_calls(user) and url_exists("saved_search_create"),
            "exports_enabled": perms.can_export_calls(user)
            and url_exists("call_export_csv")
            and url_exists("call_export_xlsx"),
        },
    )


def _detail(request, call, *, interest_form=None, status=200):
    user = request.user
    now = timezone.now()
    context = {"call": call, **selectors.call_page(user, call, now)}
    platforms = context["my_platforms"]
    if interest_form is None and platforms:
        mine = context["my_interests"]
        # One platform, already interested: its note, to change it.
        initial = {"note": mine[0].note} if len(platforms) == 1 and mine else None
        interest_form = InterestForm(platforms=platforms, initial=initial)
    context.update(
        {
            "interest_form": interest_form if platforms else None,
            "can_manage": perms.can_manage_calls(user),
            "can_edit": can_edit_call(user, call),
            "can_follow": perms.can_follow_calls(user) and call.status == CallStatus.PUBLISHED,
            "refuse_form": RefuseForm()
            if perms.can_manage_calls(user) and call.status == CallStatus.PROPOSED
            else None,
            "projects_enabled": url_exists("project_detail", 1),
            "can_create_project": call.status == CallStatus.PUBLISHED
            and perms.can_create_project(user),
        }
    )
    return render(request, "projects/calls/call_detail.html", context, status=status)


def call_detail(request, pk):
    return _detail(request, visible_call(request, pk, selectors.detail_queryset()))


# The call's form -------------------------------------------------------------------


def _form_page(request, form, deadlines, *, title, call=None, submit=None, status=200):
    return render(
        request,
        "projects/calls/call_form.html",
        {
            "form": form,
            "deadlines": deadlines,
            "page_title": title,
            "call": call,
            "submit_label": submit or _("Enregistrer"),
        },
        status=status,
    )


def _parsed(request, call=None, *, new_funder=False):
    """The call's form and its deadlines formset, bound on a POST."""
    data = request.POST if request.method == "POST" else None
    form = CallForm(data, instance=call, new_funder=new_funder)
    initial = deadline_initial(call) if call is not None else None
    deadlines = DeadlineFormSet(data, prefix="deadlines", initial=initial)
    return form, deadlines


def _save(request, form, deadlines, write):
    """Run `write(fields, rows, new_funder)` when both forms are valid; a ServiceError
    goes next to its field. Returns the call, or None to show the form again."""
    if request.method != "POST":
        return None
    if not (form.is_valid() and deadlines.is_valid()):
        return None
    try:
        return write(form.call_fields(), deadlines.rows(), form.new_funder())
    except ServiceError as error:
        add_service_error(form, error)
        return None


def call_create(request):
    require(perms.can_manage_calls(request.user))
    form, deadlines = _parsed(request, new_funder=True)
    call = _save(
        request,
        form,
        deadlines,
        lambda fields, rows, funder: services.call_create(
            fields=fields, deadlines=rows, new_funder=funder, actor=request.user
        ),
    )
    if call is not None:
        messages.success(request, _("Appel publié."))
        return redirect(call)
    return _form_page(request, form, deadlines, title=_("Nouvel appel"), submit=_("Publier"))


def call_propose(request):
    require(perms.can_propose_call(request.user))
    form, deadlines = _parsed(request)
    call = _save(
        request,
        form,
        deadlines,
        lambda fields, rows, funder: services.call_propose(
            fields=fields, deadlines=rows, actor=request.user
        ),
    )
    if call is not None:
        messages.success(request, _("Merci : le bureau examinera votre proposition."))
        return redirect(call)
    return _form_page(request, form, deadlines, title=_("Proposer un appel"), submit=_("Proposer"))


def call_edit(request, pk):
    call = visible_call(request, pk, Call.objects.prefetch_related("deadlines"))
    require(can_edit_call(request.user, call))
    bureau = perms.can_manage_calls(request.user)
    form, deadlines = _parsed(request, call, new_funder=bureau)
    saved = _save(
        request,
        form,
        deadlines,
        lambda fields, rows, funder: services.call_update(
            call=call, fields=fields, deadlines=rows, new_funder=funder, actor=request.user
        ),
    )
    if saved is not None:
        messages.success(request, _("Appel enregistré."))
        return redirect(saved)
    return _form_page(request, form, deadlines, title=_("Modifier l'appel"), call=call)


# Status -------------------------------------------------------------------------------


def call_archive(request, pk):
    """GET: the confirmation page (writes nothing); POST: archive."""
    call = visible_call(request, pk)
    require(perms.can_manage_calls(request.user))
    if request.method == "POST":
        try:
            services.call_archive(call=call, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Appel archivé : il reste consultable."))
        return redirect(call)
    return render(request, "projects/calls/call_archive.html", {"call": call})


@require_POST
def call_unarchive(request, pk):
    call = visible_call(request, pk)
    require(perms.can_manage_calls(request.user))
    try:
        services.call_unarchive(call=call, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Appel de nouveau publié."))
    return redirect(call)


def call_proposals(request):
    require(perms.can_manage_calls(request.user))
    page = Paginator(selectors.proposals(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/calls/call_proposals.html",
        {"page_obj": page, "now": timezone.now()},
    )


@require_POST
def call_publish(request, pk):
    call = visible_call(request, pk)
    require(perms.can_manage_calls(request.user))
    try:
        services.call_publish(call=call, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Proposition publiée."))
    return redirect(call)


def call_refuse(request, pk):
    """GET: the reason's form; POST: refuse (the proposal stays, for the bureau and its
    proposer, with the reason; the proposer is told by email)."""
    call = visible_call(request, pk)
    require(perms.can_manage_calls(request.user))
    form = RefuseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_refuse(call=call, reason=form.cleaned_data["reason"], actor=request.user)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Proposition refusée."))
            return redirect("call_proposals")
    return render(request, "projects/calls/call_refuse.html", {"call": call, "form": form})


# Following and interest ----------------------------------------------------------------


@require_POST
def call_follow(request, pk):
    """Follow or stop following. ``action`` says which (a second click changes nothing);
    without it, the button toggles."""
    call = visible_call(request, pk)
    require(perms.can_follow_calls(request.user))
    action = request.POST.get("action")
    if action not in ("follow", "unfollow"):
        following = call.follows.filter(user=request.user).exists()
        action = "unfollow" if following else "follow"
    if action == "follow":
        if call.status != CallStatus.PUBLISHED:
            messages.error(request, _("On suit un appel publié seulement."))
            return redirect(call)
        services.call_follow(call=call, user=request.user)
        messages.success(request, _("Vous suivez cet appel : ses dates iront dans vos rappels."))
    else:
        services.call_unfollow(call=call, user=request.user)
        messages.success(request, _("Vous ne suivez plus cet appel."))
    return redirect(call)


@require_POST
def call_interest(request, pk):
    """Declare (or change the note of) a platform's interest, or withdraw it."""
    call = visible_call(request, pk, selectors.detail_queryset())
    platforms = selectors.my_platforms(request.user)
    require(bool(platforms) and perms.can_see_interests(request.user))
    form = InterestForm(request.POST, platforms=platforms)
    if not form.is_valid():
        return _detail(request, call, interest_form=form)
    platform = form.chosen_platform()
    require(perms.can_declare_interest(request.user, platform))
    try:
        if "withdraw" in request.POST:
            services.interest_withdraw(call=call, platform=platform, actor=request.user)
            messages.success(request, _("Intérêt retiré."))
        else:
            services.interest_declare(
                call=call, platform=platform, note=form.cleaned_data["note"], actor=request.user
            )
            messages.success(request, _("Intérêt de %s enregistré.") % platform.name)
    except ServiceError as error:
        add_service_error(form, error)
        return _detail(request, call, interest_form=form)
    return redirect(call)
