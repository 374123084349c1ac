"""A platform's partnership agreements (*conventions*): the list with its history, the
forms, the delete confirmation and the signed document; and the bureau's page of the
agreements that end across the network.

A platform's agreements are its people's and the bureau's (``members/perms.py``): the
others get 403 on every page of the platform's agreements, before any agreement is read
(whether an id exists is not told); an agreement of another platform is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import (
    agreement_reminders,  # noqa: F401  (registers the reminder job and its email)
    perms,
)
from ..forms.partnerships import AgreementForm, NetworkAgreementFilter, period_of
from ..models import Agreement, Platform
from ..selectors import partnerships as selectors
from ..services import partnerships as services

PAGE_SIZE = 20
NETWORK_PAGE_SIZE = 25


def _platform(request, slug) -> Platform:
    platform = get_object_or_404(Platform.objects.only("pk", "name", "acronym", "slug"), slug=slug)
    require(perms.can_see_agreements(request.user, platform))
    return platform


def _managed_agreement(request, slug, pk) -> Agreement:
    platform = _platform(request, slug)
    require(perms.can_manage_agreements(request.user, platform))
    agreement = get_object_or_404(Agreement.objects.defer("created_at"), pk=pk, platform=platform)
    agreement.platform = platform
    return agreement


def _form_page(request, form, *, platform, title, agreement=None):
    return render(
        request,
        "members/agreements/form.html",
        {"platform": platform, "form": form, "page_title": title, "agreement": agreement},
    )


# The platform's agreements ----------------------------------------------------------------


@require_safe
def agreement_list(request, slug):
    platform = _platform(request, slug)
    page = Paginator(selectors.platform_agreements(platform), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "members/agreements/list.html",
        {
            "platform": platform,
            "page_obj": page,
            "rows": selectors.agreement_rows(page),
            "entries": selectors.agreement_history(platform),
            "can_manage": perms.can_manage_agreements(request.user, platform),
            "can_see_network": perms.can_see_network_agreements(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_create(request, slug):
    platform = _platform(request, slug)
    require(perms.can_manage_agreements(request.user, platform))
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                platform=platform, actor=request.user, **form.values()
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Convention ajoutée : %s.") % agreement.partner)
            return redirect("agreement_list", platform.slug)
    return _form_page(request, form, platform=platform, title=_("Nouvelle convention"))


@require_http_methods(["GET", "POST"])
def agreement_edit(request, slug, pk):
    agreement = _managed_agreement(request, slug, pk)
    form = AgreementForm(request.POST or None, request.FILES or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(agreement=agreement, actor=request.user, **form.values())
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Convention enregistrée."))
            return redirect("agreement_list", agreement.platform.slug)
    return _form_page(
        request,
        form,
        platform=agreement.platform,
        title=_("Modifier la convention avec %s") % agreement.partner,
        agreement=agreement,
    )


@require_http_methods(["GET", "POST"])
def agreement_delete(request, slug, pk):
    """GET: what will be deleted, to confirm; POST: delete (logged on the page)."""
    agreement = _managed_agreement(request, slug, pk)
    if request.method == "POST":
        try:
            services.agreement_delete(agreement=agreement, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Convention supprimée : %s.") % agreement.partner)
        return redirect("agreement_list", agreement.platform.slug)
    return render(
        request,
        "members/agreements/delete.html",
        {"platform": agreement.platform, "agreement": agreement},
    )


@require_safe
def agreement_document(request, slug, pk):
    """The signed document, to the platform's people and the bureau only."""
    platform = _platform(request, slug)
    agreement = get_object_or_404(
        Agreement.objects.only("pk", "platform_id", "document", "document_name"),
        pk=pk,
        platform=platform,
    )
    if not agreement.document:
        raise Http404
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=agreement.document_name or "convention",
        content_type=services.agreement_content_type(agreement),
    )
    response["Cache-Control"] = "private, no-store"
    return response


# The network (the bureau) ------------------------------------------------------------------


@require_safe
def agreements_ending(request):
    require(perms.can_see_network_agreements(request.user))
    today = timezone.localdate()
    period = period_of(request.GET)
    agreement_filter = NetworkAgreementFilter(
        request.GET or None, queryset=selectors.network_agreements(period, today)
    )
    page = Paginator(agreement_filter.qs, NETWORK_PAGE_SIZE).get_page(request.GET.get("page"))
    # How many in the other period, with the same filters (a link to them).
    other = "ended" if period == "ending" else "ending"
    others = selectors.network_agreements(other, today)
    if agreement_filter.is_bound:
        others = agreement_filter.filter_queryset(others)
    start, end = selectors.network_window(period, today)
    return render(
        request,
        "members/agreements/network.html",
        {
            "filter": agreement_filter,
            "page_obj": page,
            "rows": selectors.agreement_rows(page, today),
            "period": period,
            "window_start": start,
            "window_end": end,
            "other_period": other,
            "other_count": others.order_by().count(),
        },
    )
