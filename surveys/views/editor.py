"""A campaign's page (seen by everyone concerned) and the bureau's editor: campaigns
(create, edit, copy to another year, open, close, publish), their sections and
questions (add, edit, move, delete), the preview as respondents see it.

Every write goes through a service; a refusal comes back next to the field it is
about, with what was typed. Editor pages are the bureau's (403 for anyone else); a
campaign others may not see does not exist for them (404).
"""

import contextlib

from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from innovalo.audit import entries_for, labelled
from innovalo.exceptions import ServiceError
from innovalo.perms import require
from innovalo.rows import url_maker

from .. import perms, services
from ..enums import CampaignStatus
from ..forms.editor import CampaignForm, CopyForm, QuestionForm, SectionForm, condition_questions
from ..models import Campaign, Choice, Question, Response, Section
from ..questionnaire import load_questionnaire
from ..selectors.responses import campaign_rows
from ..services.questions import section_move as move_section
from ..services.questions import section_update

HISTORY_PAGE = 20
STEPS = {"up": -1, "down": 1}


class Transition:
    def __init__(self, action, service, button, done, explanation, irreversible=False):
        self.action, self.service = action, service
        self.button, self.done, self.explanation = button, done, explanation
        self.irreversible = irreversible


TRANSITIONS = {
    "open": Transition(
        "open",
        services.campaign_open,
        gettext_lazy("Ouvrir la campagne"),
        gettext_lazy("Campagne ouverte : les réponses sont attendues."),
        gettext_lazy(
            "Les personnes concernées pourront répondre jusqu'à la clôture. Une campagne "
            "ouverte ne revient jamais en préparation ; dès la première réponse, le type "
            "et les choix des questions ne changent plus et aucune question n'est supprimée."
        ),
    ),
    "close": Transition(
        "close",
        services.campaign_close,
        gettext_lazy("Clore la campagne"),
        gettext_lazy("Campagne close : plus aucune réponse n'est acceptée."),
        gettext_lazy(
            "Plus aucune réponse n'est acceptée. La campagne peut être rouverte tant que "
            "ses résultats ne sont pas publiés."
        ),
    ),
    "publish": Transition(
        "publish",
        services.campaign_publish,
        gettext_lazy("Publier les résultats"),
        gettext_lazy("Résultats publiés : les plateformes les voient."),
        gettext_lazy(
            "Les personnes des plateformes verront les résultats. C'est définitif : "
            "la campagne et son questionnaire ne changeront plus et elle ne pourra plus "
            "être rouverte."
        ),
        irreversible=True,
    ),
}
NEXT_ACTIONS = {
    CampaignStatus.DRAFT: ("open",),
    CampaignStatus.OPEN: ("close",),
    CampaignStatus.CLOSED: ("open", "publish"),
    CampaignStatus.PUBLISHED: (),
}
# History: names of changes that are not model fields.
CHANGE_NAMES = {"choices": gettext_lazy("choix")}


def _campaigns():
    responded = Response.objects.filter(campaign=OuterRef("pk"))
    return Campaign.objects.annotate(has_responses=Exists(responded)).order_by()


def _managed(request, pk) -> Campaign:
    """The campaign of an editor page: the bureau's (403), if it exists (404)."""
    require(perms.can_manage_surveys(request.user))
    return get_object_or_404(_campaigns(), pk=pk)


def _detail_url(campaign, anchor="") -> str:
    url = reverse("survey_detail", args=[campaign.pk])
    return f"{url}#{anchor}" if anchor else url


def _is_irreversible(campaign, action) -> bool:
    """Publishing, and opening a draft (it never returns to draft), are asked twice."""
    return TRANSITIONS[action].irreversible or (
        action == "open" and campaign.status == CampaignStatus.DRAFT
    )


def _form_page(request, form, *, title, campaign=None, submit=None, intro=""):
    return render(
        request,
        "surveys/editor_form.html",
        {
            "form": form,
            "page_title": title,
            "campaign": campaign,
            "submit_label": submit or _("Enregistrer"),
            "intro": intro,
        },
    )


# The campaign's page ------------------------------------------------------------------


def editor_sections(campaign) -> list:
    """The campaign's sections in order, each with its questions in order, their
    choices and the question their condition names (three queries)."""
    questions = Question.objects.select_related("show_if_question").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("order", "pk"))
    )
    return list(
        Section.objects.filter(campaign=campaign)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("questions", queryset=questions.order_by("order", "pk")))
    )


def _readable(entry):
    """A history entry's changes with their fields' names as people read them."""
    if entry.changes:
        model = None
        with contextlib.suppress(LookupError, ValueError):
            model = apps.get_model(entry.target.split(":", 1)[0])
        changes = {
            str(CHANGE_NAMES.get(name, name)): [
                ", ".join(map(str, value)) if isinstance(value, list) else value for value in values
            ]
            for name, values in entry.changes.items()
        }
        entry.changes = labelled(model, changes) if model else changes
    return entry


