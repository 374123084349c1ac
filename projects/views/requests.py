"""Firms' requests, the platforms', correspondents' and bureau's side (``/demandes/``):
the board, a request's page and its actions, and the figures.

Each view checks its ``projects.perms`` function, parses with a form and calls a service
(``services/request_actions.py``) or a selector (``selectors/requests.py``). Who may not
see a request gets a 404 for it and for each of its actions (its existence stays
hidden); who sees it but may not do something gets a 403. The ministry reads the figures
only: the board sends it there.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import is_bureau, is_ministry, require

from .. import (
    perms,
    request_reminders,  # noqa: F401  (the jobs and email rules register on import)
)
from ..enums import RequestStatus
from ..filters_requests import RequestBoardFilter, RequestFiguresFilter
from ..forms import requests as forms
from ..models import FirmRequest, RequestRouting
from ..models.requests import VISIBLE_ROUTINGS
from ..selectors import requests as selectors
from ..services import request_actions as services

LIST_PAGE_SIZE = 15


def _visible(request, pk, queryset=None) -> FirmRequest:
    """The request if the user may see it; 404 otherwise (unknown or not his)."""
    if queryset is None:
        routings = RequestRouting.objects.select_related("platform").order_by("pk")
        queryset = FirmRequest.objects.select_related("taken_by", "department").prefetch_related(
            Prefetch("routings", queryset=routings)
        )
    firm_request = queryset.filter(pk=pk).first()
    if firm_request is None or not perms.can_see_request(request.user, firm_request):
        raise Http404
    return firm_request


def _posted(request):
    """The posted data, even empty (an empty POST is a bound form with its errors)."""
    return request.POST if request.method == "POST" else None


def _form_page(request, form, *, firm_request, title, submit=None, intro="", danger=False):
    return render(
        request,
        "projects/requests/form_page.html",
        {
            "form": form,
            "firm_request": firm_request,
            "page_title": title,
            "submit_label": submit or _("Enregistrer"),
            "intro": intro,
            "danger": danger,
        },
    )


def _service_message(request, error) -> None:
    messages.error(request, str(error))


# The board ----------------------------------------------------------------------------------


def request_board(request):
    user = request.user
    if is_ministry(user):
        return redirect("request_figures")
    require(perms.can_read_requests(user))
    board_filter = RequestBoardFilter(
        request.GET or None, queryset=selectors.visible_requests(user), request=request
    )
    rows = selectors.board_rows(board_filter.qs.order_by("-created_at", "-pk"))
    page_obj = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page_obj.object_list = selectors.decorate_rows(page_obj.object_list)
    to_route, to_route_count = selectors.to_route(user)
    return render(
        request,
        "projects/requests/board.html",
        {
            "filter": board_filter,
            "page_obj": page_obj,
            "to_route": to_route,
            "to_route_count": to_route_count,
            "is_correspondent": bool(perms.correspondent_region_ids(user)) or is_bureau(user),
            "can_see_figures": perms.can_read_request_figures(user),
        },
    )


# A request ----------------------------------------------------------------------------------


def _detail(request, firm_request, **forms_bound):
    context = selectors.request_page(request.user, firm_request)
    if context["answerable"]:
        context["accept_form"] = forms.AcceptForm(routings=context["answerable"])
    if context["can_handle"]:
        context["message_form"] = forms_bound.get("message_form") or forms.MessageForm()
    if context["can_note"]:
        context["note_form"] = forms_bound.get("note_form") or forms.NoteForm()
    return render(request, "projects/requests/detail.html", context)


def request_detail(request, pk):
    firm_request = selectors.request_for_page(pk)
    if firm_request is None or not perms.can_see_request(request.user, firm_request):
        raise Http404
    return _detail(request, firm_request)


def request_route(request, pk):
    firm_request = _visible(request, pk)
    require(perms.can_route_request(request.user, firm_request))
    routings = list(firm_request.routings.all())
    form = forms.RouteForm(_posted(request), firm_request=firm_request, routings=routings)
    if request.method == "POST" and form.is_valid():
        try:
            notified = services.request_reroute(
                firm_request=firm_request, platforms=form.cleaned_data["chosen"], actor=request.user
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if notified:
                messages.success(
                    request,
                    _("Demande transmise à %(platforms)s ; leurs équipes sont prévenues.")
                    % {"platforms": ", ".join(r.platform.name for r in notified)},
                )
            else:
                messages.success(request, _("Orientation enregistrée."))
            return redirect(firm_request)
    return render(
        request,
        "projects/requests/route.html",
        {"form": form, "firm_request": firm_request, "listed": form.listed},
    )


def _answerable(request, firm_request):
    routings = selectors.answerable_routings(request.user, firm_request)
    require(bool(routings))
    return routings


@require_POST
def request_accept(request, pk):
    firm_request = _visible(request, pk)
    routings = _answerable(request, firm_request)
    form = forms.AcceptForm(request.POST, routings=routings)
    if not form.is_valid():
        messages.error(request, _("Choisissez la plateforme qui accepte."))
        return redirect(firm_request)
    try:
        services.request_accept(
            firm_request=firm_request, routing=form.cleaned_data["routing"], actor=request.user
        )
    except ServiceError as error:
        _service_message(request, error)
    else:
        messages.success(
            request,
            _("Vous avez pris la demande. Écrivez à l'entreprise pour convenir de la suite."),
        )
    return redirect(firm_request)


def request_decline(request, pk):
    firm_request = _visible(request, pk)
    routings = _answerable(request, firm_request)
    form = forms.DeclineForm(_posted(request), routings=routings)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_decline(
                firm_request=firm_request,
                routing=form.cleaned_data["routing"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Vous avez décliné la demande."))
            return redirect(firm_request)
    return _form_page(
        request,
        form,
        firm_request=firm_request,
        title=_("Décliner la demande"),
        submit=_("Décliner"),
        intro=_("Le correspondant de la région la proposera à d'autres plateformes."),
        danger=True,
    )


def request_pass(request, pk):
    firm_request = _visible(request, pk)
    routings = _answerable(request, firm_request)
    # Platforms that already have (or had) the request cannot receive it again.
    excluded = {r.platform_id for r in firm_request.routings.all() if r.status in VISIBLE_ROUTINGS}
    form = forms.PassForm(_posted(request), routings=routings, excluded=excluded)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_pass(
                firm_request=firm_request,
                routing=form.cleaned_data["routing"],
                platform=form.cleaned_data["platform"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Demande passée à %(platform)s ; ses équipes sont prévenues.")
                % {"platform": form.cleaned_data["platform"].name},
            )
            return redirect(firm_request)
    return _form_page(
        request,
        form,
        firm_request=firm_request,
        title=_("Passer la demande à une autre plateforme"),
        submit=_("Passer la demande"),
    )


@require_POST
def request_start(request, pk):
    firm_request = _visible(request, pk)
    require(perms.can_handle_request(request.user, firm_request))
    try:
        services.request_start(firm_request=firm_request, actor=request.user)
    except ServiceError as error:
        _service_message(request, error)
    else:
        messages.success(request, _("Demande en cours."))
    return redirect(firm_request)


def _posted_text(request, pk, form_class, allowed, service, context_key, success):
    firm_request = _visible(request, pk)
    require(allowed(request.user, firm_request))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(firm_request=firm_request, text=form.cleaned_data["text"], actor=request.user)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, success)
            return redirect(firm_request)
    page = selectors.request_for_page(firm_request.pk)
    return _detail(request, page, **{context_key: form})


@require_POST
def request_message(request, pk):
    return _posted_text(
        request,
        pk,
        forms.MessageForm,
        perms.can_handle_request,
        services.request_message,
        "message_form",
        _("Message envoyé à l'entreprise."),
    )


@require_POST
def request_note(request, pk):
    return _posted_text(
        request,
        pk,
        forms.NoteForm,
        perms.can_note_request,
        services.request_note,
        "note_form",
        _("Note enregistrée."),
    )


def request_close(request, pk):
    firm_request = _visible(request, pk)
    require(perms.can_close_request(request.user, firm_request))
    form = forms.CloseForm(
        _posted(request),
        firm_request=firm_request,
        projects=selectors.project_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_close(
                firm_request=firm_request,
                status=data["status"],
                actor=request.user,
                transfer_level=data.get("transfer_level"),
                outcome=data.get("outcome", ""),
                amount_invoiced=data.get("amount_invoiced"),
                follow_up_project=data.get("follow_up_project"),
                reason=data.get("reason", ""),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Demande close : %(status)s.") % {"status": RequestStatus(data["status"]).label},
            )
            return redirect(firm_request)
    return _form_page(
        request,
        form,
        firm_request=firm_request,
        title=_("Clore la demande"),
        submit=_("Clore"),
        intro=_("Une demande close n'est plus modifiée, sauf par le bureau."),
    )


def request_reopen(request, pk):
    firm_request = _visible(request, pk)
    require(perms.can_reopen_request(request.user, firm_request))
    form = forms.ReopenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_reopen(
                firm_request=firm_request, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Demande rouverte."))
            return redirect(firm_request)
    return _form_page(
        request,
        form,
        firm_request=firm_request,
        title=_("Rouvrir la demande"),
        submit=_("Rouvrir"),
    )


# Figures ------------------------------------------------------------------------------------


def request_figures(request):
    require(perms.can_read_request_figures(request.user))
    figures_filter = RequestFiguresFilter(
        request.GET or None, queryset=FirmRequest.objects.none(), request=request
    )
    values = figures_filter.values()
    figures = selectors.request_figures(**values)
    return render(
        request,
        "projects/requests/figures.html",
        {
            "filter": figures_filter,
            "figures": figures,
            "median": selectors.first_answer_label(figures["median_first_answer"]),
            "can_open_board": perms.can_read_requests(request.user),
        },
    )
