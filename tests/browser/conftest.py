"""Browser tests: Debian's Chromium driven by Playwright against a live server.

They run apart from the rest of the suite (``make test`` calls pytest twice): the
database is created once for the whole run and filled with ``seed_demo``, so the
journeys log in with the demo accounts and see the demo's platforms, dues, meetings,
surveys and calls. Tests here never flush it; each journey leaves the data in a state
the others do not depend on.

Nothing is downloaded at run time: Playwright is pointed at the system's Chromium
(``CHROMIUM`` or ``chromium`` on the PATH); without one, every test is skipped with
the reason.
"""

import io
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# to check what a journey wrote are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
DEMO_PASSWORD = "demo-innovalo-2026"
ACCOUNTS = {
    "director": "directeur@innovalo.demo",
    "bureau": "bureau@innovalo.demo",
    "ministry": "ministere@innovalo.demo",
}
# Screenshots of each role's main pages are kept as CI output.
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM:
                item.add_marker(
                    pytest.mark.skip(
                        reason="no Chromium found (apt-get install chromium, or set CHROMIUM)"
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """The test database, created once for the run, with the demo data. (pytest-django's
    own fixture sets up only the databases that tests marked ``django_db`` ask for; these
    tests talk to the database through the live server.)"""
    from django.core.management import call_command
    from django.test import override_settings
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        with override_settings(ALLOW_DEMO_DATA=True):
            call_command("seed_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def demo_server(django_db_setup, django_db_blocker):
    """A live server on the seeded database, for the whole run."""
    from pytest_django.live_server_helper import LiveServer

    django_db_blocker.unblock()
    server = LiveServer("localhost:0")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()
    django_db_blocker.restore()


@pytest.fixture
def base(demo_server):
    return demo_server.url


def log_in(page, base, role):
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_login").fill(ACCOUNTS[role])
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def as_role(page, base):
    """``as_role("bureau")`` logs the page in as that demo account."""

    def login(role):
        if role != "anonymous":
            log_in(page, base, role)
        return page

    return login


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def get_pdf(page, base, href) -> bytes:
    """A PDF the page links to, fetched with the page's session: its bytes."""
    response = page.request.get(base + href if href.startswith("/") else href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    return response.body()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
