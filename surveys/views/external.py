"""The token link: an external respondent answers without an account, or opts out.

``/q/<token>/`` shows the questionnaire, saves drafts (every answer typed is kept,
the invalid ones come back with their message), accepts one submission, then says the
answer was received. An unknown token, an opted-out respondent or a campaign that is
not open gets a clear page with status 404, never a 500.

``/q/<token>/desinscription/``: a GET shows one button (it never writes); a POST opts
out, the button's or a mail client's one-click POST (RFC 8058), which carries no CSRF
token: the view is CSRF-exempt (a POST can only opt out the token's holder, again and
again to no effect).

In an anonymous campaign the page never names the respondent's organisation.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from innovalo.exceptions import ServiceError

from .. import services
from ..enums import CampaignStatus, RespondentStatus, ResponseStatus
from ..models import Respondent, Response
from ..questionnaire import load_questionnaire, stored_values
from ..services.responses import CONFLICT

NOT_SENT = gettext_lazy(
    "Votre réponse n'est pas encore envoyée : %(count)s réponse(s) à compléter ou corriger, "
    "signalée(s) ci-dessous. Le reste est enregistré."
)
DRAFT_WITH_ERRORS = gettext_lazy(
    "Brouillon enregistré, sauf %(count)s réponse(s) à corriger, signalée(s) ci-dessous "
    "avec ce que vous avez saisi."
)


def _private(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(request, reason, campaign=None):
    return _private(
        render(
            request,
            "surveys/questionnaire_unavailable.html",
            {"reason": reason, "campaign": campaign},
            status=404,
        )
    )


def _closed_reason(campaign):
    """Why the campaign's link takes no answer now, or "" when it does."""
    today = timezone.localdate()
    if campaign.status == CampaignStatus.DRAFT or today < campaign.opens_on:
        return "not_open"
    if campaign.status != CampaignStatus.OPEN or today > campaign.closes_on:
        return "closed"
    return ""


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _page(request, respondent, response, questionnaire, *, raw=None, errors=None, status=200):
    campaign = respondent.campaign
    return _private(
        render(
            request,
            "surveys/questionnaire_answer.html",
            {
                "campaign": campaign,
                "respondent": respondent,
                "token": request.resolver_match.kwargs["token"],
                "version": response.version if response else 0,
                "started": response is not None and response.status != ResponseStatus.NOT_STARTED,
                "sections": questionnaire.sections(
                    values=stored_values(response, questionnaire), raw=raw, errors=errors
                ),
                "error_count": len(errors or {}),
            },
            status=status,
        )
    )


def _save(request, respondent, response, questionnaire):
    """Save the POST as a draft: (response, raw, errors, refused)."""
    raw = questionnaire.parse(request.POST)
    try:
        if response is None:
            response = services.response_start(campaign=respondent.campaign, respondent=respondent)
        errors = services.response_save_draft(
            response=response, answers=raw, expected_version=_version(request), actor=None
        )
    except ServiceError as error:
        if str(error) == str(CONFLICT):
            error = ServiceError(
                _(
                    "Cette réponse a été modifiée dans une autre fenêtre : votre saisie est "
                    "ci-dessous mais n'est pas enregistrée. Enregistrez à nouveau pour la garder."
                )
            )
        messages.error(request, str(error))
        return response, raw, {}, True
    return response, raw, errors, False


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire(request, token):
    respondent = Respondent.find_by_token(token)
    if respondent is None:
        return _unavailable(request, "unknown")
    campaign = respondent.campaign
    if not campaign.is_external:
        return _unavailable(request, "unknown")
    if respondent.status == RespondentStatus.OPTED_OUT:
        return _unavailable(request, "opted_out", campaign)
    response = Response.objects.filter(respondent=respondent).order_by().first()
    if response is not None and response.status == ResponseStatus.SUBMITTED:
        return _private(
            render(
                request,
                "surveys/questionnaire_received.html",
                {"campaign": campaign, "response": response},
            )
        )
    reason = _closed_reason(campaign)
    if reason:
        return _unavailable(request, reason, campaign)
    questionnaire = load_questionnaire(campaign)
    if request.method != "POST":
        return _page(request, respondent, response, questionnaire)
    response, raw, errors, refused = _save(request, respondent, response, questionnaire)
    submit = "submit" in request.POST
    if not refused and not errors and submit:
        errors = services.response_check(response)
        if not errors:
            try:
                services.response_submit(
                    response=response, actor=None, expected_version=response.version
                )
            except ServiceError as error:
                messages.error(request, str(error))
                refused = True
            else:
                return redirect("survey_questionnaire", token)
    if refused or errors:
        if errors:
            message = NOT_SENT if submit else DRAFT_WITH_ERRORS
            messages.warning(request, message % {"count": len(errors)})
        return _page(
            request, respondent, response, questionnaire, raw=raw, errors=errors, status=400
        )
    messages.success(
        request,
        _("Brouillon enregistré. Vous pouvez revenir plus tard avec le lien de votre courriel."),
    )
    anchor = request.POST.get("anchor", "")
    url = reverse("survey_questionnaire", args=[token])
    return redirect(f"{url}#{anchor}" if anchor.startswith("section-") else url)


@login_not_required
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def opt_out(request, token):
    respondent = Respondent.find_by_token(token)
    if respondent is None or not respondent.campaign.is_external:
        return _unavailable(request, "unknown")
    done = respondent.status == RespondentStatus.OPTED_OUT
    if request.method == "POST":
        services.respondent_opt_out(respondent=respondent, actor=None)
        done = True
    return _private(
        render(
            request,
            "surveys/questionnaire_opt_out.html",
            {"campaign": respondent.campaign, "done": done, "token": token},
        )
    )
