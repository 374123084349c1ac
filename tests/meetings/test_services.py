import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from innovalo.exceptions import ServiceError
from meetings import perms, services
from meetings.enums import MeetingStatus, MinutesStatus
from meetings.models import AgendaItem, Meeting, MeetingInvitation, Minutes

from .factories import AgendaItemFactory, InvitationFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(bureau):
    meeting = MeetingFactory(
        start=timezone.now() - datetime.timedelta(days=2),
        end=timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(hours=3),
        status=MeetingStatus.HELD,
    )
    AgendaItemFactory(meeting=meeting, title="Situation de l'association", order=1)
    AgendaItemFactory(meeting=meeting, title="Actions à entreprendre", order=2)
    return meeting


def test_meeting_end_before_start_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFactory(start=timezone.now(), end=timezone.now() - datetime.timedelta(hours=1))


def test_invitation_unique_per_meeting_and_user(national, director):
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingInvitation.objects.create(meeting=national, user=director)


def test_invite_users_skips_those_already_invited(national, director, other_director, bureau):
    created = services.invite_users(
        meeting=national, users=[director, other_director], actor=bureau
    )
    assert [i.user for i in created] == [other_director]


def test_agenda_item_end_before_start_is_refused_by_the_database(national):
    day = timezone.localtime(national.start).date()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(
            meeting=national,
            day=day,
            title="X",
            start_time=datetime.time(14),
            end_time=datetime.time(13),
        )


def test_minutes_draft_has_one_section_per_agenda_item(held, bureau):
    minutes = services.minutes_draft(meeting=held, actor=bureau)
    assert [i.title for i in minutes.items.all()] == [
        "Situation de l'association",
        "Actions à entreprendre",
    ]
    held.refresh_from_db()
    assert held.status == MeetingStatus.MINUTES_DRAFTED
    assert services.minutes_draft(meeting=held, actor=bureau) == minutes


def test_published_minutes_are_never_rewritten(held, bureau):
    minutes = services.minutes_draft(meeting=held, actor=bureau)
    item = minutes.items.first()
    services.minutes_update(minutes=minutes, actor=bureau, items=[(item, "Texte", "Décision A")])
    services.minutes_publish(minutes=minutes, actor=bureau)
    held.refresh_from_db()
    assert held.status == MeetingStatus.MINUTES_PUBLISHED
    with pytest.raises(ServiceError):
        services.minutes_update(minutes=minutes, actor=bureau, summary="réécrit")
    minutes.refresh_from_db()
    minutes.summary = "réécrit"
    with pytest.raises(ValidationError):
        minutes.save()
    item.refresh_from_db()
    item.text = "réécrit"
    with pytest.raises(ValidationError):
        item.save()
    with pytest.raises(ValidationError):
        minutes.delete()
    with pytest.raises(ServiceError):
        services.minutes_publish(minutes=minutes, actor=bureau)


def test_a_correction_is_a_new_version_and_the_earlier_one_is_kept(held, bureau):
    first = services.minutes_draft(meeting=held, actor=bureau)
    item = first.items.first()
    services.minutes_update(minutes=first, actor=bureau, items=[(item, "Version 1", "")])
    services.minutes_publish(minutes=first, actor=bureau)
    second = services.minutes_draft(meeting=held, actor=bureau, correction_note="Coquille")
    assert second.version == 2 and second.status == MinutesStatus.DRAFT
    copy = second.items.get(agenda_item=item.agenda_item)
    assert copy.text == "Version 1"
    services.minutes_update(minutes=second, actor=bureau, items=[(copy, "Version 2", "")])
    services.minutes_publish(minutes=second, actor=bureau)
    texts = {
        m.version: m.items.get(agenda_item=item.agenda_item).text
        for m in Minutes.objects.filter(meeting=held)
    }
    assert texts == {1: "Version 1", 2: "Version 2"}


def test_minutes_version_unique_per_meeting(held, bureau):
    services.minutes_draft(meeting=held, actor=bureau)
    with pytest.raises(IntegrityError), transaction.atomic():
        Minutes.objects.create(
            meeting=held, version=1, status=MinutesStatus.PUBLISHED, published_at=timezone.now()
        )


def test_meeting_with_minutes_cannot_be_deleted(held, bureau):
    services.minutes_draft(meeting=held, actor=bureau)
    with pytest.raises(ProtectedError):
        Meeting.objects.filter(pk=held.pk).delete()


def test_minutes_approved_at_a_later_meeting(held, bureau):
    minutes = services.minutes_draft(meeting=held, actor=bureau)
    with pytest.raises(ServiceError):
        services.minutes_approve(minutes=minutes, at_meeting=MeetingFactory(), actor=bureau)
    minutes = services.minutes_publish(minutes=minutes, actor=bureau)
    earlier = MeetingFactory(
        start=held.start - datetime.timedelta(days=30), end=held.start - datetime.timedelta(days=30)
    )
    with pytest.raises(ServiceError):
        services.minutes_approve(minutes=minutes, at_meeting=earlier, actor=bureau)
    later = MeetingFactory()
    approval = services.minutes_approve(minutes=minutes, at_meeting=later, actor=bureau)
    assert approval.approved_at == later
    with pytest.raises(ServiceError):
        services.minutes_approve(minutes=minutes, at_meeting=later, actor=bureau)


