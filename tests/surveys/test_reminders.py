"""Survey reminders by the daily job: the right days, within the limits, never after
closing, never to those who answered or opted out, and never twice."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.reminders import registered_jobs, registered_rules, retry_unsent
from members.enums import LabelStatus
from surveys.enums import CampaignKind, CampaignStatus, RespondentStatus, ResponseStatus
from surveys.models import Respondent
from surveys.selectors import tracking as selectors
from surveys.services import reminders as services

from .factories import ResponseFactory
from .tracking_factories import CLOSES_ON, campaign_closing, invited, platform_with_people

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
# Reminder days [14, 7, 2] before a closing on 15 April 2026.
DUE_DAYS = [datetime.date(2026, 4, 1), datetime.date(2026, 4, 8), datetime.date(2026, 4, 13)]


def run_days(start, end):
    """Run the job each day from start to end; the days it sent something."""
    days = []
    day = start
    while day <= end:
        with freeze_time(day):
            if services.survey_send_due_reminders():
                days.append(day)
        day += DAY
    return days


def test_the_job_and_its_email_rules_are_registered():
    assert registered_jobs()["survey_reminders"] is services.survey_send_due_reminders
    assert {"survey_reminder_platform", "survey_reminder_respondent"} <= set(registered_rules())


def test_due_reminder_day_is_the_latest_reached_after_opening():
    campaign = campaign_closing(reminder_days=[2, 14, 7, "x", -1, True])
    assert services.reminder_days(campaign) == [14, 7, 2]
    assert services.due_reminder_day(campaign, datetime.date(2026, 3, 31)) is None
    assert services.due_reminder_day(campaign, datetime.date(2026, 4, 1)) == 14
    assert services.due_reminder_day(campaign, datetime.date(2026, 4, 7)) == 14
    assert services.due_reminder_day(campaign, datetime.date(2026, 4, 8)) == 7
    assert services.due_reminder_day(campaign, CLOSES_ON) == 2
    assert services.due_reminder_day(campaign, CLOSES_ON + DAY) is None
    late = campaign_closing(opens_on=CLOSES_ON - datetime.timedelta(days=10))
    # The 14-day reminder would fall before the opening: never sent.
    assert services.due_reminder_day(late, datetime.date(2026, 4, 7)) is None
    assert services.due_reminder_day(late, datetime.date(2026, 4, 8)) == 7


def test_platforms_are_reminded_on_the_reminder_days_only():
    campaign = campaign_closing()
    platform = platform_with_people()
    assert run_days(datetime.date(2026, 3, 28), datetime.date(2026, 4, 18)) == DUE_DAYS
    periods = sorted(SentReminder.objects.values_list("period", flat=True))
    assert periods == [f"{campaign.pk}:14", f"{campaign.pk}:2", f"{campaign.pk}:7"]
    assert set(SentReminder.objects.values_list("target", flat=True)) == {
        f"members.platform:{platform.pk}"
    }
    assert len(mail.outbox) == 3


@freeze_time(DUE_DAYS[0])
def test_platform_reminder_goes_to_directors_and_staff_with_the_response_link(settings):
    campaign = campaign_closing(title="Enquête d'impact 2026")
    platform = platform_with_people()
    assert services.survey_send_due_reminders() == 1
    message = mail.outbox[0]
    assert sorted(message.to) == [f"director@{platform.slug}.fr", f"staff@{platform.slug}.fr"]
    assert message.subject.startswith("[INNOVALO] Relance : Enquête d'impact 2026")
    assert "15 avril 2026" in message.subject
    url = settings.SITE_URL + reverse("survey_response", args=[campaign.pk, platform.slug])
    assert url in message.body
    assert url in message.alternatives[0][0]
    assert "n'a pas encore répondu" in message.body
    assert "dans 14 jours" in message.body
    record = SentReminder.objects.get()
    assert record.status == EmailStatus.SENT
    assert record.recipients == ", ".join(sorted(message.to))


@freeze_time(DUE_DAYS[0])
def test_a_draft_is_reminded_to_finish_and_a_submission_is_never_reminded():
    campaign = campaign_closing()
    draft = platform_with_people()
    ResponseFactory(campaign=campaign, platform=draft, status=ResponseStatus.DRAFT)
    submitted = platform_with_people()
    ResponseFactory(
        campaign=campaign,
        platform=submitted,
        status=ResponseStatus.SUBMITTED,
        submitted_at=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC),
    )
    assert services.survey_send_due_reminders() == 1
    assert mail.outbox[0].to[0].endswith(f"@{draft.slug}.fr")
    assert "est commencée mais n'a pas encore été envoyée" in mail.outbox[0].body


@freeze_time(DUE_DAYS[0])
def test_only_platforms_expected_to_answer_with_people_are_reminded():
    campaign_closing()
    platform_with_people(label=LabelStatus.RENEWAL)
    platform_with_people(label=LabelStatus.EXPIRED)
    platform_with_people(label=LabelStatus.NOT_LABELLED)
    alone = platform_with_people()
    alone.memberships.exclude(role="accounting").delete()
    assert services.survey_send_due_reminders() == 1
    assert SentReminder.objects.count() == 1


def test_never_more_than_the_maximum():
    campaign_closing(max_reminders=2)
    platform_with_people()
    assert run_days(datetime.date(2026, 3, 25), CLOSES_ON) == DUE_DAYS[:2]
    assert SentReminder.objects.count() == 2


def test_a_reminder_by_hand_counts_and_delays_the_next(bureau):
    """By hand on 31 March: the 14-day reminder (1 April) waits for the minimum delay
    (3 days: 3 April), the 7-day one goes, and the 2-day one would be a fourth."""
    campaign = campaign_closing()
    platform = platform_with_people()
    with freeze_time(datetime.date(2026, 3, 31)):
        report = services.survey_remind_by_hand(campaign=campaign, pks=[platform.pk], actor=bureau)
    assert report.reminded == 1
    assert run_days(datetime.date(2026, 4, 1), CLOSES_ON) == [
        datetime.date(2026, 4, 3),
        datetime.date(2026, 4, 8),
    ]
    assert SentReminder.objects.count() == 3


@pytest.mark.parametrize(
    "status", [CampaignStatus.DRAFT, CampaignStatus.CLOSED, CampaignStatus.PUBLISHED]
)
def test_never_when_the_campaign_is_not_open(status):
    campaign_closing(status=status)
    platform_with_people()
    assert run_days(datetime.date(2026, 3, 25), datetime.date(2026, 4, 20)) == []
    assert not SentReminder.objects.exists()


def test_never_after_the_closing_day():
    campaign_closing(reminder_days=[0])
    platform_with_people()
    assert run_days(CLOSES_ON - DAY, CLOSES_ON + 5 * DAY) == [CLOSES_ON]
    assert "(aujourd'hui)" in mail.outbox[0].body


def test_an_email_waiting_after_the_closing_is_not_sent():
    campaign = campaign_closing()
    platform = platform_with_people()
    with (
        freeze_time(DUE_DAYS[0]),
        mock.patch("surveys.services.reminders.send_templated_email", side_effect=OSError("SMTP")),
    ):
        assert services.survey_send_due_reminders() == 0
    assert SentReminder.objects.get().status == EmailStatus.FAILED
    with freeze_time(CLOSES_ON + DAY):
        assert retry_unsent() == 0
    assert SentReminder.objects.get().status == EmailStatus.SKIPPED
    assert mail.outbox == []
    assert selectors.platform_rows(campaign).get(pk=platform.pk).reminder_count == 0


@freeze_time(DUE_DAYS[0])
def test_run_twice_retried_or_by_the_command_sends_once():
    campaign_closing()
    platform_with_people()
    platform_with_people()
    assert services.survey_send_due_reminders() == 2
    assert services.survey_send_due_reminders() == 0
    call_command("send_reminders", "--only", "survey_reminders")
    assert retry_unsent() == 0
    assert len(mail.outbox) == 2
    assert SentReminder.objects.count() == 2


def test_a_failed_email_is_sent_again_by_the_outbox_once():
    campaign_closing()
    platform_with_people()
    with freeze_time(DUE_DAYS[0]):
        with mock.patch(
            "surveys.services.reminders.send_templated_email", side_effect=OSError("SMTP")
        ):
            assert services.survey_send_due_reminders() == 0
        assert services.survey_send_due_reminders() == 0  # the row is there: not a new one
        assert retry_unsent() == 1
        assert retry_unsent() == 0
        assert services.survey_send_due_reminders() == 0
    assert len(mail.outbox) == 1


def test_the_selection_is_one_query_whatever_the_number_of_targets(django_assert_num_queries):
    campaign = campaign_closing()
    external = campaign_closing(kind=CampaignKind.EXTERNAL)
    for count in (2, 8):
        for _ in range(count):
            platform_with_people()
            invited(external)
        with django_assert_num_queries(1):
            assert len(selectors.platforms_to_remind(campaign, "x", DUE_DAYS[0])) >= count
        with django_assert_num_queries(1):
            assert len(selectors.respondents_to_remind(external, "x", DUE_DAYS[0])) >= count


# External respondents ---------------------------------------------------------------------


def test_respondents_are_reminded_on_the_reminder_days_with_their_counters():
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL)
    respondent = invited(campaign)
    assert run_days(datetime.date(2026, 3, 28), datetime.date(2026, 4, 18)) == DUE_DAYS
    respondent.refresh_from_db()
    assert respondent.reminders_sent == 3
    assert respondent.last_reminded_at.date() == DUE_DAYS[-1]
    assert {m.to[0] for m in mail.outbox} == {respondent.email}


@freeze_time(DUE_DAYS[0])
def test_respondent_reminder_carries_the_token_link_and_the_opt_out(client):
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL, title="Questionnaire InnovENT-E")
    respondent = invited(campaign)
    assert services.survey_send_due_reminders() == 1
    message = mail.outbox[0]
    assert message.subject == "[INNOVALO] Rappel : Questionnaire InnovENT-E, votre avis compte"
    links = [word for word in message.body.split() if "/q/" in word]
    assert len(links) == 2
    token = links[0].rstrip("/").split("/q/")[1]
    assert Respondent.find_by_token(token) == respondent
    assert links[1].endswith("/desinscription/")
    assert links[1] in message.alternatives[0][0]
    assert "15 avril 2026" in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{links[1]}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@freeze_time(DUE_DAYS[0])
def test_an_english_respondent_is_reminded_in_english():
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL, title="InnovENT-E")
    invited(campaign, language="en")
    assert services.survey_send_due_reminders() == 1
    message = mail.outbox[0]
    assert message.subject == "[INNOVALO] Reminder: InnovENT-E, your opinion matters"
    assert "April 15, 2026" in message.body
    assert 'lang="en"' in message.alternatives[0][0]


@freeze_time(DUE_DAYS[0])
def test_never_to_respondents_completed_opted_out_bounced_or_not_invited():
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL)
    waiting = invited(campaign)
    started = invited(campaign, status=RespondentStatus.STARTED)
    ResponseFactory(
        campaign=campaign, platform=None, respondent=started, status=ResponseStatus.DRAFT
    )
    done = invited(campaign, status=RespondentStatus.COMPLETED)
    ResponseFactory(
        campaign=campaign,
        platform=None,
        respondent=done,
        status=ResponseStatus.SUBMITTED,
        submitted_at=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC),
    )
    invited(campaign, status=RespondentStatus.OPTED_OUT)
    invited(campaign, status=RespondentStatus.BOUNCED)
    invited(campaign, invited_at=None)
    assert services.survey_send_due_reminders() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([waiting.email, started.email])
    started_message = next(m for m in mail.outbox if m.to == [started.email])
    assert "vos réponses sont enregistrées" in started_message.body


def test_respondent_limits_come_from_its_counters():
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL, max_reminders=2)
    tired = invited(campaign, reminders_sent=2)
    recent = invited(
        campaign,
        reminders_sent=1,
        last_reminded_at=datetime.datetime(2026, 3, 30, 12, tzinfo=datetime.UTC),
    )
    assert run_days(datetime.date(2026, 4, 1), CLOSES_ON) == [
        datetime.date(2026, 4, 2),  # the 14-day reminder, once 3 days have passed
    ]
    tired.refresh_from_db()
    recent.refresh_from_db()
    assert (tired.reminders_sent, recent.reminders_sent) == (2, 2)
    assert [m.to for m in mail.outbox] == [[recent.email]]


def test_a_respondent_who_opts_out_after_the_record_gets_nothing():
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL)
    respondent = invited(campaign)
    with (
        freeze_time(DUE_DAYS[0]),
        mock.patch("surveys.services.reminders.send_templated_email", side_effect=OSError("SMTP")),
    ):
        services.survey_send_due_reminders()
    Respondent.objects.filter(pk=respondent.pk).update(status=RespondentStatus.OPTED_OUT)
    with freeze_time(DUE_DAYS[0] + DAY):
        assert retry_unsent() == 0
    assert mail.outbox == []
    assert SentReminder.objects.get().status == EmailStatus.SKIPPED
