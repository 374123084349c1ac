"""Saved searches' digests: what entered the search since the watermark and what had its
dates changed, once per day or per week, nothing when nothing is new, the watermark
advanced with the email's record, and never a digest twice (a second run, a crash)."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from innovalo.enums import EmailStatus
from innovalo.models import SentReminder
from innovalo.reminders import deliver, retry_unsent
from projects import reminders
from projects.enums import CallStatus, Frequency
from projects.models import SavedSearch
from projects.selectors.alerts import MAX_LISTED, SETTLE, digest_until
from projects.services import alerts as services
from tests.factories import UserFactory

from .factories import CallFactory, DeadlineFactory, FunderFactory, SavedSearchFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
# Monday 2 March 2026, 10:05 in Paris.
MONDAY = datetime.datetime(2026, 3, 2, 9, 5, tzinfo=datetime.UTC)


def run(now=MONDAY) -> int:
    with freeze_time(now):
        return reminders.call_digests()


def alert(*, query="q=num%C3%A9rique", frequency=Frequency.DAILY, since=MONDAY - 2 * DAY, **kw):
    kw.setdefault("user", UserFactory())
    return SavedSearchFactory(query=query, frequency=frequency, watermark=since, **kw)


def call(title="Transition numérique des PME", *, published=MONDAY - DAY, days=60, **kw):
    created = CallFactory(title=title, published_at=published, **kw)
    if days is not None:
        DeadlineFactory(call=created, label="Dépôt", due_at=MONDAY + days * DAY)
    return created


def digests():
    return [m for m in mail.outbox if "Alerte" in m.subject]


def test_a_new_call_brings_a_digest_with_its_details_and_unsubscribe_headers():
    saved = alert(name="Numérique", user=UserFactory(email="veille@exemple.fr"))
    new = call()
    new.funders.add(FunderFactory(name="Bpifrance"), FunderFactory(name="ADEME"))
    call("Hydrogène vert", description="")  # not in the search
    assert run() == 1
    [message] = mail.outbox
    assert message.to == ["veille@exemple.fr"]
    assert message.subject.endswith("Alerte « Numérique » : 1 nouvel appel")
    assert "Transition numérique des PME" in message.body
    assert "Hydrogène" not in message.body
    assert "ADEME, Bpifrance" in message.body
    assert "1er mai 2026" in message.body  # the next deadline, 60 days on
    assert "Ouvert" in message.body
    assert f"http://testserver/appels/{new.pk}/" in message.body or (
        f"/appels/{new.pk}/" in message.body
    )
    html = message.alternatives[0][0]
    assert "Transition numérique des PME" in html and f"/appels/{new.pk}/" in html
    unsubscribe = services.unsubscribe_url(saved)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body and unsubscribe in html
    saved.refresh_from_db()
    assert saved.watermark == digest_until(MONDAY)
    assert saved.last_sent_at == MONDAY
    record = SentReminder.objects.get(rule="call_digest")
    assert record.target == f"projects.savedsearch:{saved.pk}"
    assert record.period.startswith(digest_until(MONDAY).isoformat())
    assert record.status == EmailStatus.SENT


def test_a_second_run_and_later_runs_the_same_day_send_nothing():
    alert()
    call()
    assert run() == 1
    call("Numérique responsable", published=MONDAY + HOUR)
    assert run() == 0
    assert run(MONDAY + 5 * HOUR) == 0  # a daily digest is sent once a day
    assert len(mail.outbox) == 1
    assert run(MONDAY + DAY) == 1  # the next day, what entered since
    assert "Numérique responsable" in mail.outbox[1].body
    assert "Transition numérique" not in mail.outbox[1].body


def test_nothing_new_no_email_and_the_watermark_stays():
    saved = alert()
    call(published=MONDAY - 5 * DAY)  # before the watermark
    assert run() == 0
    saved.refresh_from_db()
    assert saved.watermark == MONDAY - 2 * DAY
    assert saved.last_sent_at is None
    assert SentReminder.objects.count() == 0
    call("Numérique et industrie", published=MONDAY + 2 * HOUR)
    assert run(MONDAY + 3 * HOUR) == 1  # the same day: the first digest of the day


def test_a_call_published_minutes_before_the_run_waits_for_the_next_digest():
    saved = alert()
    call(published=MONDAY - SETTLE + datetime.timedelta(minutes=2))
    assert run() == 0
    saved.refresh_from_db()
    assert saved.watermark == MONDAY - 2 * DAY
    assert run(MONDAY + DAY) == 1


def test_changed_deadlines_of_calls_published_before_the_watermark():
    alert(name="Numérique")
    moved = call("Numérique et territoires", published=MONDAY - 10 * DAY, days=45)
    moved.dates_changed_at = MONDAY - HOUR
    moved.save()
    unchanged = call("Numérique ancien", published=MONDAY - 10 * DAY)
    unchanged.dates_changed_at = MONDAY - 5 * DAY  # before the watermark
    unchanged.save()
    assert run() == 1
    [message] = mail.outbox
    assert message.subject.endswith("Alerte « Numérique » : 1 date modifiée")
    assert "Numérique et territoires" in message.body
    assert "Nouvelle prochaine date limite : 16 avril 2026" in message.body
    assert "Numérique ancien" not in message.body


def test_new_and_changed_in_one_digest_and_a_new_call_is_not_also_changed():
    alert(name="Numérique")
    new = call(published=MONDAY - DAY)
    new.dates_changed_at = MONDAY - HOUR
    new.save()
    moved = call("Numérique et territoires", published=MONDAY - 10 * DAY)
    moved.dates_changed_at = MONDAY - HOUR
    moved.save()
    assert run() == 1
    [message] = mail.outbox
    assert message.subject.endswith(": 1 nouvel appel, 1 date modifiée")
    assert message.body.count("Transition numérique des PME") == 1


def test_a_long_digest_lists_the_first_calls_and_links_to_the_list():
    alert(query="")
    for number in range(MAX_LISTED + 5):
        call(f"Appel {number:02d}", days=30 + number)
    assert run() == 1
    body = mail.outbox[0].body
    assert f"{MAX_LISTED + 5} nouveaux appels" in mail.outbox[0].subject
    assert "Appel 19" in body and "Appel 20" not in body
    assert f"{MAX_LISTED + 5} appels en tout" in body


@pytest.mark.parametrize("status", [CallStatus.ARCHIVED, CallStatus.PROPOSED])
def test_archived_and_proposed_calls_are_never_in_a_digest(status):
    alert(query="status=archived")
    alert(query="", user=UserFactory(role="bureau"))
    call(status=status)
    assert run() == 0


def test_the_filters_apply_closed_calls_are_not_in_the_default_search():
    alert(query="")
    call(days=-1)  # closed: the list shows open calls by default
    assert run() == 0


@pytest.mark.parametrize(
    "change",
    [{"paused": True}, {"unsubscribed_at": MONDAY - DAY}],
    ids=["paused", "unsubscribed"],
)
def test_paused_and_unsubscribed_searches_get_nothing(change):
    alert(**change)
    call()
    assert run() == 0
    assert SentReminder.objects.count() == 0


def test_an_inactive_person_gets_nothing():
    alert(user=UserFactory(is_active=False))
    call()
    assert run() == 0


def test_nothing_before_seven_in_the_morning():
    alert()
    call(published=MONDAY - 2 * HOUR)
    assert run(datetime.datetime(2026, 3, 2, 5, 30, tzinfo=datetime.UTC)) == 0  # 6:30 in Paris
    assert run() == 1


def test_weekly_on_mondays_once():
    saved = alert(frequency=Frequency.WEEKLY, since=MONDAY - 8 * DAY)
    call(published=MONDAY - 3 * DAY)
    assert run(MONDAY - DAY) == 0  # Sunday
    assert run() == 1
    assert run(MONDAY + 3 * HOUR) == 0
    call("Numérique et santé", published=MONDAY + DAY)
    assert run(MONDAY + DAY) == 0  # Tuesday
    assert run(MONDAY + 7 * DAY - 2 * HOUR) == 1  # next Monday, a little earlier
    saved.refresh_from_db()
    assert saved.last_sent_at == MONDAY + 7 * DAY - 2 * HOUR
    assert len(digests()) == 2


def test_a_weekly_digest_sent_on_a_monday_is_not_sent_again_that_week():
    alert(frequency=Frequency.WEEKLY, last_sent_at=MONDAY - 2 * DAY)
    call()
    assert run() == 0


def test_searches_with_the_same_filters_each_get_their_own_window():
    early = alert(since=MONDAY - 5 * DAY)
    late = alert(since=MONDAY - 2 * DAY)
    call("Numérique premier", published=MONDAY - 4 * DAY)
    call("Numérique second", published=MONDAY - DAY)
    assert run() == 2
    by_person = {message.to[0]: message.body for message in mail.outbox}
    assert "Numérique premier" in by_person[early.user.email]
    assert "Numérique second" in by_person[early.user.email]
    assert "Numérique premier" not in by_person[late.user.email]
    assert "Numérique second" in by_person[late.user.email]


def record(saved, until=None, now=MONDAY):
    until = until or digest_until(now)
    return services.digests_record(watermarks={saved.pk: saved.watermark}, until=until, now=now)


def test_a_digest_recorded_by_another_run_is_not_recorded_again():
    saved, paused = alert(), alert(paused=True)
    first = record(saved, until=MONDAY - HOUR)
    assert list(first) == [saved.pk]
    assert record(saved, until=MONDAY - HOUR) == {}  # its watermark moved
    assert record(saved, until=MONDAY) == {}
    assert record(paused) == {}
    assert SentReminder.objects.count() == 1
    saved.refresh_from_db()
    assert saved.watermark == MONDAY - HOUR


def test_a_digest_delivered_outside_its_run_is_rebuilt_from_its_key():
    saved = alert(name="Numérique")
    call()
    with freeze_time(MONDAY):
        [row] = record(saved).values()
        call("Numérique plus tard", published=MONDAY - datetime.timedelta(minutes=1))
        assert deliver(row.pk) is True
    [message] = mail.outbox
    assert "Transition numérique des PME" in message.body
    assert "plus tard" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_pending_digest_of_a_deleted_or_unsubscribed_search_is_skipped():
    saved = alert()
    call()
    with freeze_time(MONDAY):
        [row] = record(saved).values()
        services.saved_search_unsubscribe(saved=saved)
        assert deliver(row.pk) is False
    assert SentReminder.objects.get(pk=row.pk).status == EmailStatus.SKIPPED
    assert mail.outbox == []


def _five():
    people = [UserFactory(email=f"personne{n}@exemple.fr") for n in range(5)]
    for person in people:
        alert(user=person)
    call()
    return people


def _one_each(people):
    received = sorted(message.to[0] for message in digests())
    assert received == sorted(person.email for person in people)


def _failing_at(number, error):
    """The mail backend, failing at its ``number``-th message with ``error``."""
    real = EmailBackend.send_messages
    sent = {"count": 0}

    def send_messages(backend, messages):
        sent["count"] += 1
        if sent["count"] == number:
            raise error
        return real(backend, messages)

    return mock.patch.object(EmailBackend, "send_messages", send_messages)


def test_a_failing_email_in_the_middle_of_a_run_is_sent_once_by_the_next_runs():
    people = _five()
    with _failing_at(3, ConnectionError("SMTP server gone")):
        assert run() == 4
    assert len(digests()) == 4
    assert SentReminder.objects.filter(status=EmailStatus.FAILED).count() == 1
    with freeze_time(MONDAY + 2 * HOUR):
        call_command("send_reminders")  # the digests job, then the outbox's retries
        call_command("send_reminders")
    _one_each(people)


def test_a_worker_killed_in_the_middle_of_a_run_never_sends_a_digest_twice(monkeypatch):
    people = _five()
    monkeypatch.setattr(reminders, "RECORD_BATCH", 2)
    # Not an Exception: the run stops there, as a worker killed while sending.
    with _failing_at(3, KeyboardInterrupt()), pytest.raises(KeyboardInterrupt):
        run()
    assert len(digests()) == 2
    statuses = dict(SentReminder.objects.values_list("status").annotate(n=Count("pk")))
    # Two sent; the third being sent; the fourth recorded in its batch; the fifth not reached.
    assert statuses == {EmailStatus.SENT: 2, EmailStatus.SENDING: 1, EmailStatus.PENDING: 1}
    assert run(MONDAY + datetime.timedelta(minutes=1)) == 1  # the search not reached
    assert run(MONDAY + datetime.timedelta(minutes=2)) == 0
    assert len(digests()) == 3
    with freeze_time(MONDAY + datetime.timedelta(minutes=5)):
        assert retry_unsent() == 1  # the one recorded but not sent, rebuilt from its key
        assert retry_unsent() == 0  # the one being sent: not before its claim is stale
    with freeze_time(MONDAY + HOUR):
        assert retry_unsent() == 1  # then sent (the SMTP server never had it)
        assert retry_unsent() == 0
        assert run(MONDAY + HOUR) == 0
    _one_each(people)


def test_job_queries_do_not_grow_with_searches_of_the_same_filters():
    def measure(count):
        SavedSearch.objects.all().delete()
        SentReminder.objects.all().delete()
        for _ in range(count):
            alert()
        with CaptureQueriesContext(connection) as queries:
            assert run() == count
        return len(queries)

    for number in range(4):
        call(f"Numérique {number}", days=20 + number).funders.add(FunderFactory())
    one, three = measure(1), measure(3)
    # Per run: the searches due, the form's three choices, one query per distinct query
    # string, the calls and their funders, one transaction per batch of searches (lock,
    # insert, update). Per digest: the outbox's claim, read and mark.
    per_digest = (three - one) / 2
    assert per_digest == 3
    assert one - per_digest <= 12


def test_nothing_due_costs_one_query():
    alert(frequency=Frequency.WEEKLY)
    with CaptureQueriesContext(connection) as queries:
        assert run(MONDAY + DAY) == 0
    assert len(queries) == 1


def test_the_beat_task_runs_the_digests_and_the_deadlines():
    from innovalo.tasks import send_due_reminders

    alert()
    call()
    with freeze_time(MONDAY):
        sent = send_due_reminders.apply().get()
        again = send_due_reminders.apply().get()
    assert sent["call_digests"] == 1 and sent["call_deadlines"] == 0
    assert again["call_digests"] == 0
    assert len(digests()) == 1


def test_names_are_escaped_in_html_and_kept_in_text():
    person = UserFactory(first_name="Zoé <b>", email="zoe@exemple.fr")
    alert(name="R&D <i>numérique</i>", user=person)
    alert(name="Autre", user=UserFactory(first_name="Luc"))
    call()
    assert run() == 2
    message = next(m for m in mail.outbox if m.to == ["zoe@exemple.fr"])
    assert message.subject.endswith("Alerte « R&D <i>numérique</i> » : 1 nouvel appel")
    assert "Bonjour Zoé <b>," in message.body
    html = message.alternatives[0][0]
    assert "R&amp;D &lt;i&gt;numérique&lt;/i&gt;" in html and "<i>" not in html
    assert "Zoé &lt;b&gt;" in html
    other = next(m for m in mail.outbox if m.to != ["zoe@exemple.fr"])
    assert "Bonjour Luc," in other.body and "Autre" in other.subject
    assert "@@" not in message.body + html + other.body + other.subject
