import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import perms
from meetings.enums import Attendance, MeetingKind, MeetingStatus, RsvpStatus
from meetings.models import Meeting, MeetingInvitation
from tests.conftest import ROLES

from .factories import (
    ActionFactory,
    AgendaItemFactory,
    InvitationFactory,
    MeetingFactory,
    make_past,
    published_minutes,
)

pytestmark = pytest.mark.django_db

# Expected status of a meeting's pages per role.
NATIONAL_SEEN = {
    "anonymous": 302,
    "director": 200,
    "other_director": 200,
    "bureau": 200,
    "ministry": 200,
}
BUREAU_SEEN = {
    "anonymous": 302,
    "director": 404,
    "other_director": 404,
    "bureau": 200,
    "ministry": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_meeting_list_per_role(client_for, role, national, bureau_meeting, draft_meeting):
    response = client_for(role).get(reverse("meeting_list"))
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert national.title in content
    assert (bureau_meeting.title in content) is (role == "bureau")
    assert (draft_meeting.title in content) is (role == "bureau")


def test_ministry_sees_only_meetings_it_is_invited_to(client_for, ministry, national):
    other = MeetingFactory(kind=MeetingKind.GENERAL_ASSEMBLY, title="AG sans le ministère")
    content = client_for("ministry").get(reverse("meeting_list")).content.decode()
    assert national.title in content
    assert other.title not in content
    assert client_for("ministry").get(reverse("meeting_detail", args=[other.pk])).status_code == 404
    assert perms.can_see_meeting(ministry, national)
    assert not perms.can_see_meeting(ministry, other)


@pytest.mark.parametrize(
    "url_name", ["meeting_detail", "meeting_agenda_pdf", "meeting_ics", "meeting_minutes_pdf"]
)
@pytest.mark.parametrize("role", ROLES)
def test_meeting_documents_per_role(client_for, role, url_name, national, bureau_meeting, bureau):
    AgendaItemFactory(meeting=national)
    AgendaItemFactory(meeting=bureau_meeting)
    published_minutes(national, bureau)
    published_minutes(bureau_meeting, bureau)
    for meeting, expected in [(national, NATIONAL_SEEN), (bureau_meeting, BUREAU_SEEN)]:
        response = client_for(role).get(reverse(url_name, args=[meeting.pk]))
        assert response.status_code == expected[role], (meeting.kind, role)


BUREAU_PAGES = [
    "meeting_edit",
    "agenda_edit",
    "meeting_invitations",
    "meeting_attendance",
    "minutes_edit",
    "action_create",
    "attachment_create",
    "general_assembly",
]


@pytest.mark.parametrize("url_name", BUREAU_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_bureau_forms_per_role(client_for, role, url_name, national):
    response = client_for(role).get(reverse(url_name, args=[national.pk]))
    expected = {"anonymous": 302, "bureau": 200}.get(role, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_create_page_per_role(client_for, role):
    response = client_for(role).get(reverse("meeting_create"))
    assert response.status_code == {"anonymous": 302, "bureau": 200}.get(role, 403)


@pytest.mark.parametrize("role", ROLES)
def test_my_actions_and_calendar_pages_per_role(client_for, role):
    for name in ("my_actions", "calendar_settings"):
        response = client_for(role).get(reverse(name))
        assert response.status_code == (302 if role == "anonymous" else 200)


def test_bureau_creates_a_meeting(client_for):
    response = client_for("bureau").post(
        reverse("meeting_create"),
        {
            "kind": MeetingKind.NATIONAL,
            "title": "Rencontre au Creusot",
            "start": "2027-05-17T14:00",
            "end": "2027-05-18T14:00",
            "place": "Le Creusot",
            "proposals_open": "on",
        },
    )
    meeting = Meeting.objects.get(title="Rencontre au Creusot")
    assert response.status_code == 302
    assert meeting.status == MeetingStatus.DRAFT
    assert len(meeting.days) == 2


def test_meeting_form_refuses_end_before_start_and_keeps_input(client_for):
    response = client_for("bureau").post(
        reverse("meeting_create"),
        {
            "kind": MeetingKind.NATIONAL,
            "title": "À l'envers",
            "start": "2027-05-17T14:00",
            "end": "2027-05-17T10:00",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "La fin doit suivre le début." in content
    assert "À l&#x27;envers" in content
    assert not Meeting.objects.filter(title="À l'envers").exists()


def test_agenda_item_outside_the_meeting_days_is_refused(client_for, national):
    day_after = timezone.localtime(national.end).date() + datetime.timedelta(days=3)
    response = client_for("bureau").post(
        reverse("agenda_edit", args=[national.pk]),
        {"day": day_after.isoformat(), "title": "Hors des jours", "kind": "talk"},
    )
    assert response.status_code == 200
    assert not national.agenda_items.exists()


def test_agenda_item_end_before_start_is_refused(client_for, national):
    day = timezone.localtime(national.start).date()
    response = client_for("bureau").post(
        reverse("agenda_edit", args=[national.pk]),
        {
            "day": day.isoformat(),
            "title": "Atelier",
            "kind": "working_group",
            "start_time": "14:00",
            "end_time": "13:00",
        },
    )
    assert response.status_code == 200
    assert "L&#x27;heure de fin doit suivre" in response.content.decode()
    assert not national.agenda_items.exists()


def test_bureau_builds_the_agenda(client_for, national):
    day = timezone.localtime(national.start).date()
    response = client_for("bureau").post(
        reverse("agenda_edit", args=[national.pk]),
        {
            "day": day.isoformat(),
            "title": "Coût des prestations",
            "kind": "working_group",
            "start_time": "14:00",
            "end_time": "17:00",
            "room": "Salle A",
        },
    )
    assert response.status_code == 302
    item = national.agenda_items.get()
    assert (item.room, item.start_time) == ("Salle A", datetime.time(14, 0))


def _several_rows(bureau, director, ministry):
    meetings = []
    for n in range(4):
        meeting = MeetingFactory(title=f"Réunion {n}")
        InvitationFactory(meeting=meeting, user=director, rsvp=RsvpStatus.YES)
        InvitationFactory(meeting=meeting, user=ministry)
        InvitationFactory(meeting=meeting, user=None, guest_name=f"Invité {n}")
        for _ in range(3):
            item = AgendaItemFactory(meeting=meeting)
            ActionFactory(meeting=meeting, agenda_item=item, owners=[director, bureau])
        meetings.append(meeting)
    return meetings


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_meeting_list_query_count(
    client_for, role, bureau, director, ministry, django_assert_max_num_queries
):
    _several_rows(bureau, director, ministry)
    client = client_for(role)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("meeting_list"), {"kind": "national"})
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("Réunion ") >= 4
    assert content.count("1 / 3") == 4  # registered / invited, counted in SQL


@pytest.mark.parametrize("role", ["director", "bureau", "ministry"])
def test_meeting_page_query_count(
    client_for, role, bureau, director, ministry, django_assert_max_num_queries
):
    meetings = _several_rows(bureau, director, ministry)
    meeting = meetings[-1]
    for invitation in meeting.invitations.all():
        invitation.attendance = Attendance.PRESENT
        invitation.save()
    published_minutes(meeting, bureau)
    client = client_for(role)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("meeting_detail", args=[meeting.pk]))
    assert response.status_code == 200
    assert "Invité 3" in response.content.decode()


def test_meeting_page_shows_open_actions_of_earlier_meetings_of_the_same_kind(
    client_for, director, bureau
):
    earlier = MeetingFactory(start=timezone.now() - datetime.timedelta(days=60))
    ActionFactory(meeting=earlier, title="Sonder les plateformes", owners=[director])
    later = MeetingFactory()
    content = client_for("director").get(reverse("meeting_detail", args=[later.pk])).content
    assert "Sonder les plateformes" in content.decode()


def test_director_proposes_and_bureau_accepts(client_for, national, director):
    response = client_for("director").post(
        reverse("proposal_create", args=[national.pk]),
        {"title": "Reconnaissance du rôle de directeur de PFT"},
    )
    assert response.status_code == 302
    proposal = national.proposals.get()
    day = timezone.localtime(national.start).date()
    response = client_for("bureau").post(
        reverse("proposal_accept", args=[national.pk, proposal.pk]),
        {"day": day.isoformat(), "start_time": "14:00", "end_time": "17:00", "room": "B"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert proposal.agenda_item.title == "Reconnaissance du rôle de directeur de PFT"


def test_bureau_declines_with_a_reason(client_for, national, director):
    from meetings import services

    proposal = services.proposal_submit(meeting=national, user=director, title="Hors sujet")
    response = client_for("bureau").post(
        reverse("proposal_decline", args=[national.pk, proposal.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    response = client_for("bureau").post(
        reverse("proposal_decline", args=[national.pk, proposal.pk]),
        {"reason": "Traité à la prochaine AG"},
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decline_reason) == ("declined", "Traité à la prochaine AG")


def test_ministry_cannot_propose(client_for, national):
    response = client_for("ministry").post(
        reverse("proposal_create", args=[national.pk]), {"title": "Non"}
    )
    assert response.status_code == 403


def test_director_answers_rsvp_with_options(client_for, national, director):
    national.has_dinner = True
    national.save()
    response = client_for("director").post(
        reverse("meeting_rsvp", args=[national.pk]), {"rsvp": "yes", "dinner": "on"}
    )
    assert response.status_code == 302
    invitation = MeetingInvitation.objects.get(meeting=national, user=director)
    assert (invitation.rsvp, invitation.dinner, invitation.visit) == ("yes", True, False)


def test_other_director_not_invited_cannot_rsvp(client_for, national):
    response = client_for("other_director").post(
        reverse("meeting_rsvp", args=[national.pk]), {"rsvp": "yes"}
    )
    assert response.status_code == 403


def test_bureau_records_attendance(client_for, national, director, ministry):
    guest = InvitationFactory(meeting=national, user=None, guest_name="M. Extérieur")
    inv_director = national.invitations.get(user=director)
    inv_ministry = national.invitations.get(user=ministry)
    data = {
        f"att_{inv_director.pk}": "present",
        f"att_{inv_ministry.pk}": "excused",
        f"att_{guest.pk}": "represented",
        f"rep_{guest.pk}": "",
    }
    make_past(national)
    url = reverse("meeting_attendance", args=[national.pk])
    response = client_for("bureau").post(url, data)
    assert response.status_code == 200  # represented needs a name
    assert "Indiquez qui représente" in response.content.decode()
    data[f"rep_{guest.pk}"] = "Mme Suppléante"
    response = client_for("bureau").post(url, data)
    assert response.status_code == 302
    guest.refresh_from_db()
    inv_ministry.refresh_from_db()
    assert (guest.attendance, guest.represented_by) == ("represented", "Mme Suppléante")
    assert inv_ministry.attendance == "excused"


def test_owner_marks_action_done_but_another_director_cannot(client_for, national, director):
    action = ActionFactory(meeting=national, owners=[director])
    response = client_for("other_director").post(
        reverse("action_status", args=[action.pk]), {"status": "done"}
    )
    assert response.status_code == 403
    response = client_for("director").post(
        reverse("action_status", args=[action.pk]), {"status": "done", "next": "my_actions"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.done_at


def test_my_actions_and_home_panel_show_own_open_actions(client_for, national, director, bureau):
    ActionFactory(meeting=national, title="Préparer l'enquête", owners=[director])
    ActionFactory(meeting=national, title="Action du bureau", owners=[bureau])
    content = client_for("director").get(reverse("my_actions")).content.decode()
    assert "Préparer l&#x27;enquête" in content and "Action du bureau" not in content
    home = client_for("director").get(reverse("home")).content.decode()
    assert "Mes actions en cours" in home and "Préparer l&#x27;enquête" in home
    assert (
        "Mes actions en cours" not in client_for("anonymous").get(reverse("home")).content.decode()
    )


def test_action_rows_carry_the_forms_token_and_the_page_to_go_back_to(
    client_for, national, director
):
    """meetings.templatetags.action_rows: each button is a form with the CSRF token and,
    on "Mes actions", the page to come back to; the title is escaped."""
    import re

    action = ActionFactory(meeting=national, title="Relire <l'étude>", owners=[director])
    client = client_for("director")
    content = client.get(reverse("my_actions")).content.decode()
    form = re.search(
        rf'<form method="post" action="{reverse("action_status", args=[action.pk])}">.*?</form>',
        content,
        re.S,
    ).group(0)
    assert re.search(r'name="csrfmiddlewaretoken" value="\w{64}"', form)
    assert '<input type="hidden" name="status" value="done">' in form
    assert '<input type="hidden" name="next" value="my_actions">' in form
    assert "Relire &lt;l&#x27;étude&gt;" in form and "<l'étude>" not in content


def test_my_actions_is_a_page_of_thirty_read_in_constant_queries(
    client_for, national, director, django_assert_max_num_queries
):
    """A federation's bureau member owns a thousand actions: the page reads and prepares
    its thirty only, in the same queries whatever the number."""
    client = client_for("director")
    ActionFactory.create_batch(3, meeting=national, owners=[director])
    client.get(reverse("my_actions"))
    with django_assert_max_num_queries(5) as few:
        client.get(reverse("my_actions"))
    ActionFactory.create_batch(40, meeting=national, owners=[director])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("my_actions"))
    page = response.context["page_obj"]
    assert page.paginator.count == 43 and len(page.object_list) == 30
    assert all(hasattr(action, "status_url") for action in page.object_list)
    second = client.get(reverse("my_actions"), {"page": 2}).context["page_obj"]
    assert len(second.object_list) == 13
    assert not {a.pk for a in page.object_list} & {a.pk for a in second.object_list}


def test_bureau_adds_an_action_with_named_owners(client_for, national, director):
    response = client_for("bureau").post(
        reverse("action_create", args=[national.pk]),
        {"title": "Rencontrer la DGRI", "owner_names": "Ph. Planard", "due_date": "2027-04-15"},
    )
    assert response.status_code == 302
    action = national.actions.get()
    assert action.owner_labels() == ["Ph. Planard"]
    response = client_for("bureau").post(
        reverse("action_create", args=[national.pk]), {"title": "Sans responsable"}
    )
    assert response.status_code == 200
    assert "au moins un·e responsable" in response.content.decode()


def test_bureau_convenes_from_the_page(client_for, draft_meeting):
    url = reverse("meeting_convene", args=[draft_meeting.pk])
    response = client_for("bureau").post(url)  # asks for confirmation first
    assert response.status_code == 200 and "Convoquer et envoyer" in response.content.decode()
    draft_meeting.refresh_from_db()
    assert draft_meeting.status == MeetingStatus.DRAFT
    response = client_for("bureau").post(url, {"confirm": "1"})
    assert response.status_code == 302
    draft_meeting.refresh_from_db()
    assert draft_meeting.status == MeetingStatus.CONVENED


def test_general_assembly_records_resolutions_and_officers(client_for):
    ga = MeetingFactory(kind=MeetingKind.GENERAL_ASSEMBLY, title="AG 2018")
    client = client_for("bureau")
    client.post(
        reverse("general_assembly", args=[ga.pk]),
        {
            "add_resolution": "1",
            "text": "Rapport financier approuvé",
            "votes_for": 30,
            "votes_against": 0,
            "abstentions": 2,
        },
    )
    client.post(
        reverse("general_assembly", args=[ga.pk]),
        {"add_officer": "1", "position": "Président", "name": "Ph. Planard"},
    )
    resolution = ga.resolutions.get()
    assert resolution.adopted and resolution.abstentions == 2
    content = client_for("director").get(reverse("meeting_detail", args=[ga.pk])).content.decode()
    assert "Rapport financier approuvé" in content and "Président : Ph. Planard" in content


def test_minutes_written_and_published_through_the_pages(client_for, national):
    client = client_for("bureau")
    AgendaItemFactory(meeting=national, title="Situation")
    url = reverse("minutes_edit", args=[national.pk])
    assert client.get(url).status_code == 200
    assert not national.minutes_versions.exists()  # a GET writes nothing
    assert client.post(url, {"start": "1"}).status_code == 302
    minutes = national.minutes_versions.get()
    item = minutes.items.get()
    response = client.post(
        url,
        {
            "summary": "Intro",
            f"text_{item.pk}": "Discussion",
            f"decisions_{item.pk}": "D1\nD2",
            "publish": "1",
        },
    )
    publish_url = reverse("minutes_publish", args=[national.pk])
    assert response["Location"] == publish_url  # saved, then asked for confirmation
    minutes.refresh_from_db()
    assert not minutes.is_published
    make_past(national)
    assert "Publier définitivement" in client.get(publish_url).content.decode()
    assert client.post(publish_url, {"confirm": "1"}).status_code == 302
    minutes.refresh_from_db()
    item.refresh_from_db()
    assert minutes.is_published and item.decision_list == ["D1", "D2"]
    content = client_for("director").get(reverse("meeting_detail", args=[national.pk])).content
    assert "Discussion" in content.decode() and "D2" in content.decode()


def test_earlier_minutes_versions_are_linked(client_for, national, bureau):
    published_minutes(national, bureau)
    published_minutes(national, bureau)
    content = client_for("director").get(reverse("meeting_detail", args=[national.pk]))
    pdf = reverse("meeting_minutes_pdf", args=[national.pk])
    assert f'href="{pdf}?version=1"' in content.content.decode()


def test_agenda_item_links_to_a_campaigns_results(client_for, national):
    from surveys.enums import CampaignStatus
    from tests.surveys.factories import CampaignFactory

    campaign = CampaignFactory(title="Enquête d'impact 2017", status=CampaignStatus.PUBLISHED)
    draft = CampaignFactory(title="Enquête en préparation", status=CampaignStatus.DRAFT)
    day = timezone.localtime(national.start).date()
    form = client_for("bureau").get(reverse("agenda_edit", args=[national.pk])).content.decode()
    assert "Enquête d&#x27;impact 2017" in form
    assert draft.title not in form  # a draft has no results to present
    response = client_for("bureau").post(
        reverse("agenda_edit", args=[national.pk]),
        {
            "day": day.isoformat(),
            "title": "Résultats de l'enquête",
            "kind": "talk",
            "survey_campaign": str(campaign.pk),
        },
    )
    assert response.status_code == 302
    assert national.agenda_items.get().survey_campaign == campaign
    page = client_for("director").get(reverse("meeting_detail", args=[national.pk]))
    assert reverse("survey_results", args=[campaign.pk]) in page.content.decode()
