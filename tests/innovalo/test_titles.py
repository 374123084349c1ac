"""Every page's <title> names the page: crawled from the home page for each role, the
title is never the site's name alone (nor "Portail"), and pages differ by their title."""

import html
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import ROLES
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import with_deadline

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
LINK = re.compile(r'<a [^>]*href="(/[^"#?]*)"')
# Not pages: downloads, the admin, the account's actions, static files.
SKIP = re.compile(
    r"^/(admin|static|media|accounts/logout|i18n)/|\.(pdf|csv|xlsx|ics|zip|xml|json|svg)$"
    r"|/(export|telecharger|pdf|ics|csv|xlsx)/?$"
)
MAX_PAGES = 60


def crawl(client, start="/"):
    """{path: title} of the HTML pages reached by links from `start` (query strings
    aside: a filtered list is the same page)."""
    seen, titles, queue = set(), {}, [start]
    while queue and len(titles) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        found = TITLE.search(page)
        titles[path] = " ".join(html.unescape(found.group(1)).split()) if found else ""
        for link in LINK.findall(page):
            if urlsplit(link).path not in seen:
                queue.append(html.unescape(link))
    return titles


@pytest.fixture
def world(platform, other_platform, bureau, ministry):
    """A platform per director, a meeting, an open call: detail pages to reach."""
    MeetingFactory(title="Rencontre nationale")
    with_deadline(title="Appel Industrie du futur")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_title_names_the_page(client_for, world, role):
    titles = crawl(client_for(role))
    site = settings.ASSOCIATION["name"]
    assert len(titles) >= 3, titles
    generic = {
        path: title
        for path, title in titles.items()
        if not title or title in (site, f"Portail · {site}") or title.startswith("Portail ·")
    }
    assert generic == {}
    assert all(title.endswith(f" · {site}") for title in titles.values()), titles
    # Unique-ish: a title names one page (a few pages may share one, e.g. two tabs).
    assert len(set(titles.values())) >= 0.8 * len(titles), titles


def test_login_page_title_button_and_no_signup_sentence(client):
    page = client.get(reverse("account_login")).content.decode()
    assert " ".join(TITLE.search(page).group(1).split()) == "Se connecter · INNOVALO"
    assert reverse("account_signup") not in page
    assert "sign up" not in page.lower() and "inscrire" not in page.lower()
    assert re.search(r'<button type="submit" class="button">\s*Se connecter\s*</button>', page)
    assert "bureau d&#x27;INNOVALO" in page or "bureau d'INNOVALO" in page


def test_allauth_pages_have_their_own_title_and_styled_buttons(client):
    page = client.get(reverse("account_reset_password")).content.decode()
    assert " ".join(TITLE.search(page).group(1).split()).startswith("Réinitialisation")
    assert re.search(r'<button class="button"\s+type="submit"', page)
