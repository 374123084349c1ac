"""Security findings 5 and 7 for meetings: bad input is never a 500; proposals and actions
follow the README's rules."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings import perms
from meetings.enums import ActionStatus
from meetings.models import ActionItem, Attachment, MeetingInvitation
from tests.conftest import ROLES

from .factories import ActionFactory, AgendaItemFactory, MeetingFactory, make_past

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
PDF_BYTES = b"%PDF-1.4\n% test\n"

# Finding 7: proposals --------------------------------------------------------------------------

# In `national`, the director and the ministry are invited; other_director and bureau are not.
PROPOSE = {
    "anonymous": 302,
    "director": 302,
    "other_director": 403,
    "bureau": 302,
    "ministry": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_invited_members_and_the_bureau_propose(client_for, role, national):
    response = client_for(role).post(
        reverse("proposal_create", args=[national.pk]), {"title": "Point proposé"}
    )
    assert response.status_code == PROPOSE[role]
    created = national.proposals.filter(title="Point proposé").exists()
    assert created is (role in ("director", "bureau"))
    if role != "anonymous":
        page = client_for(role).get(reverse("meeting_detail", args=[national.pk]))
        form_shown = reverse("proposal_create", args=[national.pk]) in page.content.decode()
        assert form_shown is (role in ("director", "bureau"))


def test_a_director_invited_later_may_propose(national, other_director, bureau):
    assert not perms.can_propose_item(other_director, national)
    MeetingInvitation.objects.create(meeting=national, user=other_director)
    other_director = type(other_director).objects.get(pk=other_director.pk)  # fresh perms cache
    assert perms.can_propose_item(other_director, national)


# Finding 7: actions ----------------------------------------------------------------------------

# The director owns the action. Who may do what, per status asked.
ACTION_STATUS = {
    "done": {"director": 302, "other_director": 403, "bureau": 302, "ministry": 403},
    "cancelled": {"director": 403, "other_director": 403, "bureau": 302, "ministry": 403},
}


@pytest.mark.parametrize("status", ["done", "cancelled"])
@pytest.mark.parametrize("role", ["director", "other_director", "bureau", "ministry"])
def test_who_marks_done_or_cancels_an_open_action(client_for, role, status, national, director):
    action = ActionFactory(meeting=national, owners=[director])
    response = client_for(role).post(reverse("action_status", args=[action.pk]), {"status": status})
    assert response.status_code == ACTION_STATUS[status][role]
    action.refresh_from_db()
    assert (action.status == status) is (response.status_code == 302)


REOPEN = {"director": 302, "other_director": 403, "bureau": 302, "ministry": 403}


@pytest.mark.parametrize("role", ["director", "other_director", "bureau", "ministry"])
def test_who_reopens_a_done_action(client_for, role, national, director):
    action = ActionFactory(meeting=national, owners=[director], status=ActionStatus.DONE)
    response = client_for(role).post(reverse("action_status", args=[action.pk]), {"status": "open"})
    assert response.status_code == REOPEN[role]
    action.refresh_from_db()
    assert (action.status == ActionStatus.OPEN) is (role in ("director", "bureau"))


def test_an_owner_cannot_reopen_a_cancelled_action(client_for, national, director):
    action = ActionFactory(meeting=national, owners=[director], status=ActionStatus.CANCELLED)
    response = client_for("director").post(
        reverse("action_status", args=[action.pk]), {"status": "open"}
    )
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_login(client_for, national, director):
    action = ActionFactory(meeting=national, owners=[director])
    response = client_for("anonymous").post(
        reverse("action_status", args=[action.pk]), {"status": "cancelled"}
    )
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert ActionItem.objects.get(pk=action.pk).status == ActionStatus.OPEN


@pytest.mark.parametrize("role", ROLES)
def test_action_buttons_per_role(client_for, role, national, director):
    open_action = ActionFactory(meeting=national, title="Ouverte", owners=[director])
    done_action = ActionFactory(
        meeting=national, title="Faite", owners=[director], status=ActionStatus.DONE
    )
    response = client_for(role).get(reverse("meeting_detail", args=[national.pk]))
    if role == "anonymous":
        assert response.status_code == 302
        return
    content = response.content.decode()
    may_mark = role in ("director", "bureau")
    assert ("Marquer faite" in content) is may_mark
    assert ("Rouvrir" in content) is may_mark
    for action in (open_action, done_action):
        assert (reverse("action_edit", args=[action.pk]) in content) is (role == "bureau")


def test_my_actions_lets_the_owner_reopen_but_not_edit(client_for, national, director):
    action = ActionFactory(meeting=national, owners=[director], status=ActionStatus.DONE)
    content = client_for("director").get(reverse("my_actions")).content.decode()
    assert "Rouvrir" in content
    assert reverse("action_edit", args=[action.pk]) not in content
    response = client_for("director").post(
        reverse("action_status", args=[action.pk]), {"status": "open", "next": "my_actions"}
    )
    assert response["Location"] == reverse("my_actions")


# Finding 5: bad input --------------------------------------------------------------------------


def test_nul_in_a_calendar_feed_token_is_a_bad_request(client_for):
    assert client_for("anonymous").get("/reunions/agenda/%00.ics").status_code == 400
    assert client_for("bureau").get("/reunions/agenda/%00.ics").status_code == 400


def test_a_244_character_attachment_name_is_stored_shortened_with_its_extension(
    client_for, national
):
    name = "a" * 240 + ".pdf"
    response = client_for("bureau").post(
        reverse("attachment_create", args=[national.pk]),
        {
            "title": "",
            "kind": "document",
            "file": SimpleUploadedFile(name, PDF_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.title.endswith(".pdf") and len(attachment.title) == 200
    assert attachment.original_name == name  # 244 characters fit in 255
    longer = "b" * 300 + ".pdf"
    response = client_for("bureau").post(
        reverse("attachment_create", args=[national.pk]),
        {
            "title": "Long",
            "kind": "document",
            "file": SimpleUploadedFile(longer, PDF_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 302
    stored = Attachment.objects.get(title="Long")
    assert stored.original_name.endswith(".pdf") and len(stored.original_name) == 255


def test_ids_that_overflow_in_forms_are_form_errors(client_for, national, director):
    client = client_for("bureau")
    item = AgendaItemFactory(meeting=national)
    response = client.post(
        reverse("meeting_invitations", args=[national.pk]),
        {"invite_members": "1", "users": [HUGE]},
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    for data in (
        {"title": "Action", "owners": [HUGE]},
        {"title": "Action", "owners": [director.pk], "agenda_item": HUGE},
    ):
        response = client.post(reverse("action_create", args=[national.pk]), data)
        assert response.status_code == 200 and 'class="error"' in response.content.decode()
    action = ActionFactory(meeting=national, owners=[director])
    response = client.post(
        reverse("action_edit", args=[action.pk]),
        {"title": "A", "owners": [HUGE], "status": "open", "agenda_item": item.pk},
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    response = client.post(
        reverse("minutes_approve", args=[national.pk]), {"minutes": HUGE}, follow=True
    )
    assert response.status_code == 200
    assert "Choisissez un compte rendu publié" in response.content.decode()
    response = client.post(
        reverse("attachment_create", args=[national.pk]),
        {"kind": "document", "agenda_item": HUGE, "file": SimpleUploadedFile("a.pdf", PDF_BYTES)},
    )
    assert response.status_code == 200 and not Attachment.objects.exists()
    make_past(national)
    response = client.post(reverse("meeting_attendance", args=[national.pk]), {f"att_{HUGE}": "x"})
    assert response.status_code == 302
    assert ActionItem.objects.count() == 1


def test_ids_that_overflow_in_urls_are_not_found(client_for):
    meeting = MeetingFactory()
    client = client_for("bureau")
    for url in (
        f"/reunions/{HUGE}/",
        f"/reunions/{meeting.pk}/ordre-du-jour/{HUGE}/",
        f"/reunions/actions/{HUGE}/modifier/",
        f"/reunions/documents/{HUGE}/",
    ):
        assert client.get(url).status_code == 404, url
