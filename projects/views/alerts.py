"""Alerts (saved searches): my alerts, create one from a filtered list, rename, pause,
delete; and the one-click unsubscribe link of the digests.

Every logged-in person may have alerts (``perms.can_follow_calls``), the ministry too;
someone else's alert is a 404. ``/appels/alertes/desabonner/<token>/`` needs no login:
a GET shows one button and never writes; a POST unsubscribes, the button's or a mail
client's RFC 8058 one-click POST, which carries no CSRF token: the view is CSRF-exempt
(a POST can only unsubscribe the token's alert, again and again to no effect).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import perms
from ..enums import Frequency
from ..forms.alerts import SavedSearchCreateForm, SavedSearchForm
from ..models import SavedSearch
from ..selectors import alerts as selectors
from ..services import alerts as services

PER_PAGE = 30


def _own(request, pk) -> SavedSearch:
    """The person's own alert; anyone else's is not found."""
    require(perms.can_follow_calls(request.user))
    return get_object_or_404(SavedSearch, pk=pk, user=request.user)


def saved_search_list(request):
    require(perms.can_follow_calls(request.user))
    page = Paginator(selectors.my_saved_searches(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    selectors.describe_searches(page.object_list, request.user)
    return render(request, "projects/alerts/list.html", {"page_obj": page})


def _suggested_name(filters) -> str:
    if not filters:
        return _("Appels ouverts")
    return capfirst(Truncator(" · ".join(text.strip("« »") for _label, text in filters)).chars(120))


def saved_search_create(request):
    """GET: the form, prefilled from the query string of the list the person came from,
    with its filters in words. POST: the alert."""
    require(perms.can_follow_calls(request.user))
    if request.method == "POST":
        form = SavedSearchCreateForm(request.POST, user=request.user)
        query = services.normalize_query(request.POST.get("query", ""))
    else:
        query = services.normalize_query(request.GET)
        form = None
    filters = selectors.describe_query(query, request.user)
    if form is None:
        form = SavedSearchCreateForm(
            initial={
                "query": query,
                "name": _suggested_name(filters),
                "frequency": Frequency.WEEKLY,
            },
            user=request.user,
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_search_create(
                user=request.user,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                frequency=form.cleaned_data["frequency"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Alerte créée : vous recevrez un e-mail quand de nouveaux appels y entreront."),
            )
            return redirect("saved_search_list")
    return render(
        request,
        "projects/alerts/form.html",
        {
            "form": form,
            "filters": filters,
            "list_url": SavedSearch(query=query).get_absolute_url(),
            "page_title": _("Nouvelle alerte"),
            "submit_label": _("Créer l'alerte"),
        },
    )


def saved_search_edit(request, pk):
    saved = _own(request, pk)
    form = SavedSearchForm(request.POST or None, instance=saved)
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_search_update(
                saved=saved,
                name=form.cleaned_data["name"],
                frequency=form.cleaned_data["frequency"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Alerte mise à jour."))
            return redirect("saved_search_list")
    if request.method == "POST":
        saved.refresh_from_db()  # the page's title and filters as saved, not as typed
    return render(
        request,
        "projects/alerts/form.html",
        {
            "form": form,
            "saved": saved,
            "filters": selectors.describe_query(saved.query, request.user),
            "list_url": saved.get_absolute_url(),
            "page_title": _("Modifier l'alerte"),
            "submit_label": _("Enregistrer"),
        },
    )


def saved_search_delete(request, pk):
    saved = _own(request, pk)
    if request.method == "POST":
        services.saved_search_delete(saved=saved, actor=request.user)
        messages.success(request, _("Alerte « %s » supprimée.") % saved.name)
        return redirect("saved_search_list")
    return render(
        request,
        "projects/alerts/delete.html",
        {"saved": saved, "filters": selectors.describe_query(saved.query, request.user)},
    )


@require_POST
def saved_search_pause(request, pk):
    saved = services.saved_search_toggle_pause(saved=_own(request, pk), actor=request.user)
    if saved.paused:
        messages.success(request, _("Alerte « %s » en pause.") % saved.name)
    else:
        messages.success(request, _("Alerte « %s » reprise.") % saved.name)
    return redirect("saved_search_list")


def _private(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def saved_search_unsubscribe(request, token):
    saved = services.saved_search_for_token(token)
    if saved is None:
        return _private(render(request, "projects/alerts/unsubscribe_unknown.html", status=404))
    if request.method == "POST":
        saved = services.saved_search_unsubscribe(saved=saved)
    return _private(
        render(
            request,
            "projects/alerts/unsubscribe.html",
            {"saved": saved, "token": token, "done": saved.unsubscribed_at is not None},
        )
    )
