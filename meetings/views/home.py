"""The meetings panel of the home page (registered in ``innovalo.home.HOME_PANELS``)."""

from .. import selectors


def home_actions_panel(request):
    """The user's open actions (nothing for visitors, or without an open action)."""
    actions = selectors.home_actions(request.user)
    if not actions:
        return None
    return {"template": "meetings/includes/home_actions.html", "actions": actions}
