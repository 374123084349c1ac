"""Digests through a real SMTP server (aiosmtpd on loopback) and in real transactions:
a few hundred digests over one connection in bounded time, none twice, and two runs at
once never send the same digest twice (PostgreSQL row locks, SKIP LOCKED).

The benchmark (5,000 searches over 10,000 calls) is ``manage.py bench_call_digests``.
"""

import datetime
import email
import threading
import time
from collections import Counter

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from innovalo.enums import EmailStatus
from innovalo.models import SentReminder, User
from projects import reminders
from projects.enums import Frequency
from projects.models import SavedSearch
from projects.selectors import alerts as selectors
from tests.smtp import free_port

from .factories import CallFactory, DeadlineFactory, FunderFactory

DAY = datetime.timedelta(days=1)


@pytest.fixture
def any_hour(monkeypatch):
    """Real time (the SMTP server's loop runs on it): digests at any hour of the test."""
    monkeypatch.setattr(selectors, "DIGEST_HOUR", 0)


def _searches(count, queries):
    """``count`` people, one daily search each (in bulk), over three new calls."""
    now = timezone.now()
    funder = FunderFactory(name="Bpifrance")
    for number, title in enumerate(["Numérique industriel", "Énergie et numérique", "Robotique"]):
        call = CallFactory(
            title=title, published_at=now - DAY + number * datetime.timedelta(hours=1)
        )
        call.funders.add(funder)
        DeadlineFactory(call=call, due_at=now + (40 + number) * DAY)
    users = User.objects.bulk_create(
        User(email=f"veille{number}@exemple.fr", password=make_password(None))
        for number in range(count)
    )
    SavedSearch.objects.bulk_create(
        SavedSearch(
            user=user,
            name=f"Alerte {number}",
            query=queries[number % len(queries)],
            frequency=Frequency.DAILY,
            watermark=now - 2 * DAY,
        )
        for number, user in enumerate(users)
    )
    return users


@pytest.mark.django_db
def test_two_hundred_digests_over_one_connection_none_twice(smtp_server, any_hour):
    users = _searches(200, ["", "q=num%C3%A9rique", "sort=published", "q=robotique&state=all"])
    started = time.perf_counter()
    assert reminders.call_digests() == 200
    elapsed = time.perf_counter() - started
    assert elapsed < 30
    assert smtp_server.connections == 1
    received = Counter(rcpt for rcpts, _content in smtp_server.messages for rcpt in rcpts)
    assert sorted(received) == sorted(user.email for user in users)
    assert set(received.values()) == {1}
    for _rcpts, content in smtp_server.messages:
        message = email.message_from_string(content)
        assert "/appels/alertes/desabonner/" in message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reminders.call_digests() == 0
    assert len(smtp_server.messages) == 200
    assert SentReminder.objects.filter(rule="call_digest", status=EmailStatus.SENT).count() == 200


@pytest.mark.django_db
def test_a_server_that_hangs_up_loses_nothing(smtp_server, any_hour, settings):
    """The SMTP server unreachable: every digest is recorded failed, sent by the outbox
    once the server is back, and never twice."""
    from innovalo.reminders import retry_unsent

    _searches(5, [""])
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    assert reminders.call_digests() == 0
    assert SentReminder.objects.filter(status=EmailStatus.FAILED).count() == 5
    settings.EMAIL_PORT = port
    assert retry_unsent() == 5
    assert retry_unsent() == 0
    assert reminders.call_digests() == 0
    assert len(smtp_server.messages) == 5


class SlowBackend(EmailBackend):
    """The locmem outbox, a little slow, so that two runs interleave."""

    def send_messages(self, messages):
        time.sleep(0.002)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_send_the_same_digest_twice(settings, monkeypatch, any_hour):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE SKIP LOCKED) need PostgreSQL")
    settings.EMAIL_BACKEND = "tests.projects.test_digest_smtp.SlowBackend"
    monkeypatch.setattr(reminders, "RECORD_BATCH", 5)
    users = _searches(40, ["", "q=num%C3%A9rique"])
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=30)
            outcomes.append(reminders.call_digests())
        except Exception as error:  # shown by the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(sent, int) for sent in outcomes), outcomes
    assert sum(outcomes) == 40
    received = Counter(message.to[0] for message in mail.outbox)
    assert sorted(received) == sorted(user.email for user in users)
    assert set(received.values()) == {1}


# The benchmark command -----------------------------------------------------------------------


@pytest.mark.django_db
def test_bench_command_is_refused_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG, settings.ALLOW_DEMO_DATA = False, False
    with pytest.raises(CommandError, match="only for development"):
        call_command("bench_call_digests", "--searches", "3")
    assert not SavedSearch.objects.exists()


@pytest.mark.django_db
def test_bench_command_sends_each_search_its_digest_once_and_cleans_up(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.ALLOW_DEMO_DATA = True
    now = timezone.now()
    for number in range(3):
        call = CallFactory(title=f"Appel numérique {number}", published_at=now - number * DAY)
        DeadlineFactory(call=call, due_at=now + 40 * DAY)
    out = StringIO()
    call_command("bench_call_digests", "--searches", "30", "--new", "2", stdout=out)
    output = out.getvalue()
    assert "digests sent: 30 in" in output
    assert "received 30 messages (30 of the 30 bench people), 0 duplicate(s)" in output
    assert "30 with the one-click unsubscribe" in output
    assert "Every bench person got exactly one digest." in output
    assert not SavedSearch.objects.exists()
    assert not SentReminder.objects.exists()
    assert selectors.DIGEST_HOUR == 7
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
