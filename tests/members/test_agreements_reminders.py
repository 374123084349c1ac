"""The reminder of an agreement's end: 90 and 30 days before, to the platform's directors
and staff, once each per end date, through the outbox and ``send_reminders``."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.reminders import registered_jobs, registered_rules, retry_unsent, run_jobs
from members import agreement_reminders as reminders
from members.enums import AgreementKind, PlatformRole
from members.models import Agreement

from .factories import MembershipFactory, PlatformFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 5)


@pytest.fixture
def people(platform):
    """The platform's staff and its accounting contact, beside its director."""
    staff = MembershipFactory(
        platform=platform, role=PlatformRole.STAFF, user__email="equipe@exemple.fr"
    )
    accounting = MembershipFactory(
        platform=platform, role=PlatformRole.ACCOUNTING, user__email="compta@exemple.fr"
    )
    return staff.user, accounting.user


def ending(platform, ends_on, partner="Lycée Henri-Martin"):
    return Agreement.objects.create(
        platform=platform,
        partner=partner,
        kind=AgreementKind.HOST,
        subject="Ateliers",
        starts_on=datetime.date(2024, 1, 1),
        ends_on=ends_on,
    )


def run(day) -> int:
    with freeze_time(f"{day.isoformat()} 07:00"):
        return reminders.agreement_reminders()


def days(number):
    return START + datetime.timedelta(days=number)


def test_the_job_and_its_email_are_registered():
    assert registered_jobs()["agreement_reminders"] is reminders.agreement_reminders
    assert registered_rules()["agreement_ending"] is reminders.send_agreement_ending


def test_90_days_before_the_directors_and_staff_get_one_email(platform, people):
    agreement = ending(platform, days(90))
    assert run(START) == 1
    (email,) = mail.outbox
    assert sorted(email.to) == ["directrice@exemple.fr", "equipe@exemple.fr"]
    assert "compta@exemple.fr" not in email.to
    assert "Lycée Henri-Martin" in email.subject and "90 jours" in email.subject
    assert "5 avril 2026" in email.body
    assert f"/plateformes/{platform.slug}/conventions/" in email.body
    assert f"/conventions/{agreement.pk}/modifier/" in email.body
    html = email.alternatives[0][0]
    assert f"/plateformes/{platform.slug}/conventions/" in html
    row = SentReminder.objects.get()
    assert (row.rule, row.target, row.period) == (
        "agreement_ending",
        f"members.agreement:{agreement.pk}",
        "2026-04-05:90",
    )
    assert row.status == EmailStatus.SENT


def test_each_step_is_sent_once(platform):
    ending(platform, days(90))
    assert run(START) == 1
    assert run(START) == 0  # the same day again
    for number in (1, 30, 59):  # between the steps: nothing
        assert run(days(number)) == 0
    assert run(days(60)) == 1  # 30 days before
    assert "30 jours" in mail.outbox[-1].subject
    assert "Dernier rappel" in mail.outbox[-1].body
    for number in (61, 75, 90):
        assert run(days(number)) == 0
    assert len(mail.outbox) == 2
    assert sorted(SentReminder.objects.values_list("period", flat=True)) == [
        "2026-04-05:30",
        "2026-04-05:90",
    ]


def test_a_job_that_missed_the_90th_day_still_sends_it_later(platform):
    ending(platform, days(80))
    assert run(START) == 1
    assert SentReminder.objects.get().period.endswith(":90")


def test_only_the_nearest_step_when_both_are_due(platform):
    ending(platform, days(20))  # entered 20 days before its end
    assert run(START) == 1
    assert SentReminder.objects.get().period == f"{days(20).isoformat()}:30"
    assert run(START) == 0
    assert len(mail.outbox) == 1


def test_a_new_end_date_is_reminded_again(platform):
    agreement = ending(platform, days(30))
    assert run(START) == 1
    agreement.ends_on = days(80)  # prolonged
    agreement.save()
    assert run(days(1)) == 1
    assert "2026-03-26:90" in SentReminder.objects.values_list("period", flat=True)
    assert run(days(50)) == 1  # the 30-day step of the new date
    assert len(mail.outbox) == 3


