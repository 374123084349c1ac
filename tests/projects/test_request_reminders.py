"""Reminders of requests left without answer: the platforms after 5 working days, the
correspondent (or the bureau) after 10, each once; nothing for what was answered; the
requests closed without answer after 30 days; working days counted Monday to Friday."""

import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.reminders import deliver, registered_jobs, registered_rules
from projects import request_reminders as jobs
from projects.enums import RequestEventKind, RequestStatus, RoutingStatus
from projects.models import FirmRequest, RequestEvent, RequestRouting
from projects.selectors.requests import add_working_days, working_days_between
from projects.services import request_actions as services
from tests.members.factories import department

from .test_requests_board_fixtures import *  # noqa: F403 (fixtures)
from .test_requests_board_fixtures import AWAY_DEPARTMENT, routed_to

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Thursday 26 November 2026, 10:00 in Paris.
THURSDAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)


def at(days=0, hours=0, minutes=0):
    return THURSDAY + datetime.timedelta(days=days, hours=hours, minutes=minutes)


def sent(rule):
    return SentReminder.objects.filter(rule=rule, status=EmailStatus.SENT)


def to(address):
    return [m for m in mail.outbox if address in m.to]


# Working days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(), at(1), 1),  # Thursday → Friday
        (at(), at(4), 2),  # → Monday (the weekend does not count)
        (at(), at(6), 4),  # → Wednesday
        (at(), at(7, minutes=-1), 4),  # → Thursday 9:59
        (at(), at(7), 5),  # → Thursday 10:00
        (at(), at(14), 10),
        (at(2), at(4), 1),  # Saturday → Monday 10:00
        (at(2), at(3), 0),  # Saturday → Sunday
        (at(1), at(4, minutes=-1), 0),  # Friday → Monday 9:59
        (at(), at(), 0),
        (at(1), at(), 0),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_add_working_days_skips_the_weekend():
    assert add_working_days(at(), 5) == at(7)
    assert add_working_days(at(1), 1) == at(4)  # Friday + 1 → Monday
    assert working_days_between(at(), add_working_days(at(), 10)) == 10


# The platforms after 5 working days ----------------------------------------------------------


@pytest.fixture
def waiting(platform, third_platform, correspondent):
    """Transmitted on Thursday 26 November at 10:00 to two platforms."""
    return routed_to(platform, third_platform, when=at())


def test_nothing_before_five_working_days(waiting):
    assert jobs.request_reminders(now=at(7, minutes=-1)) == 0
    assert SentReminder.objects.count() == 0


def test_the_platforms_are_reminded_after_five_working_days_once(
    waiting, director, platform, third_platform
):
    assert jobs.request_reminders(now=at(7)) == 2  # one email per platform
    [email] = to(director.email)
    assert "5 jours ouvrés" in email.subject
    assert f"/demandes/{waiting.pk}/" in email.body
    other = third_platform.memberships.get().user
    assert len(to(other.email)) == 1
    routing = RequestRouting.objects.get(request=waiting, platform=platform)
    assert sent(jobs.PLATFORM_RULE).filter(period=f"{routing.pk}:5").exists()
    # Never twice.
    assert jobs.request_reminders(now=at(7, hours=1)) == 0
    assert jobs.request_reminders(now=at(8)) == 0
    assert len(to(director.email)) == 1


def test_the_correspondent_after_ten_working_days_once(
    waiting, correspondent, director, platform, third_platform
):
    jobs.request_reminders(now=at(7))
    assert jobs.request_reminders(now=at(14, minutes=-1)) == 0
    assert to(correspondent.email) == []
    assert jobs.request_reminders(now=at(14)) == 1  # one per request
    [email] = to(correspondent.email)
    assert "10 jours ouvrés" in email.subject
    assert platform.name in email.body and third_platform.name in email.body  # both silent
    assert jobs.request_reminders(now=at(15)) == 0
    assert len(to(correspondent.email)) == 1
    assert len(to(director.email)) == 1  # the platform is not reminded again


def test_a_job_down_for_two_weeks_sends_both_once(waiting, correspondent, director):
    assert jobs.request_reminders(now=at(15)) == 3  # the two platforms, the correspondent
    assert jobs.request_reminders(now=at(16)) == 0


def test_the_bureau_when_the_region_has_no_correspondent(platform, director, bureau):
    routed_to(platform, department=department(AWAY_DEPARTMENT), when=at())
    jobs.request_reminders(now=at(14))
    assert len(to(bureau.email)) == 1
    assert len(to(director.email)) == 1


def test_nothing_for_a_platform_that_answered(waiting, platform, director, third_platform):
    services.request_decline(
        firm_request=waiting,
        routing=RequestRouting.objects.get(request=waiting, platform=platform),
        reason="Non",
        actor=director,
    )
    mail.outbox.clear()
    jobs.request_reminders(now=at(7))
    assert to(director.email) == []
    assert len(to(third_platform.memberships.get().user.email)) == 1


