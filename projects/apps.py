from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _reads_request_figures_only(user):
    """The ministry: the requests' counts, never the board."""
    from . import perms

    return perms.can_read_request_figures(user) and not perms.can_read_requests(user)


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Veille et projets")

    def ready(self):
        from innovalo.home import HOME_PANELS
        from innovalo.navigation import NavItem, add_nav_item

        # Reminder jobs and email rules register themselves on import.
        from . import (  # noqa: F401
            perms,
            project_reminders,
            reminders,
            request_emails,
            request_reminders,
        )
        from .views.home import home_calls_panel

        add_nav_item(
            NavItem(_("Appels"), "call_list", perms.can_read_calls, "calls"),
            before="invitation_list",
        )
        add_nav_item(
            NavItem(_("Projets"), "project_board", perms.can_read_projects, "projects"),
            before="invitation_list",
        )
        add_nav_item(
            NavItem(_("Demandes"), "request_board", perms.can_read_requests, "requests"),
            before="invitation_list",
        )
        add_nav_item(
            NavItem(_("Demandes"), "request_figures", _reads_request_figures_only, "requests"),
            before="invitation_list",
        )
        if home_calls_panel not in HOME_PANELS:
            HOME_PANELS.append(home_calls_panel)
