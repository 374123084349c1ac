"""French error pages that never need the database or a logged-in user."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template


def permission_denied(request, exception=None):
    """403, saying why when we know: the ministry's account is read-only, and whom to
    write to for a change."""
    from django.conf import settings

    from .perms import is_ministry

    user = getattr(request, "user", None)
    context = {
        "ministry_read_only": bool(user is not None and is_ministry(user)),
        "bureau_email": settings.ASSOCIATION["email"],
    }
    return render(request, "403.html", context, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return HttpResponseServerError(get_template("500.html").render({}))
