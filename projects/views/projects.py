"""Co-built projects' pages: the board, a project's page, its forms and its documents.

Each view checks its ``projects.perms`` function, parses with a form and calls a
service or a selector. The ministry reads figures on the board and never opens a
project (403); members who are neither lead nor partner see a project's title, call,
stage and partners only.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.perms import is_ministry, require

from .. import perms
from ..enums import OPEN_STAGES, ProjectStage
from ..filters_projects import ProjectBoardFilter, call_field, stage_choices
from ..forms import projects as forms
from ..models import Project, ProjectDocument, ProjectPartner
from ..selectors import projects as selectors
from ..services import projects as services

LIST_PAGE_SIZE = 20


def _project(request, pk, queryset=None) -> Project:
    """The project (404 when there is none) if the user may open its page (403)."""
    queryset = Project.objects.select_related("lead_platform") if queryset is None else queryset
    project = next(iter(queryset.filter(pk=pk).order_by()), None)
    if project is None:
        raise Http404
    require(perms.can_see_project_page(request.user, project))
    return project


def _changeable(request, pk) -> Project:
    lines = ProjectPartner.objects.select_related("platform").order_by("order", "pk")
    queryset = Project.objects.select_related("lead_platform", "call").prefetch_related(
        Prefetch("partners", queryset=lines)
    )
    project = _project(request, pk, queryset)
    require(perms.can_change_project(request.user, project))
    return project


def _form_page(request, form, *, project, title, submit=None, multipart=False, intro=""):
    return render(
        request,
        "projects/projects/form_page.html",
        {
            "form": form,
            "project": project,
            "page_title": title,
            "submit_label": submit or _("Enregistrer"),
            "multipart": multipart,
            "intro": intro,
        },
    )


# The board -----------------------------------------------------------------------------------


def _figures(board_filter) -> dict:
    """The board's figures: of every project (kept in the cache) when nothing is
    filtered, else of the filtered projects."""
    if not board_filter.is_bound:
        return selectors.cached_board_figures()
    return selectors.board_figures(board_filter.qs)


def project_board(request):
    user = request.user
    require(perms.can_read_projects(user))
    ministry = is_ministry(user)
    show_mine = not ministry and bool(perms._platform_ids(user))
    board_filter = ProjectBoardFilter(
        request.GET or None, queryset=Project.objects.all(), request=request, show_mine=show_mine
    )
    queryset = board_filter.qs
    context = {
        "filter": board_filter,
        "figures": _figures(board_filter) if perms.can_see_project_figures(user) else None,
        "cards": not ministry,
        "can_create": perms.can_create_project(user),
    }
    if not ministry:
        stage = board_filter.form.cleaned_data.get("stage") if board_filter.is_bound else None
        if stage:
            rows = queryset.order_by(*selectors.list_order())
            page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
            page.object_list = selectors.cards(page.object_list) if page.paginator.count else []
            context["page_obj"] = page
            context["stage_label"] = dict(stage_choices()).get(stage, stage)
        elif board_filter.is_bound:
            context["columns"] = selectors.board_columns(queryset)
        else:
            context["columns"] = selectors.cached_board_columns()
    return render(request, "projects/projects/board.html", context)


def project_call_picker(request):
    """The board's call filter (htmx): a few calls answered by projects, by title."""
    require(perms.can_read_projects(request.user))
    return call_field().options_response(request)


# A project -----------------------------------------------------------------------------------


def project_detail(request, pk):
    project = selectors.project_for_page(pk)
    if project is None:
        raise Http404
    require(perms.can_see_project_page(request.user, project))
    return render(
        request, "projects/projects/detail.html", selectors.project_page(request.user, project)
    )


def _call_from_query(request):
    """``?call=<id>`` from a call's page: a published call, or nothing."""
    value = request.GET.get("call", "")
    if not value.isdigit() or len(value) > 18:
        return None
    return forms.call_choices().filter(pk=int(value)).first()


def project_create(request):
    require(perms.can_create_project(request.user))
    initial = {}
    call = _call_from_query(request) if request.method == "GET" else None
    if call is not None:
        initial["call"] = call.pk
        initial["deadline"] = services.call_next_deadline(call)
    form = forms.ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Projet créé : ajoutez ses partenaires."))
            return redirect(project)
    return _form_page(request, form, project=None, title=_("Nouveau projet"))


