"""`make bench`: the portal measured at two sizes against the one-query page (issue 15).

    .venv/bin/python scripts/bench.py [--reuse] [--drop] [--runs 30] [--workers 3]
        [--nat-db NAME] [--fed-db NAME] [--redis-url URL] [--cache-url URL]
        [--skip-background] [--output docs/benchmarks.md]

On PostgreSQL (`DATABASE_URL` gives the server and a base name; the bench creates
`<name>_bench_nat` and `<name>_bench_fed`, or reuses them with `--reuse`):

- national = migrate + seed_demo; federation = a copy of national + seed_federation;
- each size served by gunicorn (`--workers`, DEBUG off, persistent connections,
  static files collected once, no broker: `/sante/` is then one query, the floor), with
  the cache in Redis (`--cache-url`, emptied before each size; `CACHE_URL`) shared by
  the workers as in production, where `REDIS_URL` gives it: with a cache per process,
  one worker would not see another's invalidations (`--cache-url ""` measures that);
- queries per page and role counted in-process (`scripts/bench_django.py queries`:
  the test client with CaptureQueriesContext on the same database);
- each main page per role: median and p95 of `--runs` requests, in rounds that also
  request `/sante/` (as `scripts/measure_pages.py` does), ratio to the floor's median;
- the dues board against the Django admin's changelist of dues lines (a superuser
  created in the bench databases), the dashboard against the directory;
- the directory's throughput under concurrent keep-alive clients, against the floor's;
- four PDFs (a dues notice, a meeting's minutes, the survey's national report, the
  dashboard's annual report);
- at federation scale, background work through one Celery worker (`--redis-url`) to a
  local SMTP server (aiosmtpd): 10,000 survey invitations, 5,000 saved-search digests
  (`manage.py bench_call_digests --worker`), the year's dues reminders; emails per
  second and duplicates.

Writes `docs/benchmarks.md` and exits 1 when a target is missed (listed on stderr).
"""

import argparse
import datetime
import http.client
import json
import os
import platform as host
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from measure_pages import opener_for  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
ROLES = {
    "anonymous": None,
    "director": "directeur@innovalo.demo",
    "bureau": "bureau@innovalo.demo",
    "ministry": "ministere@innovalo.demo",
}
ADMIN = "banc-admin@innovalo.demo"
SIZES = ("national", "federation")

# Targets (issue 15).
PAGE_RATIO = 15  # median / floor, at federation scale
GROWTH = 1.5  # federation / national, same page and role
MAX_QUERIES = 15
BOARD_VS_ADMIN = 1.0
DASHBOARD_VS_DIRECTORY = 2.0
THROUGHPUT_SHARE = 0.25
PDF_SECONDS = 3.0
INVITATIONS = 10_000
INVITATIONS_SECONDS = 60.0
DIGESTS = 5_000


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Databases ---------------------------------------------------------------------------------


class Postgres:
    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        if not parts.scheme.startswith("postgres"):
            raise SystemExit("DATABASE_URL must be a PostgreSQL URL (postgres://…).")
        self.parts = parts
        self.name = parts.path.lstrip("/") or "innovalo"

    def url(self, name):
        return urllib.parse.urlunsplit(self.parts._replace(path="/" + name))

    def _admin(self):
        import psycopg2

        connection = psycopg2.connect(self.url("postgres"))
        connection.autocommit = True
        return connection

    def exists(self, name) -> bool:
        with self._admin() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None

    def execute(self, sql):
        connection = self._admin()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def version(self) -> str:
        with self._admin() as connection, connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]

    def drop(self, name):
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create(self, name, template=None):
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def environment(database_url, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL="",
        DEBUG="0",
        ALLOW_DEMO_DATA="1",
        SECRET_KEY=SECRET_KEY,
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
    )
    env.pop("TESTING", None)
    env.update(extra)
    return env


SECRET_KEY = "bench-" + secrets.token_hex(24)


def manage(env, *args, quiet=True):
    log("manage.py " + " ".join(args))
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - started


