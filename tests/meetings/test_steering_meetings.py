# ruff: noqa: F811  (the shared fixtures are imported, then asked for by name)
"""A platform's steering committee meetings in the meetings app: run by the platform's people
(and the bureau), seen by its committee's members, hidden from other directors and the
ministry; the association's meetings keep their rules."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from innovalo.enums import Role
from innovalo.models import AuditEntry, SentReminder
from meetings import perms, services
from meetings.enums import ActionStatus, MeetingKind, MeetingStatus, RsvpStatus
from meetings.models import ActionItem, Meeting, MeetingInvitation
from tests.factories import UserFactory
from tests.members.test_steering_support import (  # noqa: F401  (fixtures)
    STEERING_ROLES,
    SteeringMemberFactory,
    committee,
    committee_member,
)

from .factories import (
    ActionFactory,
    AgendaItemFactory,
    InvitationFactory,
    MeetingFactory,
    make_past,
    published_minutes,
)

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n% test\n"


def steering_meeting(platform, **kwargs):
    kwargs.setdefault("title", f"Comité de pilotage de {platform.name}")
    return MeetingFactory(kind=MeetingKind.STEERING_COMMITTEE, platform=platform, **kwargs)


@pytest.fixture
def steering(platform, committee):
    """A convened meeting of `platform`'s committee; nobody invited yet."""
    return steering_meeting(platform)


def _fresh(user):
    """The user as a new request sees them (the perms' caches empty)."""
    return type(user).objects.get(pk=user.pk)


# Who sees it -----------------------------------------------------------------------------------

SEEN = {
    "anonymous": 302,
    "director": 200,
    "other_director": 404,
    "bureau": 200,
    "ministry": 404,
    "committee_member": 200,
}


@pytest.mark.parametrize(
    "url_name", ["meeting_detail", "meeting_agenda_pdf", "meeting_ics", "meeting_minutes_pdf"]
)
@pytest.mark.parametrize("role", STEERING_ROLES)
def test_a_committee_meeting_is_seen_by_its_platform_committee_and_the_bureau(
    client_for, role, url_name, steering, bureau
):
    AgendaItemFactory(meeting=steering)
    published_minutes(steering, bureau)
    response = client_for(role).get(reverse(url_name, args=[steering.pk]))
    assert response.status_code == SEEN[role], (url_name, role)


MANAGED_PAGES = [
    "meeting_edit",
    "agenda_edit",
    "meeting_invitations",
    "meeting_attendance",
    "minutes_edit",
    "action_create",
    "attachment_create",
    "meeting_history",
]
RUN = {**SEEN, "committee_member": 403}


@pytest.mark.parametrize("url_name", MANAGED_PAGES)
@pytest.mark.parametrize("role", STEERING_ROLES)
def test_a_committee_meeting_is_run_by_its_platform_and_the_bureau(
    client_for, role, url_name, steering
):
    response = client_for(role).get(reverse(url_name, args=[steering.pk]))
    assert response.status_code == RUN[role], (url_name, role)


@pytest.mark.parametrize("role", STEERING_ROLES)
def test_a_draft_committee_meeting_is_for_those_who_run_it(client_for, role, platform, committee):
    draft = steering_meeting(platform, status=MeetingStatus.DRAFT)
    expected = {**SEEN, "committee_member": 404}[role]
    assert client_for(role).get(reverse("meeting_detail", args=[draft.pk])).status_code == expected


@pytest.mark.parametrize("role", ["director", "bureau", "committee_member"])
def test_general_assembly_page_is_not_a_committee_page(client_for, role, steering):
    response = client_for(role).get(reverse("general_assembly", args=[steering.pk]))
    assert response.status_code == (403 if role == "committee_member" else 404)


def test_another_platforms_people_neither_see_nor_run_it(
    client_for, steering, other_platform, other_director
):
    client = client_for("other_director")
    assert client.get(reverse("meeting_detail", args=[steering.pk])).status_code == 404
    for name in ("meeting_convene", "meeting_mark_held", "minutes_approve"):
        assert client.post(reverse(name, args=[steering.pk])).status_code == 404
    response = client.post(
        reverse("agenda_edit", args=[steering.pk]),
        {"day": timezone.localtime(steering.start).date().isoformat(), "title": "Intrus"},
    )
    assert response.status_code == 404
    assert not steering.agenda_items.exists()
    # Nor through their own committee's pages: a meeting of theirs is theirs only.
    theirs = steering_meeting(other_platform)
    assert client.get(reverse("meeting_edit", args=[theirs.pk])).status_code == 200
    assert client_for("director").get(reverse("meeting_edit", args=[theirs.pk])).status_code == 404


