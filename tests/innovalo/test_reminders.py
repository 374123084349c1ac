"""The outbox (innovalo.reminders): one email per (rule, target, period), committed
before it is sent, retried when it failed, never twice; jobs isolated from each other."""

import datetime
import os
import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from innovalo import reminders
from innovalo.celery import app as celery_app
from innovalo.emails import send_templated_email
from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.tasks import send_due_reminders

from ..factories import UserFactory

SMTP_DOWN = {"down": False}


@reminders.email_rule("test_rule")
def _send_test_mail(record):
    if SMTP_DOWN["down"]:
        raise ConnectionRefusedError("SMTP down")
    user = record.target_object
    if user is None or not user.is_active:
        raise reminders.SkipEmail
    mail.send_mail("Relance", f"Période {record.period}", "from@exemple.fr", [user.email])
    return [user.email]


@pytest.fixture(autouse=True)
def _smtp_up():
    SMTP_DOWN["down"] = False
    yield
    SMTP_DOWN["down"] = False


@pytest.fixture
def person(db):
    return UserFactory(email="dest@exemple.fr")


@pytest.fixture
def test_job(person):
    def job():
        return int(reminders.send_once("test_rule", person, "2026"))

    reminders.register("test_job")(job)
    yield job
    reminders._JOBS.pop("test_job", None)


@pytest.fixture
def broken_job():
    def job():
        raise RuntimeError("this job is broken")

    reminders.register("aa_broken_job")(job)
    yield job
    reminders._JOBS.pop("aa_broken_job", None)


def test_send_once_sends_once(person):
    assert reminders.send_once("test_rule", person, "2026") is True
    assert reminders.send_once("test_rule", person, "2026") is False
    assert len(mail.outbox) == 1
    row = SentReminder.objects.get(rule="test_rule", target=f"innovalo.user:{person.pk}")
    assert row.period == "2026"
    assert row.status == EmailStatus.SENT
    assert row.sent_at is not None and row.recipients == "dest@exemple.fr"
    assert row.attempts == 1


def test_another_period_is_another_email(person):
    assert reminders.send_once("test_rule", person, "2026") is True
    assert reminders.send_once("test_rule", person, "2027") is True
    assert len(mail.outbox) == 2


def test_failed_send_is_recorded_failed_and_retried_by_the_next_run(person):
    SMTP_DOWN["down"] = True
    assert reminders.send_once("test_rule", person, "2026") is False
    row = SentReminder.objects.get(rule="test_rule")
    assert row.status == EmailStatus.FAILED
    assert "SMTP down" in row.last_error
    assert mail.outbox == []
    SMTP_DOWN["down"] = False
    # The outbox job sends what failed, once.
    assert reminders.retry_unsent() == 1
    assert reminders.retry_unsent() == 0
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT and row.attempts == 2 and row.last_error == ""
    assert len(mail.outbox) == 1


def test_attempts_are_bounded(person):
    SMTP_DOWN["down"] = True
    reminders.send_once("test_rule", person, "2026")
    for _ in range(10):
        reminders.retry_unsent()
    assert SentReminder.objects.get(rule="test_rule").attempts == reminders.MAX_ATTEMPTS


def test_a_sender_that_skips_records_skipped_and_sends_nothing(person):
    person.is_active = False
    person.save()
    assert reminders.send_once("test_rule", person, "2026") is False
    assert SentReminder.objects.get(rule="test_rule").status == EmailStatus.SKIPPED
    assert reminders.retry_unsent() == 0
    assert mail.outbox == []


def test_a_row_claimed_by_a_worker_that_died_is_sent_later(person):
    row = SentReminder.objects.create(
        rule="test_rule",
        target=f"innovalo.user:{person.pk}",
        period="x",
        status=EmailStatus.SENDING,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert reminders.retry_unsent() == 1
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT


def test_a_row_being_sent_now_is_left_alone(person):
    SentReminder.objects.create(
        rule="test_rule",
        target=f"innovalo.user:{person.pk}",
        period="x",
        status=EmailStatus.SENDING,
        claimed_at=timezone.now(),
    )
    assert reminders.send_once("test_rule", person, "x") is False
    assert reminders.retry_unsent() == 0
    assert mail.outbox == []


def test_scheduled_email_leaves_after_the_commit(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.schedule_email("test_rule", person, "event")
    row = SentReminder.objects.get(rule="test_rule")
    assert row.status == EmailStatus.PENDING
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_scheduling_twice_records_and_sends_once(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders.schedule_email("test_rule", person, "event")
        reminders.schedule_email("test_rule", person, "event")
    assert SentReminder.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_pending_email_never_enqueued_is_sent_by_the_outbox_job(person):
    row = SentReminder.objects.create(
        rule="test_rule",
        target=f"innovalo.user:{person.pk}",
        period="lost",
        created_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    # A fresh pending row may still be on its way through the broker: not yet.
    SentReminder.objects.create(rule="test_rule", target=f"innovalo.user:{person.pk}", period="new")
    assert reminders.run_due_reminders(["outbox"]) == {"outbox": 1}
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT


def test_send_reminders_command_twice_sends_once(test_job):
    call_command("send_reminders", "--only", "test_job")
    call_command("send_reminders", "--only", "test_job")
    assert len(mail.outbox) == 1


def test_a_failing_job_never_stops_the_others_and_the_command_fails(test_job, broken_job):
    with pytest.raises(CommandError, match="aa_broken_job"):
        call_command("send_reminders", "--only", "aa_broken_job", "test_job")
    # The broken job runs first (alphabetical order) and the other still sent its email.
    assert len(mail.outbox) == 1
    report = reminders.run_jobs(["aa_broken_job", "test_job"])
    assert "this job is broken" in report.failed["aa_broken_job"]
    assert report.sent == {"test_job": 0}


def test_send_reminders_task_in_process_is_idempotent(test_job):
    assert send_due_reminders.delay(["test_job"]).get() == {"test_job": 1}
    assert send_due_reminders.delay(["test_job"]).get() == {"test_job": 0}
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_runs_send_once():
    person = UserFactory(email="dest@exemple.fr")
    barrier = threading.Barrier(2)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(reminders.send_once("test_rule", person, "2026"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)")
def test_task_through_real_redis_broker_and_worker(test_job):
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(celery_app, perform_ping_check=False, pool="solo", concurrency=1):
        first = send_due_reminders.delay(["test_job"]).get(timeout=30)
        second = send_due_reminders.delay(["test_job"]).get(timeout=30)
        assert celery_app.send_task("innovalo.tasks.ping").get(timeout=30) == "pong"
    assert first == {"test_job": 1}
    assert second == {"test_job": 0}
    assert len(mail.outbox) == 1
    assert SentReminder.objects.filter(rule="test_rule", status=EmailStatus.SENT).count() == 1


def test_templated_email_is_used_by_reminders():
    # The helper is importable from reminders' modules without a database.
    assert callable(send_templated_email)


def test_every_app_registers_its_reminder_jobs_and_email_rules():
    assert {
        "outbox",
        "platform_review",
        "dues_reminders",
        "dues_weekly_digest",
        "meeting_eve",
        "meeting_actions",
        "survey_reminders",
    } <= set(reminders.registered_jobs())
    assert {
        "invitation",
        "survey_reminder_platform",
        "survey_reminder_respondent",
    } <= set(reminders.registered_rules())