def helper(env, *args) -> dict:
    """`scripts/bench_django.py` in a subprocess; its last line is JSON."""
    result = subprocess.run(
        [PYTHON, "scripts/bench_django.py", *args],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"scripts/bench_django.py {' '.join(args)} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def build_databases(pg, names, reuse) -> dict:
    """{size: seconds spent building it} (empty when reused)."""
    timings = {}
    nat, fed = names["national"], names["federation"]
    if reuse and pg.exists(nat) and pg.exists(fed):
        log(f"reusing {nat} and {fed} (migrated to this code, then analysed)")
        for name in (nat, fed):
            env = environment(pg.url(name))
            manage(env, "migrate", "--noinput")
            manage(
                env,
                "shell",
                "-c",
                "from django.db import connection; connection.cursor().execute('ANALYZE')",
            )
        return timings
    for name in (fed, nat):
        pg.drop(name)
    pg.create(nat)
    env = environment(pg.url(nat))
    timings["national"] = manage(env, "migrate", "--noinput") + manage(env, "seed_demo")
    started = time.perf_counter()
    pg.create(fed, template=nat)  # national + the federation on top
    timings["federation"] = (
        time.perf_counter() - started + manage(environment(pg.url(fed)), "seed_federation")
    )
    return timings


# Serving -----------------------------------------------------------------------------------


class Server:
    def __init__(self, env, workers, logfile):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(logfile, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "python:innovalo.gunicorn",  # as the Procfile serves it
                "innovalo.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/sante/", timeout=2) as response:
                    self.health = json.loads(response.read())
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not start (see {logfile})")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def timed_get(opener, url) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    try:
        response = opener.open(url, timeout=300)
        body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return (time.perf_counter() - started) * 1000, status, body


def timed_report(opener, base, url) -> tuple[float, int, bytes]:
    """Prepare the dashboard's annual report afresh (the board's cache cleared through
    the page's POST, which re-prepares a report that is not current) and download it."""
    import re

    year = re.search(r"year=(\d{4})", url)
    year = year.group(1) if year else str(time.localtime().tm_year)
    page = opener.open(f"{base}/tableau-de-bord/rapport/?year={year}", timeout=60).read()
    for cookie in getattr(opener, "jar", ()):  # the CSRF cookie just set is Secure
        cookie.secure = False
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    data = urllib.parse.urlencode(
        {"year": year, "csrfmiddlewaretoken": token.group(1).decode() if token else ""}
    ).encode()
    started = time.perf_counter()
    request = urllib.request.Request(
        f"{base}/tableau-de-bord/rapport/", data=data, headers={"Referer": base + "/"}
    )
    try:
        opener.open(request, timeout=300).read()
    except urllib.error.HTTPError as error:
        return (time.perf_counter() - started) * 1000, error.code, error.read()
    _elapsed, status, body = timed_get(opener, f"{base}/tableau-de-bord/rapport.pdf?year={year}")
    return (time.perf_counter() - started) * 1000, status, body


def summary(values) -> dict:
    values = sorted(values)
    return {
        "median": statistics.median(values),
        "p95": values[max(int(len(values) * 0.95) - 1, 0)],
        "n": len(values),
    }


def rounds(base, opener, paths, runs, warmup) -> tuple[dict, dict]:
    """Rounds of /sante/ then every page (as scripts/measure_pages.py does), so that
    the floor and the pages share the machine's state. Returns (floor, {path: summary})."""
    anonymous = urllib.request.build_opener()
    urls = [(anonymous, base + "/sante/"), *((opener, base + path) for path in paths)]
    for _ in range(warmup):
        for client, url in urls:
            timed_get(client, url)
    values = {url: [] for _client, url in urls}
    errors = Counter()
    for _ in range(runs):
        for client, url in urls:
            elapsed, status, _body = timed_get(client, url)
            if status != 200:
                errors[url] += 1
            values[url].append(elapsed)
    floor = summary(values[base + "/sante/"])
    pages = {}
    for path in paths:
        pages[path] = summary(values[base + path])
        pages[path]["errors"] = errors[base + path]
    return floor, pages


def throughput(base, path, threads, seconds) -> float:
    """Requests per second with `threads` keep-alive clients (http.client; a server
    that closes the connection gets a new one)."""
    parts = urllib.parse.urlsplit(base)
    done, failed = Counter(), Counter()
    stop = time.monotonic() + seconds

    def client(index):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while time.monotonic() < stop:
            try:
                connection.request("GET", path, headers={"Connection": "keep-alive"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    done[index] += 1
                else:
                    failed[index] += 1
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                failed[index] += 1
                connection.close()
        connection.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done.values()) / (time.perf_counter() - started)


def empty_cache(url) -> None:
    """FLUSHDB on the cache's Redis database, so that each size starts cold."""
    if not url:
        return
    import redis

    redis.Redis.from_url(url).flushdb()


def measure_size(size, env, config, args, statuses) -> dict:
    """Everything measured against one running server."""
    empty_cache(args.cache_url)
    env = {**env, "CACHE_URL": args.cache_url}
    server = Server(env, args.workers, ROOT / "var" / f"bench-gunicorn-{size}.log")
    result = {"health": server.health, "roles": {}, "pdfs": {}}
    try:
        base = server.base
        main = config["pages"]["main"]
        for role, email in ROLES.items():
            paths = {name: url for name, url in main.items() if statuses[role][name] == 200}
            log(f"{size}: {role}, {len(paths)} pages × {args.runs} rounds")
            opener = opener_for(base, email) if email else urllib.request.build_opener()
            floor, pages = rounds(base, opener, list(paths.values()), args.runs, args.warmup)
            result["roles"][role] = {
                "floor": floor,
                "pages": {name: pages[url] for name, url in paths.items()},
            }
        log(f"{size}: dues board against the admin changelist")
        opener = opener_for(base, ADMIN)
        board = main["dues board"]
        changelist = config["pages"]["admin"]["admin dues changelist"]
        floor, pages = rounds(base, opener, [board, changelist], args.runs, args.warmup)
        result["admin"] = {"floor": floor, "board": pages[board], "changelist": pages[changelist]}
        log(f"{size}: throughput (floor, directory), {args.threads} clients")
        result["throughput"] = {
            "floor": throughput(base, "/sante/", args.threads, args.seconds),
            "directory": throughput(base, main["directory"], args.threads, args.seconds),
        }
        log(f"{size}: PDFs")
        opener = opener_for(base, ROLES["bureau"])
        for name, url in config["pages"]["pdfs"].items():
            times, kinds = [], set()
            for _ in range(args.pdf_runs):
                if url.startswith("/tableau-de-bord/rapport.pdf"):
                    # The annual report is prepared once (a task; in-process here, no
                    # broker) then downloaded as stored: what a user waits for is the
                    # preparation, timed with the download.
                    elapsed, status, body = timed_report(opener, base, url)
                else:
                    elapsed, status, body = timed_get(opener, base + url)
                times.append(elapsed)
                kinds.add(status if body[:4] == b"%PDF" else f"{status} not a PDF")
            result["pdfs"][name] = {
                "url": url,
                "first": times[0],
                "median": statistics.median(times),
                "max": max(times),
                "status": ", ".join(str(kind) for kind in sorted(kinds, key=str)),
            }
    finally:
        server.stop()
    return result


# Background work ---------------------------------------------------------------------------

SMTP_SERVER = r"""
import email, signal, sys, threading
from email.policy import default
from aiosmtpd.controller import Controller

port, path = int(sys.argv[1]), sys.argv[2]
out = open(path, "a", buffering=1)


class Recorder:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default)
        subject = " ".join(str(message["Subject"] or "").split())
        for rcpt in envelope.rcpt_tos:
            out.write(f"{rcpt}\t{subject}\n")
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


class Smtp:
    """aiosmtpd in a process of its own, writing (recipient, subject) per message."""

    def __init__(self, port):
        handle, self.path = tempfile.mkstemp(prefix="bench-smtp-", suffix=".txt")
        os.close(handle)
        self.process = subprocess.Popen(
            [PYTHON, "-c", SMTP_SERVER, str(port), self.path], stdout=subprocess.PIPE, text=True
        )
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP server did not start")

    def lines(self) -> list[tuple[str, str]]:
        with open(self.path, encoding="utf-8") as received:
            return [tuple(line.rstrip("\n").split("\t", 1)) for line in received if "\t" in line]

    def wait_for(self, count, keep=lambda rcpt: True, timeout=15) -> list:
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.lines() if keep(line[0])]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        os.unlink(self.path)


def duplicates(lines) -> int:
    return sum(n - 1 for n in Counter(lines).values() if n > 1)


def background(env, args) -> dict:
    port = free_port()
    broker = args.redis_url
    worker_env = {**env, "REDIS_URL": broker, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    subprocess.run(
        [str(BIN / "celery"), "-A", "innovalo", "purge", "-f"],
        cwd=ROOT,
        env=worker_env,
        check=False,
        capture_output=True,
    )
    logfile = open(ROOT / "var" / "bench-worker.log", "ab")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "innovalo",
            "worker",
            "-c",
            "1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=logfile,
        stderr=logfile,
        start_new_session=True,
    )
    result = {}
    try:
        helper(worker_env, "ping")
        log(f"background: {INVITATIONS} survey invitations")
        smtp = Smtp(port)
        try:
            run = helper(worker_env, "invitations", str(INVITATIONS))
            lines = smtp.wait_for(run["sent"], keep=lambda rcpt: run["suffix"] in rcpt)
        finally:
            smtp.stop()
        result["invitations"] = {
            "emails": run["sent"],
            "received": len(lines),
            "seconds": run["elapsed"],
            "duplicates": duplicates(lines),
        }
        log(f"background: {DIGESTS} saved-search digests")
        smtp = Smtp(port)
        try:
            run = helper(worker_env, "digests", str(DIGESTS))
            lines = smtp.wait_for(run["sent"])
        finally:
            smtp.stop()
        result["digests"] = {
            "emails": run["sent"],
            "received": len(lines),
            "seconds": run["elapsed"],
            "bench_people": len({rcpt for rcpt, _subject in lines if run["prefix"] in rcpt}),
            "duplicates": duplicates(lines),
        }
        log("background: the year's dues reminders")
        smtp = Smtp(port)
        try:
            run = helper(worker_env, "dues")
            lines = smtp.wait_for(run.get("sent", 0))
        finally:
            smtp.stop()
        result["dues reminders"] = {
            "emails": run.get("sent", 0),
            "lines": run.get("lines", 0),
            "received": len(lines),
            "seconds": run.get("elapsed", 0),
            "duplicates": duplicates(lines),
            "rerun": run.get("rerun_sent", 0),
        }
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        logfile.close()
    return result


# Report ------------------------------------------------------------------------------------


def thousands(number) -> str:
    return f"{number:,}".replace(",", "\u202f")


def fmt(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def evaluate(data) -> list[str]:
    """The targets missed, each named precisely."""
    misses = []
    nat, fed = data["sizes"]["national"], data["sizes"]["federation"]
    queries = data["queries"]
    for role in ROLES:
        for name, figure in fed["roles"][role]["pages"].items():
            floor = fed["roles"][role]["floor"]["median"]
            ratio = figure["median"] / floor
            if ratio > PAGE_RATIO:
                misses.append(
                    f"{name} ({role}): {figure['median']:.1f} ms = {ratio:.1f}× the floor "
                    f"at federation scale (target ≤ {PAGE_RATIO}×)"
                )
            before = nat["roles"][role]["pages"].get(name)
            if before and figure["median"] > GROWTH * before["median"]:
                misses.append(
                    f"{name} ({role}): federation {figure['median']:.1f} ms = "
                    f"{figure['median'] / before['median']:.2f}× national "
                    f"{before['median']:.1f} ms (target ≤ {GROWTH}×)"
                )
        for name in data["config"]["pages"]["main"]:
            counts = [queries[size][role][name] for size in SIZES]
            if any(count["status"] != 200 for count in counts):
                continue
            if counts[0]["queries"] != counts[1]["queries"]:
                misses.append(
                    f"{name} ({role}): {counts[0]['queries']} queries national, "
                    f"{counts[1]['queries']} federation (target: constant)"
                )
            if max(count["queries"] for count in counts) > MAX_QUERIES:
                misses.append(
                    f"{name} ({role}): {max(c['queries'] for c in counts)} queries "
                    f"(target ≤ {MAX_QUERIES})"
                )
    for size in SIZES:
        admin = data["sizes"][size]["admin"]
        ratio = admin["board"]["median"] / admin["changelist"]["median"]
        if ratio > BOARD_VS_ADMIN:
            misses.append(
                f"dues board at {size} scale: {admin['board']['median']:.1f} ms = {ratio:.2f}× "
                f"the admin changelist {admin['changelist']['median']:.1f} ms "
                f"(target ≤ {BOARD_VS_ADMIN}×)"
            )
        for role in ("bureau", "ministry"):
            pages = data["sizes"][size]["roles"][role]["pages"]
            if "dashboard" in pages and "directory" in pages:
                ratio = pages["dashboard"]["median"] / pages["directory"]["median"]
                if ratio > DASHBOARD_VS_DIRECTORY:
                    misses.append(
                        f"dashboard ({role}) at {size} scale: {ratio:.2f}× the directory "
                        f"(target ≤ {DASHBOARD_VS_DIRECTORY}×)"
                    )
    share = fed["throughput"]["directory"] / fed["throughput"]["floor"]
    if share < THROUGHPUT_SHARE:
        misses.append(
            f"directory throughput at federation scale: {share:.0%} of the floor's "
            f"(target ≥ {THROUGHPUT_SHARE:.0%})"
        )
    for size in SIZES:
        for name, pdf in data["sizes"][size]["pdfs"].items():
            # A stored report's later downloads are instant: its first (the preparation)
            # is what counts.
            seconds = max(pdf["median"], pdf["first"] if "rapport.pdf" in pdf["url"] else 0)
            if seconds > PDF_SECONDS * 1000 or pdf["status"] != "200":
                misses.append(
                    f"{name} PDF at {size} scale: {seconds / 1000:.2f} s, "
                    f"status {pdf['status']} (target < {PDF_SECONDS:.0f} s)"
                )
    if data.get("background_error"):
        misses.append(f"background work failed: {data['background_error']}")
    work = data.get("background")
    if work:
        invitations = work["invitations"]
        if invitations["emails"] < INVITATIONS or invitations["seconds"] > INVITATIONS_SECONDS:
            misses.append(
                f"{invitations['emails']} survey invitations in {invitations['seconds']:.1f} s "
                f"(target {INVITATIONS} in < {INVITATIONS_SECONDS:.0f} s)"
            )
        for job, figures in work.items():
            if figures["duplicates"] or figures.get("rerun"):
                misses.append(
                    f"{job}: {figures['duplicates']} duplicate(s), "
                    f"{figures.get('rerun', 0)} sent again on a rerun (target 0)"
                )
        if work["digests"]["bench_people"] != DIGESTS:
            misses.append(
                f"digests: {work['digests']['bench_people']} of the {DIGESTS} bench people "
                "got their digest"
            )
    return misses


def markdown(data, misses) -> str:
    nat, fed = data["sizes"]["national"], data["sizes"]["federation"]
    queries = data["queries"]
    machine = data["machine"]
    out = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`scripts/bench.py`) on {data['date']}"
        + (f", code at commit {data['commit']}" if data.get("commit") else "")
        + ": "
        f"{machine['cpus']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"PostgreSQL {machine['postgres']}, gunicorn {data['args']['workers']} sync workers "
        "(`DEBUG=0`, persistent connections, no broker, "
        + (
            "the cache in Redis shared by the workers as in production"
            if data["args"].get("cache_url")
            else "a cache per process"
        )
        + "), load average before the run "
        f"{machine['load']}. Times are the time to the last byte on loopback, one request at a "
        f"time, {data['args']['runs']} rounds after {data['args']['warmup']} warm-up rounds, "
        "each round requesting the floor `/sante/` (one query) then the role's pages; ratios "
        "are to that floor's median in the same rounds. Queries: the test client in-process "
        "on the same database, the second request of each page (caches warm).",
        "",
        *(
            [
                "The machine was shared (load average above its CPU count): on pages under "
                "about 30 ms, a federation/national growth below 2× is within the noise "
                "between two runs; the ratios to the floor, measured in the same rounds, "
                "hold better.",
                "",
            ]
            if float(machine["load"].split()[0]) > machine["cpus"]
            else []
        ),
        "## Sizes",
        "",
        "| rows | national (demo) | federation (demo + `seed_federation`) |",
        "|---|---:|---:|",
    ]
    for label in data["counts"]["national"]:
        out.append(
            f"| {label} | {thousands(data['counts']['national'][label])} | "
            f"{thousands(data['counts']['federation'][label])} |"
        )
    build = data.get("build") or {}
    if build:
        out.append(
            f"| built in | {build.get('national', 0):.0f} s | {build.get('federation', 0):.0f} s |"
        )
    out += [
        "",
        f"Floor `/sante/`: {queries['national']['floor']['/sante/']['queries']} query "
        f"(health answer {json.dumps(nat['health'])}).",
        "",
        "## Main pages",
        "",
        f"Targets: median ≤ {PAGE_RATIO}× the floor at federation scale; federation ≤ {GROWTH}× "
        f"national; queries the same at both sizes and ≤ {MAX_QUERIES}. ✗ marks a miss.",
        "",
        "| role | page | queries nat / fed | national median / p95 ms (×floor) | "
        "federation median / p95 ms (×floor) | fed / nat |",
        "|---|---|---|---|---|---:|",
    ]
    for role in ROLES:
        floors = [data["sizes"][size]["roles"][role]["floor"]["median"] for size in SIZES]
        out.append(
            f"| {role} | *floor `/sante/`* | 1 | {floors[0]:.1f} | {floors[1]:.1f} | "
            f"{floors[1] / floors[0]:.2f} |"
        )
        for name, url in data["config"]["pages"]["main"].items():
            figures = [data["sizes"][size]["roles"][role]["pages"].get(name) for size in SIZES]
            counts = [queries[size][role][name] for size in SIZES]
            if figures[1] is None:
                status = counts[1]["status"]
                out.append(f"| {role} | {name} | — | refused ({status}) | refused ({status}) | |")
                continue
            q = [c["queries"] for c in counts]
            q_mark = " ✗" if q[0] != q[1] or max(q) > MAX_QUERIES else ""
            cells = []
            for figure, floor in zip(figures, floors, strict=True):
                if figure is None:
                    cells.append("—")
                    continue
                ratio = figure["median"] / floor
                cells.append(
                    f"{figure['median']:.1f} / {figure['p95']:.1f} (×{ratio:.1f})"
                    + (" ✗" if figure is figures[1] and ratio > PAGE_RATIO else "")
                )
            growth = figures[1]["median"] / figures[0]["median"] if figures[0] else None
            g_mark = " ✗" if growth and growth > GROWTH else ""
            out.append(
                f"| {role} | [{name}]({url}) | {q[0]} / {q[1]}{q_mark} | {cells[0]} | {cells[1]} "
                f"| {fmt(growth, 2)}{g_mark} |"
            )
    out += [
        "",
        "## Comparisons",
        "",
        "| what | national | federation | target |",
        "|---|---:|---:|---|",
    ]
    admin = [data["sizes"][size]["admin"] for size in SIZES]
    out.append(
        "| dues board (superuser of the bureau), median ms | "
        + " | ".join(f"{a['board']['median']:.1f}" for a in admin)
        + " | |"
    )
    out.append(
        "| admin changelist `/admin/members/duesline/`, median ms | "
        + " | ".join(f"{a['changelist']['median']:.1f}" for a in admin)
        + " | |"
    )
    out.append(
        "| dues board / admin changelist | "
        + " | ".join(f"{a['board']['median'] / a['changelist']['median']:.2f}" for a in admin)
        + f" | ≤ {BOARD_VS_ADMIN} |"
    )
    for role in ("bureau", "ministry"):
        ratios = []
        for size in SIZES:
            pages = data["sizes"][size]["roles"][role]["pages"]
            ratios.append(
                pages["dashboard"]["median"] / pages["directory"]["median"]
                if "dashboard" in pages and "directory" in pages
                else None
            )
        out.append(
            f"| dashboard / directory ({role}) | {fmt(ratios[0], 2)} | {fmt(ratios[1], 2)} "
            f"| ≤ {DASHBOARD_VS_DIRECTORY} |"
        )
    threads = data["args"]["threads"]
    tp = [data["sizes"][size]["throughput"] for size in SIZES]
    out.append(
        f"| floor throughput, {threads} keep-alive clients, req/s | "
        + " | ".join(f"{t['floor']:.0f}" for t in tp)
        + " | |"
    )
    out.append(
        "| directory throughput (anonymous), req/s | "
        + " | ".join(f"{t['directory']:.0f}" for t in tp)
        + " | |"
    )
    out.append(
        "| directory throughput / floor's | "
        + " | ".join(f"{t['directory'] / t['floor']:.0%}" for t in tp)
        + f" | ≥ {THROUGHPUT_SHARE:.0%} (federation) |"
    )
    out += [
        "",
        "## PDFs",
        "",
        f"As the bureau, {data['args']['pdf_runs']} requests each (the first included).",
        "",
        "| PDF | national median / max s | federation median / max s | target |",
        "|---|---:|---:|---|",
    ]
    for name, pdf in fed["pdfs"].items():
        cells = [
            f"{data['sizes'][size]['pdfs'][name]['median'] / 1000:.2f} / "
            f"{data['sizes'][size]['pdfs'][name]['max'] / 1000:.2f}"
            for size in SIZES
        ]
        out.append(f"| [{name}]({pdf['url']}) | {cells[0]} | {cells[1]} | < {PDF_SECONDS:.0f} s |")
    work = data.get("background")
    if work:
        out += [
            "",
            "## Background work (federation scale)",
            "",
            "One Celery worker (`-c 1`, Redis) sending to a local SMTP server (aiosmtpd in a "
            "process of its own) that records each message's recipients and subject; a "
            "duplicate is the same (recipient, subject) received twice.",
            "",
            "| job | emails | received | seconds | emails/s | duplicates | target |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        notes = {
            "invitations": f"{thousands(INVITATIONS)} in < {INVITATIONS_SECONDS:.0f} s, "
            "0 duplicates",
            "digests": f"{thousands(DIGESTS)} bench people each once, 0 duplicates",
            "dues reminders": "0 duplicates, a rerun sends 0",
        }
        labels = {
            "invitations": f"{thousands(INVITATIONS)} survey invitations (from the commit to "
            "the last sent)",
            "digests": f"saved-search digests ({thousands(DIGESTS)} new people with a daily search "
            "as `bench_call_digests` builds them, plus the federation's own searches due)",
            "dues reminders": "the year's dues reminders (late lines of the year moved so "
            "that their last step falls today; run twice)",
        }
        for job, figures in work.items():
            rate = figures["emails"] / figures["seconds"] if figures["seconds"] else 0
            extra = f"; rerun sent {figures['rerun']}" if "rerun" in figures else ""
            out.append(
                f"| {labels[job]} | {thousands(figures['emails'])} | "
                f"{thousands(figures['received'])} | {figures['seconds']:.1f} | {rate:.0f} | "
                f"{figures['duplicates']}{extra} | {notes[job]} |"
            )
    else:
        out += ["", "Background work: not run (`--skip-background`)."]
    out += ["", "## Targets missed", ""]
    out += [f"- {miss}" for miss in misses] if misses else ["None: every target is met."]
    out += [
        "",
        "## Slowest statements (federation scale, in-process)",
        "",
        "The three slowest statements of each page whose federation median is above "
        f"{PAGE_RATIO}× the floor or above {GROWTH}× national, to find the cause.",
        "",
    ]
    for role in ROLES:
        for name, figure in fed["roles"][role]["pages"].items():
            before = nat["roles"][role]["pages"].get(name)
            floor = fed["roles"][role]["floor"]["median"]
            slow = figure["median"] > PAGE_RATIO * floor or (
                before and figure["median"] > GROWTH * before["median"]
            )
            if not slow:
                continue
            out.append(f"- **{name}** ({role}):")
            for seconds, sql in queries["federation"][role][name]["sql"]:
                text = " ".join(sql.split())[:240].replace("|", "\\|")
                out.append(f"  - {seconds * 1000:.0f} ms: `{text}`")
    return "\n".join(out) + "\n"


# Main --------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="Reuse the two databases.")
    parser.add_argument("--drop", action="store_true", help="Drop the databases at the end.")
    parser.add_argument("--nat-db", default="")
    parser.add_argument("--fed-db", default="")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL")
        or os.environ.get("REDIS_URL")
        or "redis://127.0.0.1:6379/0",
        help="The worker's broker (background work).",
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"),
        help="The servers' cache (a Redis database the bench empties); '' for one per process.",
    )
    parser.add_argument("--skip-background", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--json", default=str(ROOT / "var" / "bench.json"))
    parser.add_argument(
        "--report-only", action="store_true", help="Rewrite the report from --json's figures."
    )
    args = parser.parse_args()
    if args.report_only:
        data = json.loads(Path(args.json).read_text(encoding="utf-8"))
        misses = evaluate(data)
        text = markdown(data, misses) + f"\nThe whole bench took {data['elapsed'] / 60:.1f} min.\n"
        Path(args.output).write_text(text, encoding="utf-8")
        sys.exit(1 if misses else 0)
    # Stopped (kill): the `finally` blocks stop the server, the worker and the SMTP server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("Set DATABASE_URL (PostgreSQL) first: the bench databases take its name.")
    pg = Postgres(url)
    names = {
        "national": args.nat_db or f"{pg.name}_bench_nat",
        "federation": args.fed_db or f"{pg.name}_bench_fed",
    }
    (ROOT / "var").mkdir(exist_ok=True)
    started = time.perf_counter()
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    build = build_databases(pg, names, args.reuse)
    envs = {size: environment(pg.url(names[size])) for size in SIZES}
    manage(envs["national"], "collectstatic", "--noinput")

    data = {
        "date": datetime.datetime.now().astimezone().strftime("%d %B %Y %H:%M %Z"),
        "machine": {
            "cpus": os.cpu_count(),
            "cpu": host.processor() or host.machine(),
            "python": host.python_version(),
            "postgres": pg.version(),
            "load": load,
        },
        "args": vars(args),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "build": build,
        "config": {},
        "counts": {},
        "queries": {},
        "sizes": {},
    }
    for size in SIZES:
        log(f"{size}: URLs, rows and queries ({names[size]})")
        prepared = helper(envs[size], "prepare")
        data["config"] = data["config"] or prepared
        if prepared["pages"] != data["config"]["pages"]:
            log(f"{size}: measured on the national database's URLs, not {prepared['pages']}")
        data["counts"][size] = prepared["counts"]
        pages = json.dumps(data["config"]["pages"])
        data["queries"][size] = helper(envs[size], "queries", pages)
    for size in SIZES:
        statuses = {
            role: {
                name: data["queries"][size][role][name]["status"]
                for name in data["config"]["pages"]["main"]
            }
            for role in ROLES
        }
        data["sizes"][size] = measure_size(size, envs[size], data["config"], args, statuses)
    Path(args.json).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    if not args.skip_background:
        try:
            data["background"] = background(envs["federation"], args)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - reported as a miss
            log(f"background work failed: {error!r}")
            data["background_error"] = repr(error)
    data["elapsed"] = time.perf_counter() - started
    misses = evaluate(data)
    text = markdown(data, misses)
    text += f"\nThe whole bench took {data['elapsed'] / 60:.1f} min.\n"
    Path(args.output).write_text(text, encoding="utf-8")
    Path(args.json).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    log(f"written {args.output} ({data['elapsed'] / 60:.1f} min)")
    if args.drop:
        for name in names.values():
            pg.drop(name)
    if misses:
        print(f"{len(misses)} target(s) missed:", file=sys.stderr)
        for miss in misses:
            print(f"  - {miss}", file=sys.stderr)
        sys.exit(1)
    print("every target met", file=sys.stderr)


if __name__ == "__main__":
    main()
