from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import converters, views  # noqa: F401  (registers <id:...>)

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<id:pk>/renvoyer/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<id:pk>/revoquer/", views.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("compte/mes-donnees/", views.my_data, name="my_data"),
    path("personnes/", views.people_list, name="people_list"),
    path("personnes/<id:pk>/anonymiser/", views.user_anonymise, name="user_anonymise"),
    # Addresses are managed by the bureau: no self-service address page.
    path("accounts/email/", views.no_address_management, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("meetings.urls")),
    path("", include("surveys.urls")),
    path("", include("projects.urls")),
    path("", include("innovalo.dashboard.urls")),
    path("", include("innovalo.opendata")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "innovalo.errors.permission_denied"
handler404 = "innovalo.errors.page_not_found"
handler500 = "innovalo.errors.server_error"
