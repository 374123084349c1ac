"""URLs of the alerts pages: my saved searches, and the unsubscribe link of digests."""

from django.urls import path

from ..views import alerts as views

urlpatterns = [
    path("appels/alertes/", views.saved_search_list, name="saved_search_list"),
    path("appels/alertes/nouvelle/", views.saved_search_create, name="saved_search_create"),
    path("appels/alertes/<id:pk>/modifier/", views.saved_search_edit, name="saved_search_edit"),
    path(
        "appels/alertes/<id:pk>/supprimer/", views.saved_search_delete, name="saved_search_delete"
    ),
    path("appels/alertes/<id:pk>/pause/", views.saved_search_pause, name="saved_search_pause"),
    path(
        "appels/alertes/desabonner/<str:token>/",
        views.saved_search_unsubscribe,
        name="saved_search_unsubscribe",
    ),
]
