"""The public side of firms' requests (``/demandes/``), no account needed:

- ``request_create``: the form "Déposer une demande" (from the directory, a region page or
  a platform's profile), protected by ``projects/antispam.py``;
- ``request_sent``: the thank-you page, showing the private link once (passed through the
  session, never in a URL);
- ``request_track``: the firm's private page (its link's token, checked by its hash):
  what it sent, the dated states, the platform that took it, the messages, a form to
  write, and the request to delete its data (``request_track_message``, ``request_erase``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from members.models import Platform, Region

from .. import antispam
from ..enums import CLOSED_REQUEST_STATUSES, RequestEventKind, RequestSource, RequestStatus
from ..forms.requests_public import (
    REGION_CODE,
    SLUG,
    DeletionForm,
    MessageForm,
    RequestForm,
)
from ..models import FirmRequest, RequestEvent
from ..routing import LABELLED
from ..services import requests as services

SENT_SESSION_KEY = "firm_request_sent"
# The states after which a platform's name is shown to the firm (it took the request).
TAKEN_STATES = (RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS, RequestStatus.DONE)


def _private(response):
    """The firm's pages: never indexed, never cached (``never_cache``). The link's token
    never leaves the site in a referrer: the site's policy is "same-origin" (not
    "no-referrer", under which browsers post ``Origin: null`` and CSRF fails)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _client_ip(request) -> str:
    """The client's address as the server sees it (see ``projects/antispam.py``)."""
    return request.META.get("REMOTE_ADDR", "") or ""


# The form ---------------------------------------------------------------------------------


