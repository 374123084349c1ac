"""The deadlines of followed calls as an ICS feed, by a signed link, and its page."""

import datetime

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from innovalo.models import AuditEntry
from projects import ics
from projects.enums import CallStatus
from projects.models import CallFollow
from tests.conftest import ROLES
from tests.projects.factories import CallFactory, DeadlineFactory, FollowFactory, with_deadline

pytestmark = pytest.mark.django_db


def events(response) -> list:
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def followed(director):
    now = timezone.now().replace(second=0, microsecond=0)
    call = CallFactory(title="ANR PRCE")
    pre = DeadlineFactory(
        call=call, label="Pré-proposition", due_at=now + datetime.timedelta(days=20)
    )
    full = DeadlineFactory(
        call=call,
        label="Proposition détaillée",
        due_at=now + datetime.timedelta(days=120),
    )
    FollowFactory(call=call, user=director)
    return call, pre, full


def test_the_feed_lists_the_deadlines_of_followed_calls_only(director, other_director, followed):
    call, pre, full = followed
    other = with_deadline(30, title="Appel d'un autre")
    FollowFactory(call=other, user=other_director)
    with_deadline(40, title="Appel que personne ne suit")
    response = Client().get(ics.feed_path(director))  # no session: the link is the key
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response)
    assert [str(event["summary"]) for event in found] == [
        "[Pré-proposition] ANR PRCE",
        "[Proposition détaillée] ANR PRCE",
    ]
    assert [str(event["uid"]) for event in found] == [
        f"call-deadline-{pre.pk}@innovalo",
        f"call-deadline-{full.pk}@innovalo",
    ]
    assert found[0].decoded("dtstart") == pre.due_at
    assert str(found[0]["url"]) == settings.SITE_URL + reverse("call_detail", args=[call.pk])


@pytest.mark.parametrize("role", ROLES)
def test_feed_per_role(role, request):
    """No session needed, whoever follows: each person's link gives their own feed;
    anonymous has no link, and a made-up one is a 404."""
    call = with_deadline(10, title="Appel suivi")
    if role == "anonymous":
        assert Client().get(reverse("call_feed", args=["0:abc"])).status_code == 404
        return
    user = request.getfixturevalue(role)
    FollowFactory(call=call, user=user)
    response = Client().get(ics.feed_path(user))
    assert response.status_code == 200
    assert [str(e["summary"]) for e in events(response)] == ["[Date limite de dépôt] Appel suivi"]


def test_a_moved_deadline_keeps_its_uid(director, followed):
    _call, pre, _full = followed
    before = str(events(Client().get(ics.feed_path(director)))[0]["uid"])
    pre.due_at += datetime.timedelta(days=3)
    pre.save()
    after = events(Client().get(ics.feed_path(director)))[0]
    assert str(after["uid"]) == before
    assert after.decoded("dtstart") == pre.due_at


def test_a_followed_proposal_stays_out_of_the_feed(director):
    proposal = with_deadline(10, status=CallStatus.PROPOSED, proposed_by=director)
    FollowFactory(call=proposal, user=director)
    assert events(Client().get(ics.feed_path(director))) == []


@pytest.mark.parametrize(
    "token",
    [
        "nimporte-quoi",
        "1:abcdef",
        signing.Signer(salt="meetings.feed").sign("1"),
        signing.Signer(salt=ics.SALT).sign("abc"),
        "",
    ],
)
def test_a_bad_token_is_a_404(director, followed, token):
    if not token:
        token = ics.feed_token(director)[:-2] + "xx"
    assert Client().get(reverse("call_feed", args=[token])).status_code == 404


def test_another_users_id_with_my_signature_is_a_404(director, other_director):
    mine = ics.feed_token(director)
    forged = f"{other_director.pk}:{mine.split(':', 1)[1]}"
    assert Client().get(reverse("call_feed", args=[forged])).status_code == 404


def test_a_deactivated_account_has_no_feed(director, followed):
    path = ics.feed_path(director)
    director.is_active = False
    director.save()
    assert Client().get(path).status_code == 404


@pytest.mark.parametrize("count", [3, 20])
def test_feed_queries_do_not_grow(director, django_assert_max_num_queries, count):
    for _ in range(count):
        call = with_deadline(15)
        DeadlineFactory(call=call, label="Étape 2")
        FollowFactory(call=call, user=director)
    client = Client()
    path = ics.feed_path(director)
    before = (CallFollow.objects.count(), AuditEntry.objects.count())
    with django_assert_max_num_queries(2):
        response = client.get(path)
    assert len(events(response)) == 2 * count
    assert (CallFollow.objects.count(), AuditEntry.objects.count()) == before


# The page with the link ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_calendar_page_per_role(client_for, role, request):
    response = client_for(role).get(reverse("call_calendar"))
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
        return
    assert response.status_code == 200
    user = request.getfixturevalue(role)
    page = response.content.decode()
    assert "http://testserver" + ics.feed_path(user) in page
    assert "webcal://testserver" + ics.feed_path(user) in page


def test_calendar_page_lists_my_next_deadlines(client_for, followed):
    call, _pre, _full = followed
    passed = DeadlineFactory(
        call=call, label="Étape passée", due_at=timezone.now() - datetime.timedelta(days=2)
    )
    page = client_for("director").get(reverse("call_calendar")).content.decode()
    assert "Pré-proposition" in page and "Proposition détaillée" in page
    assert passed.label not in page
    other = client_for("other_director").get(reverse("call_calendar")).content.decode()
    assert "ANR PRCE" not in other and "Vous ne suivez aucun appel" in other


@pytest.mark.parametrize("count", [3, 20])
def test_calendar_page_queries_do_not_grow(
    client_for, director, django_assert_max_num_queries, count
):
    for _ in range(count):
        FollowFactory(call=with_deadline(15), user=director)
    client = client_for("director")
    before = (CallFollow.objects.count(), AuditEntry.objects.count())
    with django_assert_max_num_queries(3):
        assert client.get(reverse("call_calendar")).status_code == 200
    assert (CallFollow.objects.count(), AuditEntry.objects.count()) == before
