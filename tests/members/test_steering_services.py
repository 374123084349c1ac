# ruff: noqa: F811  (the shared fixtures are imported, then asked for by name)
"""The steering committee's services: each write and each refusal."""

import datetime

import pytest
from django.utils import timezone

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry
from meetings.enums import MeetingKind, MeetingStatus
from members.enums import College
from members.models import SteeringMember
from members.services import steering
from tests.meetings.factories import MeetingFactory

from .test_steering_support import (  # noqa: F401  (fixtures)
    SteeringMemberFactory,
    committee,
    committee_member,
)

pytestmark = pytest.mark.django_db


def test_add_keeps_a_portal_persons_name_and_address_on_their_account(
    platform, director, committee_member
):
    member = steering.steering_member_add(
        platform=platform,
        actor=director,
        user=committee_member,
        name="Ignoré",
        email="ignore@exemple.fr",
        organisation=" CCI ",
        college=College.ECONOMY,
    )
    assert (member.name, member.email, member.organisation) == ("", "", "CCI")
    assert str(member) == "Colette Comité"


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"name": "  ", "organisation": "X"}, "name"),
        ({"name": "Sans organisme"}, "organisation"),
        ({"name": "X", "organisation": "O", "college": "sport"}, "college"),
        ({"name": "X", "organisation": "O", "email": "pas-une-adresse"}, "email"),
        ({"name": "X", "organisation": "O", "role": "R" * 201}, "role"),
    ],
)
def test_add_refusals_name_their_field(platform, director, fields, field):
    fields.setdefault("college", College.ECONOMY)
    with pytest.raises(ServiceError) as error:
        steering.steering_member_add(platform=platform, actor=director, **fields)
    assert error.value.field == field
    assert not SteeringMember.objects.exists() and not AuditEntry.objects.exists()


def test_a_seat_per_person_and_platform(platform, other_platform, director, committee):
    person = committee[0].user
    with pytest.raises(ServiceError, match="siège déjà"):
        steering.steering_member_add(
            platform=platform, actor=director, user=person, college=College.RESEARCH
        )
    # The same person may sit on another platform's committee.
    steering.steering_member_add(
        platform=other_platform, actor=director, user=person, college=College.RESEARCH
    )


def test_a_deactivated_account_is_refused(platform, director, committee_member):
    committee_member.is_active = False
    committee_member.save()
    with pytest.raises(ServiceError) as error:
        steering.steering_member_add(
            platform=platform, actor=director, user=committee_member, college="economy"
        )
    assert error.value.field == "user_email"


def test_update_unknown_fields_are_a_programming_error(committee, director):
    with pytest.raises(TypeError):
        steering.steering_member_update(member=committee[1], actor=director, platform=None)


def test_remove_twice_is_refused(committee, director):
    member = committee[2]
    steering.steering_member_remove(member=member, actor=director)
    with pytest.raises(ServiceError):
        steering.steering_member_remove(member=member, actor=director)
    assert AuditEntry.objects.filter(action="members.steering_member_removed").count() == 1


def test_meeting_create_refuses_end_before_start_and_unknown_fields(platform, director):
    start = timezone.now() + datetime.timedelta(days=10)
    with pytest.raises(ServiceError) as error:
        steering.steering_meeting_create(
            platform=platform,
            actor=director,
            title="T",
            start=start,
            end=start - datetime.timedelta(hours=1),
        )
    assert error.value.field == "end"
    with pytest.raises(TypeError):
        steering.steering_meeting_create(
            platform=platform, actor=director, title="T", start=start, end=start, kind="national"
        )
    meeting = steering.steering_meeting_create(
        platform=platform, actor=director, title="T", start=start, end=start
    )
    assert (meeting.kind, meeting.status) == (MeetingKind.STEERING_COMMITTEE, MeetingStatus.DRAFT)


def test_invite_refuses_an_association_meeting_and_another_platforms_member(
    platform, other_platform, director, committee
):
    national = MeetingFactory()
    with pytest.raises(ServiceError):
        steering.steering_meeting_invite(meeting=national, members=committee, actor=director)
    meeting = MeetingFactory(kind=MeetingKind.STEERING_COMMITTEE, platform=platform)
    theirs = SteeringMemberFactory(platform=other_platform)
    with pytest.raises(ServiceError):
        steering.steering_meeting_invite(meeting=meeting, members=[theirs], actor=director)
    assert not meeting.invitations.exists()


def test_invite_twice_invites_once(platform, director, committee):
    meeting = MeetingFactory(kind=MeetingKind.STEERING_COMMITTEE, platform=platform)
    assert steering.steering_meeting_invite(meeting=meeting, members=committee, actor=director) == 3
    assert steering.steering_meeting_invite(meeting=meeting, members=committee, actor=director) == 0
    assert meeting.invitations.count() == 3
