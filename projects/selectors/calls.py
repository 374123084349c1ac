"""Reads of the calls pages: the list's rows, a call's page (its dates as a timeline,
who follows it, the platforms interested, the projects answering it, its history)."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.utils import timezone

from innovalo.audit import entries_for
from innovalo.french import French
from members.models import Platform

from .. import perms
from ..enums import Applicant, CallStatus
from ..models import Call, CallDeadline, CallFollow, CallInterest, Project

# What a row of the list shows (``list_rows``, ``templatetags/call_list.py``) and sorts by.
LIST_FIELDS = (
    "title",
    "kind",
    "scope",
    "status",
    "opens_on",
    "open_all_year",
    "amount_min",
    "amount_max",
    "published_at",
)


def list_queryset(now):
    """The list's calls with their ``next_deadline`` and its ``next_deadline_label``
    (the same deadline), nearest next deadline first (none last), then the most recently
    published; filtered by ``CallFilter``; only the columns a row shows.

    ``next_deadline`` is the ``MIN`` of the deadlines still ahead, joined and grouped by
    call (``Call.objects.for_list`` gives the same value with a subquery per call): the
    open and closed states, a test of ``next_deadline``, become a ``HAVING`` on the calls
    the other filters kept. With the subquery in the ``WHERE``, the database ran it for
    every call of the kind before the theme's semi-join (1,900 calls at federation
    scale for the 300 listed by ``?kind=call&theme=numerique``), then again to sort:
    3.5 ms for the statement, 1.8 ms now with the (kind, status) index (and 12 ms
    instead of 21 for the unfiltered list).
    The label stays a subquery: the database computes it for the page's rows only."""
    ahead = CallDeadline.objects.filter(call=OuterRef("pk"), due_at__gte=now).order_by(
        "due_at", "pk"
    )
    return (
        Call.objects.annotate(
            deadlines_ahead=FilteredRelation("deadlines", condition=Q(deadlines__due_at__gte=now)),
            next_deadline=Min("deadlines_ahead__due_at"),
        )
        .only(*LIST_FIELDS)
        .annotate(next_deadline_label=Subquery(ahead.values("label")[:1]))
        .order_by(F("next_deadline").asc(nulls_last=True), "-published_at", "pk")
    )


def list_page(queryset, number, per_page) -> Page:
    """A page of the list with its total from the same query (``COUNT(*) OVER ()``):
    sorting by the next deadline reads every matching call anyway, so counting them
    costs nothing more, where a separate count ran the filters a second time (a third
    of the page's database time at federation scale). A page past the end counts with
    a query and shows the last page, as ``Paginator.get_page`` does."""
    try:
        number = min(max(int(number), 1), 10**9)  # an OFFSET the database can hold
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(total_count=Window(Count("pk")))
    offset = (number - 1) * per_page
    rows = list(counted[offset : offset + per_page])
    paginator = Paginator(queryset, per_page)
    if rows:
        paginator.count = rows[0].total_count
    else:
        paginator.count = queryset.count() if number > 1 else 0
        if paginator.count:
            number = paginator.num_pages
            offset = (number - 1) * per_page
            rows = list(counted[offset : offset + per_page])
        else:
            number = 1
    return Page(rows, number, paginator)


NAMED = (("funders", "funder"), ("themes", "theme"), ("regions", "region"))


def _names(ids) -> dict:
    """{"funders": {call id: [names]}, "themes": ..., "regions": ...} of the calls
    ``ids``, through the many-to-manys' own tables, in one query (UNION ALL), each list
    by name."""
    queries = [
        getattr(Call, relation)
        .through.objects.filter(call_id__in=ids)
        .annotate(list=Value(rank), name=F(f"{field}__name"))
        .values_list("list", "call_id", "name", "pk")
        .order_by()
        for rank, (relation, field) in enumerate(NAMED)
    ]
    names = {relation: {} for relation, _field in NAMED}
    if not ids:
        return names
    first, *others = queries
    for rank, call_id, name, _pk in first.union(*others, all=True).order_by("list", "name", "pk"):
        names[NAMED[rank][0]].setdefault(call_id, []).append(name)
    return names


