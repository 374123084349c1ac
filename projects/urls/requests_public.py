"""URLs of the public side of firms' requests (``projects/views/requests_public.py``)."""

from django.urls import path

from ..views import requests_public as views

urlpatterns = [
    path("demandes/nouvelle/", views.request_create, name="request_create"),
    path("demandes/envoyee/", views.request_sent, name="request_sent"),
    path("demandes/suivi/<str:token>/", views.request_track, name="request_track"),
    path(
        "demandes/suivi/<str:token>/message/", views.request_message, name="request_track_message"
    ),
    path("demandes/suivi/<str:token>/effacement/", views.request_erase, name="request_erase"),
]
