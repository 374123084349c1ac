"""Median server time of pages against the one-query page /sante/.

Serve the portal first (gunicorn, DEBUG off, PostgreSQL with the demo data), e.g.

    DEBUG=0 SECRET_KEY=x ALLOW_DEMO_DATA=1 SECURE_SSL_REDIRECT=0 \\
      .venv/bin/gunicorn innovalo.wsgi -b 127.0.0.1:8001 -w 2

then: .venv/bin/python scripts/measure_pages.py http://127.0.0.1:8001 \\
        --user bureau@innovalo.demo /cotisations/ /plateformes/innovaltech/modifier/

Each page is requested `--runs` times after a warm-up, one request at a time, in rounds
that also request /sante/ (so both share the machine's state); the server's time is
the time to the last byte on loopback. Prints the median, the
95th percentile and the ratio of the medians to /sante/'s.
"""

import argparse
import re
import statistics
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

DEMO_PASSWORD = "demo-innovalo-2026"


def _plain_http(jar):
    """Production cookies are Secure; the measurement talks plain HTTP on loopback."""
    for cookie in jar:
        cookie.secure = False


def opener_for(base, user):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    if user:
        page = opener.open(base + "/accounts/login/").read().decode()
        _plain_http(jar)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"login": user, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
        )
        opener.open(request).read()
        _plain_http(jar)
        if not any(cookie.name == "sessionid" for cookie in jar):
            raise SystemExit(f"could not log in as {user}")
    opener.jar = jar  # for a later POST: cookies set since are Secure too
    return opener


def _once(opener, url):
    start = time.perf_counter()
    response = opener.open(url)
    response.read()
    if response.status != 200:
        raise SystemExit(f"{url} answered {response.status}")
    return (time.perf_counter() - start) * 1000


def _summary(values):
    values = sorted(values)
    return statistics.median(values), values[max(int(len(values) * 0.95) - 1, 0)]


def measure(floor_opener, opener, base, paths, runs):
    """Rounds of /sante/ then every page, so that the floor and the pages share the
    machine's state (frequency, load) instead of being measured minutes apart."""
    urls = [base + "/sante/", *(base + path for path in paths)]
    openers = [floor_opener, *([opener] * len(paths))]
    for _ in range(3):
        for url, client in zip(urls, openers, strict=True):
            _once(client, url)
    values = {url: [] for url in urls}
    for _ in range(runs):
        for url, client in zip(urls, openers, strict=True):
            values[url].append(_once(client, url))
    return [_summary(values[url]) for url in urls]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user", default="")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    opener = opener_for(base, args.user)
    results = measure(urllib.request.build_opener(), opener, base, args.paths, args.runs)
    (floor, floor_p95), pages = results[0], results[1:]
    print(f"{'page':55} {'median':>8} {'p95':>8} {'ratio':>6}")
    print(f"{'/sante/':55} {floor:8.1f} {floor_p95:8.1f} {1:6.1f}")
    for path, (median, p95) in zip(args.paths, pages, strict=True):
        print(f"{path:55} {median:8.1f} {p95:8.1f} {median / floor:6.1f}")


if __name__ == "__main__":
    main()