def _with_urls(campaign, sections) -> list:
    section_url = {name: url_maker(f"survey_section_{name}", campaign.pk) for name in SECTION_URLS}
    question_url = {
        name: url_maker(f"survey_question_{name}", campaign.pk) for name in QUESTION_URLS
    }
    for section in sections:
        section.urls = {name: make(section.pk) for name, make in section_url.items()}
        for question in section.questions.all():
            question.urls = {name: make(question.pk) for name, make in question_url.items()}
    return sections


SECTION_URLS = ("edit", "move", "delete")
QUESTION_URLS = ("edit", "move", "delete")


def _editor_context(request, campaign) -> dict:
    sections = _with_urls(campaign, editor_sections(campaign))
    history = Paginator(entries_for(campaign), HISTORY_PAGE).get_page(request.GET.get("page"))
    for entry in history.object_list:
        _readable(entry)
    return {
        "sections": sections,
        "question_count": sum(len(section.questions.all()) for section in sections),
        "editable": campaign.status != CampaignStatus.PUBLISHED,
        "transitions": [
            (TRANSITIONS[action], _is_irreversible(campaign, action))
            for action in NEXT_ACTIONS[campaign.status]
        ],
        "copy_form": CopyForm(initial={"year": campaign.year + 1}),
        "history": history,
        "today": timezone.localdate(),
    }


def campaign_detail(request, pk):
    user = request.user
    campaign = get_object_or_404(_campaigns(), pk=pk)
    if not perms.can_see_campaign(user, campaign):
        raise Http404  # a draft stays hidden
    can_manage = perms.can_manage_surveys(user)
    context = {
        "campaign": campaign,
        "row": campaign_rows(user, [campaign])[0],
        "can_manage": can_manage,
        "can_see_results": perms.can_see_results(user, campaign),
        "can_track": perms.can_track(user),
        "can_export": perms.can_export_responses(user),
        "can_manage_respondents": campaign.is_external and perms.can_manage_respondents(user),
    }
    if can_manage:
        context.update(_editor_context(request, campaign))
    return render(request, "surveys/campaign_detail.html", context)


# Campaigns ----------------------------------------------------------------------------


def campaign_create(request):
    require(perms.can_manage_surveys(request.user))
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.service_values())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Campagne créée : ajoutez ses sections et ses questions."))
            return redirect(_detail_url(campaign))
    return _form_page(request, form, title=_("Nouvelle campagne"), submit=_("Créer la campagne"))


def campaign_edit(request, pk):
    campaign = _managed(request, pk)
    form = CampaignForm(request.POST or None, campaign=campaign, responded=campaign.has_responses)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, actor=request.user, **form.service_values())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Campagne enregistrée."))
            return redirect(_detail_url(campaign))
    return _form_page(request, form, title=_("Modifier la campagne"), campaign=campaign)


