"""Dues emails: the call, reminders and the weekly digest are sent once."""

import datetime
import os
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from freezegun import freeze_time

from innovalo.celery import app as celery_app
from innovalo.enums import EmailStatus
from innovalo.exceptions import ServiceError
from innovalo.models import SentReminder
from innovalo.reminders import send_once
from innovalo.tasks import send_due_reminders
from members.enums import DuesStatus
from members.models import DuesDocument, DuesLine, DuesReminderStep
from members.selectors import dues as selectors
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    default_steps,
    fast_pdf_fixture,
    pdf_text,
    real_pdf_fixture,
    stored_amounts_agree_fixture,
    with_people,
)

pytestmark = pytest.mark.usefixtures("fast_pdf", "stored_amounts_agree")

TODAY = datetime.date(2026, 11, 25)


def late_line(days_late=50, **kwargs):
    """A called line whose due date passed `days_late` days ago, with its people."""
    line = DuesLineFactory(due_date=TODAY - datetime.timedelta(days=days_late), **kwargs)
    with_people(line.platform)
    return line


@pytest.mark.django_db
@freeze_time(TODAY)
def test_reminder_goes_to_director_and_accounting_with_the_notice(real_pdf):
    steps = default_steps()
    line = late_line(50)
    assert services.dues_send_due_reminders() == 1
    message = mail.outbox[0]
    assert sorted(message.to) == selectors.dues_recipients(line.platform)
    assert len(message.to) == 2
    assert message.subject.startswith("[INNOVALO] Relance : cotisation 2026")
    assert "300,00" in message.body
    filename, content, mimetype = message.attachments[0]
    assert filename == "AC-2026-0001.pdf" and mimetype == "application/pdf"
    assert "AC-2026-0001" in pdf_text(content)
    step45 = next(s for s in steps if s.days_after_due == 45)
    record = SentReminder.objects.get(rule="dues_reminder")
    assert (record.target, record.period) == (f"members.duesline:{line.pk}", str(step45.pk))
    assert record.status == EmailStatus.SENT and record.recipients == ", ".join(message.to)


@pytest.mark.django_db
@freeze_time(TODAY)
def test_reminders_run_twice_send_once():
    default_steps()
    late_line(20)
    late_line(50)
    late_line(95)
    assert services.dues_send_due_reminders() == 3
    assert services.dues_send_due_reminders() == 0
    call_command("send_reminders", "--only", "dues_reminders")
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_each_step_is_sent_once_over_time():
    default_steps()
    with freeze_time(TODAY):
        line = late_line(10)
    sent = []
    for day in range(0, 100):
        with freeze_time(TODAY + datetime.timedelta(days=day)):
            sent.append(services.dues_send_due_reminders())
    # 15, 45 and 90 days after the due date (10 days ago): days 5, 35 and 80.
    assert [day for day, count in enumerate(sent) if count] == [5, 35, 80]
    assert (
        SentReminder.objects.filter(rule="dues_reminder", target__endswith=f":{line.pk}").count()
        == 3
    )


@pytest.mark.django_db
@freeze_time(TODAY)
def test_reminders_stop_when_paid_and_skip_exempt_cancelled_and_old():
    default_steps()
    paid = late_line(50)
    services.dues_record_payment(
        received_on=TODAY, amount="300", method="cheque", allocations=[(paid, "300")]
    )
    exempt = late_line(50)
    services.dues_exempt(line=exempt, reason="Exonérée")
    cancelled = late_line(50)
    services.dues_cancel_line(line=cancelled, reason="Départ")
    late_line(400)  # every step's date is long past: not sent late
    late_line(5)  # not yet
    late_line(50, status=DuesStatus.TO_CALL)  # never called
    assert services.dues_send_due_reminders() == 0
    partly = late_line(50)
    services.dues_record_payment(
        received_on=TODAY, amount="100", method="cheque", allocations=[(partly, "100")]
    )
    assert services.dues_send_due_reminders() == 1
    assert "200,00" in mail.outbox[-1].body


