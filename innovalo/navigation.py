"""The main navigation: each role sees what it may use.

Each app appends its entries here; `visible_to` is a function of `perms.py`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
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
    NavItem(_("Invitations"), "invitation_list", perms.can_manage_invitations, "invitations"),
    NavItem(_("Personnes"), "people_list", perms.can_anonymise_users, "people"),
]


def add_nav_item(item: NavItem, *, before: str | None = None) -> None:
    """Apps register their entries from AppConfig.ready()."""
    if any(existing.url_name == item.url_name for existing in NAV_ITEMS):
        return
    index = next((i for i, it in enumerate(NAV_ITEMS) if it.url_name == before), None)
    NAV_ITEMS.insert(len(NAV_ITEMS) if index is None else index, item)


def nav_for(user, current_path: str = ""):
    items = []
    for item in NAV_ITEMS:
        if not item.visible_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # an app's page not built yet: tests pin each entry
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
