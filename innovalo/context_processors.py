from django.conf import settings

from . import perms
from .navigation import nav_for, portal_urls


def portal(request):
    user = request.user
    urls = portal_urls()
    return {
        "association": settings.ASSOCIATION,
        "portal_urls": urls,
        "nav_items": nav_for(user, request.path, urls),
        "is_bureau": perms.is_bureau(user),
        "is_ministry": perms.is_ministry(user),
        "is_director": perms.is_director(user),
    }
