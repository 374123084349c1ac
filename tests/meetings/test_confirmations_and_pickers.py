"""Issue 14: confirmation before irreversible meeting actions (without JavaScript), cancelling
a meeting, the ministry's read-only refusal and its own actions, the people pickers."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.enums import ActionStatus, MeetingStatus
from meetings.ics import meeting_ics
from tests.conftest import ROLES
from tests.factories import UserFactory

from .factories import (
    ActionFactory,
    AgendaItemFactory,
    InvitationFactory,
    MeetingFactory,
    after,
    make_past,
)

pytestmark = pytest.mark.django_db


# Confirmation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "extra"),
    [("meeting_convene", ()), ("meeting_cancel", ()), ("agenda_item_delete", ("item",))],
)
def test_a_first_post_only_asks_for_confirmation(client_for, draft_meeting, url_name, extra):
    item = AgendaItemFactory(meeting=draft_meeting)
    args = [draft_meeting.pk] + [item.pk for _ in extra]
    response = client_for("bureau").post(reverse(url_name, args=args))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<input type="hidden" name="confirm" value="1">' in content
    assert f'action="{reverse(url_name, args=args)}"' in content
    draft_meeting.refresh_from_db()
    assert draft_meeting.status == MeetingStatus.DRAFT
    assert draft_meeting.agenda_items.exists()


def test_agenda_item_removed_once_confirmed(client_for, draft_meeting):
    item = AgendaItemFactory(meeting=draft_meeting)
    url = reverse("agenda_item_delete", args=[draft_meeting.pk, item.pk])
    assert client_for("bureau").post(url, {"confirm": "1"}).status_code == 302
    assert not draft_meeting.agenda_items.exists()


def test_publishing_minutes_is_confirmed_on_its_own_page(client_for, national, bureau):
    make_past(national)
    services.minutes_draft(meeting=national, actor=bureau)
    client = client_for("bureau")
    url = reverse("minutes_publish", args=[national.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Publier définitivement" in page.content.decode()
    assert client.post(url).status_code == 200  # no confirm: the page again
    assert not national.minutes_versions.filter(status="published").exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert national.minutes_versions.filter(status="published").exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_publishes_minutes(client_for, role, national, bureau):
    make_past(national)
    services.minutes_draft(meeting=national, actor=bureau)
    response = client_for(role).post(
        reverse("minutes_publish", args=[national.pk]), {"confirm": "1"}
    )
    expected = {"anonymous": 302, "director": 403, "other_director": 403, "ministry": 403}
    assert response.status_code == expected.get(role, 302)
    published = national.minutes_versions.filter(status="published").exists()
    assert published is (role == "bureau")


def test_an_approval_is_confirmed_first(client_for, bureau):
    earlier = MeetingFactory(title="Réunion de janvier")
    from .factories import published_minutes

    minutes = published_minutes(earlier, bureau)
    later = MeetingFactory(start=earlier.start.replace(year=earlier.start.year + 1))
    later.end = later.start
    later.save()
    client = client_for("bureau")
    url = reverse("minutes_approve", args=[later.pk])
    page = client.post(url, {"minutes": minutes.pk})
    assert page.status_code == 200 and "Réunion de janvier" in page.content.decode()
    assert not minutes.approvals.exists()
    client.post(url, {"minutes": minutes.pk, "confirm": "1"})
    assert minutes.approvals.exists()


# Cancelling a meeting ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_cancels_a_meeting(client_for, role, national):
    response = client_for(role).post(
        reverse("meeting_cancel", args=[national.pk]), {"confirm": "1", "reason": "Grève"}
    )
    expected = {"anonymous": 302, "director": 403, "other_director": 403, "ministry": 403}
    assert response.status_code == expected.get(role, 302)
    national.refresh_from_db()
    assert (national.status == MeetingStatus.CANCELLED) is (role == "bureau")


def test_a_cancelled_meeting_is_shown_so_and_closed(client_for, national, director, bureau):
    client_for("bureau").post(
        reverse("meeting_cancel", args=[national.pk]), {"confirm": "1", "reason": "Grève"}
    )
    national.refresh_from_db()
    page = client_for("director").get(reverse("meeting_detail", args=[national.pk]))
    assert "Annulée" in page.content.decode()
    assert reverse("meeting_rsvp", args=[national.pk]) not in page.content.decode()
    assert b"STATUS:CANCELLED" in meeting_ics(national)
    from innovalo.audit import entries_for

    [entry] = [e for e in entries_for(national) if e.action == "meetings.meeting_cancelled"]
    assert entry.message == "Réunion annulée : Grève"


def test_a_held_or_past_meeting_cannot_be_cancelled(bureau):
    meeting = MeetingFactory(status=MeetingStatus.HELD)
    with pytest.raises(services.ServiceError):
        services.meeting_cancel(meeting=meeting, actor=bureau)
    convened = MeetingFactory()
    with after(convened), pytest.raises(services.ServiceError, match="passée"):
        services.meeting_cancel(meeting=convened, actor=bureau)


def test_the_cancel_link_only_on_meetings_that_may_be_cancelled(client_for, national):
    client = client_for("bureau")
    url = reverse("meeting_cancel", args=[national.pk])
    assert url in client.get(reverse("meeting_detail", args=[national.pk])).content.decode()
    held = MeetingFactory(status=MeetingStatus.HELD)
    page = client.get(reverse("meeting_detail", args=[held.pk])).content.decode()
    assert reverse("meeting_cancel", args=[held.pk]) not in page


# Mark done, reopen; the ministry -------------------------------------------------------------


def test_mark_done_can_be_undone_and_both_are_in_the_history(client_for, national, director):
    action = ActionFactory(meeting=national, owners=[director])
    client = client_for("director")
    url = reverse("action_status", args=[action.pk])
    client.post(url, {"status": "done"})
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    page = client.get(reverse("meeting_detail", args=[national.pk])).content.decode()
    assert "Rouvrir" in page
    client.post(url, {"status": "open"})
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and action.done_at is None
    from innovalo.audit import entries_for

    verbs = [entry.action for entry in entries_for(national)]
    assert "meetings.action_done" in verbs and "meetings.action_reopened" in verbs


def test_the_ministry_marks_done_and_reopens_an_action_assigned_to_it(
    client_for, national, ministry
):
    action = ActionFactory(meeting=national, owners=[ministry], title="Relayer l'enquête")
    client = client_for("ministry")
    page = client.get(reverse("my_actions")).content.decode()
    assert "Marquer faite" in page
    url = reverse("action_status", args=[action.pk])
    assert client.post(url, {"status": "done"}).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert client.post(url, {"status": "open"}).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    # Nothing else: cancelling or editing stays the bureau's.
    assert client.post(url, {"status": "cancelled"}).status_code == 403
    assert client.get(reverse("action_edit", args=[action.pk])).status_code == 403


def test_the_ministry_marks_done_its_action_of_a_meeting_it_does_not_see(client_for, ministry):
    meeting = MeetingFactory(title="AG sans le ministère")
    action = ActionFactory(meeting=meeting, owners=[ministry])
    response = client_for("ministry").post(
        reverse("action_status", args=[action.pk]), {"status": "done"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_a_refused_write_tells_the_ministry_it_is_read_only_and_whom_to_write_to(
    client_for, national, settings
):
    response = client_for("ministry").get(reverse("meeting_edit", args=[national.pk]))
    assert response.status_code == 403
    content = response.content.decode()
    assert "Votre compte ministère est en lecture seule" in content
    assert f"mailto:{settings.ASSOCIATION['email']}" in content
    other = client_for("director").get(reverse("meeting_edit", args=[national.pk]))
    assert other.status_code == 403
    assert "lecture seule" not in other.content.decode()


# Pickers -------------------------------------------------------------------------------------


def _namesakes(platform, other_platform):
    from members.models import PlatformMembership

    first = UserFactory(first_name="Philippe", last_name="Planard", email="pp1@exemple.fr")
    second = UserFactory(first_name="Philippe", last_name="Planard", email="pp2@exemple.fr")
    PlatformMembership.objects.create(platform=platform, user=first)
    PlatformMembership.objects.create(platform=other_platform, user=second)
    return first, second


def test_namesakes_are_told_apart_in_both_pickers(client_for, national, platform, other_platform):
    first, second = _namesakes(platform, other_platform)
    client = client_for("bureau")
    for url in (
        reverse("meeting_invitations", args=[national.pk]),
        reverse("action_create", args=[national.pk]),
    ):
        page = client.get(url).content.decode()
        label = platform.acronym or platform.name
        other_label = other_platform.acronym or other_platform.name
        assert f"Philippe Planard — {label} (pp1@exemple.fr)" in page
        assert f"Philippe Planard — {other_label} (pp2@exemple.fr)" in page
        assert 'type="checkbox"' in page and "<select multiple" not in page
        assert 'type="search"' in page and "data-hx-get" in page


def test_the_picker_search_keeps_the_ticked_and_finds_by_email(
    client_for, national, platform, other_platform
):
    first, second = _namesakes(platform, other_platform)
    someone = UserFactory(first_name="Zoé", last_name="Ailleurs")
    url = reverse("meeting_people", args=[national.pk])
    response = client_for("bureau").get(
        url, {"field": "owners", "owners_q": "pp2@", "owners": [str(someone.pk)]}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "pp2@exemple.fr" in content and "pp1@exemple.fr" not in content
    assert f'value="{someone.pk}" id="id_owners_{someone.pk}" checked' in content
    accents = client_for("bureau").get(url, {"field": "users", "users_q": "zoe"})
    assert "Zoé Ailleurs" in accents.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_search_people(client_for, role, national):
    response = client_for(role).get(
        reverse("meeting_people", args=[national.pk]), {"field": "users"}
    )
    expected = {"anonymous": 302, "director": 403, "other_director": 403, "ministry": 403}
    assert response.status_code == expected.get(role, 200)


def test_picker_search_of_an_unknown_field_is_404(client_for, national):
    url = reverse("meeting_people", args=[national.pk])
    assert client_for("bureau").get(url, {"field": "password"}).status_code == 404


def test_inviting_and_assigning_through_the_pickers(client_for, national, platform, other_platform):
    first, second = _namesakes(platform, other_platform)
    client = client_for("bureau")
    response = client.post(
        reverse("meeting_invitations", args=[national.pk]),
        {"invite_members": "1", "users": [str(second.pk)], "users_q": "Planard"},
    )
    assert response.status_code == 302
    assert national.invitations.filter(user=second).exists()
    assert not national.invitations.filter(user=first).exists()
    response = client.post(
        reverse("action_create", args=[national.pk]),
        {"title": "Rencontrer les décideurs", "owners": [str(first.pk)]},
    )
    assert response.status_code == 302
    assert list(national.actions.get().owners.all()) == [first]


def test_pickers_page_query_count(
    client_for, national, platform, other_platform, django_assert_max_num_queries
):
    _namesakes(platform, other_platform)
    for _ in range(3):
        InvitationFactory(meeting=national, user=UserFactory())
    client = client_for("bureau")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("action_create", args=[national.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("meeting_invitations", args=[national.pk])).status_code == 200
