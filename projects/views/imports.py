"""Imports of calls and their review (bureau), exports of the list, the deadlines feed.

- ``call_import``: a CSV, XLSX or JSON file and its source; the report of what was
  created, updated (dates), set aside, unchanged or refused, row by row.
- ``call_changes``: the changes imports set aside, accepted or refused one by one (POST).
- ``call_export_csv`` / ``call_export_xlsx``: the list as filtered by the same query
  string as ``/appels/``, streamed, every cell typed by someone defused.
- ``call_calendar``: my feed's address and the deadlines it holds; ``call_feed``: the
  feed itself, for a calendar application, by its secret link (no session).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from innovalo.exceptions import ServiceError
from innovalo.exports import stream_csv, stream_xlsx_download
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import ics, perms
from ..enums import CallState, ChangeStatus
from ..filters import CallFilter
from ..importers import COLUMNS, column_label, describe, read_calls
from ..models import Call, CallDeadline, PendingCallChange
from ..services import imports as services

REPORT_ROWS = 500  # rows listed per part of the report (the counts say how many in all)
CHANGES_PER_PAGE = 20
EXPORT_CHUNK = 500


# Import --------------------------------------------------------------------------------


class CallImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV, XLSX ou JSON"),
        help_text=gettext_lazy(
            "Un appel par ligne (ou par objet JSON). Colonnes obligatoires : external_id et "
            "title. CSV en UTF-8, séparé par des points-virgules ou des virgules ; 10 Mo au "
            "plus."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=services.SOURCE_MAX,
        help_text=gettext_lazy(
            "Le nom de la source, toujours le même pour elle (« aides-territoires », "
            "« region-hdf »…) : un appel est reconnu par sa source et son identifiant."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Simuler seulement (ne rien enregistrer)"), required=False
    )


def _report_sections(report) -> list[dict]:
    titles = {
        "created": _("Créés et publiés"),
        "updated": _("Mis à jour (dates appliquées)"),
        "set_aside": _("Mis de côté pour le bureau"),
        "unchanged": _("Inchangés"),
        "refused": _("Refusés"),
    }
    sections = []
    for name in report.SECTIONS:
        outcomes = getattr(report, name)
        rows = []
        for outcome in outcomes[:REPORT_ROWS]:
            rows.append(
                {
                    "outcome": outcome,
                    "changes": _readable_changes(outcome.changes),
                    "errors": [
                        (column_label(column), column, messages_)
                        for column, messages_ in outcome.errors
                    ],
                }
            )
        sections.append({"name": name, "title": titles[name], "count": len(outcomes), "rows": rows})
    return sections


def _readable_changes(changes) -> list[tuple[str, str, str]]:
    return [
        (column_label(name), describe(name, old, limit=300), describe(name, new, limit=300))
        for name, (old, new) in changes.items()
    ]


@require_http_methods(["GET", "POST"])
def call_import(request):
    require(perms.can_manage_calls(request.user))
    posted = request.method == "POST"
    form = CallImportForm(request.POST, request.FILES) if posted else CallImportForm()
    report = None
    if posted and form.is_valid():
        try:
            table = read_calls(form.cleaned_data["file"])
            report = services.calls_import(
                source=form.cleaned_data["source"],
                table=table,
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except services.ImportRefused as refused:
            add_service_error(form, refused)
            report = refused.report
        except ServiceError as error:
            add_service_error(form, error)
    return render(
        request,
        "projects/imports/call_import.html",
        {
            "form": form,
            "report": report,
            "sections": _report_sections(report) if report else [],
            "report_rows": REPORT_ROWS,
            "columns": COLUMNS,
            "pending_count": PendingCallChange.objects.filter(status=ChangeStatus.PENDING).count(),
        },
        status=400 if form.errors else 200,
    )


# Review of the changes set aside ----------------------------------------------------------


class DecisionForm(forms.Form):
    change = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("refuse", "refuse")])


@require_http_methods(["GET", "POST"])
def call_changes(request):
    require(perms.can_manage_calls(request.user))
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choisissez une modification et une décision."))
            return redirect("call_changes")
        change = get_object_or_404(PendingCallChange, pk=form.cleaned_data["change"])
        try:
            if form.cleaned_data["decision"] == "accept":
                call = services.call_change_accept(change=change, actor=request.user)
                messages.success(request, _("Modification acceptée : « %s » est à jour.") % call)
            else:
                call = services.call_change_refuse(change=change, actor=request.user)
                messages.success(request, _("Modification refusée : « %s » reste inchangé.") % call)
        except ServiceError as error:
            messages.error(request, str(error))
        page = request.POST.get("page", "")
        url = request.path + (f"?page={int(page)}" if page.isdigit() else "")
        return redirect(url)
    changes = (
        PendingCallChange.objects.filter(status=ChangeStatus.PENDING)
        .select_related("call")
        .order_by("created_at", "pk")
    )
    page = Paginator(changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    for change in page.object_list:
        change.readable = _readable_changes(change.changes)
    return render(request, "projects/imports/call_changes.html", {"page_obj": page})


# Exports ---------------------------------------------------------------------------------


def _export_rows(request):
    """The calls of the list with the same filters, next deadline and its label."""
    require(perms.can_export_calls(request.user))
    now = timezone.now()
    ahead = CallDeadline.objects.filter(call=OuterRef("pk"), due_at__gte=now).order_by(
        "due_at", "pk"
    )
    queryset = Call.objects.for_list(now).annotate(
        next_deadline_label=Subquery(ahead.values("label")[:1])
    )
    calls = CallFilter(request.GET, queryset=queryset, request=request, now=now).qs
    header = [
        _("Titre"),
        _("Financeurs"),
        _("Thèmes"),
        _("Nature"),
        _("Portée"),
        _("Régions"),
        _("Prochaine date limite"),
        _("Étape"),
        _("État"),
        _("Montant minimum (€)"),
        _("Montant maximum (€)"),
        _("Taux minimum (%)"),
        _("Taux maximum (%)"),
        _("Page de l'appel"),
        _("Site de dépôt"),
        _("Statut"),
    ]
    kinds, scopes = dict(Call.kind.field.choices), dict(Call.scope.field.choices)
    states = {value: str(label) for value, label in CallState.choices}
    statuses = {value: str(label) for value, label in Call.status.field.choices}
    kinds = {value: str(label) for value, label in kinds.items()}
    scopes = {value: str(label) for value, label in scopes.items()}
    tz = timezone.get_current_timezone()

    def rows():
        for call in calls.iterator(chunk_size=EXPORT_CHUNK):
            deadline = call.next_deadline
            yield [
                call.title,
                ", ".join(funder.name for funder in call.funders.all()),
                ", ".join(theme.name for theme in call.themes.all()),
                kinds.get(call.kind, call.kind),
                scopes.get(call.scope, call.scope),
                ", ".join(region.name for region in call.regions.all()),
                deadline.astimezone(tz).replace(tzinfo=None) if deadline else None,
                call.next_deadline_label
                or (_("Ouvert toute l'année") if call.open_all_year else ""),
                states[call.state(now, deadline)],
                call.amount_min,
                call.amount_max,
                call.rate_min,
                call.rate_max,
                call.url,
                call.application_url,
                statuses.get(call.status, call.status),
            ]

    return header, rows()


def _filename(extension) -> str:
    return f"appels-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_GET
def call_export_csv(request):
    header, rows = _export_rows(request)
    return stream_csv(header, rows, _filename("csv"), date_format="%d/%m/%Y %H:%M")


@require_GET
def call_export_xlsx(request):
    header, rows = _export_rows(request)
    return stream_xlsx_download(header, rows, _filename("xlsx"), title=_("Appels"))


# Calendar --------------------------------------------------------------------------------


@require_GET
def call_calendar(request):
    require(perms.can_follow_calls(request.user))
    now = timezone.now()
    feed_path = ics.feed_path(request.user)
    feed_url = request.build_absolute_uri(feed_path)
    return render(
        request,
        "projects/imports/call_calendar.html",
        {
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "feed_path": feed_path,
            "deadlines": list(ics.followed_deadlines(request.user).filter(due_at__gte=now)[:50]),
        },
    )


@login_not_required
@never_cache
@require_GET
def call_feed(request, token):
    """A calendar application fetches this without a session: the signed link is the key."""
    user = ics.feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(
        ics.feed_ics(ics.followed_deadlines(user)[: ics.MAX_EVENTS]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="innovalo-appels.ics"'
    return response