def test_attendance_marks_and_meeting_becomes_held(bureau, director):
    meeting = MeetingFactory(
        start=timezone.now() - datetime.timedelta(hours=5),
        end=timezone.now() - datetime.timedelta(hours=2),
    )
    invitation = InvitationFactory(meeting=meeting, user=director)
    changed = services.attendance_record(
        meeting=meeting, marks={invitation.pk: ("excused", "ignored")}, actor=bureau
    )
    invitation.refresh_from_db()
    meeting.refresh_from_db()
    assert changed == 1
    assert (invitation.attendance, invitation.represented_by) == ("excused", "")
    assert meeting.status == MeetingStatus.HELD
    with pytest.raises(ServiceError):
        services.attendance_record(
            meeting=meeting, marks={invitation.pk: ("maybe", "")}, actor=bureau
        )


def test_rsvp_closed_once_the_meeting_is_past(director):
    meeting = MeetingFactory(
        start=timezone.now() - datetime.timedelta(days=1),
        end=timezone.now() - datetime.timedelta(hours=20),
    )
    invitation = InvitationFactory(meeting=meeting, user=director)
    with pytest.raises(ServiceError):
        services.rsvp_answer(invitation=invitation, user=director, rsvp="yes")


def test_proposal_cannot_be_decided_twice(national, director, bureau):
    proposal = services.proposal_submit(meeting=national, user=director, title="Point")
    services.proposal_accept(proposal=proposal, actor=bureau)
    with pytest.raises(ServiceError):
        services.proposal_decline(proposal=proposal, actor=bureau, reason="Non")


def test_proposals_closed_refused(national, director):
    national.proposals_open = False
    national.save()
    with pytest.raises(ServiceError):
        services.proposal_submit(meeting=national, user=director, title="Point")


def test_convene_only_a_draft(draft_meeting, bureau):
    services.meeting_convene(meeting=draft_meeting, actor=bureau)
    with pytest.raises(ServiceError):
        services.meeting_convene(meeting=draft_meeting, actor=bureau)


def test_calendar_feed_regenerate_replaces_the_token(director):
    first = services.calendar_feed_regenerate(user=director).token
    second = services.calendar_feed_regenerate(user=director).token
    assert first != second
    services.calendar_feed_revoke(user=director)
    assert not hasattr(type(director).objects.get(pk=director.pk), "meeting_calendar_feed")


def test_action_update_is_the_bureau_s_and_keeps_an_owner(national, director, bureau):
    from .factories import ActionFactory

    action = ActionFactory(meeting=national, owners=[director])
    fields = {"title": "T", "status": "open", "owners": [director]}
    assert not perms.can_edit_action(director, action)  # the view refuses (403)
    with pytest.raises(ServiceError):
        services.action_update(action=action, actor=bureau, **{**fields, "owners": []})
    with pytest.raises(ServiceError):
        services.action_update(
            action=action, actor=bureau, agenda_item=AgendaItemFactory(), **fields
        )
    done = services.action_update(action=action, actor=bureau, **{**fields, "status": "done"})
    assert done.done_at is not None
    reopened = services.action_update(action=action, actor=bureau, **fields)
    assert reopened.done_at is None and reopened.status == "open"


def test_invitation_remove_refused_once_attendance_is_recorded(national, director, bureau):
    invitation = national.invitations.get(user=director)
    invitation.attendance = "present"
    invitation.save()
    with pytest.raises(ServiceError):
        services.invitation_remove(invitation=invitation, actor=bureau)
    assert MeetingInvitation.objects.filter(pk=invitation.pk).exists()


def test_end_before_start_is_the_service_s_error_on_the_end_field(bureau, national):
    start = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ServiceError) as refused:
        services.meeting_create(
            actor=bureau,
            kind="national",
            title="À l'envers",
            start=start,
            end=start - datetime.timedelta(hours=1),
        )
    assert refused.value.field == "end"
    with pytest.raises(ServiceError) as refused:
        services.meeting_update(
            meeting=national, actor=bureau, end=national.start - datetime.timedelta(hours=1)
        )
    assert refused.value.field == "end"
    national.refresh_from_db()
    assert national.end > national.start


def test_services_raise_only_service_errors(national, director, bureau):
    day = timezone.localtime(national.start).date()
    refusals = [
        lambda: services.agenda_item_create(
            meeting=national, actor=bureau, day=day + datetime.timedelta(days=9), title="X"
        ),
        lambda: services.agenda_item_create(
            meeting=national, actor=bureau, day=day, title="X", end_time=datetime.time(10)
        ),
        lambda: services.invite_guest(meeting=national, name=" ", actor=bureau),
        lambda: services.action_create(meeting=national, title="Sans responsable", actor=bureau),
        lambda: services.attachment_check(type("F", (), {"size": 1, "name": "x.exe"})()),
    ]
    for refuse in refusals:
        with pytest.raises(ServiceError):
            refuse()
    assert not hasattr(services, "MeetingError")