def test_nothing_once_a_platform_took_it(waiting, platform, director, correspondent):
    services.request_accept(
        firm_request=waiting,
        routing=RequestRouting.objects.get(request=waiting, platform=platform),
        actor=director,
    )
    assert jobs.request_reminders(now=at(14)) == 0
    assert SentReminder.objects.filter(rule__startswith="request_reminder").count() == 0


def test_nothing_for_a_closed_request(waiting, bureau):
    services.request_close(firm_request=waiting, status="declined", reason="x", actor=bureau)
    assert jobs.request_reminders(now=at(14)) == 0


def test_an_answer_between_recording_and_sending_skips_the_email(waiting, platform, director):
    """The key is recorded, then the platform answers before the outbox sends it: the
    sender checks again and skips."""
    routing = RequestRouting.objects.get(request=waiting, platform=platform)
    record = SentReminder.objects.create(
        rule=jobs.PLATFORM_RULE,
        target=f"projects.firmrequest:{waiting.pk}",
        period=f"{routing.pk}:5",
    )
    RequestRouting.objects.filter(pk=routing.pk).update(status=RoutingStatus.DECLINED)
    assert deliver(record.pk) is False
    record.refresh_from_db()
    assert record.status == EmailStatus.SKIPPED
    assert mail.outbox == []


def test_a_malformed_key_is_skipped(waiting):
    for period in ("x", "1:x", ":5", "999999:5"):
        record = SentReminder.objects.create(
            rule=jobs.PLATFORM_RULE, target=f"projects.firmrequest:{waiting.pk}", period=period
        )
        assert deliver(record.pk) is False
    assert mail.outbox == []


def test_a_platform_passed_on_later_has_its_own_clock(
    waiting, platform, director, other_platform, other_director
):
    services.request_pass(
        firm_request=waiting,
        routing=RequestRouting.objects.get(request=waiting, platform=platform),
        platform=other_platform,
        reason="Mieux placée",
        actor=director,
    )
    passed_at = RequestRouting.objects.get(request=waiting, platform=other_platform)
    RequestRouting.objects.filter(pk=passed_at.pk).update(notified_at=at(3))
    mail.outbox.clear()
    jobs.request_reminders(now=at(7))
    assert to(other_director.email) == []  # notified on Sunday: 3 working days on Thursday
    assert to(director.email) == []  # it passed: answered
    jobs.request_reminders(now=at(11))
    assert len(to(other_director.email)) == 1


# Without answer after 30 days -----------------------------------------------------------------


def test_closed_without_answer_after_thirty_days(waiting):
    assert jobs.request_reminders(now=at(30, minutes=-1)) == 3  # both platforms, correspondent
    assert FirmRequest.objects.get(pk=waiting.pk).status == RequestStatus.ROUTED
    assert jobs.request_reminders(now=at(30, minutes=1)) == 0
    row = FirmRequest.objects.get(pk=waiting.pk)
    assert row.status == RequestStatus.NO_ANSWER
    assert row.closed_at is not None
    event = RequestEvent.objects.filter(request=waiting, kind=RequestEventKind.STATUS).last()
    assert event.status == RequestStatus.NO_ANSWER
    # Nothing more: no reminder for a closed request, not closed twice.
    count = RequestEvent.objects.count()
    assert jobs.request_reminders(now=at(31)) == 0
    assert RequestEvent.objects.count() == count


def test_a_platform_notified_recently_keeps_it_open(waiting, platform, other_platform):
    RequestRouting.objects.create(
        request=waiting,
        platform=other_platform,
        status=RoutingStatus.NOTIFIED,
        notified_at=at(20),
    )
    jobs.request_reminders(now=at(31))
    assert FirmRequest.objects.get(pk=waiting.pk).status == RequestStatus.ROUTED


def test_a_taken_request_is_never_closed_without_answer(waiting, platform, director):
    services.request_accept(
        firm_request=waiting,
        routing=RequestRouting.objects.get(request=waiting, platform=platform),
        actor=director,
    )
    jobs.request_reminders(now=at(60))
    assert FirmRequest.objects.get(pk=waiting.pk).status == RequestStatus.ACCEPTED


def test_closing_costs_the_same_for_3_or_30_requests(platform):
    def run(count):
        for _n in range(count):
            routed_to(platform, when=at())
        with CaptureQueriesContext(connection) as captured:
            assert jobs.close_unanswered(now=at(31)) == count
        return len(captured)

    assert run(3) == run(30)


# Registration ---------------------------------------------------------------------------------


def test_the_jobs_and_rules_are_registered():
    assert {"request_reminders", "request_privacy"} <= set(registered_jobs())
    assert {
        jobs.PLATFORM_RULE,
        jobs.CORRESPONDENT_RULE,
        services.MESSAGE_RULE,
        services.BACK_TO_ROUTE_RULE,
    } <= set(registered_rules())


def test_send_reminders_runs_them(waiting, director):
    with freeze_time(at(7)):
        call_command("send_reminders", "--only", "request_reminders", stdout=io.StringIO())
    assert len(to(director.email)) == 1


def test_an_inactive_person_is_not_reminded(waiting, platform, director):
    director.is_active = False
    director.save()
    jobs.request_reminders(now=at(7))
    assert to(director.email) == []
