"""The main navigation: each role sees what it may use.

Each app appends its entries here; `visible_to` is a function of `perms.py`.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import perms


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible_to: Callable
    section: str = ""


def _anyone(user):
    return True


def _logged_in(user):
    return user.is_authenticated


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Accueil"), "home", _anyone, "home"),
    NavItem(_("Tableau de bord"), "dashboard", perms.can_read_national_data, "dashboard"),
    NavItem(_("Invitations"), "invitation_list", perms.can_manage_invitations, "invitations"),
    NavItem(_("Personnes"), "people_list", perms.can_anonymise_users, "people"),
]


def add_nav_item(item: NavItem, *, before: str | None = None) -> None:
    """Apps register their entries from AppConfig.ready()."""
    if any(existing.url_name == item.url_name for existing in NAV_ITEMS):
        return
    index = next((i for i, it in enumerate(NAV_ITEMS) if it.url_name == before), None)
    NAV_ITEMS.insert(len(NAV_ITEMS) if index is None else index, item)


# Pages every layout links to (base.html), besides the navigation's.
LAYOUT_URLS = (
    "home",
    "account_change_password",
    "mfa_index",
    "my_data",
    "account_logout",
    "account_login",
    "set_language",
)


@functools.lru_cache(maxsize=16)
def _reversed(url_names: tuple, prefix: str, urlconf, language) -> dict:
    """{url name: path, or None when the page does not exist}, reversed once per
    script prefix, URL configuration and language (reverse() is what they depend on)."""
    urls = {}
    for name in url_names:
        try:
            urls[name] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:  # an app's page not built yet: tests pin each entry
            urls[name] = None
    return urls


def portal_urls() -> dict:
    """The paths of the layout's links and of the navigation, reversed once, not on
    every page."""
    names = LAYOUT_URLS + tuple(item.url_name for item in NAV_ITEMS)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(names, get_script_prefix(), urlconf, get_language())


def nav_for(user, current_path: str = "", urls=None):
    urls = portal_urls() if urls is None else urls
    items = []
    for item in NAV_ITEMS:
        if not item.visible_to(user):
            continue
        url = urls.get(item.url_name)
        if url is None:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
