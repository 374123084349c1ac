"""URLs of the requests pages for platforms, correspondents and the bureau
(``/demandes/``); the firm's public pages are in ``requests_public.py``."""

from django.urls import path

from ..views import requests as views

urlpatterns = [
    path("demandes/", views.request_board, name="request_board"),
    path("demandes/chiffres/", views.request_figures, name="request_figures"),
    path("demandes/<id:pk>/", views.request_detail, name="request_detail"),
    path("demandes/<id:pk>/orienter/", views.request_route, name="request_route"),
    path("demandes/<id:pk>/accepter/", views.request_accept, name="request_accept"),
    path("demandes/<id:pk>/decliner/", views.request_decline, name="request_decline"),
    path("demandes/<id:pk>/passer/", views.request_pass, name="request_pass"),
    path("demandes/<id:pk>/en-cours/", views.request_start, name="request_start"),
    path("demandes/<id:pk>/message/", views.request_message, name="request_message"),
    path("demandes/<id:pk>/note/", views.request_note, name="request_note"),
    path("demandes/<id:pk>/clore/", views.request_close, name="request_close"),
    path("demandes/<id:pk>/rouvrir/", views.request_reopen, name="request_reopen"),
]