def amount_text(low, high) -> str:
    """ "10 000 à 200 000 €", "jusqu'à 363 000 €", "à partir de 5 000 €" or ""."""
    from django.template.defaultfilters import floatformat
    from django.utils.translation import gettext as _

    if low is not None and high is not None:
        return _("%(low)s à %(high)s €") % {
            "low": floatformat(low, "0g"),
            "high": floatformat(high, "0g"),
        }
    if high is not None:
        return _("jusqu'à %(high)s €") % {"high": floatformat(high, "0g")}
    if low is not None:
        return _("à partir de %(low)s €") % {"low": floatformat(low, "0g")}
    return ""


def list_rows(calls, now) -> list:
    """The page's calls, each with its ``current_state`` (from the annotations) and its
    funders, scope and amounts as text: built here once per row rather than by three
    includes and loops per row in the template (the list is the watch's busiest page)."""
    from ..enums import CallScope, CallState

    states = {state.value: state.label for state in CallState}
    # What get_scope_display() says, without its dict of the choices built per row.
    scopes = {scope.value: str(scope.label) for scope in CallScope}
    rows = list(calls)
    ids = [call.pk for call in rows]
    names = _names(ids)
    funders, themes, regions_of = names["funders"], names["themes"], names["regions"]
    for call in rows:
        call.current_state = call.state(now)
        call.state_label = states[call.current_state]
        call.funders_text = ", ".join(funders.get(call.pk, ())) or "—"
        regions = regions_of.get(call.pk, [])
        call.scope_text = (
            ", ".join(regions)
            if call.scope == CallScope.REGIONAL and regions
            else scopes.get(call.scope, call.scope)
        )
        call.amount_text = amount_text(call.amount_min, call.amount_max)
        call.theme_names = themes.get(call.pk, [])
    return rows


def proposals():
    """Proposed calls for the bureau to review, oldest first."""
    return (
        Call.objects.filter(status=CallStatus.PROPOSED)
        .select_related("proposed_by")
        .prefetch_related("funders", "themes", "regions", "deadlines")
        .order_by("created_at", "pk")
    )


def detail_queryset():
    return Call.objects.select_related("proposed_by").prefetch_related(
        "funders", "themes", "regions", "deadlines"
    )


@dataclass
class Step:
    label: str
    when: object  # a date (opening) or a datetime (deadline)
    is_deadline: bool
    past: bool
    is_next: bool = False


def timeline(call, now) -> list[Step]:
    """The opening, then each deadline in order; the first still ahead is ``is_next``."""
    from django.utils.translation import gettext as _

    steps = []
    today = timezone.localdate(now)
    if call.opens_on:
        steps.append(Step(_("Ouverture"), call.opens_on, False, call.opens_on <= today))
    next_seen = False
    for deadline in call.deadlines.all():  # prefetched, ordered by due_at
        past = deadline.due_at < now
        step = Step(deadline.label, deadline.due_at, True, past)
        if not past and not next_seen:
            step.is_next = next_seen = True
        steps.append(step)
    return steps


def my_platforms(user) -> list:
    if not user.is_authenticated:
        return []
    return list(
        Platform.objects.filter(memberships__user=user)
        .only("pk", "name", "slug")
        .order_by(French("name"), "pk")
    )


def call_page(user, call, now) -> dict:
    """Everything a call's page shows beyond the call: one query per block."""
    codes = set(Applicant.values)
    context = {
        "steps": timeline(call, now),
        "state": call.state(now),  # from the prefetched deadlines
        "applicants": [Applicant(code).label for code in call.applicants or () if code in codes],
        "following": CallFollow.objects.filter(call=call, user=user).exists(),
        "projects": list(
            Project.objects.filter(call=call)
            .select_related("lead_platform")
            .only("pk", "title", "acronym", "stage", "lead_platform__name")
            .order_by(French("title"), "pk")
        ),
    }
    if perms.can_see_interests(user):
        context["interests"] = list(
            CallInterest.objects.filter(call=call)
            .select_related("platform", "created_by")
            .order_by("platform__name", "pk")
        )
    else:
        context["interests"] = None
    platforms = my_platforms(user) if call.status == CallStatus.PUBLISHED else []
    context["my_platforms"] = platforms
    interested = {i.platform_id: i for i in context["interests"] or ()}
    context["my_interests"] = [interested[p.pk] for p in platforms if p.pk in interested]
    context["history"] = list(entries_for(call, 50)) if perms.can_manage_calls(user) else None
    return context
