from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _sees_requests(user):
    from . import perms

    return perms.can_read_requests(user) or perms.can_read_request_figures(user)


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
            NavItem(_("Demandes"), "request_board", _sees_requests, "requests"),
            before="invitation_list",
        )
        if home_calls_panel not in HOME_PANELS:
            HOME_PANELS.append(home_calls_panel)