@pytest.mark.django_db
@freeze_time(TODAY)
def test_schedule_changed_by_the_bureau_is_followed():
    DuesReminderStep.objects.all().delete()
    DuesReminderStep.objects.create(days_after_due=7)
    DuesReminderStep.objects.create(days_after_due=45, is_active=False)
    late_line(10)
    late_line(50)  # the only active step (7 days) passed 43 days ago: too old
    assert services.dues_send_due_reminders() == 1


@pytest.mark.django_db
@freeze_time(TODAY)
def test_line_without_people_is_not_recorded_until_it_has_some():
    default_steps()
    line = DuesLineFactory(due_date=TODAY - datetime.timedelta(days=50))
    assert services.dues_send_due_reminders() == 0
    assert not SentReminder.objects.exists()
    with_people(line.platform)
    assert services.dues_send_due_reminders() == 1


@pytest.mark.django_db
@freeze_time(TODAY)
def test_manual_reminder_recorded_once_a_day(bureau):
    line = late_line(3)
    assert services.dues_send_manual_reminder(line, actor=bureau) is True
    assert services.dues_send_manual_reminder(line, actor=bureau) is False
    record = SentReminder.objects.get(rule="dues_reminder_manual")
    assert record.sent_by == bureau
    assert (record.target, record.period) == (f"members.duesline:{line.pk}", "2026-11-25")
    assert len(mail.outbox) == 1
    paid = late_line(3)
    services.dues_record_payment(
        received_on=TODAY, amount="300", method="cheque", allocations=[(paid, "300")]
    )
    with pytest.raises(ServiceError):
        services.dues_send_manual_reminder(paid, actor=bureau)


@pytest.mark.django_db
@freeze_time(TODAY)
def test_manual_reminder_from_the_line_page(client_for, bureau):
    from django.urls import reverse

    line = late_line(3)
    url = reverse("dues_line_detail", args=[line.pk])
    client = client_for("bureau")
    assert client.post(url, {"action": "remind"}).status_code == 302
    assert client.post(url, {"action": "remind"}).status_code == 302
    assert len(mail.outbox) == 1
    page = client.get(url).content.decode()
    assert "Relance manuelle par" in page


@pytest.mark.django_db
@freeze_time(TODAY)
def test_call_notice_email_sent_once(django_capture_on_commit_callbacks):
    from .dues_factories import DuesPlatformFactory, DuesRateFactory

    DuesRateFactory(year=2027, amount=Decimal("320.00"), due_date=datetime.date(2027, 3, 31))
    platform = DuesPlatformFactory()
    emails = with_people(platform)
    with django_capture_on_commit_callbacks(execute=True):
        services.dues_call_year(year=2027)
    with django_capture_on_commit_callbacks(execute=True):
        services.dues_call_year(year=2027)
    line = DuesLine.objects.get(platform=platform, year=2027)
    assert send_once("dues_call", line, "") is False  # a retried delivery
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == emails
    assert "Appel de cotisation 2027" in message.subject and "AC-2027-0001" in message.subject
    assert "320,00" in message.body and "31 mars 2027" in message.body
    assert message.attachments[0][0] == "AC-2027-0001.pdf"


@pytest.mark.django_db
def test_weekly_digest_once_per_iso_week(bureau):
    default_steps()
    with freeze_time(TODAY):  # a Wednesday
        late_line(50)
        assert services.dues_weekly_digest() == 1
        assert services.dues_weekly_digest() == 0
    with freeze_time(TODAY + datetime.timedelta(days=4)):  # Sunday, same ISO week
        assert services.dues_weekly_digest() == 0
    with freeze_time(TODAY + datetime.timedelta(days=5)):  # next Monday
        assert services.dues_weekly_digest() == 1
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.to == [bureau.email]
    assert "En retard : 1 ligne" in message.body
    assert SentReminder.objects.filter(rule="dues_digest", period="2026-W48").exists()


