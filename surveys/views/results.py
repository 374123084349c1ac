"""Results, exports and the national report.

- ``results``: the bureau, the ministry once the campaign is closed, the platforms'
  people once results are published (``perms.can_see_results``). Figures drawn from
  fewer than three responses are "secret" for everyone but the bureau; free text is
  the bureau's. Filters, the cross-tabulation and free-text pages are in the query
  string, so that a GET never writes.
- ``export``: the bureau's CSV (streamed) or XLSX (written to a temporary file) of
  every response, read a chunk of responses at a time.
- ``report_pdf``: the national report (WeasyPrint), with the page's figures and charts.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from innovalo.exports import stream_csv, stream_xlsx_download
from innovalo.french import French
from innovalo.pdf import pdf_response, render_pdf
from innovalo.perms import is_bureau, is_ministry
from members.enums import LabelStatus
from members.models import Domain, Platform

from .. import perms
from ..enums import CampaignKind
from ..models import Campaign
from ..selectors import exports
from ..selectors import results as selectors
from ..selectors.results import cache as results_cache

EXPORT_FORMATS = ("csv", "xlsx")


# Forms (the query string) -------------------------------------------------------------


class ResultsFilterForm(forms.Form):
    """Region, domain and label status; a wrong value is reported next to its field
    and the other filters still apply."""

    region = forms.TypedChoiceField(label=gettext_lazy("Région"), required=False, coerce=int)
    domain = forms.TypedChoiceField(label=gettext_lazy("Domaine"), required=False, coerce=int)
    label = forms.ChoiceField(label=gettext_lazy("Label"), required=False)

    def __init__(self, data, *, campaign, regions, domains):
        super().__init__(data)
        everything = [("", _("Toutes"))]
        self.fields["region"].choices = everything + list(regions.items())
        if campaign.kind == CampaignKind.EXTERNAL:
            del self.fields["domain"], self.fields["label"]
            return
        self.fields["domain"].choices = [("", _("Tous"))] + list(domains)
        self.fields["label"].choices = [("", _("Tous"))] + list(LabelStatus.choices)

    def filters(self) -> selectors.Filters:
        self.is_valid()
        data = self.cleaned_data
        return selectors.Filters(
            region=data.get("region") or None,
            domain=data.get("domain") or None,
            label_status=data.get("label") or "",
        )


class CrossTabForm(forms.Form):
    """Two choice questions (single choice, yes/no or scale) to cross."""

    rows = forms.ChoiceField(label=gettext_lazy("En lignes"))
    columns = forms.ChoiceField(label=gettext_lazy("En colonnes"))

    def __init__(self, data, *, questions):
        super().__init__(data)
        self.questions = {q.code: q for q in questions if q.type in selectors.CROSS_TYPES}
        choices = [("", "—")] + [(code, q.label) for code, q in self.questions.items()]
        self.fields["rows"].choices = choices
        self.fields["columns"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rows") and cleaned.get("rows") == cleaned.get("columns"):
            self.add_error("columns", _("Choisissez deux questions différentes."))
        return cleaned

    def chosen(self):
        """(row question, column question), or None."""
        if not self.is_valid():
            return None
        return self.questions[self.cleaned_data["rows"]], self.questions[
            self.cleaned_data["columns"]
        ]


# Access ----------------------------------------------------------------------------------


def _campaign(request, pk) -> Campaign:
    """The campaign, if the user may see its results: 403 when they know it exists
    but may not see its results yet, 404 when they may not even see it."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if perms.can_see_results(request.user, campaign):
        return campaign
    if perms.can_see_campaign(request.user, campaign):
        raise PermissionDenied
    raise Http404


def _visible(user):
    return lambda campaign: perms.can_see_results(user, campaign)


def _viewer(user) -> str:
    """What decides which figures a viewer sees (secrecy, earlier campaigns, free text):
    their kind, not who they are."""
    if is_bureau(user):
        return "bureau"
    return "ministry" if is_ministry(user) else "member"


# Results page ----------------------------------------------------------------------------


