from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Plateformes et cotisations")

    def ready(self):
        from innovalo import services as portal_services
        from innovalo.navigation import NavItem, add_nav_item

        from . import agreement_reminders, perms  # noqa: F401 (the job registers itself)
        from .services.platforms import grant_invited_platform

        portal_services.invitation_accepted_hooks().append(grant_invited_platform)

        from . import caches

        caches.connect()  # the cached directory goes stale when a platform changes

        from innovalo.personal_data import PROVIDERS

        from .personal_data import correspondences_of, platforms_of

        PROVIDERS.extend([platforms_of, correspondences_of])

        from innovalo.home import HOME_PANELS

        from .home import dues_panel, my_dues_panel, my_platforms_panel, network_panel

        for panel in (network_panel, my_platforms_panel, my_dues_panel, dues_panel):
            if panel not in HOME_PANELS:
                HOME_PANELS.append(panel)
        add_nav_item(
            NavItem(_("Plateformes"), "platform_list", lambda user: True, "platforms"),
            before="invitation_list",
        )
        add_nav_item(
            NavItem(_("Cotisations"), "dues_board", perms.can_manage_dues, "dues"),
            before="invitation_list",
        )
        add_nav_item(
            NavItem(
                _("Conventions"),
                "agreements_ending",
                perms.can_see_network_agreements,
                "agreements",
            ),
            before="invitation_list",
        )
