from django.conf import settings

from . import perms
from .navigation import nav_for


def portal(request):
    user = request.user
    return {
        "association": settings.ASSOCIATION,
        "nav_items": nav_for(user, request.path),
        "is_bureau": perms.is_bureau(user),
        "is_ministry": perms.is_ministry(user),
        "is_director": perms.is_director(user),
    }
