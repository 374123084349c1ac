import datetime

import factory
from django.utils import timezone

from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import ActionItem, AgendaItem, Meeting, MeetingInvitation
from tests.factories import UserFactory


def aware(year, month, day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    kind = MeetingKind.NATIONAL
    title = factory.Sequence(lambda n: f"Réunion nationale n°{n}")
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=3))
    place = "Ministère (MESR)"
    address = "1 rue Descartes, 75005 Paris"
    status = MeetingStatus.CONVENED


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    day = factory.LazyAttribute(lambda o: timezone.localtime(o.meeting.start).date())
    title = factory.Sequence(lambda n: f"Point {n}")
    order = factory.Sequence(lambda n: n)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingInvitation

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        if create and extracted:
            self.owners.set(extracted)


def make_past(meeting, days=30):
    """Move `meeting` `days` back (for pages: a frozen clock would end the login session)."""
    meeting.start -= datetime.timedelta(days=days)
    meeting.end -= datetime.timedelta(days=days)
    meeting.save(update_fields=["start", "end"])
    return meeting


def after(meeting):
    """Time frozen on the day after `meeting` (held: attendance and minutes allowed)."""
    from freezegun import freeze_time

    return freeze_time(max(timezone.now(), meeting.end + datetime.timedelta(days=1)))


def published_minutes(meeting, bureau):
    """The meeting's minutes, drafted then published by the bureau (through the services);
    minutes are published once the meeting has begun, so a future meeting's are published
    as on the day after it."""
    from meetings import services

    minutes = services.minutes_draft(meeting=meeting, actor=bureau)
    with after(meeting):
        services.minutes_publish(minutes=minutes, actor=bureau)
    minutes.refresh_from_db()
    return minutes
