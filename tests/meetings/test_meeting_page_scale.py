"""A meeting's page at federation scale (issue 15): the same queries whatever the number of
earlier meetings, minutes and open actions, and the carried-over actions capped to the most
urgent with their total."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import selectors
from meetings.enums import ActionStatus, MeetingKind, MeetingStatus

from .factories import ActionFactory, InvitationFactory, MeetingFactory, published_minutes

pytestmark = pytest.mark.django_db

CAPPED = "actions ouvertes les plus urgentes sur"


@pytest.fixture
def page_meeting(director, ministry):
    """A convened national meeting in ten days; the director and the ministry are invited."""
    meeting = MeetingFactory(
        title="Réunion du jour", start=timezone.now() + datetime.timedelta(days=10)
    )
    InvitationFactory(meeting=meeting, user=director)
    InvitationFactory(meeting=meeting, user=ministry)
    return meeting


def earlier_meetings(page, count, *, actions_each, first=0, owners=(), minutes_by=None):
    """`count` held national meetings before `page`, each with `actions_each` open actions
    (titled "Action reportée <meeting> <n>", due in order) and, given `minutes_by`,
    published minutes awaiting approval."""
    meetings = []
    for n in range(first, first + count):
        meeting = MeetingFactory(
            title=f"Plus tôt {n:02d}",
            start=page.start - datetime.timedelta(days=30 * (n + 1)),
            status=MeetingStatus.HELD,
        )
        for a in range(actions_each):
            ActionFactory(
                meeting=meeting,
                title=f"Action reportée {n:02d}-{a}",
                owners=list(owners),
                due_date=timezone.localdate() + datetime.timedelta(days=n * actions_each + a),
            )
        if minutes_by is not None:
            published_minutes(meeting, minutes_by)
        meetings.append(meeting)
    return meetings


def page_queries(client, meeting):
    url = reverse("meeting_detail", args=[meeting.pk])
    client.get(url)  # the session's first read
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), list(queries)


@pytest.mark.parametrize("role,limit", [("bureau", 12), ("director", 11), ("ministry", 12)])
def test_meeting_page_queries_do_not_grow_with_earlier_meetings_and_open_actions(
    client_for, page_meeting, bureau, director, ministry, role, limit
):
    """Two earlier meetings with two open actions each, then twelve with three each (more
    than a page of carried-over actions, more minutes awaiting approval): the same queries,
    and the carried-over actions are one page."""
    small = earlier_meetings(
        page_meeting, 2, actions_each=2, owners=[director, bureau], minutes_by=bureau
    )
    for meeting in small:
        InvitationFactory(meeting=meeting, user=ministry)
    client = client_for(role)
    content, before = page_queries(client, page_meeting)
    assert content.count("<td>Action reportée") == 4
    assert CAPPED not in content

    more = earlier_meetings(
        page_meeting,
        10,
        actions_each=3,
        first=2,
        owners=[director, bureau],
        minutes_by=bureau,
    )
    for meeting in more:
        InvitationFactory(meeting=meeting, user=ministry)
    content, after = page_queries(client, page_meeting)
    assert len(after) == len(before) <= limit
    assert content.count("<td>Action reportée") == selectors.CARRIED_OVER_ON_PAGE
    assert f"Les {selectors.CARRIED_OVER_ON_PAGE} {CAPPED} 34 sont affichées" in content
    minutes_reads = [q["sql"] for q in after if q["sql"].startswith('SELECT "meetings_minutes"')]
    # By ids from indexed lookups, not an OR over every minutes and its approval.
    assert len(minutes_reads) == 1 and " UNION ALL " in minutes_reads[0]
    assert " OR " not in minutes_reads[0]


def test_carried_over_actions_are_the_most_urgent_twenty_with_their_total_and_a_link(
    client_for, page_meeting, director
):
    """23 open actions of earlier meetings (and closed ones, never carried over): the
    CARRIED_OVER_ON_PAGE due first are shown, the total says how many there are, and the
    list of this kind's meetings leads to the others."""
    earlier = earlier_meetings(page_meeting, 7, actions_each=3)  # 21, due in order
    undated = [
        ActionFactory(meeting=earlier[0], title=f"Action reportée sans échéance {n}", due_date=None)
        for n in range(2)
    ]
    for status in (ActionStatus.DONE, ActionStatus.CANCELLED):
        ActionFactory(meeting=earlier[0], title=f"Action close {status}", status=status)
    content, _queries = page_queries(client_for("director"), page_meeting)
    cap = selectors.CARRIED_OVER_ON_PAGE
    assert content.count("<td>Action reportée") == cap
    shown = [f"Action reportée {n:02d}-{a}" for n in range(7) for a in range(3)][:cap]
    assert all(f"<td>{title}" in content for title in shown)
    assert "<td>Action reportée 06-2" not in content  # due last of the dated ones
    assert not any(f"<td>{action.title}" in content for action in undated)  # none due: last
    assert "Action close" not in content
    assert f"Les {cap} {CAPPED} 23 sont affichées" in content
    link = f"{reverse('meeting_list')}?kind=national"
    assert f'href="{link}"' in content
    listed = client_for("director").get(link).content.decode()
    assert all(meeting.title in listed for meeting in earlier)


