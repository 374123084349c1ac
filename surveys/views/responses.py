"""A platform's people answer: the campaigns they are concerned by, their response.

The response page is one form over every section: each "save the draft" button saves
all that was typed (valid answers are kept, the others come back with their message
and what was typed); "send" saves, checks everything, then submits.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovalo.audit import entries_for
from innovalo.exceptions import ServiceError
from innovalo.pdf import pdf_response, render_pdf
from innovalo.perms import require
from members.models import Platform

from .. import perms, services
from ..enums import CampaignKind, ResponseStatus
from ..models import Campaign, Response
from ..questionnaire import display_text, load_questionnaire, previous_values, stored_values
from ..selectors import responses as selectors
from ..services.answers import answer_value
from ..services.responses import CONFLICT


def campaign_list(request):
    campaigns = selectors.campaigns_for(request.user)
    page = Paginator(campaigns, 20).get_page(request.GET.get("page"))
    rows = selectors.campaign_rows(request.user, list(page.object_list))
    return render(request, "surveys/campaign_list.html", {"page_obj": page, "rows": rows})


def _campaign_and_platform(request, pk, slug):
    """The campaign and platform of a response page, if the user may see that response.
    Drafts and external campaigns do not exist here (404); a response the user may not
    see is refused (403)."""
    campaign = get_object_or_404(Campaign.objects.order_by(), pk=pk)
    if campaign.kind != CampaignKind.PLATFORM_SURVEY or not perms.can_see_campaign(
        request.user, campaign
    ):
        raise Http404
    platform = get_object_or_404(Platform.objects.order_by(), slug=slug)
    require(perms.can_see_response(request.user, campaign, platform))
    return campaign, platform


def _response_of(campaign, platform):
    return (
        Response.objects.filter(campaign=campaign, platform=platform)
        .select_related("submitted_by")
        .order_by()
        .first()
    )


def _page(request, campaign, platform, response, questionnaire, *, raw=None, errors=None):
    values = stored_values(response, questionnaire)
    previous = previous_values(campaign, platform, questionnaire)
    can_answer = perms.can_answer(request.user, campaign, platform)
    closed = campaign.closes_on < timezone.localdate()
    return render(
        request,
        "surveys/response_edit.html",
        {
            "campaign": campaign,
            "platform": platform,
            "response": response,
            "status": response.status if response else ResponseStatus.NOT_STARTED,
            "version": response.version if response else 0,
            "sections": questionnaire.sections(
                values=values, raw=raw, errors=errors, previous=previous
            ),
            "error_count": len(errors or {}),
            "has_previous": bool(previous),
            "readonly": not can_answer or closed,
            "today": timezone.localdate(),
            "can_reopen": response is not None
            and response.status == ResponseStatus.SUBMITTED
            and perms.can_reopen_response(request.user),
        },
        status=400 if errors else 200,
    )


def _conflicts(questionnaire, response, raw) -> dict:
    """After a refused save: for each field whose stored value changed meanwhile and
    differs from what this user typed, a message saying what the other person saved."""
    response.refresh_from_db()
    stored = stored_values(response, questionnaire)
    notes = {}
    for code, typed in raw.items():
        question = questionnaire.by_code[code]
        try:
            mine = answer_value(question, typed)
        except ServiceError:
            mine = object()
        theirs = stored.get(code)
        if mine != theirs and theirs is not None:
            notes[code] = _(
                "Enregistré entre-temps par une autre personne : « %(value)s ». "
                "Votre saisie est ci-dessus ; enregistrez pour la garder."
            ) % {"value": display_text(question, theirs)}
    return notes


def _save(request, campaign, platform, response, questionnaire):
    """Save what the POST typed. Returns (response, raw, errors, refused)."""
    raw = questionnaire.parse(request.POST)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        if response is None:
            response = services.response_start(campaign=campaign, platform=platform)
        errors = services.response_save_draft(
            response=response, answers=raw, expected_version=version, actor=request.user
        )
    except ServiceError as error:
        messages.error(request, str(error))
        errors = {}
        if str(error) == str(CONFLICT) and response is not None:
            errors = _conflicts(questionnaire, response, raw)
        return response, raw, errors, True
    return response, raw, errors, False


def response_edit(request, pk, slug):
    campaign, platform = _campaign_and_platform(request, pk, slug)
    response = _response_of(campaign, platform)
    questionnaire = load_questionnaire(campaign)
    if request.method != "POST":
        return _page(request, campaign, platform, response, questionnaire)
    require(perms.can_answer(request.user, campaign, platform))
    response, raw, errors, refused = _save(request, campaign, platform, response, questionnaire)
    if refused or errors:
        if errors and not refused:
            messages.warning(
                request,
                _(
                    "Brouillon enregistré, sauf %(count)s réponse(s) à corriger : "
                    "elles sont signalées ci-dessous avec ce que vous avez saisi."
                )
                % {"count": len(errors)},
            )
        return _page(request, campaign, platform, response, questionnaire, raw=raw, errors=errors)
    messages.success(request, _("Brouillon enregistré."))
    anchor = request.POST.get("anchor", "")
    url = reverse("survey_response", args=[campaign.pk, platform.slug])
    return redirect(f"{url}#{anchor}" if anchor.startswith("section-") else url)


@require_POST
def response_submit(request, pk, slug):
    campaign, platform = _campaign_and_platform(request, pk, slug)
    require(perms.can_answer(request.user, campaign, platform))
    response = _response_of(campaign, platform)
    questionnaire = load_questionnaire(campaign)
    response, raw, errors, refused = _save(request, campaign, platform, response, questionnaire)
    if not refused and not errors:
        errors = services.response_check(response)
        if not errors:
            try:
                services.response_submit(response=response, actor=request.user)
            except ServiceError as error:
                messages.error(request, str(error))
                refused = True
            else:
                messages.success(request, _("Réponse envoyée. Merci !"))
                return redirect("survey_response_done", campaign.pk, platform.slug)
    if errors:
        messages.error(
            request,
            _(
                "La réponse n'est pas envoyée : %(count)s réponse(s) à compléter ou corriger "
                "(vos saisies valides sont enregistrées en brouillon)."
            )
            % {"count": len(errors)},
        )
    return _page(request, campaign, platform, response, questionnaire, raw=raw, errors=errors)


def response_done(request, pk, slug):
    campaign, platform = _campaign_and_platform(request, pk, slug)
    response = _response_of(campaign, platform)
    if response is None or response.status != ResponseStatus.SUBMITTED:
        return redirect("survey_response", campaign.pk, platform.slug)
    return render(
        request,
        "surveys/response_done.html",
        {
            "campaign": campaign,
            "platform": platform,
            "response": response,
            "can_answer": perms.can_answer(request.user, campaign, platform)
            and campaign.closes_on >= timezone.localdate(),
        },
    )


def response_pdf(request, pk, slug):
    campaign, platform = _campaign_and_platform(request, pk, slug)
    response = _response_of(campaign, platform)
    if response is None:
        raise Http404
    questionnaire = load_questionnaire(campaign)
    values = stored_values(response, questionnaire)
    sections = [
        (
            view.section,
            [
                (field.question, display_text(field.question, values.get(field.question.code)))
                for field in view.fields
                if field.visible
            ],
        )
        for view in questionnaire.sections(values=values)
    ]
    filename, content = render_pdf(
        "pdf/survey_response.html",
        {"campaign": campaign, "platform": platform, "response": response, "sections": sections},
        filename=f"reponse-{campaign.year}-{platform.slug}.pdf",
    )
    return pdf_response(filename, content)


@require_POST
def response_take_over(request, pk, slug):
    campaign, platform = _campaign_and_platform(request, pk, slug)
    require(perms.can_answer(request.user, campaign, platform))
    response = _response_of(campaign, platform)
    try:
        if response is None:
            response = services.response_start(campaign=campaign, platform=platform)
        count = services.response_take_over_last_year(response=response, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        if count:
            messages.success(
                request,
                _(
                    "%(count)s réponse(s) reprise(s) de l'an dernier, pour les questions "
                    "encore sans réponse. Vérifiez-les avant d'envoyer."
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("Rien à reprendre : chaque question a déjà une réponse."))
    return redirect("survey_response", campaign.pk, platform.slug)


@require_POST
def response_reopen(request, pk, slug):
    campaign, platform = _campaign_and_platform(request, pk, slug)
    require(perms.can_reopen_response(request.user))
    response = _response_of(campaign, platform)
    if response is None:
        raise Http404
    try:
        services.response_reopen(response=response, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Réponse rouverte : la plateforme peut la modifier."))
    return redirect("survey_response", campaign.pk, platform.slug)


def response_history(request, pk, slug):
    campaign, platform = _campaign_and_platform(request, pk, slug)
    response = _response_of(campaign, platform)
    entries = entries_for(response) if response is not None else []
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/response_history.html",
        {"campaign": campaign, "platform": platform, "page_obj": page},
    )
