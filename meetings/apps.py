from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Réunions")

    def ready(self):
        from innovalo.home import HOME_PANELS
        from innovalo.navigation import NavItem, add_nav_item
        from innovalo.personal_data import ANONYMISE_HOOKS, PROVIDERS

        from . import personal_data
        from .views.home import home_actions_panel

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
        if home_actions_panel not in HOME_PANELS:
            HOME_PANELS.append(home_actions_panel)
        for provider in personal_data.PROVIDERS:
            if provider not in PROVIDERS:
                PROVIDERS.append(provider)
        if personal_data.anonymise not in ANONYMISE_HOOKS:
            ANONYMISE_HOOKS.append(personal_data.anonymise)