def _addressed_platform(slug):
    """The platform a request from its profile goes to: labelled ones only."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        return None
    return (
        Platform.objects.filter(slug=slug, label_status__in=LABELLED)
        .select_related("department__region")
        .only("pk", "name", "slug", "city", "label_status", "department__region__name")
        .first()
    )


def _region(code):
    if not isinstance(code, str) or not REGION_CODE.match(code):
        return None
    return Region.objects.filter(code=code, is_current=True).only("pk", "name", "code").first()


def _source(value, platform, region):
    if value in RequestSource.values:
        return value
    if platform is not None:
        return RequestSource.PLATFORM
    return RequestSource.REGION if region is not None else RequestSource.DIRECTORY


def _form_page(request, form, *, platform, region, status=200):
    params = {"source": form["source"].value() or RequestSource.DIRECTORY}
    choose_url = reverse("request_create") + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return render(
        request,
        "projects/requests_public/request_form.html",
        {
            "form": form,
            "platform": platform,
            "region": region,
            "network_url": choose_url,
            "honeypot_field": antispam.HONEYPOT_FIELD,
            "retention_years": services.REQUEST_RETENTION_DAYS // 365,
        },
        status=status,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def request_create(request):
    if request.method != "POST":
        slug = request.GET.get("platform", "")
        platform = _addressed_platform(slug)
        if slug and platform is None:
            messages.info(
                request,
                _(
                    "Cette plateforme ne reçoit pas de demandes en ligne : le réseau choisira "
                    "la bonne plateforme pour vous."
                ),
            )
        region = _region(request.GET.get("region", ""))
        form = RequestForm(
            initial={
                "platform": platform.slug if platform else "",
                "region": region.code if region else "",
                "source": _source(request.GET.get("source"), platform, region),
                "stamp": antispam.issue_stamp(),
            }
        )
        return _form_page(request, form, platform=platform, region=region)

    data = request.POST.copy()
    refusal = antispam.check_form(data)
    # The page shown again carries a fresh stamp and an empty trap, with all typed.
    data[antispam.STAMP_FIELD] = antispam.issue_stamp()
    data[antispam.HONEYPOT_FIELD] = ""
    form = RequestForm(data)
    valid = form.is_valid()
    slug = form.cleaned_data.get("platform", "") if valid else data.get("platform", "")
    platform = _addressed_platform(slug)
    region = _region(data.get("region", ""))
    if valid and refusal is None:
        refusal = antispam.check_rate(ip=_client_ip(request), email=form.cleaned_data["email"])
    if refusal is not None:
        form.add_error(None, refusal)
        return _form_page(request, form, platform=platform, region=region, status=400)
    if not valid:
        return _form_page(request, form, platform=platform, region=region, status=400)
    if slug and platform is None:
        form.add_error(
            None,
            _(
                "Cette plateforme ne reçoit pas de demandes en ligne : envoyez de nouveau, le "
                "réseau choisira la bonne plateforme pour vous."
            ),
        )
        form.data = form.data.copy()
        form.data["platform"] = ""
        return _form_page(request, form, platform=None, region=region, status=400)
    cleaned = form.cleaned_data
    try:
        firm_request, token = services.request_create(
            company_name=cleaned["company_name"],
            siret=cleaned["siret"],
            contact_name=cleaned["contact_name"],
            email=cleaned["email"],
            phone=cleaned["phone"],
            department=cleaned["department"],
            need=cleaned["need"],
            domains=cleaned["domains"],
            timing=cleaned["timing"],
            source=cleaned["source"],
            platform=platform,
        )
    except ServiceError as error:
        add_service_error(form, error)
        return _form_page(request, form, platform=platform, region=region, status=400)
    antispam.count_request(ip=_client_ip(request), email=cleaned["email"])
    request.session[SENT_SESSION_KEY] = {
        "token": token,
        "email": firm_request.email,
        "platform": platform.name if platform else "",
    }
    return redirect("request_sent")


@login_not_required
@never_cache
def request_sent(request):
    """After the POST: what happens next, and the private link, shown once."""
    sent = request.session.pop(SENT_SESSION_KEY, None)
    sent = sent if isinstance(sent, dict) else {}
    token = sent.get("token")
    link = request.build_absolute_uri(reverse("request_track", args=[token])) if token else ""
    return _private(
        render(
            request,
            "projects/requests_public/request_sent.html",
            {
                "link": link,
                "email": sent.get("email", ""),
                "platform_name": sent.get("platform", ""),
                "retention_years": services.REQUEST_RETENTION_DAYS // 365,
            },
        )
    )


# The firm's private page --------------------------------------------------------------------


def _firm_request(token):
    """The request of a private link, or 404 (unknown token, data erased)."""
    queryset = FirmRequest.objects.select_related(
        "department", "region", "taken_by__department", "target_platform"
    )
    firm_request = services.find_request_by_token(token, queryset)
    if firm_request is None or firm_request.anonymised_at:
        raise Http404
    return firm_request


def _timeline(firm_request):
    """What the firm sees of its request's history: the dated states and the messages
    (never internal notes, never which platforms declined or were proposed)."""
    events = (
        RequestEvent.objects.filter(
            request=firm_request,
            kind__in=[
                RequestEventKind.CREATED,
                RequestEventKind.ROUTED,
                RequestEventKind.STATUS,
                RequestEventKind.MESSAGE_FIRM,
                RequestEventKind.MESSAGE_PLATFORM,
            ],
        )
        .only("pk", "kind", "status", "platform_id", "text", "created_at")
        .order_by("created_at", "pk")
    )
    states, conversation = [], []
    taker = firm_request.taken_by
    for event in events:
        from_taker = taker is not None and event.platform_id == taker.pk
        if event.kind in (RequestEventKind.MESSAGE_FIRM, RequestEventKind.MESSAGE_PLATFORM):
            conversation.append(
                {
                    "mine": event.kind == RequestEventKind.MESSAGE_FIRM,
                    "platform": taker if from_taker else None,
                    "text": event.text,
                    "at": event.created_at,
                }
            )
            continue
        if event.kind == RequestEventKind.CREATED:
            label = _("Demande déposée")
        elif event.kind == RequestEventKind.ROUTED:
            label = _("Transmise à une plateforme du réseau")
        elif event.status in RequestStatus.values:
            label = RequestStatus(event.status).label
        else:
            continue  # a change the firm has nothing to read in (a routing's answer)
        states.append(
            {
                "label": label,
                "at": event.created_at,
                "platform": taker if from_taker and event.status in TAKEN_STATES else None,
            }
        )
    return states, conversation


def _firm_may_write(firm_request) -> bool:
    return not firm_request.deletion_requested_at and (
        firm_request.status not in CLOSED_REQUEST_STATUSES
    )


def _track_page(request, firm_request, token, *, message_form=None, deletion_form=None, status=200):
    states, conversation = _timeline(firm_request)
    may_write = _firm_may_write(firm_request)
    taken = firm_request.taken_by if firm_request.status in TAKEN_STATES else None
    return _private(
        render(
            request,
            "projects/requests_public/request_track.html",
            {
                "firm_request": firm_request,
                "token": token,
                "domains": list(firm_request.domains.all()),
                "states": states,
                "conversation": conversation,
                "taken_by": taken or firm_request.taken_by,
                "may_write": may_write,
                "message_form": message_form or (MessageForm() if may_write else None),
                "deletion_form": deletion_form or DeletionForm(),
                "retention_years": services.REQUEST_RETENTION_DAYS // 365,
            },
            status=status,
        )
    )


@login_not_required
@never_cache
@require_http_methods(["GET"])
def request_track(request, token):
    firm_request = _firm_request(token)
    return _track_page(request, firm_request, token)


@login_not_required
@never_cache
@require_POST
def request_message(request, token):
    firm_request = _firm_request(token)
    form = MessageForm(request.POST)
    if not _firm_may_write(firm_request):
        messages.error(request, _("Cette demande ne reçoit plus de message."))
        return redirect("request_track", token)
    if form.is_valid():
        refusal = antispam.check_messages(firm_request.pk)
        if refusal is not None:
            form.add_error(None, refusal)
        else:
            try:
                services.request_firm_message(request=firm_request, text=form.cleaned_data["text"])
            except ServiceError as error:
                add_service_error(form, error)
            else:
                antispam.count_message(firm_request.pk)
                messages.success(request, _("Message envoyé."))
                return redirect(reverse("request_track", args=[token]) + "#messages")
    return _track_page(request, firm_request, token, message_form=form, status=400)


@login_not_required
@never_cache
@require_POST
def request_erase(request, token):
    firm_request = _firm_request(token)
    form = DeletionForm(request.POST)
    if not form.is_valid():
        return _track_page(request, firm_request, token, deletion_form=form, status=400)
    services.request_deletion_ask(request=firm_request)
    messages.success(
        request,
        _("Demande d'effacement enregistrée : vos coordonnées seront effacées sous 30 jours."),
    )
    return redirect("request_track", token)
