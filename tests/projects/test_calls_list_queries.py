"""The calls list's statement (issue 15): ``list_queryset`` reads the next deadline with
one join and a ``MIN`` grouped by call, where ``Call.objects.for_list`` runs a subquery
per call (twice: in the state filter and in the sort). Both give the same calls, in the
same order, with the same next deadline and label, whatever the filters; the list's
queries stay the same number with three calls or a page and more of them."""

import datetime

import pytest
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Region
from projects.enums import CallKind, CallScope, CallStatus
from projects.filters import CallFilter
from projects.models import Call, CallDeadline
from projects.selectors.calls import list_queryset
from tests.projects.calls_helpers import full_call, proposed_call
from tests.projects.factories import (
    CallFactory,
    DeadlineFactory,
    FunderFactory,
    ThemeFactory,
    with_deadline,
)

pytestmark = pytest.mark.django_db

# The benchmark's page (docs/benchmarks.md, "calls (filters)").
FILTERED = "?kind=call&theme=numerique"


def reference(now):
    """What the list read before: ``for_list``'s subquery per call, and the label."""
    ahead = CallDeadline.objects.filter(call=OuterRef("pk"), due_at__gte=now).order_by(
        "due_at", "pk"
    )
    return Call.objects.for_list(now).annotate(
        next_deadline_label=Subquery(ahead.values("label")[:1])
    )


def rows(queryset, query, user, now):
    found = CallFilter(QueryDict(query), queryset=queryset, user=user, now=now).qs
    listed = [
        (call.title, call.next_deadline, call.next_deadline_label, call.state(now))
        for call in found
    ]
    return listed, found.count()


@pytest.fixture
def watch(director):
    """Calls of every state, kind, scope and status, some with several deadlines, two
    deadlines ahead at the same instant, two calls whose next deadline is the same."""
    now = timezone.now()
    today = timezone.localdate()
    numerique = ThemeFactory(name="Numérique", slug="numerique")
    sante = ThemeFactory(name="Santé", slug="sante")
    bpi = FunderFactory(name="Bpifrance")
    same_instant = now + datetime.timedelta(days=40)

    two_steps = CallFactory(title="Deux étapes")
    DeadlineFactory(call=two_steps, label="Pré-proposition", due_at=now - datetime.timedelta(3))
    DeadlineFactory(call=two_steps, label="Dossier complet", due_at=now + datetime.timedelta(50))
    DeadlineFactory(call=two_steps, label="Audition", due_at=now + datetime.timedelta(80))
    two_steps.themes.set([numerique])

    tie = CallFactory(title="Deux dates au même instant")
    DeadlineFactory(call=tie, label="Volet A", due_at=same_instant)
    DeadlineFactory(call=tie, label="Volet B", due_at=same_instant)
    tie.themes.set([numerique, sante])
    tie.funders.set([bpi])
    same_day = CallFactory(
        title="Même date, publié avant", published_at=now - datetime.timedelta(days=30)
    )
    DeadlineFactory(call=same_day, label="Dépôt", due_at=same_instant)
    same_day.themes.set([numerique])

    with_deadline(10, title="Bientôt clos", kind=CallKind.CONTEST).themes.set([numerique])
    with_deadline(90, title="Ouvert", kind=CallKind.CONTEST).funders.set([bpi])
    with_deadline(-5, title="Clos").themes.set([numerique])
    CallFactory(title="Toute l'année", open_all_year=True).themes.set([numerique])
    all_year_dated = with_deadline(200, title="Toute l'année, une session", open_all_year=True)
    all_year_dated.themes.set([sante])
    with_deadline(120, title="À venir", opens_on=today + datetime.timedelta(days=20))
    CallFactory(title="Sans date", kind=CallKind.LABEL)
    regional = with_deadline(30, title="Régional", scope=CallScope.REGIONAL)
    regional.regions.set(Region.objects.filter(code="53"))
    with_deadline(60, title="Archivé", status=CallStatus.ARCHIVED)
    proposal = proposed_call(director, title="Proposition")
    DeadlineFactory(call=proposal, due_at=now + datetime.timedelta(days=15))
    for n in range(3):
        full_call(n, days=20 + n)
    return {"funder": bpi.pk}


QUERIES = [
    "",
    FILTERED,
    "kind=contest",
    "theme=numerique&theme=sante",
    "funder={funder}",
    "region=53",
    "q=feder",
    "state=all",
    "state=closed",
    "state=upcoming",
    "state=closing_soon",
    "state=all&sort=published",
    "sort=published",
    "status=archived&state=all",
    "status=proposed&state=all",
    "deadline_before=2999-12-31",
    "deadline_before=2999-12-31&state=all",
    "theme=numerique&state=all&sort=published",
    "state=x&sort=y&deadline_before=nope",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_list_reads_what_for_list_read(watch, query, bureau, director):
    query = query.lstrip("?").format(**watch)
    now = timezone.now()
    for user in (bureau, director):
        listed, count = rows(list_queryset(now), query, user, now)
        assert (listed, count) == rows(reference(now), query, user, now)
        assert count == len(listed)
    if query == FILTERED.lstrip("?"):
        assert len(listed) > 3  # the comparison saw the ties and the several deadlines


def test_several_deadlines_ahead_at_one_instant_give_the_first_label(watch):
    now = timezone.now()
    listed, _count = rows(list_queryset(now), "q=instant", None, now)
    assert [label for _title, _when, label, _state in listed] == ["Volet A"]


def _calls_statement(queries) -> str:
    (sql,) = [q["sql"] for q in queries if 'COUNT("projects_call"."id") OVER ()' in q["sql"]]
    return sql


@pytest.mark.parametrize("count", [3, 25])
def test_filtered_list_queries_are_pinned(client_for, django_assert_num_queries, count):
    """Session, user, the form's lists, the page of calls with its count, the page's
    funders, themes and regions: five, with three calls as with more than a page (its
    second page too)."""
    for n in range(count):
        call = full_call(n, kind=CallKind.CALL_FOR_PROJECTS, days=20 + n)
        later = timezone.now() + datetime.timedelta(days=200)
        DeadlineFactory(call=call, label="Audition", due_at=later)
    with_deadline(30, title="Concours", kind=CallKind.CONTEST).themes.set(
        [ThemeFactory(slug="numerique")]
    )
    client = client_for("bureau")
    for page in ("", "&page=2") if count > 20 else ("",):
        with django_assert_num_queries(5):
            response = client.get(reverse("call_list") + FILTERED + page)
        assert response.status_code == 200
    first = client.get(reverse("call_list") + FILTERED).context
    assert first["page_obj"].paginator.count == count
    assert len(first["calls"]) == min(count, 20)
    assert all(sorted(call.theme_names) == ["Numérique", "Énergie"] for call in first["calls"])


def test_the_next_deadline_is_one_join_not_a_subquery_per_call(client_for):
    """The state filter and the sort read ``MIN`` of the joined deadlines; the one
    subquery left is the label, which the database evaluates for the page's rows only."""
    for n in range(3):
        full_call(n)
    with CaptureQueriesContext(connection) as queries:
        client_for("bureau").get(reverse("call_list") + FILTERED)
    sql = _calls_statement(queries.captured_queries)
    assert sql.count('FROM "projects_calldeadline"') == 1
    assert 'LEFT OUTER JOIN "projects_calldeadline"' in sql and "MIN(" in sql
    assert "HAVING" in sql  # the open state, on the grouped calls
