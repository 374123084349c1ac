"""What the home page shows. Each app adds a panel through HOME_PANELS."""

from django.conf import settings

# Functions (request) -> dict | None; a dict is a panel: {"template": ..., **context}.
HOME_PANELS = []


def home_context(request):
    panels = []
    for panel in HOME_PANELS:
        data = panel(request)
        if data:
            panels.append(data)
    return {"panels": panels, "association": settings.ASSOCIATION}
