import os
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from innovalo import reminders
from innovalo.celery import app as celery_app
from innovalo.emails import send_templated_email
from innovalo.models import SentReminder
from innovalo.tasks import send_due_reminders


def _send_test_mail(to="dest@exemple.fr"):
    def send():
        mail.send_mail("Relance", "Corps", "from@exemple.fr", [to])
        return [to]

    return send


@pytest.fixture
def test_job():
    def job():
        sent = reminders.send_once("test:job:1", kind="test", send=_send_test_mail())
        return int(sent)

    reminders.register("test_job")(job)
    yield job
    reminders._JOBS.pop("test_job", None)


@pytest.mark.django_db
def test_send_once_sends_once():
    assert reminders.send_once("k:1", kind="test", send=_send_test_mail()) is True
    assert reminders.send_once("k:1", kind="test", send=_send_test_mail()) is False
    assert len(mail.outbox) == 1
    row = SentReminder.objects.get(key="k:1")
    assert row.sent_at is not None and row.recipients == "dest@exemple.fr"


@pytest.mark.django_db
def test_failed_send_is_not_recorded_and_retried_later():
    def broken():
        raise ConnectionError("SMTP down")

    with pytest.raises(ConnectionError):
        reminders.send_once("k:2", kind="test", send=broken)
    assert not SentReminder.objects.filter(key="k:2").exists()
    assert reminders.send_once("k:2", kind="test", send=_send_test_mail()) is True


@pytest.mark.django_db
def test_send_reminders_command_twice_sends_once(test_job):
    call_command("send_reminders", "--only", "test_job")
    call_command("send_reminders", "--only", "test_job")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_send_reminders_task_in_process_is_idempotent(test_job):
    assert send_due_reminders.delay(["test_job"]).get() == {"test_job": 1}
    assert send_due_reminders.delay(["test_job"]).get() == {"test_job": 0}
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_runs_send_once():
    barrier = threading.Barrier(2)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(reminders.send_once("k:3", kind="test", send=_send_test_mail()))
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
    assert SentReminder.objects.filter(key="test:job:1", sent_at__isnull=False).exists()


def test_templated_email_is_used_by_reminders():
    # The helper is importable from reminders' modules without a database.
    assert callable(send_templated_email)


def test_every_app_registers_its_reminder_jobs():
    assert {
        "platform_review",
        "dues_reminders",
        "dues_weekly_digest",
        "meeting_eve",
        "meeting_actions",
    } <= set(reminders.registered_jobs())
