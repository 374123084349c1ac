from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Enquêtes")

    def ready(self):
        from . import signals

        signals.connect()
        from innovalo.home import HOME_PANELS
        from innovalo.navigation import NavItem, add_nav_item

        from .views.home import home_survey_panel

        def logged_in(user):
            return user.is_authenticated

        add_nav_item(
            NavItem(_("Enquêtes"), "survey_list", logged_in, "surveys"),
            before="invitation_list",
        )
        if home_survey_panel not in HOME_PANELS:
            HOME_PANELS.append(home_survey_panel)
