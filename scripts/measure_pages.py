"""Median server time of pages against the one-query page /sante/.

Serve the portal first (gunicorn, DEBUG off, PostgreSQL with the demo data), e.g.

    DEBUG=0 SECRET_KEY=x ALLOW_DEMO_DATA=1 SECURE_SSL_REDIRECT=0 \\
      .venv/bin/gunicorn innovalo.wsgi -b 127.0.0.1:8001 -w 2

then: .venv/bin/python scripts/measure_pages.py http://127.0.0.1:8001 \\
        --user bureau@innovalo.demo /cotisations/ /plateformes/innovaltech/modifier/

Each page is requested `--runs` times after a warm-up, one request at a time; the
server's time is the time to the last byte on loopback. Prints the median, the
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
    return opener


def timings(opener, url, runs):
    for _ in range(3):
        opener.open(url).read()
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        response = opener.open(url)
        response.read()
        values.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
    values.sort()
    return statistics.median(values), values[int(len(values) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user", default="")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    opener = opener_for(base, args.user)
    floor, floor_p95 = timings(urllib.request.build_opener(), base + "/sante/", args.runs)
    print(f"{'page':55} {'median':>8} {'p95':>8} {'ratio':>6}")
    print(f"{'/sante/':55} {floor:8.1f} {floor_p95:8.1f} {1:6.1f}")
    for path in args.paths:
        median, p95 = timings(opener, base + path, args.runs)
        print(f"{path:55} {median:8.1f} {p95:8.1f} {median / floor:6.1f}")


if __name__ == "__main__":
    main()
