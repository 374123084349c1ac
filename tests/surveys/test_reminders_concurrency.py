"""Two workers at once, in real transactions: each platform or respondent gets one
reminder (the unique key stops the same reminder, the row lock two different ones)."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from freezegun import freeze_time

from innovalo.models import SentReminder
from surveys.enums import CampaignKind
from surveys.models import Respondent
from surveys.services import reminders as services

from .tracking_factories import campaign_closing, invited, platform_with_people

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

TODAY = datetime.date(2026, 4, 1)  # 14 days before the closing


def run_at_once(*jobs):
    """Run the callables in threads released together; their results (or errors)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def run(job):
        try:
            barrier.wait(timeout=30)
            results.append(job())
        except Exception as error:  # shown by the assertion
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_two_workers_running_the_job_remind_each_platform_once():
    campaign_closing()
    platforms = [platform_with_people() for _ in range(4)]
    with freeze_time(TODAY):
        results = run_at_once(
            services.survey_send_due_reminders, services.survey_send_due_reminders
        )
    assert sum(results) == 4
    assert len(mail.outbox) == 4
    assert SentReminder.objects.count() == 4
    assert {tuple(sorted(m.to)) for m in mail.outbox} == {
        (f"director@{p.slug}.fr", f"staff@{p.slug}.fr") for p in platforms
    }


def test_two_workers_running_the_job_remind_each_respondent_once():
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL)
    respondents = [invited(campaign) for _ in range(6)]
    with freeze_time(TODAY):
        results = run_at_once(
            services.survey_send_due_reminders, services.survey_send_due_reminders
        )
    assert sum(results) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in respondents)
    assert set(Respondent.objects.values_list("reminders_sent", flat=True)) == {1}


def test_the_job_and_a_reminder_by_hand_at_once_send_one_reminder(bureau):
    """Two different keys (the job's day, the hand's date): the target's row lock makes
    the second see the first, and the minimum delay refuses it."""
    campaign = campaign_closing()
    platforms = [platform_with_people() for _ in range(3)]
    pks = [p.pk for p in platforms]

    def by_hand():
        return services.survey_remind_by_hand(campaign=campaign, pks=pks, actor=bureau).reminded

    with freeze_time(TODAY):
        results = run_at_once(services.survey_send_due_reminders, by_hand)
    assert sum(results) == 3
    assert SentReminder.objects.count() == 3
    assert len(mail.outbox) == 3


def test_two_clicks_at_once_remind_each_respondent_once(bureau):
    campaign = campaign_closing(kind=CampaignKind.EXTERNAL, min_days_between_reminders=0)
    pks = [invited(campaign).pk for _ in range(3)]

    def click():
        return services.survey_remind_by_hand(campaign=campaign, pks=pks, actor=bureau).reminded

    with freeze_time(TODAY):
        results = run_at_once(click, click)
    assert sorted(results) == [0, 3]
    assert len(mail.outbox) == 3
    assert set(Respondent.objects.values_list("reminders_sent", flat=True)) == {1}
