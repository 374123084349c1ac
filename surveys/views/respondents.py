"""External respondents (bureau): their list, their import, the invitations.

Only for external questionnaires (a platform survey's page is a 404), only for the
bureau (others: 403). The answers are never shown here: the list says where each
respondent stands (invited, reminded, started, completed...), never what they said.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import require

from .. import perms
from ..enums import InvitationState
from ..forms.respondents import InvitationForm, RespondentFilterForm, RespondentImportForm
from ..importers import COLUMNS, read_respondents
from ..models import Campaign
from ..selectors.respondents import STAGES, respondent_counts, respondent_rows
from ..services import invitations as invitation_services
from ..services.respondents import ImportRefused, respondents_import

PER_PAGE = 50
REPORT_ROWS = 500  # rows with errors shown at most (the count says how many in all)


def _campaign(request, pk) -> Campaign:
    require(perms.can_manage_respondents(request.user))
    campaign = get_object_or_404(Campaign.objects.order_by(), pk=pk)
    if not campaign.is_external:
        raise Http404
    return campaign


def _progress_context(campaign) -> dict:
    return {
        "campaign": campaign,
        "progress": invitation_services.invitations_progress(campaign),
        "accepting": invitation_services.accepting(campaign),
    }


@require_GET
def respondent_list(request, pk):
    campaign = _campaign(request, pk)
    filter_form = RespondentFilterForm(request.GET or None)
    filters = filter_form.filters()
    page = Paginator(respondent_rows(campaign, **filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = respondent_counts(campaign)
    stages = [(key, str(label), counts[key]) for key, (label, _condition) in STAGES.items()]
    # Labels translated once for the page, not once per row.
    stage_labels = {key: label for key, label, _count in stages}
    invitation_labels = {value: str(label) for value, label in InvitationState.choices}
    for respondent in page.object_list:
        respondent.stage_label = stage_labels.get(respondent.stage, "")
        respondent.invitation_label = invitation_labels.get(respondent.invitation, "")
    return render(
        request,
        "surveys/respondents.html",
        {
            **_progress_context(campaign),
            "filter_form": filter_form,
            "status": filters["status"],
            "page_obj": page,
            "counts": counts,
            "stages": stages,
            "import_form": RespondentImportForm(),
            "columns": COLUMNS,
        },
    )


@require_http_methods(["GET", "POST"])
def respondent_import(request, pk):
    campaign = _campaign(request, pk)
    posted = request.method == "POST"
    form = RespondentImportForm(request.POST, request.FILES) if posted else RespondentImportForm()
    report = None
    if posted and form.is_valid():
        try:
            rows = read_respondents(form.cleaned_data["file"])
            result = respondents_import(campaign=campaign, rows=rows, actor=request.user)
        except ImportRefused as refused:
            add_service_error(form, refused)
            report = refused.report
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Import terminé : %(created)s répondant(s) ajouté(s), %(updated)s mis à "
                    "jour, %(unchanged)s inchangé(s), %(merged)s doublon(s) du fichier fusionné(s)."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "merged": len(result.merged),
                },
            )
            return redirect("survey_respondents", campaign.pk)
    return render(
        request,
        "surveys/respondents_import.html",
        {
            "campaign": campaign,
            "form": form,
            "columns": COLUMNS,
            "report_rows": report.errors[:REPORT_ROWS] if report else [],
            "report_count": len(report.errors) if report else 0,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def invitation_control(request, pk):
    """GET: the progress fragment (polled by htmx while sending). POST: start, stop,
    resume or retry, then back to the list (or the fragment, for htmx)."""
    campaign = _campaign(request, pk)
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Action inconnue."))
        else:
            action = form.cleaned_data["action"]
            service = {
                "start": invitation_services.invitations_start,
                "stop": invitation_services.invitations_stop,
                "resume": invitation_services.invitations_resume,
                "retry": invitation_services.invitations_retry,
            }[action]
            try:
                count = service(campaign=campaign, actor=request.user)
            except ServiceError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _DONE[action] % {"count": count})
        if not htmx:
            return redirect("survey_respondents", campaign.pk)
    return render(request, "surveys/respondents_invitations.html", _progress_context(campaign))


_DONE = {
    "start": gettext_lazy("Envoi lancé : %(count)s invitation(s) en attente."),
    "stop": gettext_lazy("Envoi arrêté : %(count)s invitation(s) restent à envoyer."),
    "resume": gettext_lazy("Envoi repris : %(count)s invitation(s) de plus en attente."),
    "retry": gettext_lazy("%(count)s invitation(s) seront renvoyées."),
}