def test_an_invited_person_sees_the_meeting_not_an_uninvited_one(
    client_for, steering, other_director
):
    url = reverse("meeting_detail", args=[steering.pk])
    assert client_for("other_director").get(url).status_code == 404
    InvitationFactory(meeting=steering, user=other_director)
    assert client_for("other_director").get(url).status_code == 200
    assert (
        client_for("other_director").get(reverse("meeting_edit", args=[steering.pk])).status_code
        == 403
    )


# The list and the calendar feed ----------------------------------------------------------------


@pytest.mark.parametrize("role", STEERING_ROLES)
def test_meeting_list_shows_a_committee_meeting_to_those_who_see_it(
    client_for, role, steering, other_platform, national
):
    theirs = steering_meeting(other_platform, title="Comité de Plasti Vendée")
    draft = steering_meeting(steering.platform, title="Comité en préparation", status="draft")
    response = client_for(role).get(reverse("meeting_list"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    content = response.content.decode()
    assert (steering.title in content) is (SEEN[role] == 200)
    assert (theirs.title in content) is (role in ("bureau", "other_director"))
    assert (draft.title in content) is (role in ("director", "bureau"))
    # The association's meetings, as before (the committee member is a director).
    assert national.title in content


@pytest.mark.parametrize("role", ["director", "other_director", "ministry", "committee_member"])
def test_visible_to_and_can_see_meeting_agree(
    role, request, platform, committee, other_platform, bureau
):
    user = request.getfixturevalue(role)
    meetings = []
    for status in MeetingStatus.values:
        meetings.append(steering_meeting(platform, status=status))
        meetings.append(steering_meeting(other_platform, status=status))
        for kind in MeetingKind.values:
            if kind != MeetingKind.STEERING_COMMITTEE:
                meetings.append(MeetingFactory(kind=kind, status=status))
    invited = steering_meeting(other_platform, title="Invité·e")
    InvitationFactory(meeting=invited, user=user)
    meetings.append(invited)
    visible = set(Meeting.objects.visible_to(_fresh(user)).values_list("pk", flat=True))
    fresh = _fresh(user)
    for meeting in meetings:
        assert (meeting.pk in visible) is perms.can_see_meeting(fresh, meeting), (
            meeting.kind,
            meeting.status,
            meeting.platform_id,
        )
    assert invited.pk in visible


def test_calendar_feed_follows_the_same_rule(client_for, steering, other_director, director):
    feed_director = services.calendar_feed_regenerate(user=director)
    feed_other = services.calendar_feed_regenerate(user=other_director)
    url = reverse("meeting_feed", args=[feed_director.token])
    assert steering.title in client_for("anonymous").get(url).content.decode()
    url = reverse("meeting_feed", args=[feed_other.token])
    assert steering.title not in client_for("anonymous").get(url).content.decode()


def test_meeting_list_query_count_does_not_grow_with_committees(
    client_for,
    platform,
    other_platform,
    committee,
    director,
    ministry,
    django_assert_max_num_queries,
):
    for n in range(4):
        meeting = steering_meeting(platform, title=f"Comité {n}")
        InvitationFactory(meeting=meeting, user=director, rsvp=RsvpStatus.YES)
        steering_meeting(other_platform, title=f"Autre comité {n}")
        national = MeetingFactory(title=f"Réunion {n}")
        InvitationFactory(meeting=national, user=ministry)
    for role in ("director", "ministry", "committee_member", "bureau"):
        client = client_for(role)
        with django_assert_max_num_queries(5):  # the pin of tests/meetings/test_pages.py
            response = client.get(reverse("meeting_list"))
        assert response.status_code == 200


# The bureau's pin of a national meeting's page (tests/meetings/test_queries.py), its platform
# in the meeting's query; a director adds her platforms (the perms), a committee member her
# platforms and seats, without the history.
@pytest.mark.parametrize("role,limit", [("director", 13), ("bureau", 12), ("committee_member", 13)])
def test_committee_meeting_page_query_count(
    client_for,
    role,
    limit,
    steering,
    director,
    bureau,
    committee_member,
    django_assert_max_num_queries,
):
    for n in range(4):
        item = AgendaItemFactory(meeting=steering, title=f"Point {n}")
        ActionFactory(meeting=steering, agenda_item=item, owners=[director, committee_member])
        InvitationFactory(meeting=steering, user=None, guest_name=f"Extérieur {n}")
    InvitationFactory(meeting=steering, user=committee_member)
    published_minutes(steering, bureau)
    client = client_for(role)
    with django_assert_max_num_queries(limit):
        response = client.get(reverse("meeting_detail", args=[steering.pk]))
    content = response.content.decode()
    assert "Extérieur 3" in content
    assert ("Gestion" in content) is (role != "committee_member")


# Run by the platform's director -------------------------------------------------------------------


def test_the_platforms_director_runs_a_committee_meeting_from_start_to_minutes(
    client_for, platform, committee, director, committee_member, django_capture_on_commit_callbacks
):
    client = client_for("director")
    # Created from the committee's page: a draft of the platform's committee.
    response = client.post(
        reverse("steering_meeting_create", args=[platform.slug]),
        {
            "title": "Comité de pilotage 2031",
            "start": "2031-04-02T14:00",
            "end": "2031-04-02T17:00",
            "place": "IUT, salle du conseil",
            "proposals_open": "on",
        },
    )
    meeting = Meeting.objects.get(title="Comité de pilotage 2031")
    assert response["Location"] == reverse("agenda_edit", args=[meeting.pk])
    # The agenda.
    for title in ("Bilan de l'année", "Orientations"):
        response = client.post(
            reverse("agenda_edit", args=[meeting.pk]),
            {"day": "2031-04-02", "title": title, "kind": "talk"},
        )
        assert response.status_code == 302
    # The invitations: every member of the committee, and the director herself.
    page = client.get(reverse("meeting_invitations", args=[meeting.pk])).content.decode()
    assert "Colette Comité" in page and "Jean Territoire" in page and "Rose Recherche" in page
    assert "sans adresse e-mail" in page
    response = client.post(
        reverse("meeting_invitations", args=[meeting.pk]),
        {
            "invite_members": "1",
            "members": [str(member.pk) for member in committee],
            "users": [str(director.pk)],
        },
    )
    assert response.status_code == 302
    invitations = {
        (i.user_id, i.guest_name, i.guest_email, i.organisation) for i in meeting.invitations.all()
    }
    assert invitations == {
        (committee_member.pk, "", "", "CCI de l'Aisne"),
        (director.pk, "", "", "InnovalTech (IVT)"),
        (None, "Jean Territoire", "jean.territoire@exemple.fr", "Communauté d'agglomération"),
        (None, "Rose Recherche", "", "Laboratoire LTI"),
    }
    # Inviting them again adds nobody.
    page = client.get(reverse("meeting_invitations", args=[meeting.pk])).content.decode()
    assert "Tous les membres du comité sont invités." in page
    # The convocation: by email to the account and to the outside member's address.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meeting_convene", args=[meeting.pk]), {"confirm": "1"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [committee_member.email, director.email, "jean.territoire@exemple.fr"]
    )
    assert SentReminder.objects.filter(rule="meeting_convocation").count() == 4
    # The committee member answers and proposes a point; the director accepts it.
    member_client = client_for("committee_member")
    assert (
        member_client.post(reverse("meeting_rsvp", args=[meeting.pk]), {"rsvp": "yes"}).status_code
        == 302
    )
    response = member_client.post(
        reverse("proposal_create", args=[meeting.pk]), {"title": "Stages en entreprise"}
    )
    assert response.status_code == 302
    proposal = meeting.proposals.get()
    response = client.post(
        reverse("proposal_accept", args=[meeting.pk, proposal.pk]), {"day": "2031-04-02"}
    )
    assert response.status_code == 302
    assert meeting.agenda_items.count() == 3
    # Held: attendance, minutes, an action and a document.
    make_past(meeting, days=3650)  # held: attendance, minutes
    held_url = reverse("meeting_mark_held", args=[meeting.pk])
    assert client.post(held_url, {"confirm": "1"}).status_code == 302
    marks = {f"att_{i.pk}": "present" for i in meeting.invitations.all()}
    assert client.post(reverse("meeting_attendance", args=[meeting.pk]), marks).status_code == 302
    minutes_url = reverse("minutes_edit", args=[meeting.pk])
    assert client.post(minutes_url, {"start": "1"}).status_code == 302
    minutes = meeting.minutes_versions.get()
    data = {"summary": "Un comité utile", "publish": "1"}
    for item in minutes.items.all():
        data[f"text_{item.pk}"] = f"Échanges sur {item.title}"
        data[f"decisions_{item.pk}"] = "Décision prise"
    assert client.post(minutes_url, data).status_code == 302
    publish_url = reverse("minutes_publish", args=[meeting.pk])
    assert client.post(publish_url, {"confirm": "1"}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.is_published
    response = client.post(
        reverse("action_create", args=[meeting.pk]),
        {"title": "Organiser les stages", "owners": [str(committee_member.pk)]},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("attachment_create", args=[meeting.pk]),
        {
            "title": "Rapport",
            "kind": "activity_report",
            "file": SimpleUploadedFile("rapport.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 302
    attachment = meeting.attachments.get()
    # The committee member reads the minutes, downloads the document, marks the action done.
    page = member_client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Un comité utile" in page and "Échanges sur Stages en entreprise" in page
    assert "Organiser les stages" in page
    assert (
        member_client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200
    )
    action = meeting.actions.get()
    response = member_client.post(reverse("action_status", args=[action.pk]), {"status": "done"})
    assert response.status_code == 302
    # Another director sees none of it.
    other = client_for("other_director")
    assert other.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404
    assert other.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404
    assert other.get(reverse("meeting_minutes_pdf", args=[meeting.pk])).status_code == 404
    assert "Comité de pilotage 2031" not in other.get(reverse("meeting_list")).content.decode()
    # Its history is the director's to read.
    history = client.get(reverse("meeting_history", args=[meeting.pk])).content.decode()
    assert "Réunion créée" in history and "Réunion convoquée" in history


def test_the_invitations_form_offers_only_this_committees_members(
    client_for, steering, other_platform
):
    theirs = SteeringMemberFactory(platform=other_platform, name="Membre d'ailleurs")
    page = client_for("director").get(reverse("meeting_invitations", args=[steering.pk]))
    assert "Membre d&#x27;ailleurs" not in page.content.decode()
    response = client_for("director").post(
        reverse("meeting_invitations", args=[steering.pk]),
        {"invite_members": "1", "members": [str(theirs.pk)]},
    )
    assert response.status_code == 200
    assert not steering.invitations.exists()
    response = client_for("director").post(
        reverse("meeting_invitations", args=[steering.pk]), {"invite_members": "1"}
    )
    assert "Choisissez au moins une personne." in response.content.decode()


def test_an_outside_person_is_still_invited_by_hand(client_for, steering):
    response = client_for("director").post(
        reverse("meeting_invitations", args=[steering.pk]),
        {"invite_guest": "1", "name": "Invitée ponctuelle", "email": "ponctuelle@exemple.fr"},
    )
    assert response.status_code == 302
    assert steering.invitations.get().guest_email == "ponctuelle@exemple.fr"


def test_the_committee_member_may_not_run_it(client_for, steering, committee_member):
    InvitationFactory(meeting=steering, user=committee_member)
    client = client_for("committee_member")
    assert client.post(reverse("meeting_convene", args=[steering.pk])).status_code == 403
    action = ActionFactory(meeting=steering, owners=[committee_member])
    assert (
        client.post(reverse("action_status", args=[action.pk]), {"status": "cancelled"}).status_code
        == 403
    )
    assert client.get(reverse("action_edit", args=[action.pk])).status_code == 403


# The association's meetings keep their rules ---------------------------------------------------


@pytest.mark.parametrize("role", ["director", "committee_member"])
def test_the_platforms_people_do_not_run_the_associations_meetings(
    client_for, role, steering, national
):
    for name in MANAGED_PAGES:
        assert client_for(role).get(reverse(name, args=[national.pk])).status_code == 403


def test_the_platforms_director_edits_and_cancels_a_committee_action_not_a_national_one(
    client_for, steering, national, director
):
    mine = ActionFactory(meeting=steering)
    theirs = ActionFactory(meeting=national)
    client = client_for("director")
    assert (
        client.post(reverse("action_status", args=[mine.pk]), {"status": "cancelled"}).status_code
        == 302
    )
    mine.refresh_from_db()
    assert mine.status == ActionStatus.CANCELLED
    assert (
        client.post(reverse("action_status", args=[mine.pk]), {"status": "open"}).status_code == 302
    )
    assert (
        client.post(reverse("action_status", args=[theirs.pk]), {"status": "cancelled"}).status_code
        == 403
    )
    assert client.get(reverse("action_edit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("action_edit", args=[theirs.pk])).status_code == 403


def test_the_bureaus_meeting_form_does_not_offer_the_steering_kind(client_for):
    page = client_for("bureau").get(reverse("meeting_create")).content.decode()
    assert 'value="steering_committee"' not in page
    response = client_for("bureau").post(
        reverse("meeting_create"),
        {
            "kind": MeetingKind.STEERING_COMMITTEE,
            "title": "Comité sans plateforme",
            "start": "2031-05-17T14:00",
            "end": "2031-05-17T16:00",
        },
    )
    assert response.status_code == 200
    assert not Meeting.objects.filter(title="Comité sans plateforme").exists()


def test_a_committee_meetings_edit_page_keeps_its_kind(client_for, steering):
    url = reverse("meeting_edit", args=[steering.pk])
    assert 'name="kind"' not in client_for("director").get(url).content.decode()
    response = client_for("director").post(
        url,
        {
            "kind": MeetingKind.NATIONAL,
            "title": "Comité renommé",
            "start": "2031-04-02T14:00",
            "end": "2031-04-02T17:00",
        },
    )
    assert response.status_code == 302
    steering.refresh_from_db()
    assert (steering.title, steering.kind) == ("Comité renommé", MeetingKind.STEERING_COMMITTEE)


def test_approvals_and_carried_over_actions_stay_within_a_committee(
    client_for, platform, other_platform, committee, bureau
):
    earlier = timezone.now() - datetime.timedelta(days=60)
    ours = steering_meeting(platform, title="Notre comité d'avant", start=earlier, status="held")
    theirs = steering_meeting(
        other_platform, title="Leur comité d'avant", start=earlier, status="held"
    )
    association = MeetingFactory(title="Réunion nationale d'avant", start=earlier, status="held")
    for meeting in (ours, theirs, association):
        published_minutes(meeting, bureau)
        ActionFactory(meeting=meeting, title=f"Action de {meeting.title}")
    later = steering_meeting(platform, title="Notre comité")
    content = client_for("bureau").get(reverse("meeting_detail", args=[later.pk])).content.decode()
    assert "Action de Notre comité d&#x27;avant" in content
    assert "Leur comité" not in content and "Réunion nationale d&#x27;avant" not in content
    national = MeetingFactory(title="Réunion nationale")
    content = client_for("bureau").get(reverse("meeting_detail", args=[national.pk])).content
    content = content.decode()
    assert "Réunion nationale d&#x27;avant" in content  # its approval choice
    assert "comité d&#x27;avant" not in content
    # An approval posted across committees is refused.
    minutes = theirs.minutes_versions.get()
    response = client_for("director").post(
        reverse("minutes_approve", args=[later.pk]), {"minutes": str(minutes.pk)}
    )
    assert response.status_code == 302
    assert not minutes.approvals.exists()


def test_a_get_never_writes_on_the_committee_meetings_pages(
    client_for, steering, committee_member, director
):
    InvitationFactory(meeting=steering, user=committee_member)
    ActionFactory(meeting=steering, owners=[committee_member])
    counts = lambda: (  # noqa: E731
        AuditEntry.objects.count(),
        MeetingInvitation.objects.count(),
        SentReminder.objects.count(),
        ActionItem.objects.count(),
        steering.minutes_versions.count(),
    )
    before = counts()
    for role in ("director", "committee_member"):
        client = client_for(role)
        for name in [*MANAGED_PAGES, "meeting_detail", "meeting_ics", "meeting_agenda_pdf"]:
            client.get(reverse(name, args=[steering.pk]))
    assert counts() == before


@pytest.mark.parametrize(
    "data",
    [
        {"invite_members": "1", "members": ["9" * 30]},
        {"invite_members": "1", "members": ["abc"], "users": ["-1"]},
        {"invite_members": "1", "users": ["1.5"]},
        {"invite_guest": "1", "name": "", "email": "pas-une-adresse"},
    ],
)
def test_hostile_invitations_are_never_a_500(client_for, steering, data):
    response = client_for("director").post(reverse("meeting_invitations", args=[steering.pk]), data)
    assert response.status_code == 200
    assert not steering.invitations.exists()


def test_ministry_member_of_a_committee_sees_but_never_runs(client_for, platform, ministry):
    meeting = steering_meeting(platform)
    SteeringMemberFactory(platform=platform, user=ministry, name="")
    client = client_for("ministry")
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("agenda_edit", args=[meeting.pk])).status_code == 403
    ministry_person = UserFactory(role=Role.MINISTRY)
    assert not perms.can_see_meeting(ministry_person, meeting)


def test_a_committee_actions_owners_are_its_people(client_for, steering, committee_member, bureau):
    outsider = UserFactory(first_name="Hors", last_name="Comité")
    form = client_for("director").get(reverse("action_create", args=[steering.pk])).content.decode()
    assert "Colette Comité" in form and "Hors Comité" not in form
    response = client_for("director").post(
        reverse("action_create", args=[steering.pk]),
        {"title": "Action", "owners": [str(outsider.pk)]},
    )
    assert response.status_code == 200 and not steering.actions.exists()
    # An action given by the bureau to someone else is still corrected with its owner.
    action = ActionFactory(meeting=steering, owners=[outsider])
    response = client_for("director").post(
        reverse("action_edit", args=[action.pk]),
        {"title": "Action corrigée", "owners": [str(outsider.pk)], "status": "open"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Action corrigée"
