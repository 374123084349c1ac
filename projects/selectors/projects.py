"""Reads of co-built projects: the board by stage, the figures the ministry and the bureau
read (counts and amounts summed in SQL), a project's page, its people."""

import datetime
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Card:
    """What a card of the board prints, as plain values (`project_cards.project_card`)."""

    pk: int
    title: str
    acronym: str
    stage: str
    stage_label: str
    deadline: datetime.datetime | None
    call_title: str | None  # None: not answering a call
    lead: str
    partners: tuple[str, ...]  # the partners other than the lead, when there are others
    column: str


def _platform_text(name, acronym) -> str:
    """What `str(platform)` writes."""
    return f"{name} ({acronym})" if acronym else name


def cards(queryset) -> list[Card]:
    """The cards of `queryset`'s projects (sliced or not), in its order: three queries
    of plain values (the projects with their call and lead, the partner lines, the
    partners' platforms by id). Model instances and prefetches made most of the board's
    time at federation scale: sixty projects, their calls, leads and a few hundred
    partner lines built as objects, and the platforms fetched by a tuple lookup that
    Django compiles slowly."""
    rows = list(
        queryset.annotate(card_column=_column()).values_list(
            "pk",
            "title",
            "acronym",
            "stage",
            "deadline",
            "call_id",
            "call__title",
            "lead_platform_id",
            "lead_platform__name",
            "lead_platform__acronym",
            "card_column",
        )
    )
    partners = {}
    platform_ids = set()
    lines = (
        ProjectPartner.objects.filter(project_id__in=[row[0] for row in rows])
        .order_by("order", "pk")
        .values_list("project_id", "platform_id", "organisation")
    )
    for project_id, platform_id, organisation in lines if rows else ():
        partners.setdefault(project_id, []).append((platform_id, organisation))
        if platform_id is not None:
            platform_ids.add(platform_id)
    names = (
        {
            pk: _platform_text(name, acronym)
            for pk, name, acronym in Platform.objects.filter(pk__in=sorted(platform_ids))
            .order_by()
            .values_list("pk", "name", "acronym")
        }
        if platform_ids
        else {}
    )
    labels = dict(ProjectStage.choices)
    result = []
    for pk, title, acronym, stage, deadline, call_id, call_title, lead_id, *rest in rows:
        lead_name, lead_acronym, column = rest
        lines_of = partners.get(pk, [])
        others = (
            tuple(
                names.get(platform_id, "") if platform_id is not None else organisation
                for platform_id, organisation in lines_of
                if platform_id != lead_id
            )
            if len(lines_of) > 1
            else ()
        )
        result.append(
            Card(
                pk=pk,
                title=title,
                acronym=acronym,
                stage=stage,
                stage_label=str(labels.get(stage, stage)),
                deadline=deadline,
                call_title=call_title if call_id else None,
                lead=_platform_text(lead_name, lead_acronym),
                partners=others,
                column=column,
            )
        )
    return result


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
    ranked = Project.objects.filter(pk__in=ranked_ids).order_by(*list_order())
    counts = dict(
        queryset.order_by()
        .annotate(column=_column())
        .values("column")
        .annotate(n=Count("pk"))
        .values_list("column", "n")
    )
    by_column = {key: [] for key, _label in BOARD_COLUMNS}
    for card in cards(ranked) if ranked_ids else ():
        by_column[card.column].append(card)
    return [
        {
            "key": key,
            "label": label,
            "projects": by_column[key],
            "count": counts.get(key, 0),
            "more": counts.get(key, 0) - len(by_column[key]),
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


def cached_board_figures() -> dict:
    """`board_figures` of every project (the unfiltered board that the bureau and the
    ministry open), kept in the cache under the dashboard's generation, which every save
    or delete of a project or a partner line increments (`innovalo/dashboard/signals.py`,
    with its writing window): two aggregates over every project and partner line that
    only a write moves."""
    from innovalo.dashboard import cache as figures_cache

    return figures_cache.kept(
        "project-board-figures", compute=lambda: board_figures(Project.objects.all())
    )


def cached_board_columns() -> list[dict]:
    """`board_columns` of every project (the unfiltered board the platforms' people
    open), kept like the figures: the dashboard's generation moves with every save or
    delete of a project, a partner line, a call or a platform, all that a card prints;
    the key names the language (the stages' labels)."""
    from innovalo.dashboard import cache as figures_cache

    return figures_cache.kept(
        "project-board-columns", compute=lambda: board_columns(Project.objects.all())
    )


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