def project_edit(request, pk):
    project = _changeable(request, pk)
    form = forms.ProjectForm(request.POST or None, user=request.user, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Projet enregistré."))
            return redirect(project)
    return _form_page(request, form, project=project, title=_("Modifier le projet"))


# Partners ------------------------------------------------------------------------------------


def _line(request, pk, partner_pk) -> ProjectPartner:
    project = _project(request, pk)
    partner = get_object_or_404(
        ProjectPartner.objects.select_related("platform"), pk=partner_pk, project=project
    )
    partner.project = project
    return partner


def project_partner_add(request, pk):
    project = _changeable(request, pk)
    form = forms.PartnerForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_add(project=project, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Partenaire ajouté : ses équipes sont prévenues."))
            return redirect(project)
    return _form_page(request, form, project=project, title=_("Ajouter un partenaire"))


def project_partner_edit(request, pk, partner_pk):
    partner = _line(request, pk, partner_pk)
    require(perms.can_change_partner_line(request.user, partner))
    form = forms.PartnerLineForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(partner=partner, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Ligne enregistrée."))
            return redirect(partner.project)
    return _form_page(
        request,
        form,
        project=partner.project,
        title=_("Ligne de %s") % partner,
    )


def project_partner_remove(request, pk, partner_pk):
    partner = _line(request, pk, partner_pk)
    require(perms.can_change_project(request.user, partner.project))
    if request.method == "POST":
        try:
            services.partner_remove(partner=partner, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Partenaire retiré."))
        return redirect(partner.project)
    return render(
        request,
        "projects/projects/confirm.html",
        {
            "project": partner.project,
            "page_title": _("Retirer %s du projet ?") % partner,
            "submit_label": _("Retirer"),
        },
    )


def project_amount_correct(request, pk, partner_pk):
    partner = _line(request, pk, partner_pk)
    require(perms.can_correct_project_amounts(request.user, partner.project))
    form = forms.AmountCorrectionForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            services.amount_correct(partner=partner, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Montant corrigé ; la correction est dans l'historique."))
            return redirect(partner.project)
    return _form_page(
        request,
        form,
        project=partner.project,
        title=_("Corriger le montant obtenu — %s") % partner,
    )


# Stage and next step ---------------------------------------------------------------------------


def project_stage(request, pk):
    """GET ``?to=<stage>``: the move's page (date, decision, amounts) to confirm; POST:
    the move. Reversible moves are posted straight from the project's page."""
    project = _changeable(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    stage = data.get("to", "")
    moves = selectors.allowed_moves(project.stage)
    if stage not in moves:
        if request.method == "POST":
            messages.error(request, _("Ce passage d'étape n'est pas possible."))
            return redirect(project)
        raise Http404
    partners = list(project.partners.all())
    form = forms.StageForm(
        request.POST if request.method == "POST" else None,
        project=project,
        stage=stage,
        partners=partners,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_set_stage(
                project=project,
                actor=request.user,
                stage=stage,
                on=form.cleaned_data.get("on"),
                note=form.cleaned_data.get("note", ""),
                amounts=form.amounts(),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Étape « %s » enregistrée ; l'équipe est prévenue.") % ProjectStage(stage).label,
            )
            return redirect(project)
    return render(
        request,
        "projects/projects/stage.html",
        {
            "project": project,
            "form": form,
            "stage": stage,
            "stage_label": ProjectStage(stage).label,
            "irreversible": stage in selectors.IRREVERSIBLE,
            "closing": stage not in OPEN_STAGES,
        },
    )


def project_next_step(request, pk):
    project = _changeable(request, pk)
    people = selectors.project_people(project)
    form = forms.NextStepForm(request.POST or None, project=project, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.next_step_set(project=project, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Prochaine étape enregistrée."))
            return redirect(project)
    return _form_page(request, form, project=project, title=_("Prochaine étape"))


# Documents -----------------------------------------------------------------------------------


def project_document_add(request, pk):
    project = _project(request, pk, Project.objects.prefetch_related("partners"))
    require(perms.can_add_project_document(request.user, project))
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                project=project,
                actor=request.user,
                uploaded=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Document ajouté."))
            return redirect(project)
    return _form_page(
        request, form, project=project, title=_("Ajouter un document"), multipart=True
    )


def _document(request, pk, doc_id) -> ProjectDocument:
    """The document if the user may see the project's documents; 404 otherwise (who is
    not in the project does not learn which documents it has)."""
    project = Project.objects.prefetch_related("partners").filter(pk=pk).first()
    if project is None or not perms.can_see_project_documents(request.user, project):
        raise Http404
    document = get_object_or_404(ProjectDocument, pk=doc_id, project=project)
    document.project = project
    return document


def project_document(request, pk, doc_id):
    document = _document(request, pk, doc_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=document.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


def project_document_delete(request, pk, doc_id):
    document = _document(request, pk, doc_id)
    require(perms.can_delete_project_document(request.user, document.project))
    if request.method == "POST":
        try:
            services.document_delete(document=document, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Document supprimé."))
        return redirect(document.project)
    return render(
        request,
        "projects/projects/confirm.html",
        {
            "project": document.project,
            "page_title": _("Supprimer le document « %s » ?") % document.title,
            "submit_label": _("Supprimer"),
            "danger": True,
        },
    )
