"""Measure the saved searches' digests at scale (issue 10, "Performance").

    manage.py bench_call_digests [--searches 5000] [--new 10] [--queries 40] [--seed 1]
                                 [--worker --port 8025] [--keep]

Over the calls already there (``seed_demo``, ``seed_calls_bench --calls 10000``):

1. picks the ``--new`` calls published last (before the digests' settling time) and
   builds up to ``--queries`` distinct query strings from them (no filter, a kind, a
   theme, a funder, a word of the title, the sort), so that every search has something
   new;
2. creates ``--searches`` people and one daily saved search each, in bulk, with a
   watermark just before those calls;
3. starts an SMTP server (aiosmtpd, in a process of its own) that writes down each
   message's recipient and whether it carries the one-click unsubscribe header;
4. runs the digest job through the Celery task of ``send_reminders``
   (``innovalo.tasks.send_due_reminders``, ``only=["call_digests"]``): in this process
   by default (``task.apply``: one worker, this one), or with ``--worker`` through a
   running worker (``apply_async``), which must then send to ``--port``:
   ``EMAIL_URL=smtp://127.0.0.1:8025 celery -A innovalo worker -c 1``;
5. prints the job's time, the digests sent, the messages received and the duplicates,
   then deletes what it created (``--keep`` keeps it).

Refused unless ``DEBUG`` or ``ALLOW_DEMO_DATA``. The job sends nothing before 7:00
(local time): in this process the bench moves that hour to midnight.
"""

import datetime
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from innovalo.enums import Role
from innovalo.models import SentReminder, User

from ...enums import CallStatus, Frequency
from ...filters import CallFilter, load_choices
from ...models import Call, SavedSearch
from ...selectors import alerts as selectors

BATCH = 2000
SERVER = r"""
import signal, sys, threading
from aiosmtpd.controller import Controller

port, path = int(sys.argv[1]), sys.argv[2]
out = open(path, "a", buffering=1)


class Recorder:
    async def handle_DATA(self, server, session, envelope):
        one_click = int(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in envelope.content)
        for rcpt in envelope.rcpt_tos:
            out.write(f"{rcpt}\t{one_click}\n")
        return "250 OK"


controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
controller.start()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *args: stop.set())
print("ready", flush=True)
stop.wait()
controller.stop()
out.close()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpRecorder:
    """An aiosmtpd server in a process of its own (not sharing this one's CPU time)."""

    def __init__(self, port):
        self.port = port
        handle, self.path = tempfile.mkstemp(prefix="bench-digests-", suffix=".txt")
        os.close(handle)
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port), self.path],
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            raise CommandError("The SMTP server did not start.")

    def lines(self) -> list[tuple[str, bool]]:
        with open(self.path, encoding="utf-8") as received:
            return [
                (rcpt, flag == "1")
                for rcpt, _tab, flag in (line.rstrip("\n").partition("\t") for line in received)
                if rcpt
            ]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        os.unlink(self.path)