def test_no_total_when_every_carried_over_action_is_shown(client_for, page_meeting):
    cap = selectors.CARRIED_OVER_ON_PAGE
    earlier_meetings(page_meeting, cap // 2, actions_each=2)  # exactly a page
    content, _queries = page_queries(client_for("bureau"), page_meeting)
    assert content.count("<td>Action reportée") == cap
    assert CAPPED not in content and "?kind=national" not in content


def test_the_carried_over_total_counts_the_meetings_the_user_may_see(
    client_for, page_meeting, ministry, monkeypatch
):
    """The ministry sees the association's meetings it was invited to: the total counts the
    actions of those only."""
    monkeypatch.setattr(selectors, "CARRIED_OVER_ON_PAGE", 3)
    earlier = earlier_meetings(page_meeting, 3, actions_each=2)
    for meeting in earlier[:2]:
        InvitationFactory(meeting=meeting, user=ministry)
    director_page, _queries = page_queries(client_for("director"), page_meeting)
    assert f"Les 3 {CAPPED} 6 sont affichées" in director_page
    ministry_page, _queries = page_queries(client_for("ministry"), page_meeting)
    assert ministry_page.count("<td>Action reportée") == 3
    assert f"Les 3 {CAPPED} 4 sont affichées" in ministry_page
    assert "Action reportée 02-" not in ministry_page


@pytest.mark.parametrize("role", ["bureau", "director", "ministry"])
def test_carried_over_actions_come_from_the_earlier_meetings_the_user_may_see(
    client_for, page_meeting, ministry, role
):
    """Whatever the way each role's visibility is written in SQL, the carried-over actions
    are those of the earlier meetings of the kind that `Meeting.objects.visible_to` gives
    the user: a draft's for the bureau only, an uninvited meeting's not for the ministry."""
    from meetings.models import ActionItem, Meeting

    held = earlier_meetings(page_meeting, 2, actions_each=1)
    InvitationFactory(meeting=held[0], user=ministry)
    draft = MeetingFactory(title="Brouillon", start=page_meeting.start - datetime.timedelta(days=5))
    draft.status = MeetingStatus.DRAFT
    draft.save()
    ActionFactory(meeting=draft, title="Action reportée du brouillon")
    client = client_for(role)
    user = client.get(reverse("home")).wsgi_request.user
    content, _queries = page_queries(client, page_meeting)
    visible = Meeting.objects.visible_to(user).filter(
        kind=page_meeting.kind, start__lt=page_meeting.start
    )
    expected = set(
        ActionItem.objects.filter(status="open", meeting__in=visible).values_list(
            "title", flat=True
        )
    )
    shown = {title for title in expected if f"<td>{title}" in content}
    assert shown == expected
    assert ("Action reportée du brouillon" in content) is (role == "bureau")


def test_a_steering_committee_caps_its_own_carried_over_actions_without_the_list_link(
    client_for, platform, bureau, monkeypatch
):
    """A committee carries over its platform's actions only; its meetings are listed on the
    committee's page (linked at the top), not in the association's list."""
    monkeypatch.setattr(selectors, "CARRIED_OVER_ON_PAGE", 2)
    now = timezone.now()

    def committee(title, days):
        return MeetingFactory(
            kind=MeetingKind.STEERING_COMMITTEE,
            platform=platform,
            title=title,
            start=now + datetime.timedelta(days=days),
        )

    page = committee("Comité du jour", 10)
    for n in range(3):
        ActionFactory(meeting=committee(f"Comité d'avant {n}", -30 * (n + 1)), title=f"Suivi {n}")
    ActionFactory(meeting=MeetingFactory(start=now - datetime.timedelta(days=5)), title="Autre")
    content, _queries = page_queries(client_for("bureau"), page)
    assert content.count("<td>Suivi ") == 2 and "<td>Autre" not in content
    assert f"Les 2 {CAPPED} 3 sont affichées" in content
    assert "?kind=" not in content
