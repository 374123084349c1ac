"""Invitations through a real SMTP server (aiosmtpd on loopback) and in real
transactions: two runs at once never send the same invitation twice (PostgreSQL row
locks), one connection per batch.

The benchmark (10,000 invitations through one worker) runs with SURVEYS_BENCHMARK=1:
it is a measure, not a timed test.
"""

import email
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from surveys.enums import InvitationState
from surveys.models import Respondent
from surveys.services import invitations
from tests.smtp import free_port, use_smtp

from .respondent_factories import external_campaign, respondent

BENCHMARK = os.environ.get("SURVEYS_BENCHMARK") == "1"


@pytest.mark.django_db
def test_invitations_go_through_real_smtp_one_connection_per_batch(smtp_server):
    campaign = external_campaign()
    people = [respondent(campaign)[0] for _ in range(5)]
    invitations.invitations_start(campaign=campaign, actor=None)
    assert invitations.invitations_send(campaign_id=campaign.pk, batch_size=2) == 5
    assert smtp_server.connections == 3
    recipients = sorted(rcpt for rcpts, _content in smtp_server.messages for rcpt in rcpts)
    assert recipients == sorted(person.email for person in people)
    _rcpts, content = smtp_server.messages[0]
    message = email.message_from_string(content)
    assert " ".join(message["List-Unsubscribe"].split()).endswith("/desinscription/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


class SlowBackend(EmailBackend):
    """The locmem outbox, a little slow, so that two workers interleave."""

    def send_messages(self, messages):
        time.sleep(0.002)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_send_the_same_invitation_twice(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE SKIP LOCKED) need PostgreSQL")
    settings.EMAIL_BACKEND = "tests.surveys.test_invitations_smtp.SlowBackend"
    monkeypatch.setattr(invitations, "enqueue", lambda *args: None)  # the two runs below
    campaign = external_campaign()
    for _ in range(40):
        respondent(campaign)
    invitations.invitations_start(campaign=campaign, actor=None)
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=30)
            outcomes.append(invitations.invitations_send(campaign_id=campaign.pk, batch_size=5))
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
    assert len(received) == 40
    assert set(received.values()) == {1}
    assert set(Respondent.objects.values_list("invitation", flat=True)) == {InvitationState.SENT}


# Benchmark --------------------------------------------------------------------------


@pytest.mark.skipif(not BENCHMARK, reason="benchmark: SURVEYS_BENCHMARK=1")
@pytest.mark.django_db(transaction=True)
def test_benchmark_10000_invitations_through_one_worker(settings, capsys, monkeypatch):
    from .respondent_factories import csv_upload

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ]
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        use_smtp(settings, port)
        monkeypatch.setattr(invitations, "enqueue", lambda *args: None)  # one worker: this one
        campaign = external_campaign()
        from surveys.importers import read_respondents
        from surveys.services.respondents import respondents_import

        text = "email;organisation;department;language\n" + "".join(
            f"pme{n}@exemple.fr;PME {n};02;{'en' if n % 10 == 0 else 'fr'}\n" for n in range(10_000)
        )
        started = time.perf_counter()
        respondents_import(campaign=campaign, rows=read_respondents(csv_upload(text)), actor=None)
        imported = time.perf_counter() - started
        invitations.invitations_start(campaign=campaign, actor=None)
        started, cpu = time.perf_counter(), time.process_time()
        sent = invitations.invitations_send(campaign_id=campaign.pk)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert sent == 10_000
        with capsys.disabled():
            print(f"\nimport of 10,000 respondents: {imported:.1f} s")
            print(f"10,000 invitations through one worker to aiosmtpd: {elapsed:.1f} s")
            print(f"  worker CPU {cpu:.1f} s; load average {os.getloadavg()}")
    finally:
        server.terminate()
        server.wait(timeout=10)