class Command(BaseCommand):
    help = "Measure the saved searches' digests through one worker to a local SMTP server."

    def add_arguments(self, parser):
        parser.add_argument("--searches", type=int, default=5000)
        parser.add_argument("--new", type=int, default=10, help="Calls new to every search.")
        parser.add_argument("--queries", type=int, default=40, help="Distinct query strings.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--worker", action="store_true", help="Through a running worker.")
        parser.add_argument("--port", type=int, default=0, help="SMTP port (0: any free one).")
        parser.add_argument("--keep", action="store_true", help="Keep the searches created.")

    def handle(self, *args, searches, new, queries, seed, worker, port, keep, **options):
        if not (settings.DEBUG or settings.ALLOW_DEMO_DATA):
            raise CommandError("Bench data is only for development (DEBUG or ALLOW_DEMO_DATA).")
        if searches < 1 or new < 1 or queries < 1:
            raise CommandError("--searches, --new and --queries must be positive.")
        if worker and not port:
            raise CommandError("--worker needs the --port its worker sends to.")
        rng = random.Random(seed)
        now = timezone.now()
        recent = self._recent_calls(new, now)
        watermark = min(call.published_at for call in recent) - datetime.timedelta(microseconds=1)
        strings = self._queries(rng, recent, queries, now)
        tag = f"{seed}-{int(time.time())}"
        started = time.perf_counter()
        created = self._create(rng, tag, searches, strings, watermark)
        self.stdout.write(
            f"{searches} people and saved searches created in "
            f"{time.perf_counter() - started:.1f} s; {len(strings)} distinct query strings "
            f"over {len(recent)} new calls ({Call.objects.count()} calls in all)"
        )
        server = SmtpRecorder(port or _free_port())
        try:
            elapsed, sent = self._run(server.port, worker)
            lines = self._received(server, sent)
        finally:
            server.stop()
            if not keep:
                self._delete(created)
        self._report(searches, created, sent, elapsed, lines)

    # Data -----------------------------------------------------------------------------------

    def _recent_calls(self, count, now):
        recent = list(
            Call.objects.filter(
                status=CallStatus.PUBLISHED,
                published_at__lte=selectors.digest_until(now),
            )
            .order_by("-published_at", "-pk")
            .prefetch_related("themes", "funders")[:count]
        )
        if not recent:
            raise CommandError("No published calls: run seed_demo and seed_calls_bench first.")
        return recent

    def _queries(self, rng, recent, count, now) -> list[str]:
        """Query strings each matching at least one of the new calls."""
        candidates = ["", "sort=published", "state=all"]
        for call in recent:
            candidates.append(f"kind={call.kind}")
            candidates += [f"theme={theme.slug}" for theme in call.themes.all()]
            candidates += [f"funder={funder.pk}" for funder in call.funders.all()]
            words = [word for word in call.title.split() if len(word) > 4]
            if words:
                candidates.append(f"q={rng.choice(words)}&state=all")
            themes = list(call.themes.all())
            if themes:
                candidates.append(f"kind={call.kind}&theme={themes[0].slug}")
        choices = load_choices()
        ids = {call.pk for call in recent}
        strings = []
        from django.http import QueryDict

        for query in dict.fromkeys(candidates):
            matching = CallFilter(
                QueryDict(query),
                queryset=Call.objects.with_next_deadline(now).filter(pk__in=ids),
                now=now,
                choices=choices,
            ).qs
            if matching.exists():
                strings.append(query)
            if len(strings) >= count:
                break
        if not strings:
            raise CommandError("None of the new calls is open: add calls (seed_calls_bench).")
        return strings

    def _create(self, rng, tag, count, strings, watermark) -> list[int]:
        password = make_password(None)
        user_ids = []
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            with transaction.atomic():
                users = User.objects.bulk_create(
                    User(
                        email=f"veille-{tag}-{number}@banc.example",
                        first_name=f"Veille {number}",
                        role=Role.DIRECTOR,
                        password=password,
                    )
                    for number in range(start, start + size)
                )
                SavedSearch.objects.bulk_create(
                    SavedSearch(
                        user=user,
                        name=f"Alerte de mesure {start + index}",
                        query=rng.choice(strings),
                        frequency=Frequency.DAILY,
                        watermark=watermark,
                    )
                    for index, user in enumerate(users)
                )
            user_ids += [user.pk for user in users]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (User, SavedSearch, SentReminder):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        return user_ids

    def _delete(self, user_ids):
        searches = list(
            SavedSearch.objects.filter(user_id__in=user_ids).values_list("pk", flat=True)
        )
        SentReminder.objects.filter(
            rule="call_digest", target__in=[f"projects.savedsearch:{pk}" for pk in searches]
        ).delete()
        User.objects.filter(pk__in=user_ids).delete()

    # The run --------------------------------------------------------------------------------

    def _run(self, port, worker) -> tuple[float, int]:
        from innovalo.tasks import send_due_reminders

        started, cpu = time.perf_counter(), time.process_time()
        if worker:
            result = send_due_reminders.apply_async(kwargs={"only": ["call_digests"]})
            sent = result.get(timeout=900).get("call_digests", 0)
        else:
            smtp = {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": port,
                "EMAIL_HOST_USER": "",
                "EMAIL_HOST_PASSWORD": "",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
                "EMAIL_TIMEOUT": 10,
            }
            hour = selectors.DIGEST_HOUR
            selectors.DIGEST_HOUR = 0  # whatever the hour of the bench
            try:
                with override_settings(**smtp):
                    result = send_due_reminders.apply(kwargs={"only": ["call_digests"]}, throw=True)
            finally:
                selectors.DIGEST_HOUR = hour
            sent = result.get().get("call_digests", 0)
        elapsed, self.cpu = time.perf_counter() - started, time.process_time() - cpu
        return elapsed, sent

    def _received(self, server, sent) -> list[tuple[str, bool]]:
        """The messages received (waiting a little for the last ones to be written)."""
        deadline = time.monotonic() + 10
        lines = server.lines()
        while len(lines) < sent and time.monotonic() < deadline:
            time.sleep(0.1)
            lines = server.lines()
        return lines

    def _report(self, searches, created, sent, elapsed, lines):
        received = Counter(rcpt for rcpt, _one_click in lines)
        bench = {rcpt: n for rcpt, n in received.items() if rcpt.endswith("@banc.example")}
        duplicates = sum(n - 1 for n in received.values() if n > 1)
        one_click = sum(1 for _rcpt, flag in lines if flag)
        self.stdout.write(
            f"digests sent: {sent} in {elapsed:.1f} s ({sent / elapsed if elapsed else 0:.0f}/s); "
            f"this process's CPU {self.cpu:.1f} s; load average "
            + " ".join(f"{load:.1f}" for load in os.getloadavg())
        )
        self.stdout.write(
            f"SMTP server received {len(lines)} messages ({len(bench)} of the {searches} bench "
            f"people), {duplicates} duplicate(s), {one_click} with the one-click unsubscribe"
        )
        if duplicates or len(bench) != searches:
            self.stdout.write(self.style.WARNING("Not every bench person got exactly one digest."))
        else:
            self.stdout.write(self.style.SUCCESS("Every bench person got exactly one digest."))
