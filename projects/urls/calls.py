"""URLs of the calls pages (``projects/views/calls.py``)."""

from django.urls import path

from ..views import calls as views

urlpatterns = [
    path("appels/", views.call_list, name="call_list"),
    path("appels/nouveau/", views.call_create, name="call_create"),
    path("appels/proposer/", views.call_propose, name="call_propose"),
    path("appels/propositions/", views.call_proposals, name="call_proposals"),
    path("appels/<id:pk>/", views.call_detail, name="call_detail"),
    path("appels/<id:pk>/modifier/", views.call_edit, name="call_edit"),
    path("appels/<id:pk>/archiver/", views.call_archive, name="call_archive"),
    path("appels/<id:pk>/desarchiver/", views.call_unarchive, name="call_unarchive"),
    path("appels/<id:pk>/publier/", views.call_publish, name="call_publish"),
    path("appels/<id:pk>/refuser/", views.call_refuse, name="call_refuse"),
    path("appels/<id:pk>/suivre/", views.call_follow, name="call_follow"),
    path("appels/<id:pk>/interet/", views.call_interest, name="call_interest"),
]