@pytest.mark.django_db
def test_jobs_are_registered_for_send_reminders():
    from innovalo.reminders import registered_jobs

    jobs = registered_jobs()
    assert jobs["dues_reminders"] is services.dues_send_due_reminders
    assert jobs["dues_weekly_digest"] is services.dues_weekly_digest


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_reminder_runs_send_once():
    default_steps()
    with freeze_time(TODAY):
        lines = [late_line(50) for _ in range(3)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.dues_send_due_reminders(today=TODAY))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 3
    assert len(mail.outbox) == 3
    assert SentReminder.objects.filter(rule="dues_reminder").count() == 3
    # One notice per line, numbered without gaps, despite two runs issuing them.
    numbers = sorted(DuesDocument.objects.filter(line__in=lines).values_list("sequence", flat=True))
    assert numbers == [1, 2, 3]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)")
def test_dues_reminders_through_real_redis_broker_and_worker():
    from celery.contrib.testing.worker import start_worker

    default_steps()
    today = datetime.date.today()
    line = DuesLineFactory(due_date=today - datetime.timedelta(days=50), year=today.year)
    with_people(line.platform)
    celery_app.conf.task_always_eager = False
    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(celery_app, perform_ping_check=False, pool="solo", concurrency=1):
        first = send_due_reminders.delay(["dues_reminders"]).get(timeout=60)
        second = send_due_reminders.delay(["dues_reminders"]).get(timeout=60)
    assert first == {"dues_reminders": 1}
    assert second == {"dues_reminders": 0}
    assert len(mail.outbox) == 1
    assert SentReminder.objects.filter(rule="dues_reminder", status=EmailStatus.SENT).count() == 1


@pytest.mark.django_db
def test_digest_late_totals_come_from_one_sql_query(bureau, django_assert_num_queries):
    default_steps()
    with freeze_time(TODAY):
        late_line(50)
        partly = late_line(20)
        services.dues_record_payment(
            received_on=TODAY,
            amount="100",
            method="cheque",
            allocations=[(partly, "100")],
            issue_documents=False,
        )
        late_line(-5)  # not due yet
        with django_assert_num_queries(1):
            totals = selectors.dues_late_totals()
        assert totals == {"count": 2, "balance": Decimal("500.00")}
        assert services.dues_weekly_digest() == 1
    assert "En retard : 2 lignes, 500,00" in mail.outbox[0].body.replace("\u202f", " ")


# The outbox: periods, watermark, re-checks ------------------------------------------------


@pytest.mark.django_db
def test_changing_a_steps_days_does_not_send_that_step_again():
    """The reminder's period is the step's id: 45 -> 50 days is the same step."""
    steps = default_steps()
    with freeze_time(TODAY):
        line = late_line(46)
        assert services.dues_send_due_reminders() == 1
    step45 = next(s for s in steps if s.days_after_due == 45)
    services.dues_save_reminder_steps(
        steps=[
            {
                "id": s.pk,
                "days_after_due": 50 if s == step45 else s.days_after_due,
                "is_active": True,
            }
            for s in steps
        ]
    )
    for day in range(1, 10):
        with freeze_time(TODAY + datetime.timedelta(days=day)):
            assert services.dues_send_due_reminders() == 0
    assert len(mail.outbox) == 1
    assert SentReminder.objects.get(rule="dues_reminder").target == f"members.duesline:{line.pk}"