@require_GET
def results(request, pk):
    campaign = _campaign(request, pk)
    user = request.user
    keep_secret = perms.must_keep_secret(user)
    regions = selectors.region_names()
    domains = []
    if campaign.kind == CampaignKind.PLATFORM_SURVEY:
        domains = Domain.objects.order_by(French("name"), "pk").values_list("pk", "name")
    filter_form = ResultsFilterForm(
        request.GET, campaign=campaign, regions=regions, domains=domains
    )
    filters = filter_form.filters()
    questions = selectors.load_questions(campaign)
    cross_form = CrossTabForm(request.GET if "rows" in request.GET else None, questions=questions)
    chosen = cross_form.chosen() if cross_form.is_bound else None
    can_see_free_text = perms.can_see_free_text(user)
    text_question = None
    if can_see_free_text:
        wanted = request.GET.get("textes", "")
        text_question = next(
            (q for q in questions if q.code == wanted and q.type in selectors.TEXT_TYPES), None
        )
    free_text = can_see_free_text and text_question is None
    cross = (chosen[0].pk, chosen[1].pk) if chosen else None
    page = results_cache.cached(
        results_cache.key(campaign, _viewer(user), filters, cross, free_text),
        lambda: selectors.campaign_results(
            campaign,
            filters=filters,
            keep_secret=keep_secret,
            visible=_visible(user),
            questions=questions,
            regions=regions,
            cross=chosen or None,
            free_text=free_text,
        ),
    )
    text_page = None
    if text_question is not None:
        text_page = selectors.free_text_page(
            campaign, text_question, request.GET.get("page"), filters
        )

    comparisons = []
    if not (is_bureau(user) or is_ministry(user)):  # platform people
        platforms = list(Platform.objects.managed_by(user).only("pk", "name", "slug"))
        comparisons = selectors.platform_comparison(campaign, platforms, page)

    context = {
        "campaign": campaign,
        "results": page,
        "filter_form": filter_form,
        "cross_form": cross_form,
        "cross": page.cross,
        "text_limit": selectors.FREE_TEXT_LIMIT,
        "text_page": text_page,
        "text_question": text_question,
        "can_see_free_text": can_see_free_text,
        "can_export": perms.can_export_responses(user),
        "comparisons": comparisons,
        "secrecy_min": selectors.SECRECY_MIN,
    }
    return render(request, "surveys/results.html", context)


# Export ----------------------------------------------------------------------------------


@require_GET
def export(request, pk):
    campaign = _campaign(request, pk)
    if not perms.can_export_responses(request.user):
        raise PermissionDenied
    chosen = request.GET.get("format", "csv")
    if chosen not in EXPORT_FORMATS:
        return HttpResponseBadRequest(
            _("Format d'export inconnu : choisissez csv ou xlsx."),
            content_type="text/plain; charset=utf-8",
        )
    questions = selectors.load_questions(campaign)
    header = exports.export_header(campaign, questions)
    rows = exports.export_rows(campaign, questions)
    filename = f"reponses-{slugify(campaign.title)[:60] or campaign.pk}"
    if chosen == "csv":
        return stream_csv(header, rows, f"{filename}.csv")
    # Streamed as it is written (innovalo.xlsx): the first bytes leave at once and
    # 100,000 responses finish within the server's timeout, in constant memory.
    return stream_xlsx_download(header, rows, f"{filename}.xlsx", title=_("Réponses"))


# National report -------------------------------------------------------------------------


def report_context(campaign, user) -> dict:
    # The results page's cache: the same figures, kept until a response changes (half a
    # second of aggregates over 100,000 responses at federation scale, out of a report's 3).
    results_ = results_cache.cached(
        results_cache.key(campaign, _viewer(user), "national report"),
        lambda: selectors.campaign_results(
            campaign, keep_secret=perms.must_keep_secret(user), visible=_visible(user)
        ),
    )
    return {
        "campaign": campaign,
        "results": results_,
        "secrecy_min": selectors.SECRECY_MIN,
        "today": timezone.localdate(),
    }


@require_GET
def report_pdf(request, pk):
    campaign = _campaign(request, pk)
    filename = f"rapport-{slugify(campaign.title)[:60] or campaign.pk}.pdf"
    filename, content = render_pdf(
        "pdf/survey_report.html", report_context(campaign, request.user), filename=filename
    )
    return pdf_response(filename, content)
