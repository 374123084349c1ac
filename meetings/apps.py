from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def home_actions_panel(request):
    """The user's open actions on the home page (nothing for visitors or no action)."""
    user = request.user
    if not user.is_authenticated:
        return None
    from .models import ActionItem

    actions = list(ActionItem.objects.open().owned_by(user).for_list()[:10])
    if not actions:
        return None
    return {"template": "meetings/includes/home_actions.html", "actions": actions}


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Réunions")

    def ready(self):
        from innovalo.home import HOME_PANELS
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
        if home_actions_panel not in HOME_PANELS:
            HOME_PANELS.append(home_actions_panel)