def test_the_last_day_is_still_reminded(platform):
    ending(platform, START)
    assert run(START) == 1
    assert "aujourd'hui" in mail.outbox[0].subject


@pytest.mark.parametrize("ends_on", [None, days(-1), days(-40), days(91), days(400)])
def test_nothing_for_open_ended_ended_or_far_agreements(platform, ends_on):
    ending(platform, ends_on)
    assert run(START) == 0
    assert not SentReminder.objects.exists()
    assert not mail.outbox


def test_nothing_when_the_platform_has_no_director_or_staff(db):
    lonely = PlatformFactory()
    MembershipFactory(platform=lonely, role=PlatformRole.ACCOUNTING)
    ending(lonely, days(30))
    assert run(START) == 0
    assert not mail.outbox
    assert SentReminder.objects.get().status == EmailStatus.SKIPPED


def test_an_inactive_director_gets_nothing(platform, director, people):
    director.is_active = False
    director.save()
    ending(platform, days(30))
    assert run(START) == 1
    assert mail.outbox[0].to == ["equipe@exemple.fr"]


def test_each_agreement_and_platform_separately(platform, other_platform):
    ending(platform, days(30), partner="Premier")
    ending(platform, days(90), partner="Second")
    ending(other_platform, days(10), partner="Ailleurs")
    assert run(START) == 3
    recipients = {
        partner: email.to
        for email in mail.outbox
        for partner in ("Premier", "Second", "Ailleurs")
        if f"avec {partner} " in email.subject
    }
    assert recipients == {
        "Premier": ["directrice@exemple.fr"],
        "Second": ["directrice@exemple.fr"],
        "Ailleurs": ["autre-directeur@exemple.fr"],
    }


def test_a_failed_send_retried_after_the_date_moved_is_skipped(platform):
    agreement = ending(platform, days(30))
    SentReminder.objects.create(
        rule="agreement_ending",
        target=f"members.agreement:{agreement.pk}",
        period=f"{days(30).isoformat()}:30",
        status=EmailStatus.FAILED,
        attempts=1,
    )
    assert run(START) == 0  # the row exists: the outbox retries it, not the job
    agreement.ends_on = days(300)
    agreement.save()
    with freeze_time(f"{START.isoformat()} 08:00"):
        assert retry_unsent() == 0
    assert SentReminder.objects.get().status == EmailStatus.SKIPPED
    assert not mail.outbox


def test_a_deleted_agreement_is_skipped(platform):
    agreement = ending(platform, days(30))
    SentReminder.objects.create(
        rule="agreement_ending",
        target=f"members.agreement:{agreement.pk}",
        period=f"{days(30).isoformat()}:30",
        status=EmailStatus.FAILED,
        attempts=1,
    )
    agreement.delete()
    with freeze_time(f"{START.isoformat()} 08:00"):
        assert retry_unsent() == 0
    assert SentReminder.objects.get().status == EmailStatus.SKIPPED


def test_run_by_send_reminders_and_twice_sends_once(platform):
    ending(platform, days(30))
    with freeze_time(f"{START.isoformat()} 07:00"):
        assert run_jobs(["agreement_reminders"]).sent == {"agreement_reminders": 1}
        call_command("send_reminders")  # every job: this one sends nothing more
    assert [email for email in mail.outbox if "convention" in email.subject] == mail.outbox[:1]


def test_the_job_reads_once_what_it_already_wrote(platform, django_assert_max_num_queries):
    for index in range(10):
        ending(platform, days(10 + index), partner=f"P{index}")
    assert run(START) == 10
    with django_assert_max_num_queries(2):  # the agreements due, the rows already written
        assert run(START) == 0


@pytest.mark.parametrize(
    ("days_left", "step"),
    [(-1, None), (0, 30), (30, 30), (31, 90), (90, 90), (91, None)],
)
def test_step_due(days_left, step):
    assert reminders.step_due(days_left) == step
