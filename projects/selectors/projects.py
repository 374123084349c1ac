"""Reads of co-built projects: the board by stage, the figures the ministry and the bureau
read (counts and amounts summed in SQL), a project's page, its people."""

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, Prefetch, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from innovalo.audit import entries_for
from innovalo.french import French
from innovalo.money import ZERO
from members.models import Platform

from .. import perms
from ..enums import OPEN_STAGES, ProjectStage
from ..models import Project, ProjectDocument, ProjectPartner

User = get_user_model()

CLOSED = "closed"
BOARD_COLUMNS = (
    (ProjectStage.IDEA, ProjectStage.IDEA.label),
    (ProjectStage.CONSORTIUM, ProjectStage.CONSORTIUM.label),
    (ProjectStage.WRITING, ProjectStage.WRITING.label),
    (ProjectStage.SUBMITTED, ProjectStage.SUBMITTED.label),
    (CLOSED, _("Décidés et clos")),
)
# Projects shown per column of the board; the rest through the column's own list.
BOARD_CAP = 12
HISTORY_ON_PAGE = 30


def _column():
    """The board's column of a project: its stage while open, "closed" once decided."""
    return Case(When(stage__in=OPEN_STAGES, then=F("stage")), default=Value(CLOSED))


def _partners_prefetch():
    return Prefetch(
        "partners",
        queryset=ProjectPartner.objects.select_related("platform").order_by("order", "pk"),
    )


def for_cards(queryset):
    """What a card of the board prints: call, lead, partners (one query for the lines,
    one for their platforms: joining them in one query made PostgreSQL hash every
    platform of a federation to name the few dozen partners of a page)."""
    platforms = Platform.objects.only("pk", "name", "acronym")
    lines = (
        ProjectPartner.objects.only("pk", "project_id", "platform_id", "organisation", "order")
        .order_by("order", "pk")
        .prefetch_related(Prefetch("platform", queryset=platforms))
    )
    # Only what a card prints: a project's, its call's and its lead's wide rows (texts,
    # amounts, addresses) made most of the board's time at federation scale.
    return (
        queryset.select_related("call", "lead_platform")
        .only(*CARD_FIELDS)
        .prefetch_related(Prefetch("partners", queryset=lines))
    )


CARD_FIELDS = (
    "pk",
    "title",
    "acronym",
    "stage",
    "deadline",
    "stage_changed_at",
    "call_id",
    "lead_platform_id",
    "call__title",
    "lead_platform__name",
    "lead_platform__acronym",
)


def list_order():
    """Open projects by nearest deadline, closed ones by latest change."""
    return (
        F("deadline").asc(nulls_last=True),
        F("stage_changed_at").desc(),
        F("pk").asc(),
    )


def board_columns(queryset, cap=BOARD_CAP) -> list[dict]:
    """The board: up to `cap` projects per column (a window ranks them in SQL, so the
    number of queries stays the same with the number of projects), and each column's
    count (one GROUP BY)."""
    # The window ranks the ids alone, read first: ranking the cards' rows sorted every
    # project's wide row, and a subquery of the ids made PostgreSQL join every project
    # to its call and lead before keeping the page's few dozen.
    ranked_ids = list(
        queryset.order_by()
        .annotate(rank=Window(RowNumber(), partition_by=[_column()], order_by=list_order()))
        .filter(rank__lte=cap)
        .values_list("pk", flat=True)
    )
    ranked = (
        Project.objects.filter(pk__in=ranked_ids).annotate(column=_column()).order_by(*list_order())
    )
    counts = dict(
        queryset.order_by()
        .annotate(column=_column())
        .values("column")
        .annotate(n=Count("pk"))
        .values_list("column", "n")
    )
    cards = {key: [] for key, _label in BOARD_COLUMNS}
    for project in for_cards(ranked):
        cards[project.column].append(project)
    return [
        {
            "key": key,
            "label": label,
            "projects": cards[key],
            "count": counts.get(key, 0),
            "more": counts.get(key, 0) - len(cards[key]),
        }
        for key, label in BOARD_COLUMNS
    ]