def campaign_copy(request, pk):
    campaign = _managed(request, pk)
    form = CopyForm(request.POST or None, initial={"year": campaign.year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.campaign_copy(
                campaign=campaign, year=form.cleaned_data["year"], actor=request.user
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Copie créée, en préparation : relisez ses dates et ses questions."),
            )
            return redirect(_detail_url(copy))
    return _form_page(
        request,
        form,
        title=_("Copier la campagne pour une autre année"),
        campaign=campaign,
        submit=_("Copier"),
        intro=_(
            "Les codes des questions sont gardés : les résultats des deux années se comparent."
        ),
    )


def campaign_transition(request, pk):
    """Open, close or publish: POST ``action``. Publishing and opening a draft are
    confirmed first (a page, then POST with ``confirm``); GET shows that page."""
    campaign = _managed(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    transition = TRANSITIONS.get(data.get("action", ""))
    if transition is None:
        if request.method == "POST":
            messages.error(request, _("Changement d'état inconnu."))
        return redirect(_detail_url(campaign))
    irreversible = _is_irreversible(campaign, transition.action)
    if request.method == "POST" and (data.get("confirm") or not irreversible):
        try:
            transition.service(campaign=campaign, actor=request.user)
        except ServiceError as error:
            messages.error(
                request,
                _("%(action)s : refusé. %(reason)s")
                % {"action": transition.button, "reason": error.message},
            )
        else:
            messages.success(request, transition.done)
        return redirect(_detail_url(campaign))
    return render(
        request,
        "surveys/campaign_transition.html",
        {
            "campaign": campaign,
            "transition": transition,
            "possible": transition.action in NEXT_ACTIONS[campaign.status],
            "question_count": campaign.questions.count(),
            "today": timezone.localdate(),
        },
    )


def campaign_preview(request, pk):
    """The questionnaire exactly as respondents see it; nothing is saved."""
    campaign = _managed(request, pk)
    sections = load_questionnaire(campaign).sections(values={}, raw=None, errors={})
    return render(
        request, "surveys/campaign_preview.html", {"campaign": campaign, "sections": sections}
    )


# Sections -----------------------------------------------------------------------------


def _section(campaign, section_pk) -> Section:
    section = get_object_or_404(Section.objects.order_by(), pk=section_pk, campaign=campaign)
    section.campaign = campaign
    return section


def section_create(request, pk):
    campaign = _managed(request, pk)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            section = services.section_create(
                campaign=campaign, actor=request.user, **form.service_values()
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Section ajoutée."))
            return redirect(_detail_url(campaign, f"section-{section.pk}"))
    return _form_page(request, form, title=_("Nouvelle section"), campaign=campaign)


def section_edit(request, pk, section_pk):
    campaign = _managed(request, pk)
    section = _section(campaign, section_pk)
    initial = {"title": section.title, "description": section.description}
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            section_update(section=section, actor=request.user, **form.service_values())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Section enregistrée."))
            return redirect(_detail_url(campaign, f"section-{section.pk}"))
    return _form_page(request, form, title=_("Modifier la section"), campaign=campaign)


@require_POST
def section_delete(request, pk, section_pk):
    campaign = _managed(request, pk)
    section = _section(campaign, section_pk)
    try:
        services.section_delete(section=section, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(_detail_url(campaign, f"section-{section.pk}"))
    messages.success(request, _("Section supprimée."))
    return redirect(_detail_url(campaign, ""))


@require_POST
def section_move(request, pk, section_pk):
    campaign = _managed(request, pk)
    section = _section(campaign, section_pk)
    step = STEPS.get(request.POST.get("direction", ""))
    if step is None:
        messages.error(request, _("Déplacement inconnu : vers le haut ou vers le bas."))
    else:
        try:
            move_section(section=section, step=step, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
    return redirect(_detail_url(campaign, f"section-{section.pk}"))


# Questions ----------------------------------------------------------------------------


def _question(campaign, question_pk) -> Question:
    question = get_object_or_404(
        Question.objects.order_by().prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "pk"))
        ),
        pk=question_pk,
        campaign=campaign,
    )
    question.campaign = campaign
    return question


def _question_page(request, form, *, campaign, title, question=None):
    return render(
        request,
        "surveys/editor_question_form.html",
        {"form": form, "campaign": campaign, "question": question, "page_title": title},
    )


def question_create(request, pk):
    campaign = _managed(request, pk)
    sections = list(campaign.sections.order_by("order", "pk"))
    wanted = request.GET.get("section", "")
    initial = {"section": wanted} if wanted in {str(s.pk) for s in sections} else {}
    form = QuestionForm(
        request.POST or None,
        sections=sections,
        conditions=condition_questions(campaign),
        initial=initial,
    )
    if request.method == "POST" and sections and form.is_valid():
        try:
            question = services.question_create(actor=request.user, **form.service_values())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Question ajoutée : %(code)s.") % {"code": question.code})
            return redirect(_detail_url(campaign, f"question-{question.pk}"))
    return _question_page(request, form, campaign=campaign, title=_("Nouvelle question"))


def question_edit(request, pk, question_pk):
    campaign = _managed(request, pk)
    question = _question(campaign, question_pk)
    form = QuestionForm(
        request.POST or None,
        sections=list(campaign.sections.order_by("order", "pk")),
        conditions=condition_questions(campaign, exclude=question),
        question=question,
        locked=campaign.has_responses,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(question=question, actor=request.user, **form.service_values())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            done = _("Question enregistrée : %(code)s.") % {"code": question.code}
            messages.success(request, done)
            return redirect(_detail_url(campaign, f"question-{question.pk}"))
    return _question_page(
        request,
        form,
        campaign=campaign,
        question=question,
        title=_("Modifier la question %(code)s") % {"code": question.code},
    )


def _position(raw):
    """A position typed in a form (1 = first), or None."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@require_POST
def question_move(request, pk, question_pk):
    """POST ``direction`` (up, down) or ``position`` (1 = first in its section)."""
    campaign = _managed(request, pk)
    question = _question(campaign, question_pk)
    step = STEPS.get(request.POST.get("direction", ""))
    position = _position(request.POST.get("position"))
    if step is None and position is None:
        messages.error(request, _("Déplacement inconnu : vers le haut, le bas ou une position."))
    else:
        try:
            services.question_move(
                question=question, position=position, step=step or 0, actor=request.user
            )
        except ServiceError as error:
            messages.error(request, str(error))
    return redirect(_detail_url(campaign, f"question-{question.pk}"))


def question_delete(request, pk, question_pk):
    """GET: what deleting the question means; POST: delete it."""
    campaign = _managed(request, pk)
    question = _question(campaign, question_pk)
    if request.method == "POST":
        try:
            services.question_delete(question=question, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
            return redirect(_detail_url(campaign, f"question-{question.pk}"))
        messages.success(request, _("Question supprimée : %(code)s.") % {"code": question.code})
        return redirect(_detail_url(campaign, "questionnaire"))
    return render(
        request,
        "surveys/editor_question_delete.html",
        {
            "campaign": campaign,
            "question": question,
            "dependents": list(question.dependent_questions.order_by("code")),
        },
    )
