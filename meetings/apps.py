from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Réunions")

    def ready(self):
        from innovalo.navigation import NavItem, add_nav_item

        def logged_in(user):
            return user.is_authenticated

        add_nav_item(
            NavItem(_("Réunions"), "meeting_list", logged_in, "meetings"),
            before="invitation_list",
        )
        add_nav_item(
            NavItem(_("Mes actions"), "my_actions", logged_in, "actions"),
            before="invitation_list",
        )