def board_figures(queryset) -> dict:
    """Counts and amounts requested and obtained per stage, summed by the database;
    the totals are one more aggregate."""
    sums = {
        "count": Count("pk", distinct=True),
        "requested": Coalesce(Sum("partners__budget_requested"), ZERO),
        "obtained": Coalesce(Sum("partners__amount_obtained"), ZERO),
    }
    rows = {
        row["stage"]: row
        for row in queryset.order_by().values("stage").annotate(**sums).values("stage", *sums)
    }
    total = queryset.order_by().aggregate(**sums)
    empty = {"count": 0, "requested": ZERO, "obtained": ZERO}
    return {
        "rows": [
            {"stage": stage, "label": label, **{k: rows.get(stage, empty)[k] for k in empty}}
            for stage, label in ProjectStage.choices
        ],
        "total": total,
    }


def project_for_page(pk):
    """A project with its budget totals (SQL), call, lead and next step's owner."""
    return (
        Project.objects.with_budget()
        .select_related("call", "lead_platform", "next_step_owner")
        .prefetch_related(_partners_prefetch())
        .filter(pk=pk)
        .first()
    )


def project_people(project):
    """Active people of the lead platform and of the partner platforms."""
    platform_ids = ProjectPartner.objects.filter(project=project, platform__isnull=False).values(
        "platform_id"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(platform_memberships__platform_id=project.lead_platform_id)
            | Q(platform_memberships__platform_id__in=platform_ids)
        )
        .distinct()
        .order_by(French("last_name"), French("first_name"), "pk")
    )


def allowed_moves(stage) -> list[str]:
    """Forward to any later stage before the decision; back one step before submission;
    won or not retained once submitted; withdrawn from any open stage."""
    pipeline = list(OPEN_STAGES)
    if stage not in pipeline:
        return []
    index = pipeline.index(stage)
    moves = []
    if 0 < index < pipeline.index(ProjectStage.SUBMITTED):
        moves.append(pipeline[index - 1])
    moves.extend(pipeline[index + 1 :])
    if stage == ProjectStage.SUBMITTED:
        moves.extend([ProjectStage.WON, ProjectStage.NOT_RETAINED])
    moves.append(ProjectStage.WITHDRAWN)
    return moves


# Moves with no way back: they go through a confirmation page.
IRREVERSIBLE = (
    ProjectStage.SUBMITTED,
    ProjectStage.WON,
    ProjectStage.NOT_RETAINED,
    ProjectStage.WITHDRAWN,
)


def call_url(call) -> str:
    """The call's page, when the calls pages are there."""
    if call is None:
        return ""
    try:
        return call.get_absolute_url()
    except NoReverseMatch:
        return ""


def project_page(user, project) -> dict:
    """What a project's page shows to `user`: everyone who opens it sees the title, call,
    stage and partners; the lead's and partners' people and the bureau see the rest."""
    details = perms.can_see_project_details(user, project)
    partners = list(project.partners.all())
    context = {
        "project": project,
        "partners": partners,
        "details": details,
        "can_change": perms.can_change_project(user, project),
        "call_url": call_url(project.call),
    }
    if not details:
        return context
    can_correct = perms.can_correct_project_amounts(user, project)
    for partner in partners:
        partner.can_edit = perms.can_change_partner_line(user, partner)
        partner.is_lead = partner.platform_id == project.lead_platform_id
        partner.can_remove = (
            context["can_change"] and not partner.is_lead and partner.amount_obtained is None
        )
        partner.can_correct = can_correct
    stage_moves = (
        [
            {
                "stage": stage,
                "label": ProjectStage(stage).label,
                "confirm": stage in IRREVERSIBLE,
                "back": stage in OPEN_STAGES
                and OPEN_STAGES.index(stage) < OPEN_STAGES.index(project.stage),
            }
            for stage in allowed_moves(project.stage)
        ]
        if context["can_change"]
        else []
    )
    context.update(
        {
            "stage_moves": stage_moves,
            "documents": list(
                ProjectDocument.objects.filter(project=project)
                .select_related("uploaded_by")
                .order_by("-uploaded_at", "pk")
            ),
            "can_add_document": perms.can_add_project_document(user, project),
            "can_delete_document": perms.can_delete_project_document(user, project),
            "history": list(entries_for(project, HISTORY_ON_PAGE)),
            "is_closed": project.stage not in OPEN_STAGES,
        }
    )
    return context