@pytest.mark.django_db
def test_the_weekly_digest_lists_each_payment_once(bureau):
    """Digests on a Wednesday then the next Monday: each lists the payments recorded
    since the previous one (a watermark), not the last seven days."""

    def pay(line, amount):
        services.dues_record_payment(
            received_on=datetime.date(2026, 11, 20),
            amount=amount,
            method="cheque",
            allocations=[(line, amount)],
            reference=f"CHQ-{amount}",
            issue_documents=False,
        )

    with freeze_time("2026-11-24 09:00"):  # Tuesday
        first, second = late_line(50), late_line(50)
        pay(first, "111")
    with freeze_time("2026-11-25 08:00"):  # Wednesday
        assert services.dues_weekly_digest() == 1
    with freeze_time("2026-11-26 09:00"):  # Thursday
        pay(second, "222")
    with freeze_time("2026-11-30 08:00"):  # next Monday, six days after Tuesday
        assert services.dues_weekly_digest() == 1
    wednesday, monday = (message.body.replace("\u202f", " ") for message in mail.outbox)
    assert "111,00" in wednesday and "222,00" not in wednesday
    assert "222,00" in monday and "111,00" not in monday


@pytest.mark.django_db
def test_digest_without_bureau_is_not_recorded():
    assert services.dues_weekly_digest(today=TODAY) == 0
    assert not SentReminder.objects.exists()


@pytest.mark.django_db
@freeze_time(TODAY)
def test_a_reminder_for_a_line_paid_meanwhile_is_skipped():
    """The sender re-reads the line under its lock: paid since the row was written, it
    sends nothing and marks the row skipped."""
    from innovalo.reminders import _record, deliver

    line = late_line(50)
    record, _created = _record("dues_reminder", line, "1", None)
    services.dues_record_payment(
        received_on=TODAY, amount="300", method="cheque", allocations=[(line, "300")]
    )
    assert deliver(record.pk) is False
    record.refresh_from_db()
    assert record.status == EmailStatus.SKIPPED and mail.outbox == []


@pytest.mark.django_db
@freeze_time(TODAY)
def test_call_emails_are_written_in_the_calls_transaction_and_sent_after_it(
    django_capture_on_commit_callbacks,
):
    from .dues_factories import DuesPlatformFactory, DuesRateFactory

    DuesRateFactory(year=2027, amount=Decimal("320.00"), due_date=datetime.date(2027, 3, 31))
    platforms = DuesPlatformFactory.create_batch(3)
    for platform in platforms:
        with_people(platform)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.dues_call_year(year=2027)
    rows = SentReminder.objects.filter(rule="dues_call")
    assert rows.count() == 3 and set(rows.values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == [] and len(callbacks) == 3
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 3
    assert set(rows.values_list("status", flat=True)) == {EmailStatus.SENT}
    numbers = sorted(DuesDocument.objects.filter(kind="notice").values_list("number", flat=True))
    assert numbers == ["AC-2027-0001", "AC-2027-0002", "AC-2027-0003"]


@pytest.mark.django_db
@freeze_time(TODAY)
def test_the_reminders_job_reads_recipients_once_and_sends_through_one_connection(monkeypatch):
    """Issue 15 (27 emails/s at federation scale): the recipients of every due line in one
    query and one mail connection for the batch; what each reminder costs on top (its
    outbox row, its line under lock, its notice) is the same for every reminder."""
    from django.core.mail.backends import locmem
    from django.test.utils import CaptureQueriesContext

    opened = []
    init = locmem.EmailBackend.__init__

    def counted(self, *args, **kwargs):
        opened.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(locmem.EmailBackend, "__init__", counted)
    default_steps()
    costs = []
    for batch in (1, 2, 4, 6):  # the first also creates the year's notice counter
        mail.outbox.clear()
        lines = [late_line(50 + n) for n in range(batch)]
        with CaptureQueriesContext(connection) as queries:
            assert services.dues_send_due_reminders() == batch
        memberships = [q for q in queries if "members_platformmembership" in q["sql"]]
        assert len(memberships) == 1
        assert len(mail.outbox) == batch
        assert len(opened) == 1  # one mail connection for the batch
        opened.clear()
        assert services.dues_send_due_reminders() == 0  # sent once
        costs.append(len(queries))
        DuesLine.objects.filter(pk__in=[line.pk for line in lines]).update(
            due_date=TODAY + datetime.timedelta(days=30)  # out of the next batch
        )
    assert costs[3] - costs[2] == costs[2] - costs[1]  # a constant cost per reminder
